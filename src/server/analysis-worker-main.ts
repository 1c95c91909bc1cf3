/**
 * The analysis pages' worker thread: runs the AnalysisService off the
 * server's main thread (analysing a big trace takes seconds, and the
 * timeline must stay responsive meanwhile), and answers requests posted by
 * analysis-worker-client.ts.
 *
 * Its events come either from the server's own read of the trace, as
 * batches of decoded events (workerData { fed: true }): the trace is decoded
 * once; or, given { file }, from reading that file itself.
 *
 * Messages in: { id, method, args }, and when fed { batch, bytes } (each
 * answered by { ack: true }) then { end: FeedEnd }. Out: { id, result } or
 * { id, error }, and { progress: AnalysisStatus } while the events come in.
 */
import { createReadStream, statSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { gzipSync } from "node:zlib";
import { encodePprof, pprofLayout } from "../analysis/pprof-encode.js";
import type { Event } from "../decode/event.js";
import { type EventBatch, EventReplayer } from "../decode/event-batch.js";
import type { MMUQuery, ProfileQuery } from "../query/analysis/protocol.js";
import { AnalysisService, bytesFeed, type EventFeed, type FeedEnd } from "../query/analysis/service.js";
import type { AnalysisMethod } from "./analysis-worker-client.js";

const data = workerData as { file: string } | { fed: true; totalBytes: number };
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
    : new AnalysisService(fed, data.totalBytes);
// Fed events arrive from the start, so the analysis runs from the start.
if (!("file" in data)) service.start().catch(() => {});

/** Arguments were checked by analysis-routes.ts before they were posted here. */
type Handler = (args: Record<string, unknown>) => Promise<unknown>;
const str = (v: unknown) => (typeof v === "string" ? v : "");
const num = (v: unknown) => (typeof v === "number" ? v : undefined);

const methods: Record<AnalysisMethod, Handler> = {
  start: async () => {
    await service.start();
    return service.status();
  },
  status: async () => service.status(),
  overview: () => service.overview(),
  goroutines: () => service.goroutineGroups(),
  goroutineGroup: async (a) => (await service.goroutineGroup(str(a.name))) ?? null,
  profileFilters: () => service.profileFilters(),
  profile: (a) => service.profile(a.query as ProfileQuery),
  profilePprof: async (a) => {
    const { records, error } = await service.profileRecords(a.query as ProfileQuery);
    const query = a.query as ProfileQuery;
    return error === null ? gzipSync(encodePprof(records, pprofLayout(query.type))) : { error };
  },
  tasks: () => service.tasks(),
  taskList: (a) => service.taskList(str(a.type), num(a.bucket)),
  regions: () => service.regions(),
  regionList: (a) => service.regionList(str(a.type), num(a.pc), num(a.bucket)),
  mmu: (a) => service.mmu(a.query as MMUQuery),
  schedLatency: () => service.schedLatency(),
};

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
  const handler = methods[msg.method];
  if (!handler) {
    port.postMessage({ id: msg.id, error: `unknown method ${String(msg.method)}` });
    return;
  }
  handler(msg.args).then(
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
