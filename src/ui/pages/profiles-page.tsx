import type { PageProps } from "../app.js";

export function ProfilesPage(_: PageProps) {
  return <div>Not built yet.</div>;
}
