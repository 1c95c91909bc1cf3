/**
 * Scheduler latency (SchedLatencyAnalyzer, stream/sched-latency.ts) as a function
 * of the model: every wait from becoming runnable to running is the gap
 * before an execution slice that began from runnable, read from the slices'
 * columns (when the goroutine became runnable after the previous slice, or
 * after its creation, and what made it so). Zero-length waits count, as in
 * the analyzer, which is why this reads the slices and not the state
 * intervals (those drop empty ones).
 *
 * A wait that began before the trace showed the goroutine (runnable when
 * first seen) has no known length and is only counted as such.
 */
import { CauseKind } from "../model/tables.js";
import type { Timeline } from "../model/timeline.js";
import { type SchedLatency, type SchedWait, schedLatencyOf } from "./sched-stats.js";

/** Every counted wait: its goroutine, when it began and ended, and why it began. */
interface Waits {
  readonly durs: Float64Array;
  /** Goroutine index of each wait. */
  readonly who: Int32Array;
  /** Exec row of the slice that ended each wait, and of the goroutine's slice before it (−1 none). */
  readonly slice: Int32Array;
  readonly prev: Int32Array;
  readonly unknownStart: number;
  readonly stillWaiting: number;
}

/** Why the wait before slice i began, as the analyzer names it. */
function causeOf(tl: Timeline, i: number, prev: number): string {
  switch (tl.exec.causeKind.get(i) as CauseKind) {
    case CauseKind.Create:
      return "created";
    case CauseKind.Unblock:
    case CauseKind.Network:
      return "unblocked";
    case CauseKind.SyscallExit:
      return "syscall";
    default: {
      // Stopped while running: the end state of the slice before says why ("runnable: preempted").
      const state = prev >= 0 ? tl.strings.get(tl.exec.endState.get(prev)) : "";
      const colon = state.indexOf(": ");
      return colon < 0 ? "stopped" : state.slice(colon + 2) || "stopped";
    }
  }
}

/** Each timeline's waits, read once for both the result and the distribution chart. */
const collected = new WeakMap<Timeline, Waits>();

function collect(tl: Timeline): Waits {
  let w = collected.get(tl);
  if (!w) {
    w = collectWaits(tl);
    collected.set(tl, w);
  }
  return w;
}

function collectWaits(tl: Timeline): Waits {
  const x = tl.exec;
  const gt = tl.goroutines;
  const lives = tl.lives;
  const { order, starts } = tl.execByG;
  const durs: number[] = [];
  const who: number[] = [];
  const slice: number[] = [];
  const prevs: number[] = [];
  let unknownStart = 0;
  let stillWaiting = 0;
  const runnable = tl.strings.lookup("runnable");
  for (let g = 0; g < gt.length; g++) {
    if (lives.schedStack.get(g) < 0) continue;
    // Runnable when first seen: that wait's start is unknown.
    const unknownFirst = lives.firstSeenExisting(g) && gt.firstState.get(g) === runnable && runnable >= 0;
    let ready = gt.firstReadyNs.get(g);
    let prev = -1;
    for (let k = starts[g]!; k < starts[g + 1]!; k++) {
      const i = order[k]!;
      if (!Number.isNaN(ready)) {
        if (prev < 0 && unknownFirst) unknownStart++;
        else {
          durs.push(x.startNs.get(i) - ready);
          who.push(g);
          slice.push(i);
          prevs.push(prev);
        }
      }
      ready = x.readyNs.get(i);
      prev = i;
    }
    if (!Number.isNaN(ready)) stillWaiting++;
  }
  return {
    durs: Float64Array.from(durs),
    who: Int32Array.from(who),
    slice: Int32Array.from(slice),
    prev: Int32Array.from(prevs),
    unknownStart,
    stillWaiting,
  };
}

/** Every counted wait's length (for the distribution chart), in goroutine order. */
export function schedWaitsFromModel(timeline: Timeline): Float64Array {
  return collect(timeline).durs;
}

/** What SchedLatencyAnalyzer(worstCount) gives, from the model. */
export function schedLatencyFromModel(timeline: Timeline, worstCount: number): SchedLatency {
  const tl = timeline;
  const w = collect(tl);
  const nG = tl.goroutines.length;
  const names: string[] = new Array(nG);
  for (let g = 0; g < nG; g++) {
    const s = tl.lives.schedStack.get(g);
    names[g] = s > 0 ? tl.stacks.rootFunc(s) : "";
  }
  // The longest waits, longest first, then by when they ended (the order
  // the analyzer met them in), kept as the analyzer keeps them: one pass,
  // inserting only what beats the shortest kept.
  const x = tl.exec;
  const endOf = (k: number) => x.startNs.get(w.slice[k]!);
  const before = (a: number, b: number) =>
    w.durs[a]! > w.durs[b]! ||
    (w.durs[a] === w.durs[b] && (endOf(a) < endOf(b) || (endOf(a) === endOf(b) && a < b)));
  const kept: number[] = [];
  const keep = Math.max(0, worstCount);
  for (let k = 0; k < w.durs.length && keep > 0; k++) {
    if (kept.length === keep && !before(k, kept[kept.length - 1]!)) continue;
    let i = kept.length;
    while (i > 0 && before(k, kept[i - 1]!)) i--;
    kept.splice(i, 0, k);
    if (kept.length > keep) kept.pop();
  }
  const worst: SchedWait[] = [];
  for (const k of kept) {
    const i = w.slice[k]!;
    const g = w.who[k]!;
    worst.push({
      startNs: endOf(k) - w.durs[k]! + tl.originNs,
      durNs: w.durs[k]!,
      goroutine: tl.goroutines.id.get(g),
      cause: causeOf(tl, i, w.prev[k]!),
      name: names[g]!,
    });
  }
  return schedLatencyOf(w.durs, w.who, names, worst, w.unknownStart, w.stillWaiting);
}
