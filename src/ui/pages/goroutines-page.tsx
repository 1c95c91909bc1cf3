import type { PageProps } from "../app.js";

export function GoroutinesPage(_: PageProps) {
  return <div>Not built yet.</div>;
}
