/**
 * The overview (OverviewAnalyzer's result, what `gotrace stats` and the
 * Overview page show) from the model: the counts the builder keeps beside
 * the columns (model/overview-counts.ts), with no pass of its own.
 */
import type { Timeline } from "../model/timeline.js";
import { eventKindNames } from "../model/vocabulary.js";
import type { Activity } from "./activity.js";

export interface Overview {
  readonly firstNs: number;
  readonly lastNs: number;
  /** Generations seen, with their first and last numbers (modern traces). */
  readonly generations: number;
  readonly firstGeneration: number;
  readonly lastGeneration: number;
  readonly events: number;
  /** Event count per kind name, in the kinds' order; kinds with no events left out. */
  readonly eventsByKind: ReadonlyArray<readonly [string, number]>;
  readonly goroutines: number;
  readonly goroutinesCreated: number;
  readonly goroutinesEnded: number;
  readonly procs: number;
  readonly maxGomaxprocs: number;
  readonly threads: number;
  readonly gcCycles: number;
  /** GC, stop-the-world pauses, heap, blocking. */
  readonly activity: Activity;
}

/** What every analysis computed from the model may be told of how the read ended. */
export interface FromModelOptions {
  /** The trace broke after its last Sync: what is open ends there, as go tool trace has it. */
  readonly damaged?: boolean;
}

/** OverviewAnalyzer's result for the trace the timeline was built from. */
export function overviewFromModel(tl: Timeline, options: FromModelOptions = {}): Overview {
  const counts = tl.overviewCounts;
  const c = options.damaged ? counts.committed : counts.totals;
  if (options.damaged) counts.activity.discardPending();
  const activity = counts.activity.finalize();
  const byKind: [string, number][] = [];
  c.byKind.forEach((n, k) => {
    if (n > 0) byKind.push([eventKindNames[k]!, n]);
  });
  return {
    firstNs: Number.isNaN(counts.firstNs) ? 0 : counts.firstNs,
    lastNs: Number.isNaN(c.lastNs) ? 0 : c.lastNs,
    generations: c.generations,
    firstGeneration: counts.firstGeneration,
    lastGeneration: c.lastGeneration,
    events: c.events,
    eventsByKind: byKind,
    goroutines: c.goroutines,
    goroutinesCreated: c.created,
    goroutinesEnded: c.ended,
    procs: c.procs,
    maxGomaxprocs: c.maxGomaxprocs,
    threads: c.threads,
    gcCycles: activity.gcCycles,
    activity,
  };
}
