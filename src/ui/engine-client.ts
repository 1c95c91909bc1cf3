/**
 * The UI's side of the engine boundary: the same questions as
 * `TimelineEngine`, asked asynchronously. `HttpEngine` asks `gotrace view`'s
 * server; `WorkerEngine` asks the engine running in a Web Worker (the static
 * page, src/web).
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

/** A request to the engine's Web Worker (src/web/engine-worker.ts) and its answer. */
interface WorkerAnswer {
  readonly id: number;
  readonly result?: unknown;
  readonly error?: string;
}

/**
 * Talks to the engine running in a Web Worker in this tab (the static
 * page): the same questions as `HttpEngine`, and the analysis pages' too,
 * posted as messages. `open` hands the worker the trace to read.
 */
export class WorkerEngine implements EngineClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(
    private readonly worker: Worker,
    source: { file: Blob } | { url: string },
    name: string,
  ) {
    worker.onmessage = (e: MessageEvent) => {
      const msg = e.data as WorkerAnswer;
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error !== undefined) p.reject(new Error(msg.error));
      else p.resolve(msg.result);
    };
    worker.onerror = (e: ErrorEvent) => {
      for (const p of this.pending.values()) p.reject(new Error(`the engine stopped: ${e.message}`));
      this.pending.clear();
    };
    worker.postMessage({ open: source, name });
  }

  private ask<T>(method: string, args: unknown): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, method, args });
    });
  }

  private engine<T>(name: keyof TimelineEngine, ...params: unknown[]): Promise<T> {
    return this.ask<T>("engine", { name, params });
  }

  /** The timeline's "Why?" (query/why/protocol.ts), as `gotrace view`'s /api/why answers it. */
  why<T>(query: Record<string, unknown>): Promise<T> {
    return this.ask<T>("why", query);
  }

  /** An analysis question by the name and parameters of `gotrace view`'s /api/analysis/NAME. */
  analysis<T>(name: string, params: Record<string, string>): Promise<T> {
    return this.ask<T>("analysis", { name, params: Object.entries(params) });
  }

  progress(): Promise<LoadProgress> {
    return this.ask("progress", {});
  }
  info(): Promise<TraceInfo> {
    return this.engine("info");
  }
  rows(view: ViewKind): Promise<Row[]> {
    return this.engine("rows", view);
  }
  window(req: WindowRequest): Promise<WindowResponse> {
    return this.engine("window", req);
  }
  async slice(view: ViewKind, id: number): Promise<SliceDetails | undefined> {
    return (await this.engine<SliceDetails | null>("slice", view, id)) ?? undefined;
  }
  async mark(view: ViewKind, id: number): Promise<MarkDetails | undefined> {
    return (await this.engine<MarkDetails | null>("mark", view, id)) ?? undefined;
  }
  async goroutine(id: number): Promise<GoroutineDetails | undefined> {
    return (await this.engine<GoroutineDetails | null>("goroutine", id)) ?? undefined;
  }
  find(query: string, limit: number): Promise<FindResponse> {
    return this.engine("find", query, limit);
  }
  range(startNs: number, endNs: number): Promise<RangeSummary> {
    return this.engine("range", startNs, endNs);
  }
}
