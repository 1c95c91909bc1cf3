import type { PageProps } from "../app.js";

export function OverviewPage(_: PageProps) {
  return <div>Not built yet.</div>;
}
