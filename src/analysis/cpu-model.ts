/**
 * The cpu profile from the model. Its samples are charged to goroutine
 * incarnations (a cgo callback's goroutine ID is used again and again) with
 * their start function, and filtered by Go's regions: the bookkeeping of
 * go tool trace's summarizer, which the model's replay log keeps the events
 * of (model/replay-log.ts: creations, namings, ends, regions, and the CPU
 * samples themselves). Replaying it gives the cpu profile and its filters
 * exactly as BlockingProfiles does, without a pass over the trace.
 */
import type { Timeline } from "../model/timeline.js";
import type { FromModelOptions } from "./annotations-model.js";
import { cpuRecords } from "./cpu-profile.js";
import {
  BlockingProfileAnalyzer,
  type BlockingProfiles,
  type ProfileFilter,
  type ProfileRecord,
} from "./pprof.js";

/** The cpu profile of a trace: `records` as BlockingProfiles.records("cpu", filter) gives it. */
export class CpuProfile {
  constructor(private readonly profiles: BlockingProfiles) {}

  /** CPU samples in the profiled part of the trace (none: the CPU profiler was off). */
  get cpuSamples(): number {
    return this.profiles.cpuSamples;
  }

  /** The records, heaviest first; throws ProfileFilterError where BlockingProfiles does. */
  records(filter?: ProfileFilter): ProfileRecord[] {
    return cpuRecords(this.profiles, filter);
  }
}

/**
 * The cpu profile of the trace the timeline was built from. (The replay
 * holds only some of each goroutine's transitions, so the blocking profiles
 * it would make are not kept: those come from state-profiles.ts.)
 */
export function cpuProfileFromModel(tl: Timeline, options: FromModelOptions = {}): CpuProfile {
  const analyzer = new BlockingProfileAnalyzer({ regions: true });
  tl.replayLog.replay((ev) => analyzer.event(ev));
  if (options.damaged) analyzer.discardPending();
  return new CpuProfile(analyzer.finalize());
}
