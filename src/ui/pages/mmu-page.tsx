import type { PageProps } from "../app.js";

export function MMUPage(_: PageProps) {
  return <div>Not built yet.</div>;
}
