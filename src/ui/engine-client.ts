/**
 * The UI's side of the engine boundary: the same questions as
 * `TimelineEngine`, asked asynchronously. `HttpEngine` asks `gotrace view`'s
 * server; a Worker-backed client can implement the same interface.
 */
import type {
  FindResponse,
  GoroutineDetails,
  LoadProgress,
  MarkDetails,
  RangeSummary,
  Row,
  SliceDetails,
  TimelineEngine,
  TraceInfo,
  ViewKind,
  WindowRequest,
  WindowResponse,
} from "../query/timeline/protocol.js";

type Async<T> = { [K in keyof T]: T[K] extends (...a: infer A) => infer R ? (...a: A) => Promise<R> : never };

export type EngineClient = Async<TimelineEngine> & {
  /** How far reading the trace has got; info() and the rest answer once it is done. */
  progress(): Promise<LoadProgress>;
};

async function getJSON<T>(path: string, params: Record<string, string | number | boolean>): Promise<T> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) q.set(k, String(v));
  const res = await fetch(`${path}?${q}`);
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Talks to the server `gotrace view` runs (src/server). */
export class HttpEngine implements EngineClient {
  progress(): Promise<LoadProgress> {
    return getJSON("api/progress", {});
  }
  info(): Promise<TraceInfo> {
    return getJSON("api/info", {});
  }
  rows(view: ViewKind): Promise<Row[]> {
    return getJSON("api/rows", { view });
  }
  window(req: WindowRequest): Promise<WindowResponse> {
    return getJSON("api/window", { ...req });
  }
  async slice(view: ViewKind, id: number): Promise<SliceDetails | undefined> {
    return (await getJSON<SliceDetails | null>("api/slice", { view, id })) ?? undefined;
  }
  async mark(view: ViewKind, id: number): Promise<MarkDetails | undefined> {
    return (await getJSON<MarkDetails | null>("api/mark", { view, id })) ?? undefined;
  }
  async goroutine(id: number): Promise<GoroutineDetails | undefined> {
    return (await getJSON<GoroutineDetails | null>("api/goroutine", { id })) ?? undefined;
  }
  find(query: string, limit: number): Promise<FindResponse> {
    return getJSON("api/find", { q: query, limit });
  }
  range(startNs: number, endNs: number): Promise<RangeSummary> {
    return getJSON("api/range", { startNs, endNs });
  }
}
