import type { PageProps } from "../app.js";

export function TimelinePage(_: PageProps) {
  return <div>Not built yet.</div>;
}
