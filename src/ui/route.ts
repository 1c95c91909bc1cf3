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
