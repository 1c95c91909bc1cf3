/**
 * The overview (OverviewAnalyzer's result, what `gotrace stats` and the
 * Overview page show) from the model: the counts the builder keeps beside
 * the columns (model/overview-counts.ts), with no pass of its own.
 */
import { eventKindNames } from "../decode/event.js";
import type { Timeline } from "../model/timeline.js";
import type { FromModelOptions } from "./annotations-model.js";
import type { Overview } from "./overview.js";

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
