/**
 * Mutator utilization, for any choice of GC work, from the model: the MMU
 * event log's events are part of the model's replay log (model/replay-log.ts),
 * so the log the MMU page replays for each choice needs no pass of its own.
 */

import type { FromModelOptions } from "../analysis/overview-model.js";
import type { UtilFlags, UtilSeries } from "../analysis/util-series.js";
import type { Event } from "../decode/event.js";
import type { Timeline } from "../model/timeline.js";
import type { Analyzer } from "./analyzer.js";
import { MMUEventLog } from "./mmu-log.js";
import { MutatorUtilAnalyzer } from "./mutator-util.js";

/** An MMUEventLog whose replay is the timeline's. */
class ModelMMULog extends MMUEventLog {
  constructor(private readonly tl: Timeline) {
    super();
  }

  override event(_ev: Event): void {
    throw new Error("an MMU log from the model takes no events");
  }

  override replay(analyzer: Analyzer<unknown>): void {
    this.tl.replayLog.replay((ev) => analyzer.event(ev, undefined as never), { utilizationOnly: true });
  }
}

/** The MMU event log of the trace the timeline was built from (finalized: replay it). */
export function mmuLogFromModel(tl: Timeline): MMUEventLog {
  return new ModelMMULog(tl);
}

/** MutatorUtilAnalyzer's result for one choice of GC work. */
export function mutatorUtilFromModel(
  tl: Timeline,
  flags: UtilFlags,
  options: FromModelOptions = {},
): UtilSeries[] {
  const util = new MutatorUtilAnalyzer(flags);
  tl.replayLog.replay((ev) => util.event(ev), { utilizationOnly: true });
  if (options.damaged) util.discardPending();
  return util.finalize();
}
