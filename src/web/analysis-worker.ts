/**
 * The static page's analysis worker, started by the engine worker
 * (engine-worker.ts): runs the AnalysisService on the events the engine
 * worker decodes, sent in batches of transferred columns (decode's
 * event-batch.ts), so the trace is decoded once and the analyses run on
 * another core while the timeline is built. Answers the analysis pages'
 * questions, by the names and parameters of `gotrace view`'s
 * /api/analysis/NAME, forwarded by the engine worker.
 *
 * Messages in: { batch, bytes } (each answered by { ack: true }), then
 * { end: FeedEnd }; { id, name, params }. Out: { id, result } or { id, error }.
 */
import { gzipSync } from "fflate";
import { encodePprof, pprofLayout } from "../analysis/pprof-encode.js";
import type { Event } from "../decode/event.js";
import { type EventBatch, EventReplayer } from "../decode/event-batch.js";
import type { AnalysisUnavailable, MMUQuery, ProfileQuery } from "../query/analysis/protocol.js";
import { type AnalysisMethod, analysisRequest } from "../query/analysis/requests.js";
import { AnalysisService, type FeedEnd } from "../query/analysis/service.js";

interface WorkerScope {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent) => void) | null;
}
const scope = self as unknown as WorkerScope;

const replayer = new EventReplayer();
let each: ((ev: Event) => void) | undefined;
let onProgress: ((events: number, bytes: number) => void) | undefined;
let finish: ((end: FeedEnd) => void) | undefined;
let fedEvents = 0;
const service = new AnalysisService(
  (e, p) =>
    new Promise((resolve) => {
      each = e;
      onProgress = p;
      finish = resolve;
    }),
);
// The events come from the start, so the pass runs from the start.
service.start().catch(() => {});

/** The pprof file of a profile, gzipped as `go tool pprof` reads it. */
async function pprofFile(query: ProfileQuery): Promise<Uint8Array | { error: string }> {
  const { records, error } = await service.profileRecords(query);
  return error === null ? gzipSync(encodePprof(records, pprofLayout(query.type))) : { error };
}

const str = (v: unknown) => (typeof v === "string" ? v : "");
const num = (v: unknown) => (typeof v === "number" ? v : undefined);

function answer(method: AnalysisMethod, a: Record<string, unknown>): Promise<unknown> {
  switch (method) {
    case "start":
    case "status":
      return Promise.resolve(service.status());
    case "overview":
      return service.overview();
    case "goroutines":
      return service.goroutineGroups();
    case "goroutineGroup":
      return service.goroutineGroup(str(a.name)).then((g) => g ?? null);
    case "profileFilters":
      return service.profileFilters();
    case "profile":
      return service.profile(a.query as ProfileQuery);
    case "profilePprof":
      return pprofFile(a.query as ProfileQuery);
    case "tasks":
      return service.tasks();
    case "taskList":
      return service.taskList(str(a.type), num(a.bucket));
    case "regions":
      return service.regions();
    case "regionList":
      return service.regionList(str(a.type), num(a.pc), num(a.bucket));
    case "mmu":
      return service.mmu(a.query as MMUQuery);
    case "schedLatency":
      return service.schedLatency();
  }
}

async function question(name: string, params: [string, string][]): Promise<unknown> {
  const r = analysisRequest(name, new URLSearchParams(params));
  if (!r) throw new Error(`unknown analysis ${name}`);
  try {
    return await answer(r.method, r.args);
  } catch (e) {
    // Nothing to analyse is an answer the page shows, as the server's routes send it.
    const unavailable: AnalysisUnavailable = {
      unavailable: `gotrace: ${e instanceof Error ? e.message : String(e)}`,
    };
    return unavailable;
  }
}

type Message =
  | { batch: EventBatch; bytes: number }
  | { end: FeedEnd }
  | { id: number; name: string; params: [string, string][] };

scope.onmessage = (e: MessageEvent) => {
  const msg = e.data as Message;
  if ("batch" in msg) {
    replayer.replay(msg.batch, each!);
    fedEvents += msg.batch.count;
    onProgress?.(fedEvents, msg.bytes);
    scope.postMessage({ ack: true });
    return;
  }
  if ("end" in msg) {
    finish?.(msg.end);
    return;
  }
  question(msg.name, msg.params).then(
    (result) => scope.postMessage({ id: msg.id, result }),
    (err: unknown) =>
      scope.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) }),
  );
};
