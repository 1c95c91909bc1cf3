import type { PageProps } from "../app.js";

export function TasksPage(_: PageProps) {
  return <div>Not built yet.</div>;
}

export function RegionsPage(_: PageProps) {
  return <div>Not built yet.</div>;
}
