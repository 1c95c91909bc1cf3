/**
 * Answers the analysis pages' questions for one trace. The trace's events
 * go once through every analyzer the pages need, keeping what their filters
 * ask about: every blocking interval (for time ranges and regions) and the
 * MMU event log (for any choice of GC work). Every later answer is a query
 * over those results. A broken trace is analysed as the CLI does it
 * (analyzeFile): up to the damage, dropping what followed the last Sync
 * where an analyzer can.
 *
 * Runs anywhere: it takes its events from a feed, which decodes the trace's
 * bytes itself (`bytesFeed`) or replays events decoded elsewhere (the view
 * server's reader, through a worker's messages).
 */
import type { Analyzer } from "../../analysis/analyzer.js";
import { GoroutineAnalyzer, type GoroutineSummary } from "../../analysis/goroutines.js";
import { MMUCurve } from "../../analysis/mmu.js";
import { MMUEventLog } from "../../analysis/mmu-log.js";
import { MutatorUtilAnalyzer } from "../../analysis/mutator-util.js";
import { OverviewAnalyzer } from "../../analysis/overview.js";
import { BlockingProfileAnalyzer, type BlockingProfiles } from "../../analysis/pprof.js";
import { SchedLatencyAnalyzer } from "../../analysis/sched-latency.js";
import { type Annotations, TasksAnalyzer } from "../../analysis/tasks.js";
import { TimeHistogram } from "../../analysis/time-histogram.js";
import { drive } from "../../decode/drive.js";
import type { Event } from "../../decode/event.js";
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

/** How a feed of events ended: plain data, so a feed can run on another thread. */
export interface FeedEnd {
  /** N of the header's `go 1.N trace`. */
  readonly version: number | undefined;
  readonly originNs: number;
  readonly events: number;
  /** Bytes of the trace read. */
  readonly bytes: number;
  /** Sync events seen. */
  readonly syncs: number;
  /** Events other than Syncs up to the last Sync: with damage and none, nothing usable was read. */
  readonly keptEvents: number;
  /** The damage's message when the trace is broken (every event before it was fed). */
  readonly damage: string | undefined;
}

/**
 * Calls `each` for every event of the trace in order (the Event may be
 * reused), reports progress now and then, and resolves when the events end.
 */
export type EventFeed = (
  each: (ev: Event) => void,
  onProgress: (events: number, bytes: number) => void,
) => Promise<FeedEnd>;

/** A feed that decodes the trace's bytes itself. */
export function bytesFeed(source: () => AsyncIterable<Uint8Array> | Iterable<Uint8Array>): EventFeed {
  return async (each, onProgress) => {
    const run = await drive(source(), each, { onProgress, progressEvery: 200_000 });
    const { version, originNs, events, bytes, syncs, keptEvents } = run;
    return { version, originNs, events, bytes, syncs, keptEvents, damage: run.error?.message };
  };
}

/** How many of the longest scheduler waits the page lists (`gotrace schedlat --top 50`). */
export const schedWorstCount = 50;

interface Common {
  readonly overview: OverviewResponse;
  readonly goroutines: readonly GoroutineSummary[];
  /** With every interval kept, so any filter is a scan of its columns. */
  readonly profiles: BlockingProfiles;
  readonly annotations: Annotations;
  readonly schedLatency: SchedLatencyResponse;
  readonly defaultUtilFlags: number;
  readonly mmuLog: MMUEventLog;
  readonly damaged: boolean;
  readonly originNs: number;
}

interface Rollback {
  discardPending?: () => void;
}

/** A thrown error for a trace with nothing usable in it. */
export class AnalysisError extends Error {}

export class AnalysisService {
  private common: Promise<Common> | undefined;
  private readonly curves = new Map<number, Promise<MMUCurve>>();
  private readonly mmuAnswers = new Map<string, Promise<MMUResponse>>();
  private events = 0;
  private state: AnalysisStatus["state"] = "idle";
  private message: string | null = null;

  private bytesRead = 0;

  /** `totalBytes`, the trace's size if known, turns progress into a percentage. */
  constructor(
    private readonly feed: EventFeed,
    private readonly totalBytes?: number,
    /**
     * Unfiltered answers only (gotrace diff): blocking intervals are not kept
     * for time-range and region filters, and the MMU is the default one only.
     */
    private readonly unfiltered = false,
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

  /** Feeds the trace through the analyzers (once; later calls share the result). */
  start(): Promise<Common> {
    this.common ??= this.run();
    return this.common;
  }

  private async run(): Promise<Common> {
    this.state = "running";
    try {
      const overview = new OverviewAnalyzer();
      const series = new OverviewSeriesAnalyzer();
      const goroutines = new GoroutineAnalyzer();
      // Every interval kept: time ranges and regions are then filters over its columns.
      const profiles = new BlockingProfileAnalyzer({ regions: !this.unfiltered });
      const tasks = new TasksAnalyzer();
      const sched = new SchedLatencyAnalyzer(schedWorstCount);
      const defaultUtilFlags = mmuUtilFlags(defaultMMUInclude, false);
      const util = new MutatorUtilAnalyzer(defaultUtilFlags);
      // The log of MMU events makes any other choice of GC work a replay; unfiltered answers need none.
      const mmuLog = new MMUEventLog();
      const analyzers = [overview, series, goroutines, profiles, tasks, sched, util] as (Analyzer<unknown> &
        Rollback)[];
      if (!this.unfiltered) analyzers.push(mmuLog);
      const n = analyzers.length;
      const end = await this.feed(
        (ev) => {
          for (let i = 0; i < n; i++) analyzers[i]!.event(ev, undefined as never);
        },
        (events, bytes) => {
          this.events = events;
          this.bytesRead = bytes;
        },
      );
      this.bytesRead = end.bytes;
      const damage = end.damage;
      if (damage !== undefined) {
        // Nothing before the damage to analyse: the reader's own message, as the CLI prints it.
        if (end.keptEvents === 0) throw new AnalysisError(damage);
        for (const a of analyzers) a.discardPending?.();
      }
      mmuLog.finalize();
      const o = overview.finalize();
      const waits = new TimeHistogram();
      for (const d of sched.waits()) waits.add(d);
      const defaultCurve = new MMUCurve(util.finalize());
      this.curves.set(defaultUtilFlags, Promise.resolve(defaultCurve));
      const common: Common = {
        overview: overviewJson(o, end.version, series.finalize(o.firstNs, o.lastNs), damage),
        goroutines: goroutines.finalize().goroutines,
        profiles: profiles.finalize(),
        annotations: tasks.finalize(),
        schedLatency: { ...sched.finalize(), histogram: waits.result() },
        defaultUtilFlags,
        mmuLog,
        damaged: damage !== undefined,
        originNs: end.originNs,
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

  async profile(q: ProfileQuery, topLimit = 200): Promise<ProfileResponse> {
    return profileJson((await this.start()).profiles, q, topLimit);
  }

  /** The profile's records, for the pprof download (undefined when the filter matches nothing). */
  async profileRecords(q: ProfileQuery) {
    return profileRecords((await this.start()).profiles, q);
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

  /** The default MMU (as the MMU page first shows it) at these window sizes; empty when there is none. */
  async mmuAt(windowsNs: readonly number[]): Promise<number[]> {
    const c = await this.start();
    const curve = await this.curves.get(c.defaultUtilFlags)!;
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
    const c = await this.start();
    const flags = mmuUtilFlags(q.include, q.perProc);
    let curve = this.curves.get(flags);
    if (!curve) {
      if (this.unfiltered) throw new AnalysisError("this analysis keeps only the default MMU");
      const util = new MutatorUtilAnalyzer(flags);
      c.mmuLog.replay(util);
      if (c.damaged) util.discardPending();
      curve = Promise.resolve(new MMUCurve(util.finalize()));
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
      toTraceLength: q.toTraceLength ?? false,
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
