/**
 * What the analysis pages ask and get back, as plain JSON: the server
 * answers these at /api/analysis/…, and an in-browser Worker could answer
 * the same. Times are ns since the trace's origin, as on the timeline.
 * The shapes inside (groups, goroutines, tasks, MMU points, sched latency)
 * are exactly those of the CLI's `--json` for the same analysis.
 */
import type { BlockReason } from "../../analysis/activity.js";
import type { Overview } from "../../analysis/overview-model.js";
import type { ProfileType } from "../../analysis/profile.js";
import type { SchedLatency, SchedWait } from "../../analysis/sched-stats.js";
import type { HistogramBucket, TimeHistogramResult } from "../../analysis/time-histogram.js";
import type { RegionGroupSummary, RegionInstance, TaskTypeSummary } from "../../stream/tasks.js";

/** The analyzers' own result types that travel in these answers as they are; the UI takes them from here. */
export type { RegionInstance, TimeHistogramResult };

/** A time series for a small chart: [time ns, value] points, at most a few hundred. */
export type SeriesPoints = readonly (readonly [number, number])[];

/** `Overview`'s counts as they are, its activity flattened beside them. */
export interface OverviewResponse extends Omit<Overview, "activity"> {
  /** "go 1.26 trace (written by …)", or "?" when the header was unreadable. */
  readonly format: string;
  readonly durationNs: number;
  readonly gcMarkNs: number;
  readonly stwPauses: number;
  readonly stwTotalNs: number;
  readonly stwMaxNs: number;
  readonly stwMaxKind: string;
  readonly heapPeakBytes: number | null;
  readonly heapGoalMaxBytes: number | null;
  /** The reasons `gotrace stats` lists: most blocked time first, runtime idling left out. */
  readonly blocking: readonly BlockReason[];
  /** Heap in use over time (empty when the trace has no heap metric). */
  readonly heap: SeriesPoints;
  /** Goroutines in existence over time. */
  readonly goroutineCount: SeriesPoints;
  /** Set when the trace is broken: the analyses cover what came before it. */
  readonly damage: string | null;
}

/** `gotrace goroutines FILE --json`. */
export interface GoroutineGroupsResponse {
  readonly totalExecNs: number;
  /** CPU profiler samples in the trace (0: recorded without the CPU profiler). */
  readonly cpuSamples: number;
  readonly groups: readonly {
    name: string;
    count: number;
    execNs: number;
    execPercent: number;
    /** The group's CPU samples, and the CPU time they stand for (10ms each). */
    cpuSamples: number;
    cpuNs: number;
  }[];
}

/** One goroutine of a group, as `gotrace goroutines FILE --group NAME --json` gives it. */
export interface GoroutineJson {
  readonly id: number;
  readonly name: string;
  readonly creationNs: number;
  readonly startNs: number | null;
  readonly endNs: number | null;
  readonly totalNs: number;
  readonly execNs: number;
  readonly schedWaitNs: number;
  readonly blockNs: Readonly<Record<string, number>>;
  readonly syscallNs: number;
  readonly syscallBlockNs: number;
  readonly unknownNs: number;
  readonly rangeNs: Readonly<Record<string, number>>;
  /** CPU profiler samples taken while it ran, and the CPU time they stand for (10ms each). */
  readonly cpuSamples: number;
  readonly cpuNs: number;
}

/** `gotrace goroutines FILE --group NAME --json`. */
export interface GoroutineGroupResponse {
  readonly name: string;
  readonly count: number;
  readonly execNs: number;
  readonly execPercent: number | null;
  readonly cpuSamples: number;
  readonly cpuNs: number;
  readonly goroutines: readonly GoroutineJson[];
}

/** The profiles `gotrace pprof --type` writes: the four blocking ones, cpu and wall. */
export type ProfileKind = ProfileType;

/** Which part of a profile to show; all set conditions hold. */
export interface ProfileQuery {
  readonly type: ProfileKind;
  /** Goroutines started at this function only. */
  readonly group?: string;
  /** This goroutine only (its ID's last life). */
  readonly goroutine?: number;
  /** Only time inside regions of this type. */
  readonly region?: string;
  /** Only the part of each interval inside [startNs, endNs]. */
  readonly startNs?: number;
  readonly endNs?: number;
}

/** One frame of the flame graph: a function on a path from the root, merged by name. */
export interface FlameNode {
  readonly func: string;
  /** Delay of every sample through this path, and theirs alone ending here. */
  readonly totalNs: number;
  readonly selfNs: number;
  readonly count: number;
  readonly children: readonly FlameNode[];
}

/** One row of `gotrace pprof --top --json`. */
export interface TopFunctionJson {
  readonly function: string;
  readonly flatNs: number;
  readonly flatPercent: number;
  readonly flatCount: number;
  readonly cumNs: number;
  readonly cumPercent: number;
  readonly cumCount: number;
}

export interface ProfileResponse {
  readonly query: ProfileQuery;
  readonly totalNs: number;
  readonly count: number;
  /** The root ("" func) holds every sample. */
  readonly root: FlameNode;
  /** Functions by flat delay; `gotrace pprof --top --json` for the same filter. */
  readonly top: readonly TopFunctionJson[];
  /** Set when the filter matches nothing go tool trace would accept (no such group). */
  readonly error: string | null;
}

/** Choices for the profile filters. */
export interface ProfileFiltersResponse {
  readonly groups: readonly string[];
  readonly regionTypes: readonly string[];
}

export interface TasksResponse {
  readonly traceStartNs: number;
  readonly traceEndNs: number;
  readonly types: readonly TaskTypeSummary[];
}

/** A task as `gotrace tasks FILE --json` gives it, with its regions. */
export interface TaskJson {
  readonly id: number;
  readonly type: string;
  readonly parent: number | null;
  readonly children: readonly number[];
  readonly complete: boolean;
  readonly startNs: number;
  readonly endNs: number;
  readonly durNs: number;
  readonly goroutines: readonly number[];
  readonly logs: readonly { timeNs: number; g: number; category: string; message: string }[];
  readonly regions: readonly RegionInstance[];
}

export interface TaskListResponse {
  readonly type: string;
  /** Instances in the bucket (or all), shortest first as /usertask lists them, at most `limit`. */
  readonly tasks: readonly TaskJson[];
  readonly total: number;
  readonly bucket: HistogramBucket | null;
}

export interface RegionsResponse {
  readonly traceStartNs: number;
  readonly traceEndNs: number;
  readonly groups: readonly RegionGroupSummary[];
}

export interface RegionListResponse {
  readonly type: string;
  /** The group's start PC, or undefined for every region of the type. */
  readonly pc: number | undefined;
  /** Longest first, as /userregion lists them, at most `limit`. */
  readonly regions: readonly RegionInstance[];
  readonly total: number;
  readonly bucket: HistogramBucket | null;
}

export type MMUInclude = "stw" | "background" | "assist" | "sweep";

export interface MMUQuery {
  readonly include: readonly MMUInclude[];
  readonly perProc: boolean;
  readonly percentiles: boolean;
  /** Window size for the worst windows (default: 1 ms or the longest window, as the CLI). */
  readonly worstWindowNs?: number;
  /** Windows up to the trace's whole length (the MMU page), not go tool trace's six decades. */
  readonly toTraceLength?: boolean;
  readonly worst?: number;
}

/** `gotrace mmu FILE --json [--percentiles] [--include …] [--per-proc]`. */
export interface MMUResponse {
  readonly include: readonly string[];
  readonly perProc: boolean;
  readonly xMinNs: number;
  readonly xMaxNs: number;
  readonly quantiles: readonly number[] | null;
  readonly curve: readonly { windowNs: number; mmu: number; percentiles?: readonly number[] }[];
  readonly worst: readonly {
    windowNs: number;
    windows: readonly { startNs: number; endNs: number; startAbsNs: number; util: number }[];
  }[];
  /** Set when the trace never says what GOMAXPROCS is (no utilization). */
  readonly error: string | null;
}

export type SchedWaitJson = SchedWait;

/** `gotrace schedlat FILE --json --top N`, with the distribution of every wait. */
export interface SchedLatencyResponse extends SchedLatency {
  readonly histogram: TimeHistogramResult;
}

/** Progress of the first pass, for a loading indicator. */
export interface AnalysisStatus {
  readonly state: "idle" | "running" | "done" | "failed";
  readonly events: number;
  /** Bytes of the trace read so far, and its size when known (for a percentage). */
  readonly bytesRead: number;
  readonly totalBytes: number | null;
  readonly message: string | null;
}

/** The answer to any page's question when the trace has nothing to analyse: why, in one line. */
export interface AnalysisUnavailable {
  readonly unavailable: string;
}

/** The tables of `gotrace diff`. */
export type DiffTable = "goroutines" | "profiles" | "tasks" | "regions" | "gc" | "sched";

/** What a diff row's numbers are: ns, a count, or a ratio in [0, 1] (MMU). */
export type DiffUnit = "ns" | "count" | "ratio";

/** One number compared: trace A's, trace B's, and the change. */
export interface DiffRow {
  readonly table: DiffTable;
  /** The group, function, task or region type, or "GC", "STW", "MMU", "all goroutines". */
  readonly key: string;
  /** "execution", "blocked: sync", "sync delay", "p99", "cycles", "10ms", … */
  readonly metric: string;
  readonly unit: DiffUnit;
  readonly a: number;
  readonly b: number;
  readonly delta: number;
  /** b / a, or null when a is 0. */
  readonly ratio: number | null;
}

/** `gotrace diff A B --json`: each table's rows by the size of their change, and the top time changes. */
export interface DiffResponse {
  readonly tables: readonly { readonly table: DiffTable; readonly rows: readonly DiffRow[] }[];
  readonly top: readonly DiffRow[];
}

/** `/api/diff` of `gotrace view A B`: the comparison once both traces are analysed ("none" without B). */
export type DiffStatus =
  | { readonly state: "none" }
  | { readonly state: "pending"; readonly a: string; readonly b: string; readonly bUrl: null }
  | { readonly state: "failed"; readonly a: string; readonly b: string; readonly message: string }
  | {
      readonly state: "done";
      readonly a: string;
      readonly b: string;
      /** Where trace B's own `gotrace view` serves it (null if it could not): the rows link into it. */
      readonly bUrl: string | null;
      readonly diff: DiffResponse;
    };
