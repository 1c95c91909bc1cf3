/**
 * The Annotations pages' tasks, regions and logs (TasksAnalyzer's result)
 * from the model: Go's summarizer pairs regions and names goroutines event
 * by event, so the model keeps the few events that bookkeeping reads (its
 * replay log: tasks, regions, logs, and goroutines' creations, namings and
 * ends) and this replays them, instead of reading the trace again.
 */
import type { FromModelOptions } from "../analysis/overview-model.js";
import type { Timeline } from "../model/timeline.js";
import { type Annotations, TasksAnalyzer } from "./tasks.js";

/** TasksAnalyzer's result for the trace the timeline was built from. */
export function annotationsFromModel(tl: Timeline, options: FromModelOptions = {}): Annotations {
  const tasks = new TasksAnalyzer();
  tl.replayLog.replay((ev) => tasks.event(ev));
  if (options.damaged) tasks.discardPending();
  return tasks.finalize();
}
