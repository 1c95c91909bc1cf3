/**
 * Answers the analysis pages' questions for one trace. What it knows is a
 * set of fields (fields.ts): each comes from the model (the Timeline, once
 * built) where a function of it exists, else from one pass of the event
 * analyzers over the trace, which runs only the analyzers of the fields
 * still missing (and not at all when none is). Each field keeps what its
 * filters ask about, so every later answer (a time range, a region type, a
 * goroutine group, another choice of GC work for the MMU) is a query over
 * it. A broken trace is analysed as the CLI does it (analyzeFile): up to
 * the damage, dropping what followed the last Sync where an analysis can.
 *
 * Runs anywhere. Its events come from a feed, which decodes the trace's
 * bytes itself (`bytesFeed`) or replays events decoded elsewhere; its model
 * from whoever built the timeline. A service may have only part of the
 * fields (the model's, in the view server or the static page's engine
 * worker, beside a worker analysing the events for the rest): `answer`
 * sends each question to where its fields are.
 */

import { MMUCurve } from "../../analysis/mmu.js";
import { encodePprof, pprofLayout } from "../../analysis/pprof-encode.js";
import { TimeHistogram } from "../../analysis/time-histogram.js";
import { type Driven, drive } from "../../decode/drive.js";
import type { Event } from "../../decode/event.js";
import type { Analyzer } from "../../stream/analyzer.js";
import { GoroutineAnalyzer } from "../../stream/goroutines.js";
import { MMUEventLog } from "../../stream/mmu-log.js";
import { MutatorUtilAnalyzer } from "../../stream/mutator-util.js";
import { OverviewAnalyzer } from "../../stream/overview.js";
import { BlockingProfileAnalyzer } from "../../stream/pprof.js";
import { SchedLatencyAnalyzer } from "../../stream/sched-latency.js";
import { TasksAnalyzer } from "../../stream/tasks.js";

import {
  allFields,
  type FeedEnd,
  type Field,
  type Fields,
  fieldsOf,
  fromModel,
  type MMUSource,
  type ModelInput,
  precomputeOrder,
  prepareField,
  schedWorstCount,
} from "./fields.js";
import { goroutineGroupsJson, groupDetailJson, groupMembers } from "./goroutines.js";
import { defaultMMUInclude, mmuJson, mmuUtilFlags } from "./mmu.js";
import { OverviewSeriesAnalyzer, overviewJson } from "./overview.js";
import { profileJson, profileRecords } from "./profile-query.js";
import type {
  AnalysisStatus,
  GoroutineGroupResponse,
  GoroutineGroupsResponse,
  MMUQuery,
  MMUResponse,
  OverviewResponse,
  ProfileFiltersResponse,
  ProfileQuery,
  ProfileResponse,
  RegionListResponse,
  RegionsResponse,
  SchedLatencyResponse,
  TaskListResponse,
  TasksResponse,
} from "./protocol.js";
import type { AnalysisMethod } from "./requests.js";
import { regionList, regionsSummary, taskList, tasksSummary } from "./tasks.js";

export { schedWorstCount } from "./fields.js";

export type { FeedEnd, ModelInput };

/**
 * Calls `each` for every event of the trace in order (the Event may be
 * reused), reports progress now and then, and resolves when the events end.
 */
export type EventFeed = (
  each: (ev: Event) => void,
  onProgress: (events: number, bytes: number) => void,
) => Promise<FeedEnd>;

/** How a read ended, as a feed or a model says it. */
export function feedEnd(run: Driven): FeedEnd {
  const { version, originNs, events, bytes, syncs, keptEvents } = run;
  return { version, originNs, events, bytes, syncs, keptEvents, damage: run.error?.message };
}

/** A feed that decodes the trace's bytes itself. */
export function bytesFeed(source: () => AsyncIterable<Uint8Array> | Iterable<Uint8Array>): EventFeed {
  return async (each, onProgress) =>
    feedEnd(await drive(source(), each, { onProgress, progressEvery: 200_000 }));
}

/** Every field at once (gotrace diff reads them all). */
export type Common = Fields & { readonly damaged: boolean };

/** Asks another service (another thread's) a question this one has not the fields for. */
export type Delegate = (method: AnalysisMethod, args: Record<string, unknown>) => Promise<unknown>;

/** Where a service's fields come from. */
export interface AnalysisSources {
  /** The model, once the timeline is built: the fields with a function of it are answered from it. */
  readonly model?: () => Promise<ModelInput>;
  /** How far the model's read has got, for status() meanwhile. */
  readonly modelProgress?: () => { events: number; bytesRead: number };
  /** Events for the fields the model does not answer (every field, without a model). */
  readonly feed?: EventFeed;
  /** The fields the feed is read for (by default every field the model does not give). */
  readonly eventFields?: ReadonlySet<Field>;
  /** Asked the questions whose fields this service does not have. */
  readonly delegate?: Delegate;
  /** The delegate's progress, for status() once the model is done. */
  readonly delegateStatus?: () => AnalysisStatus;
}

interface Rollback {
  discardPending?: () => void;
}

/** How the background precompute (AnalysisService.precompute) waits for quiet moments. */
export interface PrecomputeOptions {
  /** Resolves after about `ms` milliseconds, from a timer: the host's requests are handled meanwhile. */
  readonly sleep: (ms: number) => Promise<void>;
  /** The host's clock, in ms (Date.now by default). */
  readonly now?: () => number;
  /**
   * How long no question may have been asked (nor any request the host
   * reports by noteActivity) before a field is computed: a page asks its
   * questions together, a user's next click comes seconds later.
   */
  readonly quietMs?: number;
}

/** A thrown error for a trace with nothing usable in it. */
export class AnalysisError extends Error {}

/** The MMU of the event pass: the default curve, and the event log that replays any other choice. */
class LoggedMMU implements MMUSource {
  private readonly curves = new Map<number, MMUCurve>();
  constructor(
    readonly defaultFlags: number,
    defaultCurve: MMUCurve,
    private readonly log: MMUEventLog | undefined,
    private readonly damaged: boolean,
  ) {
    this.curves.set(defaultFlags, defaultCurve);
  }

  curve(flags: number): MMUCurve {
    let curve = this.curves.get(flags);
    if (!curve) {
      if (!this.log) throw new AnalysisError("this analysis keeps only the default MMU");
      const util = new MutatorUtilAnalyzer(flags);
      this.log.replay(util);
      if (this.damaged) util.discardPending();
      curve = new MMUCurve(util.finalize());
      this.curves.set(flags, curve);
    }
    return curve;
  }
}

export class AnalysisService {
  private readonly sources: AnalysisSources;
  /** The fields this service computes itself, and those of them its feed is read for. */
  private readonly local: ReadonlySet<Field>;
  private readonly fromEvents: ReadonlySet<Field>;
  private readonly values = new Map<Field, Promise<unknown>>();
  private pass: Promise<Partial<Fields> & { damage?: string }> | undefined;
  private model: Promise<ModelInput> | undefined;
  private started: Promise<void> | undefined;
  private readonly mmuAnswers = new Map<string, Promise<MMUResponse>>();
  /** Fields computed (for the precompute, with what their first question computes first). */
  private readonly computed = new Set<Field>();
  private precomputing: Promise<void> | undefined;
  private stopped = false;
  /** Questions being answered, and when one last came or went (the host's clock). */
  private asking = 0;
  private lastAskedMs = Number.NEGATIVE_INFINITY;
  private clock: () => number = Date.now;
  private events = 0;
  private state: AnalysisStatus["state"] = "idle";
  private message: string | null = null;
  private bytesRead = 0;

  /**
   * A feed alone: every field from its events. `totalBytes`, the trace's
   * size if known, turns progress into a percentage.
   */
  constructor(
    source: EventFeed | AnalysisSources,
    private readonly totalBytes?: number,
    /**
     * Unfiltered answers only (gotrace diff): blocking intervals are not kept
     * for time-range and region filters, and the MMU is the default one only.
     */
    private readonly unfiltered = false,
  ) {
    this.sources = typeof source === "function" ? { feed: source } : source;
    const { model, feed } = this.sources;
    const fromModelHere = new Set(model ? allFields.filter((f) => fromModel[f] !== undefined) : []);
    const events = new Set(
      feed ? (this.sources.eventFields ?? allFields.filter((f) => !fromModelHere.has(f))) : [],
    );
    this.fromEvents = events;
    this.local = new Set([...fromModelHere, ...events]);
  }

  status(): AnalysisStatus {
    // Once this service's own part is done (or it has none), the delegate's pass is what runs.
    const d = this.sources.delegateStatus;
    if (d && (this.local.size === 0 || this.state === "done")) return d();
    if (this.state === "running" && this.sources.modelProgress && !this.pass) {
      const p = this.sources.modelProgress();
      this.events = p.events;
      this.bytesRead = p.bytesRead;
    }
    return {
      state: this.state,
      events: this.events,
      bytesRead: this.bytesRead,
      totalBytes: this.totalBytes ?? null,
      message: this.message,
    };
  }

  /** Whether status() should come from the delegate, asked (its own part done, and no delegateStatus). */
  statusFromDelegate(): boolean {
    const { delegate, delegateStatus } = this.sources;
    return delegate !== undefined && !delegateStatus && (this.local.size === 0 || this.state === "done");
  }

  /** Whether this service has every field `method` reads (else `answer` asks its delegate). */
  answers(method: AnalysisMethod, args: Record<string, unknown>): boolean {
    return fieldsOf(method, args).every((f) => this.local.has(f));
  }

  /** Asks the delegate; a service without one says so. */
  delegate(method: AnalysisMethod, args: Record<string, unknown>): Promise<unknown> {
    const d = this.sources.delegate;
    if (!d) return Promise.reject(new AnalysisError(`${method}: this analysis does not have what it needs`));
    return d(method, args);
  }

  /**
   * Starts everything this service computes (the event pass, the wait for
   * the model); resolves when both are done, or fails with the trace's reason.
   */
  start(): Promise<void> {
    this.started ??= (async () => {
      this.state = "running";
      try {
        await Promise.all([
          this.fromEvents.size > 0 ? this.eventPass() : undefined,
          this.sources.model ? this.modelInput() : undefined,
        ]);
        this.state = "done";
      } catch (e) {
        this.fail(e);
        throw e;
      }
    })();
    return this.started;
  }

  /** Every field (gotrace diff): the service must have them all. */
  async common(): Promise<Common> {
    const out: Record<string, unknown> = {};
    for (const f of allFields) out[f] = await this.field(f);
    const m = this.model && (await this.model);
    const pass = this.pass && (await this.pass);
    return { ...(out as unknown as Fields), damaged: (m?.end.damage ?? pass?.damage) !== undefined };
  }

  private fail(e: unknown): void {
    this.state = "failed";
    this.message = e instanceof Error ? e.message : String(e);
  }

  private modelInput(): Promise<ModelInput> {
    this.model ??= this.sources.model!().then((m) => {
      // Nothing before the damage to analyse: the reader's own message, as the CLI prints it.
      if (m.end.damage !== undefined && m.end.keptEvents === 0) throw new AnalysisError(m.end.damage);
      this.events = m.end.events;
      this.bytesRead = m.end.bytes;
      return m;
    });
    return this.model;
  }

  /** A request the host is answering (a timeline question): background work waits for a quiet moment after it. */
  noteActivity(): void {
    this.lastAskedMs = this.clock();
  }

  /** Runs `ask` as a question: the background precompute waits until it is answered, and a while after. */
  async asked<T>(ask: () => Promise<T>): Promise<T> {
    this.asking++;
    this.noteActivity();
    try {
      return await ask();
    } finally {
      this.asking--;
      this.noteActivity();
    }
  }

  /** The fields computed so far: asked, or computed ahead by precompute. */
  ready(): Field[] {
    return allFields.filter((f) => this.computed.has(f));
  }

  /**
   * Once the model is built, computes the fields of the model nobody has
   * asked for yet, in the order the pages open them (fields.ts
   * precomputeOrder), one at a time, each (and what its first question
   * computes first, as the blocking profiles' intervals) at a quiet moment,
   * so that the page opened later answers at once. Each step runs from a
   * timer of its own: a request waits for at most one field's computation,
   * and a question for a field not computed yet computes it at once.
   * Resolves when every field is computed (at once if the model fails).
   */
  precompute(options: PrecomputeOptions): Promise<void> {
    this.precomputing ??= this.runPrecompute(options);
    return this.precomputing;
  }

  /** Ends the precompute after the step it is in (another trace is opened). */
  stopPrecompute(): void {
    this.stopped = true;
  }

  private async runPrecompute(o: PrecomputeOptions): Promise<void> {
    if (o.now) this.clock = o.now;
    if (!this.sources.model) return;
    try {
      await this.modelInput();
    } catch {
      return;
    }
    const quietMs = o.quietMs ?? 100;
    const quiet = async () => {
      for (;;) {
        const wait = this.asking > 0 ? quietMs : quietMs - (this.clock() - this.lastAskedMs);
        await o.sleep(Math.max(0, wait));
        if (this.asking === 0 && this.clock() - this.lastAskedMs >= quietMs) return;
      }
    };
    for (const f of precomputeOrder) {
      if (!this.local.has(f) || this.fromEvents.has(f) || this.computed.has(f)) continue;
      await quiet();
      if (this.stopped) return;
      try {
        const v = await this.field(f);
        const prepare = prepareField[f] as ((v: unknown) => void) | undefined;
        if (prepare) {
          await quiet();
          if (this.stopped) return;
          prepare(v);
        }
        this.computed.add(f);
      } catch {
        // The question for it will say why.
      }
    }
  }

  /** One field, computed once, from the model or the event pass. */
  field<F extends Field>(f: F): Promise<Fields[F]> {
    let v = this.values.get(f) as Promise<Fields[F]> | undefined;
    if (!v) {
      if (!this.local.has(f)) return Promise.reject(new AnalysisError(`this analysis does not compute ${f}`));
      if (this.state === "idle") this.start().catch(() => {});
      const make = this.fromEvents.has(f) ? undefined : fromModel[f];
      v = make
        ? this.modelInput().then((m) => make(m, { unfiltered: this.unfiltered }))
        : this.eventPass().then((p) => p[f] as Fields[F]);
      this.values.set(f, v);
      // A field whose first question computes more (prepareField) counts once precompute has done that.
      if (prepareField[f] === undefined)
        v.then(
          () => this.computed.add(f),
          () => {},
        );
    }
    return v;
  }

  /** The event analyzers of the fields this service reads its feed for, in one pass. */
  private eventPass(): Promise<Partial<Fields> & { damage?: string }> {
    this.pass ??= this.runEvents();
    return this.pass;
  }

  private async runEvents(): Promise<Partial<Fields> & { damage?: string }> {
    const want = this.fromEvents;
    const overview = want.has("overview") ? new OverviewAnalyzer() : undefined;
    const series = overview && new OverviewSeriesAnalyzer();
    const goroutines = want.has("goroutines") ? new GoroutineAnalyzer() : undefined;
    // Every interval kept: time ranges and regions are then filters over its columns.
    const profiles =
      want.has("blocking") || want.has("cpuProfiles")
        ? new BlockingProfileAnalyzer({ regions: !this.unfiltered })
        : undefined;
    const tasks = want.has("annotations") ? new TasksAnalyzer() : undefined;
    const sched = want.has("schedLatency") ? new SchedLatencyAnalyzer(schedWorstCount) : undefined;
    const defaultUtilFlags = mmuUtilFlags(defaultMMUInclude, false);
    const util = want.has("mmu") ? new MutatorUtilAnalyzer(defaultUtilFlags) : undefined;
    // The log of MMU events makes any other choice of GC work a replay; unfiltered answers need none.
    const mmuLog = util && !this.unfiltered ? new MMUEventLog() : undefined;
    const analyzers = [overview, series, goroutines, profiles, tasks, sched, util, mmuLog].filter(
      (a) => a !== undefined,
    ) as (Analyzer<unknown> & Rollback)[];
    const n = analyzers.length;
    const end = await this.sources.feed!(
      (ev) => {
        for (let i = 0; i < n; i++) analyzers[i]!.event(ev, undefined as never);
      },
      (events, bytes) => {
        this.events = events;
        this.bytesRead = bytes;
      },
    );
    this.feedEnd_ = end;
    this.events = end.events;
    this.bytesRead = end.bytes;
    const damage = end.damage;
    if (damage !== undefined) {
      // Nothing before the damage to analyse: the reader's own message, as the CLI prints it.
      if (end.keptEvents === 0) throw new AnalysisError(damage);
      for (const a of analyzers) a.discardPending?.();
    }
    const out: { -readonly [F in Field]?: Fields[F] } & { damage?: string } = { damage };
    if (overview) {
      const o = overview.finalize();
      out.overview = overviewJson(o, end.version, series!.finalize(o.firstNs, o.lastNs), damage);
    }
    if (goroutines) out.goroutines = goroutines.finalize().goroutines;
    if (profiles) {
      const p = profiles.finalize();
      out.blocking = p;
      out.cpuProfiles = p;
    }
    if (tasks) out.annotations = tasks.finalize();
    if (sched) {
      const waits = new TimeHistogram();
      for (const d of sched.waits()) waits.add(d);
      out.schedLatency = { ...sched.finalize(), histogram: waits.result() };
    }
    if (util) {
      mmuLog?.finalize();
      out.mmu = new LoggedMMU(defaultUtilFlags, new MMUCurve(util.finalize()), mmuLog, damage !== undefined);
    }
    return out;
  }

  async overview(): Promise<OverviewResponse> {
    return this.field("overview");
  }

  async goroutineGroups(): Promise<GoroutineGroupsResponse> {
    return goroutineGroupsJson(await this.field("goroutines"));
  }

  /** One group's goroutines; undefined when no goroutine starts at `name`. */
  async goroutineGroup(name: string): Promise<GoroutineGroupResponse | undefined> {
    const goroutines = await this.field("goroutines");
    const members = groupMembers(goroutines, name);
    return members.length ? groupDetailJson(goroutines, members) : undefined;
  }

  async profileFilters(): Promise<ProfileFiltersResponse> {
    const [goroutines, annotations] = await Promise.all([
      this.field("goroutines"),
      this.field("annotations"),
    ]);
    const groups = goroutineGroupsJson(goroutines).groups.map((g) => g.name);
    const regionTypes = [...new Set(annotations.regionGroups.map((g) => g.type))].sort();
    return { groups, regionTypes };
  }

  private profileSource(q: ProfileQuery) {
    return this.field(q.type === "cpu" || q.type === "wall" ? "cpuProfiles" : "blocking");
  }

  async profile(q: ProfileQuery, topLimit = 200): Promise<ProfileResponse> {
    return profileJson(await this.profileSource(q), q, topLimit);
  }

  /** The profile's records, for the pprof download (undefined when the filter matches nothing). */
  async profileRecords(q: ProfileQuery) {
    return profileRecords(await this.profileSource(q), q);
  }

  async tasks(): Promise<TasksResponse> {
    return tasksSummary(await this.field("annotations"));
  }

  async taskList(type: string, bucket: number | undefined, limit = 500): Promise<TaskListResponse> {
    return taskList(await this.field("annotations"), type, bucket, limit);
  }

  async regions(): Promise<RegionsResponse> {
    return regionsSummary(await this.field("annotations"));
  }

  async regionList(
    type: string,
    pc: number | undefined,
    bucket: number | undefined,
    limit = 500,
  ): Promise<RegionListResponse> {
    return regionList(await this.field("annotations"), type, pc, bucket, limit);
  }

  async schedLatency(): Promise<SchedLatencyResponse> {
    return this.field("schedLatency");
  }

  /** The default MMU (as the MMU page first shows it) at these window sizes; empty when there is none. */
  async mmuAt(windowsNs: readonly number[]): Promise<number[]> {
    const mmu = await this.field("mmu");
    const curve = mmu.curve(mmu.defaultFlags);
    return curve.empty ? [] : windowsNs.map((w) => curve.mmu(w));
  }

  /** The MMU curve for a choice of GC work (a replay of the MMU event log unless it is the default). */
  mmu(q: MMUQuery): Promise<MMUResponse> {
    const include = [...q.include].sort((a, b) => order(a) - order(b));
    const key = JSON.stringify([
      include,
      q.perProc,
      q.percentiles,
      q.worstWindowNs ?? null,
      q.worst ?? 10,
      q.toTraceLength ?? false,
    ]);
    let answer = this.mmuAnswers.get(key);
    if (!answer) {
      answer = this.computeMMU({ ...q, include });
      this.mmuAnswers.set(key, answer);
    }
    return answer;
  }

  private async computeMMU(q: MMUQuery): Promise<MMUResponse> {
    const mmu = (await this.field("mmu")).curve(mmuUtilFlags(q.include, q.perProc));
    const base = { include: q.include, perProc: q.perProc };
    if (mmu.empty) {
      const error = "no mutator utilization: the trace never says what GOMAXPROCS is";
      return { ...base, xMinNs: 0, xMaxNs: 0, quantiles: null, curve: [], worst: [], error };
    }
    const { originNs } = await this.origin();
    const out = mmuJson(mmu, originNs, {
      ...base,
      percentiles: q.percentiles,
      goWindows: true,
      toTraceLength: q.toTraceLength ?? false,
      worstSizes: q.worstWindowNs === undefined ? undefined : [q.worstWindowNs],
      nWorst: q.worst ?? 10,
    });
    return { ...out, error: null };
  }

  /** The trace's origin, from whichever read this service has. */
  private async origin(): Promise<{ originNs: number }> {
    if (this.fromEvents.size > 0) return { originNs: (await this.feedEnd()).originNs };
    return { originNs: (await this.modelInput()).end.originNs };
  }

  private feedEnd_: FeedEnd | undefined;
  private async feedEnd(): Promise<FeedEnd> {
    await this.eventPass();
    return this.feedEnd_!;
  }
}

/**
 * The answer to a question by name (requests.ts) from this service, or from
 * its delegate when the service has not the fields the question reads. A
 * profile's pprof file is gzipped by `gzip` (each platform has its own).
 */
export async function answer(
  service: AnalysisService,
  method: AnalysisMethod,
  args: Record<string, unknown>,
  gzip: (bytes: Uint8Array) => Uint8Array,
): Promise<unknown> {
  if (method !== "status" && method !== "start" && !service.answers(method, args)) {
    return service.delegate(method, args);
  }
  if (method === "status" && service.statusFromDelegate()) return service.delegate(method, args);
  if (method === "status" || method === "start") return answerNow(service, method, args, gzip);
  return service.asked(() => answerNow(service, method, args, gzip));
}

async function answerNow(
  service: AnalysisService,
  method: AnalysisMethod,
  args: Record<string, unknown>,
  gzip: (bytes: Uint8Array) => Uint8Array,
): Promise<unknown> {
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  const num = (v: unknown) => (typeof v === "number" ? v : undefined);
  switch (method) {
    case "start":
      await service.start();
      return service.status();
    case "status":
      return service.status();
    case "overview":
      return service.overview();
    case "goroutines":
      return service.goroutineGroups();
    case "goroutineGroup":
      return (await service.goroutineGroup(str(args.name))) ?? null;
    case "profileFilters":
      return service.profileFilters();
    case "profile":
      return service.profile(args.query as ProfileQuery);
    case "profilePprof": {
      const query = args.query as ProfileQuery;
      const { records, error } = await service.profileRecords(query);
      return error === null ? gzip(encodePprof(records, pprofLayout(query.type))) : { error };
    }
    case "tasks":
      return service.tasks();
    case "taskList":
      return service.taskList(str(args.type), num(args.bucket));
    case "regions":
      return service.regions();
    case "regionList":
      return service.regionList(str(args.type), num(args.pc), num(args.bucket));
    case "mmu":
      return service.mmu(args.query as MMUQuery);
    case "schedLatency":
      return service.schedLatency();
  }
}

/** The CLI's order of --include names, so one choice has one cache key. */
function order(name: string): number {
  return ["stw", "background", "assist", "sweep"].indexOf(name);
}
