/**
 * The static page's engine: a Web Worker that reads one trace (a File, or a
 * URL it fetches) and answers the timeline's questions (query/timeline's
 * protocol) and the analysis pages' (query/analysis's), as `gotrace view`'s
 * server does. The trace is read once into the timeline builder, and the
 * analyses are answered here from the timeline. While some field of the
 * analyses is still computed from events (query/analysis/fields.ts), every
 * event also goes, in batches of transferred columns, to the analysis
 * worker (analysis-worker.ts), which computes those fields on another core
 * and to which the questions that read them are forwarded. Gzipped traces are inflated
 * as they stream. A damaged trace keeps what was read before the damage
 * (the engine's info says what was lost); a file with nothing usable fails
 * with the reader's one line, as the CLI words it.
 *
 * Messages in: { open: { file: Blob } | { url: string }, name }, then
 * { id, method, args }. Out: { id, result } or { id, error }.
 */
import { gzipSync } from "fflate";
import { TraceError } from "../decode/errors.js";
import { batchBuffers, type EventBatch, EventBatcher } from "../decode/event-batch.js";
import { isGzip, maybeGunzip } from "../decode/gunzip.js";
import { headerSize, readHeader } from "../format/header.js";
import { eventFields, type Field } from "../query/analysis/fields.js";
import type { AnalysisUnavailable } from "../query/analysis/protocol.js";
import { type AnalysisMethod, analysisRequest } from "../query/analysis/requests.js";
import {
  AnalysisService,
  answer as answerAnalysis,
  type FeedEnd,
  feedEnd,
} from "../query/analysis/service.js";
import { type BuildResult, buildTimeline } from "../query/timeline/build.js";
import type { Engine } from "../query/timeline/engine.js";
import type { LoadProgress, TimelineEngine } from "../query/timeline/protocol.js";
import type { WhyQuery } from "../query/why/protocol.js";
import { WhyService } from "../query/why/service.js";

interface WorkerScope {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent) => void) | null;
}
const scope = self as unknown as WorkerScope;

type Source = { file: Blob } | { url: string };

/** What the page asks: timeline methods, analysis questions by name, the read's progress. */
type Request =
  | { id: number; method: "progress"; args: Record<string, never> }
  | { id: number; method: "engine"; args: { name: keyof TimelineEngine; params: unknown[] } }
  | { id: number; method: "analysis"; args: { name: string; params: [string, string][] } }
  | { id: number; method: "why"; args: WhyQuery };

let progress: LoadProgress = { bytesRead: 0, totalBytes: null, events: 0, done: false, error: null };
let engineReady: Promise<TimelineEngine> | undefined;

/**
 * The analysis worker: fed batches of events while the timeline is built
 * (at most `maxInFlight` unanswered, so memory stays bounded), then asked
 * the pages' questions.
 */
class Analysis {
  private readonly worker = new Worker(new URL("./analysis-worker.ts", import.meta.url), {
    type: "module",
    name: "gotrace analysis",
  });
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private inFlight = 0;
  private waiting: (() => void) | undefined;
  private failed: string | undefined;

  constructor(fields: ReadonlySet<Field>) {
    this.worker.postMessage({ fields: [...fields] });
    this.worker.onmessage = (e: MessageEvent) => {
      const msg = e.data as { ack?: true; id?: number; result?: unknown; error?: string };
      if (msg.ack) {
        this.inFlight--;
        this.wake();
        return;
      }
      const p = this.pending.get(msg.id!);
      if (!p) return;
      this.pending.delete(msg.id!);
      if (msg.error !== undefined) p.reject(new Error(msg.error));
      else p.resolve(msg.result);
    };
    this.worker.onerror = (e: ErrorEvent) => {
      this.failed = `the analysis worker stopped: ${e.message}`;
      for (const p of this.pending.values()) p.reject(new Error(this.failed));
      this.pending.clear();
      this.wake();
    };
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  }

  post(batch: EventBatch, bytes: number): void {
    if (this.failed) return;
    this.inFlight++;
    this.worker.postMessage({ batch, bytes }, batchBuffers(batch));
  }

  /** Resolves once few enough batches wait in the worker. */
  ready(maxInFlight = 16): Promise<void> {
    if (this.inFlight <= maxInFlight || this.failed) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  end(end: FeedEnd): void {
    this.worker.postMessage({ end });
  }

  ask(method: AnalysisMethod, args: Record<string, unknown>): Promise<unknown> {
    if (this.failed) return Promise.reject(new Error(this.failed));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, method, args });
    });
  }
}

/** The analyses of the open trace: from its timeline, and from the analysis worker's events for the rest. */
let analysis: AnalysisService | undefined;

/** An error whose message is the page's line (no "Error:" prefix). */
class ReadFailed extends Error {}

/** The source's bytes, as they arrive, counting them for progress. */
async function* sourceChunks(source: Source, name: string): AsyncGenerator<Uint8Array> {
  let body: ReadableStream<Uint8Array>;
  if ("file" in source) {
    progress = { ...progress, totalBytes: source.file.size };
    body = source.file.stream();
  } else {
    let res: Response;
    try {
      res = await fetch(source.url);
    } catch {
      throw new ReadFailed(
        `${name}: the browser could not fetch it: the network refused, or its server does not allow other sites to read it (CORS)`,
      );
    }
    if (!res.ok) throw new ReadFailed(`${name}: the server answered ${res.status} ${res.statusText}`.trim());
    if (!res.body) throw new ReadFailed(`${name}: the server sent no body`);
    const length = Number(res.headers.get("Content-Length"));
    // A Content-Length counts encoded bytes; the body is decoded, so only plain bodies give a size.
    if (length > 0 && !res.headers.get("Content-Encoding")) progress = { ...progress, totalBytes: length };
    body = res.body;
  }
  const reader = body.getReader();
  let n = 0;
  let done = false;
  try {
    for (;;) {
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await reader.read();
      } catch (e) {
        done = true;
        // A download cut part-way: the trace ends there, and the reader says where.
        if (n > 0) return;
        throw new ReadFailed(`${name}: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (r.done) {
        done = true;
        return;
      }
      n += r.value.length;
      progress = { ...progress, bytesRead: n };
      yield r.value;
    }
  } finally {
    // The reader stopped before the end (the trace's own end, or damage):
    // a short rest (a gzip trailer) is read out, so the download ends as
    // downloads do; a long one is cancelled.
    if (!done) void drain(reader);
  }
}

async function drain(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  let rest = 0;
  try {
    while (rest < 1 << 20) {
      const r = await reader.read();
      if (r.done) return;
      rest += r.value.length;
    }
    await reader.cancel();
  } catch {
    // Gone already.
  }
}

/** Refuses a source whose first bytes are not a trace's header (inflated first if gzipped). */
async function* checkedHeader(chunks: AsyncIterable<Uint8Array>, name: string): AsyncGenerator<Uint8Array> {
  let head = new Uint8Array(0);
  let checked = false;
  for await (const chunk of maybeGunzip(chunks)) {
    if (!checked) {
      const joined = new Uint8Array(head.length + chunk.length);
      joined.set(head);
      joined.set(chunk, head.length);
      head = joined;
      if (head.length < headerSize) continue;
      checked = true;
      check(head, name);
      yield head;
      continue;
    }
    yield chunk;
  }
  if (!checked) {
    check(head, name);
    if (head.length > 0) yield head;
  }
}

function check(head: Uint8Array, name: string): void {
  if (head.length === 0) throw new ReadFailed(`${name}: empty file: not a Go execution trace`);
  const header = readHeader(head.subarray(0, headerSize));
  if (!header.ok) throw new ReadFailed(`${name}: ${new TraceError(header.reason, 0).message}`);
}

/** Passes chunks through, each once `ready()` resolves (the analysis worker has room for more events). */
async function* throttled(
  chunks: AsyncIterable<Uint8Array>,
  ready: () => Promise<void>,
): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    await ready();
    yield chunk;
  }
}

/** Reads the trace once into the timeline, and its events into the analysis worker if one is needed. */
function open(source: Source, name: string): void {
  analysis?.stopPrecompute();
  const fields = eventFields();
  const feed = fields.size > 0 ? new Analysis(fields) : undefined;
  let bytesRead = 0;
  const batcher = feed && new EventBatcher((b) => feed.post(b, bytesRead));
  const read = (async () => {
    let built: BuildResult;
    // Damage says how much of the file was lost; for a gzipped or fetched
    // trace the inflated size is not known beforehand, and it counts from
    // the bytes read.
    let totalBytes: number | undefined;
    if ("file" in source && !isGzip(new Uint8Array(await source.file.slice(0, 2).arrayBuffer()))) {
      totalBytes = source.file.size;
    }
    const chunks = checkedHeader(sourceChunks(source, name), name);
    try {
      built = await buildTimeline(feed ? throttled(chunks, () => feed.ready()) : chunks, {
        totalBytes,
        onProgress: (events, bytes) => {
          progress = { ...progress, events };
          bytesRead = bytes;
        },
        ...(batcher && { onEvent: (ev) => batcher.push(ev) }),
      });
    } catch (e) {
      const message =
        e instanceof ReadFailed || e instanceof TraceError ? e.message : `${name}: ${String(e)}`;
      progress = { ...progress, error: message };
      feed?.end({
        version: undefined,
        originNs: 0,
        events: 0,
        bytes: 0,
        syncs: 0,
        keptEvents: 0,
        damage: message,
      });
      throw new ReadFailed(message);
    }
    batcher?.flush();
    feed?.end(feedEnd(built.run));
    return built;
  })();
  engineReady = read.then((built) => {
    if (built.error && built.run.keptEvents === 0) {
      // Nothing before the damage: one line, as every command says it.
      const message = `${name}: ${built.error.message}`;
      progress = { ...progress, error: message };
      throw new ReadFailed(message);
    }
    progress = { ...progress, events: built.engine.info().events, done: true };
    return built.engine;
  });
  engineReady.catch(() => {});
  // The analyses say themselves when nothing before the damage is usable, as the CLI words it.
  const model = read.then((built) => ({
    tl: built.engine.tl,
    firstNs: built.firstNs,
    end: feedEnd(built.run),
  }));
  analysis = new AnalysisService({
    model: () => model,
    modelProgress: () => ({ events: progress.events, bytesRead: progress.bytesRead }),
    ...(feed && { delegate: (m: AnalysisMethod, a: Record<string, unknown>) => feed.ask(m, a) }),
  });
  analysis.start().catch(() => {});
  // The fields nobody asked for yet, one at a time, at quiet moments between the page's questions.
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  analysis.precompute({ sleep }).catch(() => {});
}

/** An analysis question by name and parameters, as `gotrace view`'s /api/analysis/NAME answers it. */
async function analysisQuestion(service: AnalysisService, name: string, params: [string, string][]) {
  const r = analysisRequest(name, new URLSearchParams(params));
  if (!r) throw new Error(`unknown analysis ${name}`);
  try {
    return await answerAnalysis(service, r.method, r.args, (b) => gzipSync(b));
  } catch (e) {
    // Nothing to analyse is an answer the page shows, as the server's routes send it.
    const unavailable: AnalysisUnavailable = {
      unavailable: `gotrace: ${e instanceof Error ? e.message : String(e)}`,
    };
    return unavailable;
  }
}

/** The timeline's questions (TimelineEngine's methods). */
const engineQuestions = new Set<string>([
  "info",
  "rows",
  "window",
  "slice",
  "mark",
  "goroutine",
  "find",
  "range",
]);

async function answer(req: Request): Promise<unknown> {
  if (req.method === "progress") return progress;
  if (!engineReady || !analysis) throw new Error("no trace is open");
  // Timeline questions too: the background precompute waits for a quiet moment after each.
  analysis.noteActivity();
  if (req.method === "engine") {
    if (!engineQuestions.has(req.args.name)) throw new Error(`unknown question ${String(req.args.name)}`);
    const engine = await engineReady;
    const f = engine[req.args.name] as (...a: unknown[]) => unknown;
    return f.apply(engine, req.args.params) ?? null;
  }
  if (req.method === "why") {
    const engine = (await engineReady) as Engine;
    whyService ??= new WhyService(engine.tl);
    return whyService.answer(req.args);
  }
  return analysisQuestion(analysis, req.args.name, req.args.params);
}

/** The timeline's "Why?", answered from the timeline (the states it walks are kept between questions). */
let whyService: WhyService | undefined;

scope.onmessage = (e: MessageEvent) => {
  const msg = e.data as { open: Source; name: string } | Request;
  if ("open" in msg) {
    open(msg.open, msg.name);
    return;
  }
  answer(msg).then(
    (result) => scope.postMessage({ id: msg.id, result }),
    (err: unknown) =>
      scope.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) }),
  );
};
