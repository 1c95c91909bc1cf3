/**
 * The server's side of the analysis worker: one worker thread per trace,
 * started on demand (or by `start()` right after the timeline is served),
 * asked by method name, answers matched to requests by id.
 */
import { Worker } from "node:worker_threads";
import type { AnalysisStatus } from "../query/analysis/protocol.js";

export type AnalysisMethod =
  | "start"
  | "status"
  | "overview"
  | "goroutines"
  | "goroutineGroup"
  | "profileFilters"
  | "profile"
  | "profilePprof"
  | "tasks"
  | "taskList"
  | "regions"
  | "regionList"
  | "mmu"
  | "schedLatency";

/** An error the worker reported (a broken trace, …): the request fails with its message. */
export class AnalysisFailed extends Error {}

export class AnalysisWorkerClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private progress: AnalysisStatus = {
    state: "idle",
    events: 0,
    bytesRead: 0,
    totalBytes: null,
    message: null,
  };

  constructor(private readonly file: string) {}

  /** Starts the worker and its first pass over the trace; errors surface in later requests. */
  start(): void {
    this.call("start", {}).then(
      (s) => {
        this.progress = s as AnalysisStatus;
      },
      (e: Error) => {
        this.progress = { ...this.progress, state: "failed", message: e.message };
      },
    );
  }

  status(): AnalysisStatus {
    return this.progress;
  }

  call(method: AnalysisMethod, args: Record<string, unknown>): Promise<unknown> {
    const worker = this.spawn();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, method, args });
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }

  private spawn(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(new URL("./analysis-worker-main.js", import.meta.url), {
      workerData: { file: this.file },
    });
    // The worker must not keep `gotrace view` alive on its own.
    w.unref();
    w.on("message", (msg: { id?: number; result?: unknown; error?: string; progress?: AnalysisStatus }) => {
      if (msg.progress) {
        this.progress = msg.progress;
        return;
      }
      const p = this.pending.get(msg.id!);
      if (!p) return;
      this.pending.delete(msg.id!);
      if (msg.error !== undefined) p.reject(new AnalysisFailed(msg.error));
      else p.resolve(msg.result);
    });
    const failAll = (e: Error) => {
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
      this.worker = undefined;
    };
    w.on("error", failAll);
    w.on("exit", (code) => {
      if (this.pending.size) failAll(new Error(`analysis worker exited (${code})`));
    });
    this.worker = w;
    return w;
  }
}
