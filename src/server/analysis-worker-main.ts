/**
 * The analysis pages' worker thread: runs an AnalysisService off the
 * server's main thread and answers the questions posted by
 * analysis-worker-client.ts.
 *
 * Its events come either from the server's own read of the trace, as
 * batches of decoded events (workerData { fed: true, fields }): the trace
 * is decoded once, and the worker computes only the fields the model does
 * not give yet (query/analysis/fields.ts), while the server answers the
 * rest from its timeline; or, given { file }, from reading that file
 * itself, every field from its events.
 *
 * Messages in: { id, method, args }, and when fed { batch, bytes } (each
 * answered by { ack: true }) then { end: FeedEnd }. Out: { id, result } or
 * { id, error }, and { progress: AnalysisStatus } while the events come in.
 */
import { createReadStream, statSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { gzipSync } from "node:zlib";
import type { Event } from "../decode/event.js";
import { type EventBatch, EventReplayer } from "../decode/event-batch.js";
import type { Field } from "../query/analysis/fields.js";
import type { AnalysisMethod } from "../query/analysis/requests.js";
import {
  AnalysisService,
  answer,
  bytesFeed,
  type EventFeed,
  type FeedEnd,
} from "../query/analysis/service.js";

const data = workerData as { file: string } | { fed: true; totalBytes: number; fields: Field[] };
const port = parentPort!;

/** Batches from the server, replayed into the service's feed as they arrive. */
const replayer = new EventReplayer();
let each: ((ev: Event) => void) | undefined;
let onProgress: ((events: number, bytes: number) => void) | undefined;
let finish: ((end: FeedEnd) => void) | undefined;
let fedEvents = 0;
const fed: EventFeed = (e, p) =>
  new Promise((resolve) => {
    each = e;
    onProgress = p;
    finish = resolve;
  });

const service =
  "file" in data
    ? new AnalysisService(
        bytesFeed(() => createReadStream(data.file, { highWaterMark: 1 << 20 })),
        statSync(data.file).size,
      )
    : new AnalysisService({ feed: fed, eventFields: new Set(data.fields) }, data.totalBytes);
// Fed events arrive from the start, so the analysis runs from the start.
if (!("file" in data)) service.start().catch(() => {});

type Message =
  | { id: number; method: AnalysisMethod; args: Record<string, unknown> }
  | { batch: EventBatch; bytes: number }
  | { end: FeedEnd };

port.on("message", (msg: Message) => {
  if ("batch" in msg) {
    replayer.replay(msg.batch, each!);
    fedEvents += msg.batch.count;
    onProgress!(fedEvents, msg.bytes);
    port.postMessage({ ack: true });
    return;
  }
  if ("end" in msg) {
    finish!(msg.end);
    return;
  }
  answer(service, msg.method, msg.args, (b) => gzipSync(b)).then(
    (result) => port.postMessage({ id: msg.id, result }),
    (e: unknown) => port.postMessage({ id: msg.id, error: e instanceof Error ? e.message : String(e) }),
  );
});

// Progress while the first pass runs, for the pages' loading line.
const timer = setInterval(() => {
  const status = service.status();
  port.postMessage({ progress: status });
  if (status.state === "done" || status.state === "failed") clearInterval(timer);
}, 250);
timer.unref();
