/**
 * The page frame: navigation between the timeline and the analysis pages,
 * the trace's name and a banner when the trace is damaged. Each page gets
 * the engine client and the parsed route.
 */
import type { ComponentChildren, ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { LoadProgress, TraceInfo } from "../query/timeline/protocol.js";
import type { EngineClient } from "./engine-client.js";
import { DiffPage, getDiffStatus } from "./pages/diff-page.js";
import { formatBytes } from "./pages/format.js";
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
  { id: "diff", title: "Diff", component: DiffPage },
];

/** `extraNav`: more in the navigation bar, after the pages (the static page's "Open…"). */
export function App({ engine, extraNav }: { engine: EngineClient; extraNav?: ComponentChildren }) {
  const route = useRoute();
  const [info, setInfo] = useState<TraceInfo | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    engine.info().then(setInfo, (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, [engine]);
  const progress = useReadProgress(engine, info === undefined && error === undefined);
  // The Diff page is listed when two traces are compared (gotrace view A B, or the static page's "Compare with…").
  const [diffing, setDiffing] = useState(false);
  useEffect(() => {
    getDiffStatus().then(
      (s) => setDiffing(s.state !== "none"),
      () => {},
    );
  }, [route.page]);
  const page = pages.find((p) => p.id === route.page);
  const Page = page?.component;
  return (
    <div class="app">
      <nav class="nav" aria-label="Pages">
        <span class="brand">gotrace</span>
        {pages
          .filter((p) => p.id !== "diff" || diffing || route.page === "diff")
          .map((p) => (
            <a
              href={routeHref(p.id)}
              class={p.id === route.page ? "active" : ""}
              aria-current={p.id === route.page ? "page" : undefined}
            >
              {p.title}
            </a>
          ))}
        {extraNav}
        {info && <span class="nav-info">{info.format}</span>}
      </nav>
      {info?.damage && (
        <div class="banner" role="alert">
          Damaged trace: {info.damage.message}. Showing what was read before it;{" "}
          {formatBytes(info.damage.lostBytes)} after it could not be read.
        </div>
      )}
      <main class="page">
        {error && (
          <div class="banner" role="alert">
            {error}
          </div>
        )}
        {!info && !error && (
          <div class="loading" role="status">
            {progressText(progress)}
          </div>
        )}
        {info && Page && <Page engine={engine} info={info} route={route} />}
        {info && !Page && <div>No page “{route.page}”.</div>}
      </main>
    </div>
  );
}

/** Polls the read's progress while `active` (the trace is still being read). */
function useReadProgress(engine: EngineClient, active: boolean): LoadProgress | undefined {
  const [progress, setProgress] = useState<LoadProgress | undefined>();
  useEffect(() => {
    if (!active) return;
    let stopped = false;
    const poll = () => {
      engine.progress().then(
        (p) => {
          if (stopped) return;
          setProgress(p);
          if (!p.done && !p.error) timer = setTimeout(poll, 250);
        },
        () => {},
      );
    };
    let timer = setTimeout(poll, 0);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [engine, active]);
  return progress;
}

function progressText(p: LoadProgress | undefined): string {
  if (!p || p.done) return "Loading…";
  if (p.error) return `Could not read the trace: ${p.error}`;
  const mb = (n: number) => (n / 1e6).toFixed(0);
  const events = `${(p.events / 1e6).toFixed(1)} M events`;
  if (p.totalBytes) {
    const pct = Math.floor((p.bytesRead / p.totalBytes) * 100);
    return `Reading the trace… ${pct}% (${mb(p.bytesRead)} of ${mb(p.totalBytes)} MB, ${events})`;
  }
  return `Reading the trace… ${mb(p.bytesRead)} MB, ${events}`;
}
