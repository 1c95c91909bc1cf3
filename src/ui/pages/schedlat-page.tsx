import type { PageProps } from "../app.js";

export function SchedLatencyPage(_: PageProps) {
  return <div>Not built yet.</div>;
}
