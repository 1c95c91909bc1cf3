/**
 * The cpu profile from the model. Its samples are charged to goroutine
 * incarnations (a cgo callback's goroutine ID is used again and again) with
 * their start function, and filtered by Go's regions: the bookkeeping of
 * go tool trace's summarizer, which the model's replay log keeps the events
 * of (model/replay-log.ts: creations, namings, ends, regions, and the CPU
 * samples themselves). Replaying it gives the cpu profile and its filters
 * exactly as BlockingProfiles does, without a pass over the trace.
 */

import type { FromModelOptions } from "../analysis/overview-model.js";
import { blockingTypes, maxStackPcs, type ProfileFilter, type ProfileRecord } from "../analysis/profile.js";
import type { StateProfiles } from "../analysis/state-profiles.js";
import type { StackFrame } from "../decode/event.js";
import type { Timeline } from "../model/timeline.js";
import { cpuRecords } from "./cpu-profile.js";
import { BlockingProfileAnalyzer, type BlockingProfiles } from "./pprof.js";

/** The cpu profile of a trace: `records` as BlockingProfiles.records("cpu", filter) gives it. */
export class CpuProfile {
  private regional: BlockingProfiles | undefined;

  /**
   * `profiles` without the goroutines' regions; `withRegions` makes them
   * with (only a region filter reads them: 30 bytes a region), the first
   * time one is asked for.
   */
  constructor(
    private readonly profiles: BlockingProfiles,
    private readonly withRegions: () => BlockingProfiles = () => profiles,
  ) {}

  /** The profiles a filter needs: with the regions for a region filter. */
  private profilesFor(filter: ProfileFilter | undefined): BlockingProfiles {
    if (!filter || !("region" in filter)) return this.profiles;
    this.regional ??= this.withRegions();
    return this.regional;
  }

  /** CPU samples in the profiled part of the trace (none: the CPU profiler was off). */
  get cpuSamples(): number {
    return this.profiles.cpuSamples;
  }

  /** The records, heaviest first; throws ProfileFilterError where BlockingProfiles does. */
  records(filter?: ProfileFilter): ProfileRecord[] {
    return cpuRecords(this.profilesFor(filter), filter);
  }

  /**
   * The wall profile: the cpu profile's records labelled kind=cpu, and the
   * four blocking profiles' intervals (from the goroutine states; their
   * filter's times on the timeline's clock, `shiftNs` behind this one's) by
   * stack, goroutine and kind, as BlockingProfiles.records("wall") gives them.
   * An interval is labelled with its goroutine ID's last incarnation.
   */
  wallRecords(states: StateProfiles, filter: ProfileFilter | undefined, shiftNs: number): ProfileRecord[] {
    const out: ProfileRecord[] = this.records(filter).map((r) => ({
      ...r,
      labels: { ...r.labels, kind: "cpu" },
    }));
    const tl = states.tl;
    const r = filter?.range;
    const moved = r
      ? { ...filter, range: { startNs: r.startNs - shiftNs, endNs: r.endNs - shiftNs } }
      : filter;
    const scopes = this.profiles.scope.goroutines;
    // Each stack's frames and Go's key for them (its PCs) are made once, not
    // per interval: a profile of millions of intervals has a few thousand
    // stacks. A tally is one per (PC key, goroutine ID), in the order first met.
    const frames: (readonly StackFrame[] | undefined)[] = [];
    const groupOf: number[] = [];
    const groupByPcs = new Map<string, number>();
    const stackGroup = (stack: number): number => {
      let group = groupOf[stack];
      if (group === undefined) {
        const f = tl.stacks.frames(stack);
        frames[stack] = f;
        const pcs = pcsOf(f);
        group = groupByPcs.get(pcs) ?? groupByPcs.size;
        groupByPcs.set(pcs, group);
        groupOf[stack] = group;
      }
      return group;
    };
    blockingTypes.forEach((type, k) => {
      const tallies: { frames: readonly StackFrame[]; id: number; count: number; delayNs: number }[] = [];
      /** Per PC key, goroutine ID → index in tallies. */
      const byGroup = new Map<number, Map<number, number>>();
      states.visit(type, moved, (g, stack, delayNs) => {
        const group = stackGroup(stack);
        const id = tl.goroutines.id.get(g);
        let ids = byGroup.get(group);
        if (!ids) {
          ids = new Map();
          byGroup.set(group, ids);
        }
        const at = ids.get(id);
        if (at !== undefined) {
          const t = tallies[at]!;
          t.count++;
          t.delayNs += delayNs;
          t.frames = frames[stack]!;
        } else {
          ids.set(id, tallies.length);
          tallies.push({ frames: frames[stack]!, id, count: 1, delayNs });
        }
      });
      for (const t of tallies) {
        const name = scopes.get(t.id)?.name ?? "";
        out.push({
          stack: t.frames,
          count: t.count,
          delayNs: t.delayNs,
          labels: { goroutine: t.id, ...(name ? { startFunction: name } : {}), kind: wallKinds[k]! },
        });
      }
    });
    return out.sort(
      (a, b) =>
        b.delayNs - a.delayNs ||
        b.count - a.count ||
        (a.labels?.goroutine ?? -1) - (b.labels?.goroutine ?? -1),
    );
  }
}

/** The wall profile's kind label of each blocking profile, by index in blockingTypes. */
const wallKinds = ["net", "sync", "syscall", "runnable"];

/** Go's key for a stack: its first 128 PCs, trailing zero PCs aside. */
function pcsOf(frames: readonly StackFrame[]): string {
  let n = Math.min(frames.length, maxStackPcs);
  while (n > 0 && frames[n - 1]!.pc === 0) n--;
  let pcs = "";
  for (let j = 0; j < n; j++) pcs += `${frames[j]!.pc},`;
  return pcs;
}

/**
 * The cpu profile of the trace the timeline was built from. (The replay
 * holds only some of each goroutine's transitions, so the blocking profiles
 * it would make are not kept: those come from state-profiles.ts.)
 */
export function cpuProfileFromModel(tl: Timeline, options: FromModelOptions = {}): CpuProfile {
  const replay = (regions: boolean) => {
    const analyzer = new BlockingProfileAnalyzer({ regions, blocking: false });
    tl.replayLog.replay((ev) => analyzer.event(ev));
    if (options.damaged) analyzer.discardPending();
    return analyzer.finalize();
  };
  return new CpuProfile(replay(false), () => replay(true));
}
