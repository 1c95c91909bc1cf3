/**
 * The server's side of the analysis worker: one worker thread per trace,
 * asked by method name, answers matched to requests by id. Either fed the
 * events the server decodes (`AnalysisWorkerClient.fed`: the trace is read
 * once, and the worker computes the fields the model does not give yet
 * while the timeline is built), or given a file to read itself, started on
 * demand or by `start()`.
 */
import { Worker } from "node:worker_threads";
import { batchBuffers, type EventBatch } from "../decode/event-batch.js";
import type { Field } from "../query/analysis/fields.js";
import type { AnalysisStatus } from "../query/analysis/protocol.js";
import type { AnalysisMethod } from "../query/analysis/requests.js";
import type { FeedEnd } from "../query/analysis/service.js";

export type { AnalysisMethod };

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

  /** Batches posted and not yet analysed, and who waits for fewer. */
  private inFlight = 0;
  private waiting: (() => void) | undefined;

  private constructor(
    private readonly data: { file: string } | { fed: true; totalBytes: number; fields: Field[] },
  ) {}

  /** A worker that reads `file` itself. */
  static reading(file: string): AnalysisWorkerClient {
    return new AnalysisWorkerClient({ file });
  }

  /** A worker fed with `post()` for these fields, started now so it analyses while the events come. */
  static fed(totalBytes: number, fields: Iterable<Field>): AnalysisWorkerClient {
    const c = new AnalysisWorkerClient({ fed: true, totalBytes, fields: [...fields] });
    c.spawn();
    return c;
  }

  /**
   * Sends a batch of decoded events (its buffers are transferred) and the
   * bytes read so far. Await `ready()` between batches: it holds the reader
   * back while more than `maxInFlight` batches wait, so memory stays bounded.
   */
  post(batch: EventBatch, bytes: number): void {
    if (!this.worker) return; // it failed: requests say so
    this.inFlight++;
    this.worker.postMessage({ batch, bytes }, batchBuffers(batch));
  }

  /** Resolves once few enough batches wait in the worker. */
  ready(maxInFlight = 16): Promise<void> {
    if (this.inFlight <= maxInFlight || !this.worker) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  /** The events have ended: the worker finishes its analyses. */
  end(end: FeedEnd): void {
    this.worker?.postMessage({ end });
  }

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
    let worker: Worker;
    try {
      worker = this.spawn();
    } catch (e) {
      return Promise.reject(e);
    }
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

  private spawned = false;

  private spawn(): Worker {
    if (this.worker) return this.worker;
    // A fed worker that died cannot be fed again: its events are gone.
    if (this.spawned && "fed" in this.data) throw new AnalysisFailed("the analysis worker stopped");
    this.spawned = true;
    const w = new Worker(new URL("./analysis-worker-main.js", import.meta.url), { workerData: this.data });
    // The worker must not keep `gotrace view` alive on its own.
    w.unref();
    w.on(
      "message",
      (msg: { id?: number; result?: unknown; error?: string; progress?: AnalysisStatus; ack?: true }) => {
        if (msg.ack) {
          this.inFlight--;
          const wake = this.waiting;
          this.waiting = undefined;
          wake?.();
          return;
        }
        if (msg.progress) {
          this.progress = msg.progress;
          return;
        }
        const p = this.pending.get(msg.id!);
        if (!p) return;
        this.pending.delete(msg.id!);
        if (msg.error !== undefined) p.reject(new AnalysisFailed(msg.error));
        else p.resolve(msg.result);
      },
    );
    const failAll = (e: Error) => {
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
      this.worker = undefined;
      // A reader waiting for room must not wait for a worker that is gone.
      this.waiting?.();
      this.waiting = undefined;
    };
    w.on("error", failAll);
    w.on("exit", (code) => {
      if (this.pending.size) failAll(new Error(`analysis worker exited (${code})`));
    });
    this.worker = w;
    return w;
  }
}
