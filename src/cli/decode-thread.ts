/**
 * Reads a trace file on worker threads while the caller's analyses run on
 * this one. A Go 1.22+ trace is read in parts by several workers
 * (parallel-read.ts); otherwise one worker reads it all. That worker runs
 * the one event loop (decode/drive.ts) and sends the events as transferred
 * columns (decode/event-batch.ts); they are replayed here as the same Event
 * views, in the same order, so every analysis sees exactly what an
 * in-thread read would give it. Small files are read in this thread: a
 * worker costs more to start than they take to read.
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { type Driven, type DriveResult, drive } from "../decode/drive.js";
import { TraceError } from "../decode/errors.js";
import type { Event } from "../decode/event.js";
import { type EventBatch, EventReplayer } from "../decode/event-batch.js";
import type { TraceReader } from "../decode/reader.js";
import { headerSize, readHeader } from "../format/header.js";
import { fileChunks } from "./chunks.js";
import { driveInParts, planParts, type ReadReport } from "./parallel-read.js";

/** Files below this size are read in this thread. */
const threadAbove = 16 << 20;

/**
 * How many threads decode: GOTRACE_DECODE_WORKERS=0 reads in this thread,
 * 1 on one worker, N ≥ 2 in parts on N workers (Go 1.22+ traces). By
 * default a file over 16 MiB is read by one worker beside the analysis on
 * this thread; reading in parts pays only when the analysis keeps a core of
 * its own and at least two more decode (measured in BENCHMARKS.md: on two
 * cores, parts are slower than one worker), so it is the default from four
 * cores on, with one worker per other core, up to 8.
 */
function workersFor(path: string): number {
  const v = process.env.GOTRACE_DECODE_WORKERS;
  if (v !== undefined && /^\d+$/.test(v)) return Number(v);
  if (statSync(path).size <= threadAbove) return 0;
  const cores = availableParallelism();
  return cores >= 4 ? Math.min(8, cores - 1) : 1;
}

/** N of the file's `go 1.N trace` header, or undefined. */
export function fileVersion(path: string): number | undefined {
  const fd = openSync(path, "r");
  try {
    const head = new Uint8Array(headerSize);
    const n = readSync(fd, head, 0, headerSize, 0);
    const h = readHeader(head.subarray(0, n));
    return h.ok ? h.version : undefined;
  } finally {
    closeSync(fd);
  }
}

/** What the decode worker posts: batches, then how the read ended. */
export type DecodeMessage =
  | { readonly batch: EventBatch; readonly bytes: number }
  | {
      readonly end: DriveResult;
      readonly error?: {
        readonly reason: string;
        readonly offset?: number;
        readonly generation?: number;
        readonly endsTrace: boolean;
      };
    }
  | { readonly crash: string; readonly code?: string };

/**
 * Reads `path` through drive(), on a worker thread when the file is large.
 * The reader argument of `onEvent` is undefined on that path (analyses do
 * not use it), and so is the result's `reader`.
 */
export async function driveFile(
  path: string,
  onEvent: (ev: Event, reader: TraceReader) => void,
  /** `workers` as GOTRACE_DECODE_WORKERS; `parts`, how many parts (tests); `onBytes`, bytes read so far (one worker). */
  options: { workers?: number; parts?: number; report?: ReadReport; onBytes?: (bytes: number) => void } = {},
): Promise<Driven> {
  const workers = options.workers ?? workersFor(path);
  if (workers === 0) return drive(fileChunks(path), onEvent);
  if (workers >= 2) {
    const version = fileVersion(path);
    const parts = version === undefined ? undefined : planParts(path, version, workers, options.parts);
    if (parts) return driveInParts(path, version!, parts, workers, onEvent, options.report);
  }
  const worker = new Worker(new URL("./decode-worker.js", import.meta.url), { workerData: { path } });
  const replayer = new EventReplayer();
  const noReader = undefined as unknown as TraceReader;
  const each = (ev: Event) => onEvent(ev, noReader);
  try {
    return await new Promise<Driven>((resolve, reject) => {
      worker.on("message", (msg: DecodeMessage) => {
        try {
          if ("batch" in msg) {
            options.onBytes?.(msg.bytes);
            replayer.replay(msg.batch, each);
            worker.postMessage("ack");
          } else if ("end" in msg) {
            const e = msg.error;
            resolve({
              ...msg.end,
              error: e && new TraceError(e.reason, e.offset, e.generation, e.endsTrace),
              reader: undefined,
            });
          } else {
            reject(Object.assign(new Error(msg.crash), msg.code && { code: msg.code }));
          }
        } catch (err) {
          reject(err);
        }
      });
      worker.on("error", reject);
      worker.on("exit", (code) => reject(new Error(`the decode worker exited (${code})`)));
    });
  } finally {
    await worker.terminate();
  }
}
