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

/**
 * Every counted wait, in goroutine order: its length, and where the slice
 * that ended it is in the timeline's goroutine grouping (execByG), which
 * gives that slice, the goroutine's slice before it and the goroutine.
 */
interface Waits {
  readonly durs: Float64Array;
  readonly at: Int32Array;
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

/**
 * The waits, in two walks over the slices: the first counts them, the
 * second fills arrays of that size (12 bytes a wait, and nothing to grow).
 */
function collectWaits(tl: Timeline): Waits {
  const x = tl.exec;
  const gt = tl.goroutines;
  const lives = tl.lives;
  const { order, starts } = tl.execByG;
  const runnable = tl.strings.lookup("runnable");
  let unknownStart = 0;
  let stillWaiting = 0;
  let durs = new Float64Array(0);
  let at = new Int32Array(0);
  for (const fill of [false, true]) {
    let n = 0;
    for (let g = 0; g < gt.length; g++) {
      if (lives.schedStack.get(g) < 0) continue;
      // Runnable when first seen: that wait's start is unknown.
      const unknownFirst = lives.firstSeenExisting(g) && gt.firstState.get(g) === runnable && runnable >= 0;
      let ready = gt.firstReadyNs.get(g);
      for (let k = starts[g]!; k < starts[g + 1]!; k++) {
        const i = order[k]!;
        if (!Number.isNaN(ready)) {
          if (k === starts[g] && unknownFirst) {
            if (fill) unknownStart++;
          } else {
            if (fill) {
              durs[n] = x.startNs.get(i) - ready;
              at[n] = k;
            }
            n++;
          }
        }
        ready = x.readyNs.get(i);
      }
      if (fill && !Number.isNaN(ready)) stillWaiting++;
    }
    if (!fill) {
      durs = new Float64Array(n);
      at = new Int32Array(n);
    }
  }
  return { durs, at, unknownStart, stillWaiting };
}

/** Every counted wait's length (for the distribution chart), in goroutine order. */
export function schedWaitsFromModel(timeline: Timeline): Float64Array {
  return collectWaits(timeline).durs;
}

/** What SchedLatencyAnalyzer(worstCount) gives, from the model. */
export function schedLatencyFromModel(timeline: Timeline, worstCount: number): SchedLatency {
  return schedLatencyAndWaits(timeline, worstCount).latency;
}

/**
 * schedLatencyFromModel and schedWaitsFromModel from one walk over the
 * slices: the waits are read once and kept by nobody once both are made.
 */
export function schedLatencyAndWaits(
  timeline: Timeline,
  worstCount: number,
): { latency: SchedLatency; waits: Float64Array } {
  const tl = timeline;
  const w = collectWaits(tl);
  const nG = tl.goroutines.length;
  const names: string[] = new Array(nG);
  for (let g = 0; g < nG; g++) {
    const s = tl.lives.schedStack.get(g);
    names[g] = s > 0 ? tl.stacks.rootFunc(s) : "";
  }
  const { order, starts } = tl.execByG;
  const goroutineOf = (k: number) => {
    let lo = 0;
    let hi = nG;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid + 1]! <= w.at[k]!) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  // The longest waits, longest first, then by when they ended (the order
  // the analyzer met them in), kept as the analyzer keeps them: one pass,
  // inserting only what beats the shortest kept.
  const x = tl.exec;
  const endOf = (k: number) => x.startNs.get(order[w.at[k]!]!);
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
    const at = w.at[k]!;
    const g = goroutineOf(k);
    const prev = at > starts[g]! ? order[at - 1]! : -1;
    worst.push({
      startNs: endOf(k) - w.durs[k]! + tl.originNs,
      durNs: w.durs[k]!,
      goroutine: tl.goroutines.id.get(g),
      cause: causeOf(tl, order[at]!, prev),
      name: names[g]!,
    });
  }
  // Each wait's goroutine, written over where it was (no longer needed): the
  // waits are in goroutine order, as the grouping's rows.
  const who = w.at;
  for (let k = 0, g = 0; k < who.length; k++) {
    while (who[k]! >= starts[g + 1]!) g++;
    who[k] = g;
  }
  return {
    latency: schedLatencyOf(w.durs, who, names, worst, w.unknownStart, w.stillWaiting),
    waits: w.durs,
  };
}
