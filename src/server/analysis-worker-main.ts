/**
 * The analysis pages' worker thread: reads the trace through the
 * AnalysisService off the server's main thread (the first pass over a big
 * trace takes seconds, and the timeline must stay responsive meanwhile),
 * and answers requests posted by analysis-worker-client.ts.
 *
 * Messages in: { id, method, args }. Out: { id, result } or { id, error },
 * and { progress: AnalysisStatus } while the first pass runs.
 */
import { createReadStream, statSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { gzipSync } from "node:zlib";
import { encodePprof } from "../analysis/pprof-encode.js";
import type { MMUQuery, ProfileQuery } from "../query/analysis/protocol.js";
import { AnalysisService } from "../query/analysis/service.js";
import type { AnalysisMethod } from "./analysis-worker-client.js";

const { file } = workerData as { file: string };
const service = new AnalysisService(
  () => createReadStream(file, { highWaterMark: 1 << 20 }),
  statSync(file).size,
);

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
    return error === null ? gzipSync(encodePprof(records)) : { error };
  },
  tasks: () => service.tasks(),
  taskList: (a) => service.taskList(str(a.type), num(a.bucket)),
  regions: () => service.regions(),
  regionList: (a) => service.regionList(str(a.type), num(a.pc), num(a.bucket)),
  mmu: (a) => service.mmu(a.query as MMUQuery),
  schedLatency: () => service.schedLatency(),
};

const port = parentPort!;
port.on("message", (msg: { id: number; method: AnalysisMethod; args: Record<string, unknown> }) => {
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
