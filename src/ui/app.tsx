/**
 * The page frame: navigation between the timeline and the analysis pages,
 * the trace's name and a banner when the trace is damaged. Each page gets
 * the engine client and the parsed route.
 */
import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { TraceInfo } from "../query/timeline/protocol.js";
import type { EngineClient } from "./engine-client.js";
import { GoroutinesPage } from "./pages/goroutines-page.js";
import { MMUPage } from "./pages/mmu-page.js";
import { OverviewPage } from "./pages/overview-page.js";
import { ProfilesPage } from "./pages/profiles-page.js";
import { SchedLatencyPage } from "./pages/schedlat-page.js";
import { RegionsPage, TasksPage } from "./pages/tasks-page.js";
import { type Route, routeHref, useRoute } from "./route.js";
import { TimelinePage } from "./timeline/timeline-page.js";

export interface PageProps {
  readonly engine: EngineClient;
  readonly info: TraceInfo;
  readonly route: Route;
}

const pages: readonly { id: string; title: string; component: ComponentType<PageProps> }[] = [
  { id: "timeline", title: "Timeline", component: TimelinePage },
  { id: "overview", title: "Overview", component: OverviewPage },
  { id: "goroutines", title: "Goroutines", component: GoroutinesPage },
  { id: "profiles", title: "Profiles", component: ProfilesPage },
  { id: "tasks", title: "Tasks", component: TasksPage },
  { id: "regions", title: "Regions", component: RegionsPage },
  { id: "mmu", title: "MMU", component: MMUPage },
  { id: "schedlat", title: "Sched latency", component: SchedLatencyPage },
];

export function App({ engine }: { engine: EngineClient }) {
  const route = useRoute();
  const [info, setInfo] = useState<TraceInfo | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    engine.info().then(setInfo, (e: unknown) => setError(String(e)));
  }, [engine]);
  const page = pages.find((p) => p.id === route.page);
  const Page = page?.component;
  return (
    <div class="app">
      <nav class="nav" aria-label="Pages">
        <span class="brand">gotrace</span>
        {pages.map((p) => (
          <a
            href={routeHref(p.id)}
            class={p.id === route.page ? "active" : ""}
            aria-current={p.id === route.page ? "page" : undefined}
          >
            {p.title}
          </a>
        ))}
        {info && <span class="nav-info">{info.format}</span>}
      </nav>
      {info?.damage && (
        <div class="banner" role="alert">
          Damaged trace: {info.damage.message}. Showing what was read before it (
          {info.damage.lostBytes.toLocaleString()} bytes lost).
        </div>
      )}
      <main class="page">
        {error && (
          <div class="banner" role="alert">
            {error}
          </div>
        )}
        {!info && !error && <div class="loading">Loading…</div>}
        {info && Page && <Page engine={engine} info={info} route={route} />}
        {info && !Page && <div>No page “{route.page}”.</div>}
      </main>
    </div>
  );
}
