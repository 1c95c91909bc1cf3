/** What every analysis page shares: its title, and a line while its data loads or when it failed. */
import type { ComponentChildren } from "preact";
import type { AnalysisStatus } from "../../query/analysis/protocol.js";
import { plural } from "../plural.js";
import type { Loaded } from "./analysis-api.js";
import "./pages.css";

export function PageFrame(props: { title: string; intro?: ComponentChildren; children?: ComponentChildren }) {
  return (
    <div class="apage">
      <h1>{props.title}</h1>
      {props.intro && <p class="intro">{props.intro}</p>}
      {props.children}
    </div>
  );
}

/** " 45% (12,345 events read)" while the first pass runs. */
function progress(s: AnalysisStatus | undefined): string {
  if (!s || s.events === 0) return "";
  const pct = s.totalBytes ? ` ${Math.floor((s.bytesRead / s.totalBytes) * 100)}%` : "";
  return `${pct} (${plural(s.events, "event")} read)`;
}

/** The loading or error line for `loaded`, or the children once it is done. */
export function Pending<T>(props: { loaded: Loaded<T>; children: (value: T) => ComponentChildren }) {
  const l = props.loaded;
  if (l.state === "error")
    return (
      <div class="aerror" role="alert">
        {l.message}
      </div>
    );
  if (l.state === "loading")
    return (
      <div class="loading" aria-live="polite">
        Analysing the trace…{progress(l.status)}
      </div>
    );
  return <>{props.children(l.value)}</>;
}
