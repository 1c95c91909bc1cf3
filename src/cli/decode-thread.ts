/**
 * Reads a trace file on a worker thread while the caller's analyses run on
 * this one: the decoder and the analyses each get a core. The worker runs
 * the one event loop (decode/drive.ts) and sends the events as transferred
 * columns (decode/event-batch.ts); they are replayed here as the same Event
 * views, in the same order, so every analysis sees exactly what an
 * in-thread read would give it. Small files are read in this thread: a
 * worker costs more to start than they take to read.
 */
import { statSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { type Driven, type DriveResult, drive } from "../decode/drive.js";
import { TraceError } from "../decode/errors.js";
import type { Event } from "../decode/event.js";
import { type EventBatch, EventReplayer } from "../decode/event-batch.js";
import type { TraceReader } from "../decode/reader.js";
import { fileChunks } from "./chunks.js";

/** Files below this size are read in this thread. */
const threadAbove = 16 << 20;

/** GOTRACE_DECODE_THREAD=0 reads every file in this thread, =1 every file on the worker. */
function threadedByEnv(): boolean | undefined {
  const v = process.env.GOTRACE_DECODE_THREAD;
  return v === "0" ? false : v === "1" ? true : undefined;
}

/** What the decode worker posts: batches, then how the read ended. */
export type DecodeMessage =
  | { readonly batch: EventBatch }
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
  options: { threaded?: boolean } = {},
): Promise<Driven> {
  const threaded = options.threaded ?? threadedByEnv() ?? statSync(path).size > threadAbove;
  if (!threaded) return drive(fileChunks(path), onEvent);
  const worker = new Worker(new URL("./decode-worker.js", import.meta.url), { workerData: { path } });
  const replayer = new EventReplayer();
  const noReader = undefined as unknown as TraceReader;
  const each = (ev: Event) => onEvent(ev, noReader);
  try {
    return await new Promise<Driven>((resolve, reject) => {
      worker.on("message", (msg: DecodeMessage) => {
        try {
          if ("batch" in msg) {
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
