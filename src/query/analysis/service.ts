/**
 * Answers the analysis pages' questions for one trace. The first question
 * (or `start()`) reads the trace once through every analyzer the pages need;
 * later answers come from those results (MMU curves with other GC choices
 * need a pass of their own, cached by choice). A broken trace is analysed as
 * the CLI does it (analyzeFile): up to the damage, dropping what followed the
 * last Sync where an analyzer can.
 *
 * Runs anywhere: it takes a function that yields the trace's bytes.
 */
import { type Analyzer, runAnalyzers } from "../../analysis/analyzer.js";
import { GoroutineAnalyzer, type GoroutineSummary } from "../../analysis/goroutines.js";
import { MMUCurve } from "../../analysis/mmu.js";
import { MutatorUtilAnalyzer } from "../../analysis/mutator-util.js";
import { OverviewAnalyzer } from "../../analysis/overview.js";
import { BlockingProfileAnalyzer, type BlockingProfiles } from "../../analysis/pprof.js";
import { SchedLatencyAnalyzer } from "../../analysis/sched-latency.js";
import { type Annotations, TasksAnalyzer } from "../../analysis/tasks.js";
import { TimeHistogram } from "../../analysis/time-histogram.js";
import { type Event, EventKind } from "../../decode/event.js";
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
import { regionList, regionsSummary, taskList, tasksSummary } from "./tasks.js";

export type TraceSource = () => AsyncIterable<Uint8Array>;

/** How many of the longest scheduler waits the page lists (`gotrace schedlat --top 50`). */
export const schedWorstCount = 50;

interface Common {
  readonly overview: OverviewResponse;
  readonly goroutines: readonly GoroutineSummary[];
  readonly profiles: BlockingProfiles;
  readonly annotations: Annotations;
  readonly schedLatency: SchedLatencyResponse;
  readonly defaultUtilFlags: number;
  readonly defaultCurve: MMUCurve;
  readonly originNs: number;
}

interface Rollback {
  discardPending?: () => void;
}

/** A thrown error for a trace with nothing usable in it. */
export class AnalysisError extends Error {}

export class AnalysisService {
  private common: Promise<Common> | undefined;
  private rawProfiles: Promise<BlockingProfiles> | undefined;
  private readonly curves = new Map<number, Promise<MMUCurve>>();
  private readonly mmuAnswers = new Map<string, Promise<MMUResponse>>();
  private events = 0;
  private state: AnalysisStatus["state"] = "idle";
  private message: string | null = null;

  private bytesRead = 0;

  /** `totalBytes`, the trace's size if known, turns progress into a percentage. */
  constructor(
    private readonly source: TraceSource,
    private readonly totalBytes?: number,
  ) {}

  status(): AnalysisStatus {
    return {
      state: this.state,
      events: this.events,
      bytesRead: this.bytesRead,
      totalBytes: this.totalBytes ?? null,
      message: this.message,
    };
  }

  /** The trace's chunks, counted into bytesRead when `count` (the first pass). */
  private async *chunks(count: boolean): AsyncGenerator<Uint8Array> {
    for await (const chunk of this.source()) {
      if (count) this.bytesRead += chunk.length;
      yield chunk;
    }
  }

  /** Reads the trace through the analyzers (once; later calls share the result). */
  start(): Promise<Common> {
    this.common ??= this.run();
    return this.common;
  }

  /** One pass with `analyzers`; the damage message if the trace is broken, as analyzeFile treats it. */
  private async pass(
    analyzers: readonly (Analyzer<unknown> & Rollback)[],
    onProgress?: (events: number) => void,
  ) {
    let syncs = 0;
    const counter = {
      event(ev: Event) {
        if (ev.kind === EventKind.Sync) syncs++;
      },
      finalize() {},
    };
    const run = await runAnalyzers(this.chunks(onProgress !== undefined), [counter, ...analyzers], {
      onProgress,
      progressEvery: 200_000,
    });
    if (!run.error) return { reader: run.reader, damage: undefined };
    if (syncs === 0)
      throw new AnalysisError(`failed to parse any useful part of the trace: ${run.error.message}`);
    for (const a of analyzers) a.discardPending?.();
    return { reader: run.reader, damage: run.error.message };
  }

  private async run(): Promise<Common> {
    this.state = "running";
    try {
      const overview = new OverviewAnalyzer();
      const series = new OverviewSeriesAnalyzer();
      const goroutines = new GoroutineAnalyzer();
      // Without raw samples (a region or time range needs them: a pass of its own, see profilesFor).
      const profiles = new BlockingProfileAnalyzer();
      const tasks = new TasksAnalyzer();
      const sched = new SchedLatencyAnalyzer(schedWorstCount);
      const defaultUtilFlags = mmuUtilFlags(defaultMMUInclude, false);
      const util = new MutatorUtilAnalyzer(defaultUtilFlags);
      const analyzers = [overview, series, goroutines, profiles, tasks, sched, util] as (Analyzer<unknown> &
        Rollback)[];
      const { reader, damage } = await this.pass(analyzers, (n) => {
        this.events = n;
      });
      const o = overview.finalize();
      const waits = new TimeHistogram();
      for (const d of sched.waits()) waits.add(d);
      const defaultCurve = new MMUCurve(util.finalize());
      this.curves.set(defaultUtilFlags, Promise.resolve(defaultCurve));
      const common: Common = {
        overview: overviewJson(o, reader.version, series.finalize(o.firstNs, o.lastNs), damage),
        goroutines: goroutines.finalize().goroutines,
        profiles: profiles.finalize(),
        annotations: tasks.finalize(),
        schedLatency: { ...sched.finalize(), histogram: waits.result() },
        defaultUtilFlags,
        defaultCurve,
        originNs: reader.originNs,
      };
      this.events = o.events;
      this.state = "done";
      return common;
    } catch (e) {
      this.state = "failed";
      this.message = e instanceof Error ? e.message : String(e);
      throw e;
    }
  }

  async overview(): Promise<OverviewResponse> {
    return (await this.start()).overview;
  }

  async goroutineGroups(): Promise<GoroutineGroupsResponse> {
    return goroutineGroupsJson((await this.start()).goroutines);
  }

  /** One group's goroutines; undefined when no goroutine starts at `name`. */
  async goroutineGroup(name: string): Promise<GoroutineGroupResponse | undefined> {
    const { goroutines } = await this.start();
    const members = groupMembers(goroutines, name);
    return members.length ? groupDetailJson(goroutines, members) : undefined;
  }

  async profileFilters(): Promise<ProfileFiltersResponse> {
    const c = await this.start();
    const groups = goroutineGroupsJson(c.goroutines).groups.map((g) => g.name);
    const regionTypes = [...new Set(c.annotations.regionGroups.map((g) => g.type))].sort();
    return { groups, regionTypes };
  }

  /**
   * The profiles that can answer `q`. Region and time-range filters need
   * every sample kept (41 bytes each, ~0.4 GiB for a 50 MiB trace), so
   * those come from a second pass, made once when first asked for.
   */
  private async profilesFor(q: ProfileQuery): Promise<BlockingProfiles> {
    const c = await this.start();
    if (q.region === undefined && q.startNs === undefined && q.endNs === undefined) return c.profiles;
    this.rawProfiles ??= (async () => {
      const a = new BlockingProfileAnalyzer({ regions: true });
      await this.pass([a as Analyzer<unknown> & Rollback]);
      return a.finalize();
    })();
    return this.rawProfiles;
  }

  async profile(q: ProfileQuery, topLimit = 200): Promise<ProfileResponse> {
    return profileJson(await this.profilesFor(q), q, topLimit);
  }

  /** The profile's records, for the pprof download (undefined when the filter matches nothing). */
  async profileRecords(q: ProfileQuery) {
    return profileRecords(await this.profilesFor(q), q);
  }

  async tasks(): Promise<TasksResponse> {
    return tasksSummary((await this.start()).annotations);
  }

  async taskList(type: string, bucket: number | undefined, limit = 500): Promise<TaskListResponse> {
    return taskList((await this.start()).annotations, type, bucket, limit);
  }

  async regions(): Promise<RegionsResponse> {
    return regionsSummary((await this.start()).annotations);
  }

  async regionList(
    type: string,
    pc: number | undefined,
    bucket: number | undefined,
    limit = 500,
  ): Promise<RegionListResponse> {
    return regionList((await this.start()).annotations, type, pc, bucket, limit);
  }

  async schedLatency(): Promise<SchedLatencyResponse> {
    return (await this.start()).schedLatency;
  }

  /** The MMU curve for a choice of GC work (a pass of its own unless it is the default). */
  mmu(q: MMUQuery): Promise<MMUResponse> {
    const include = [...q.include].sort((a, b) => order(a) - order(b));
    const key = JSON.stringify([include, q.perProc, q.percentiles, q.worstWindowNs ?? null, q.worst ?? 10]);
    let answer = this.mmuAnswers.get(key);
    if (!answer) {
      answer = this.computeMMU({ ...q, include });
      this.mmuAnswers.set(key, answer);
    }
    return answer;
  }

  private async computeMMU(q: MMUQuery): Promise<MMUResponse> {
    const c = await this.start();
    const flags = mmuUtilFlags(q.include, q.perProc);
    let curve = this.curves.get(flags);
    if (!curve) {
      curve = (async () => {
        const util = new MutatorUtilAnalyzer(flags);
        await this.pass([util as Analyzer<unknown> & Rollback]);
        return new MMUCurve(util.finalize());
      })();
      this.curves.set(flags, curve);
    }
    const mmu = await curve;
    const base = { include: q.include, perProc: q.perProc };
    if (mmu.empty) {
      const error = "no mutator utilization: the trace never says what GOMAXPROCS is";
      return { ...base, xMinNs: 0, xMaxNs: 0, quantiles: null, curve: [], worst: [], error };
    }
    const out = mmuJson(mmu, c.originNs, {
      ...base,
      percentiles: q.percentiles,
      goWindows: true,
      worstSizes: q.worstWindowNs === undefined ? undefined : [q.worstWindowNs],
      nWorst: q.worst ?? 10,
    });
    return { ...out, error: null };
  }
}

/** The CLI's order of --include names, so one choice has one cache key. */
function order(name: string): number {
  return ["stw", "background", "assist", "sweep"].indexOf(name);
}
