/**
 * Where the UI is, as a URL fragment: `#/page?key=value&…`. Every page has
 * a stable address and the timeline's view, window and selection live in
 * the fragment too, so a copied link opens the same picture.
 */
import { useEffect, useState } from "preact/hooks";

export interface Route {
  readonly page: string;
  readonly params: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const h = hash.replace(/^#\/?/, "");
  const q = h.indexOf("?");
  const page = (q >= 0 ? h.slice(0, q) : h) || "timeline";
  return { page, params: new URLSearchParams(q >= 0 ? h.slice(q + 1) : "") };
}

export function routeHref(page: string, params: Record<string, string | number | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") q.set(k, String(v));
  const s = q.toString();
  return `#/${page}${s ? `?${s}` : ""}`;
}

/** Replaces the fragment without adding a history entry (for continuous changes such as panning). */
export function replaceRoute(href: string): void {
  if (location.hash !== href) history.replaceState(null, "", href);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);
  return route;
}

/** What the timeline's address can say. Times are ns since the first event. */
export interface TimelineLink {
  readonly view?: "proc" | "thread" | "goroutine";
  readonly startNs?: number;
  readonly endNs?: number;
  /** A selected slice (id from the engine, in `view`). */
  readonly sel?: number;
  /** A goroutine to focus: its row is scrolled into view and highlighted. */
  readonly g?: number;
  /** A find query to run; with `filter`, the goroutine view keeps only matching goroutines. */
  readonly q?: string;
  readonly filter?: boolean;
  /** A selected time range, whose totals the side panel shows. */
  readonly rangeStartNs?: number;
  readonly rangeEndNs?: number;
}

/** The address of the timeline showing `link`: every page links to the timeline through this. */
export function timelineHref(link: TimelineLink): string {
  return routeHref("timeline", {
    view: link.view,
    start: link.startNs === undefined ? undefined : Math.floor(link.startNs),
    end: link.endNs === undefined ? undefined : Math.ceil(link.endNs),
    sel: link.sel,
    g: link.g,
    q: link.q,
    filter: link.filter ? 1 : undefined,
    rs: link.rangeStartNs === undefined ? undefined : Math.floor(link.rangeStartNs),
    re: link.rangeEndNs === undefined ? undefined : Math.ceil(link.rangeEndNs),
  });
}

export function parseTimelineLink(params: URLSearchParams): TimelineLink {
  const num = (k: string) => {
    const v = params.get(k);
    if (v === null || v === "") return undefined;
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  };
  const view = params.get("view");
  return {
    view: view === "proc" || view === "thread" || view === "goroutine" ? view : undefined,
    startNs: num("start"),
    endNs: num("end"),
    sel: num("sel"),
    g: num("g"),
    q: params.get("q") ?? undefined,
    filter: params.get("filter") === "1",
    rangeStartNs: num("rs"),
    rangeEndNs: num("re"),
  };
}
