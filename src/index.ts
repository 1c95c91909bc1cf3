/**
 * gotrace's library API: read Go execution traces in Node or a browser.
 *
 *   for await (const ev of events(chunks)) { … }      // convenient
 *   await readTrace(chunks, (ev, reader) => { … })    // fastest
 *
 * Events have Go's internal/trace meaning; see decode/event.ts.
 */

export { type Activity, ActivityTally, type BlockReason } from "./analysis/activity.js";
export { cpuSamplePeriodNs } from "./analysis/cpu-samples.js";
export {
  type GoroutineAnalysis,
  type GoroutineGroup,
  type GoroutineSummary,
  goroutineGroups,
  nonOverlappingStats,
  unknownNs,
} from "./analysis/goroutine-stats.js";
export {
  MMUCurve,
  type MMUOptions,
  type MMUPlot,
  mmuPlot,
  plotQuantiles,
  type UtilWindow,
} from "./analysis/mmu.js";
export type { Overview } from "./analysis/overview-model.js";
export { encodePprof, pprofLayout } from "./analysis/pprof-encode.js";
export { type TopFunction, topFunctions } from "./analysis/pprof-top.js";
export {
  type BlockingType,
  blockingTypes,
  type ProfileFilter,
  ProfileFilterError,
  type ProfileRecord,
  type ProfileType,
  profileTypes,
  type RegionFilter,
} from "./analysis/profile.js";
export { type RegionEdge, type RegionInstance, RegionTable } from "./analysis/region-table.js";
export {
  type GroupLatency,
  type LatencyStats,
  percentile,
  type SchedLatency,
  type SchedWait,
} from "./analysis/sched-stats.js";
export { type HistogramBucket, TimeHistogram, type TimeHistogramResult } from "./analysis/time-histogram.js";
export { UtilFlags, UtilSeries, utilFlagNames } from "./analysis/util-series.js";
export { TraceError } from "./decode/errors.js";
export {
  BackgroundTask,
  Event,
  EventKind,
  eventKindNames,
  GoState,
  goStateNames,
  isNoStack,
  NoGoroutine,
  NoProc,
  NoStack,
  NoTask,
  NoThread,
  ProcState,
  procStateNames,
  type Range,
  type ResourceID,
  ResourceKind,
  type Stack,
  type StackFrame,
  type StateTransition,
  stackFrames,
  type Task,
} from "./decode/event.js";
export { formatEvent, formatTime } from "./decode/event-string.js";
export { events, NeedInput, type ReadResult, readTrace, TraceReader } from "./decode/reader.js";
export { type Analyzer, type RunResult, runAnalyzers } from "./stream/analyzer.js";
export { GoroutineAnalyzer } from "./stream/goroutines.js";
export { MutatorUtilAnalyzer } from "./stream/mutator-util.js";
export { OverviewAnalyzer } from "./stream/overview.js";
export { BlockingProfileAnalyzer, BlockingProfiles } from "./stream/pprof.js";
export { SchedLatencyAnalyzer } from "./stream/sched-latency.js";
export {
  type Annotations,
  type RegionGroupSummary,
  type TaskInstance,
  type TaskLog,
  TasksAnalyzer,
  type TaskTypeSummary,
} from "./stream/tasks.js";
export { ValidationError, Validator, validateTrace } from "./validate/validator.js";
