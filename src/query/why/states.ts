/**
 * One goroutine's life as state intervals (running, syscall, runnable,
 * waiting with its reason), each with its stack and what ended it: the
 * goroutine that woke it, the network poller, a syscall's return or its
 * creation. Derived on demand from the timeline's execution slices and
 * syscalls, per goroutine, and cached: the walk visits only a few
 * goroutines.
 */
import type { Timeline } from "../../model/timeline.js";

export const enum GState {
  Running = 0,
  Syscall = 1,
  Runnable = 2,
  Waiting = 3,
}

export const stateNames = ["running", "syscall", "runnable", "waiting"] as const;

/** What ended a wait (or started a life): the model's CauseKind, and Timer for a sleep. */
export const enum Wake {
  None = 0,
  Created = 1,
  Goroutine = 2,
  Network = 3,
  SyscallExit = 4,
  /** A sleep's end: timers fire wherever the scheduler runs them; the goroutine recorded is not the cause. */
  Timer = 5,
  Unknown = 6,
}

/** Columns of one goroutine's intervals, in time order, contiguous within each life. */
export class GoroutineStates {
  readonly state: number[] = [];
  readonly startNs: number[] = [];
  readonly endNs: number[] = [];
  /** Interned reason ("chan receive", "preempted", …; 0 none). */
  readonly reason: string[] = [];
  /** Stack (StackTable ID): where it blocked, or where the slice stopped. */
  readonly stack: number[] = [];
  /** For the interval that ended a wait or began a life: who (goroutine index, −1) and how. */
  readonly wokenBy: number[] = [];
  readonly wake: number[] = [];

  get length(): number {
    return this.state.length;
  }

  push(state: GState, startNs: number, endNs: number, reason: string, stack: number): void {
    if (!(endNs > startNs)) {
      // Zero-length intervals add nothing to a chain.
      if (endNs !== startNs || state !== GState.Waiting) return;
    }
    this.state.push(state);
    this.startNs.push(startNs);
    this.endNs.push(endNs);
    this.reason.push(reason);
    this.stack.push(stack);
    this.wokenBy.push(-1);
    this.wake.push(Wake.None);
  }

  /** The interval covering time t: the last one starting before t (or at t, for the first). */
  at(t: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.startNs[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    const i = lo - 1;
    if (i >= 0 && t <= this.endNs[i]!) return i;
    return lo < this.length && this.startNs[lo] === t ? lo : -1;
  }
}

/** The kind of an ExecTable endState string and its reason: "blocked: chan receive" → Waiting, "chan receive". */
function parseState(s: string): { state: GState | -1; reason: string } {
  if (s.startsWith("blocked")) return { state: GState.Waiting, reason: s.replace(/^blocked:? ?/, "") };
  if (s.startsWith("runnable")) return { state: GState.Runnable, reason: s.replace(/^runnable:? ?/, "") };
  if (s.startsWith("syscall")) return { state: GState.Syscall, reason: "" };
  return { state: -1, reason: s };
}

const causeToWake = [Wake.None, Wake.Created, Wake.Goroutine, Wake.Network, Wake.SyscallExit];

/** Goroutine g's intervals, from its creation (or the trace's start) to its end (or the trace's). */
export function goroutineStates(tl: Timeline, g: number): GoroutineStates {
  const out = new GoroutineStates();
  const x = tl.exec;
  const { order, starts } = tl.execByG;
  const gt = tl.goroutines;
  const str = (id: number) => tl.strings.get(id);
  // Syscalls of g in time order, to split executing slices.
  const sc = tl.syscalls;
  const { order: sOrder, starts: sStarts } = tl.syscallsByG;
  let si = sStarts[g]!;
  const sEnd = sStarts[g + 1]!;
  const lifeEnd = tl.lifeEndNs(g);

  // Before the first slice: its first state since creation (or since the trace's start).
  let prevEnd = gt.createdNs.get(g);
  let first = parseState(str(gt.firstState.get(g)));
  let readyNs = gt.firstReadyNs.get(g);
  let stack = 0;
  for (let k = starts[g]!; k <= starts[g + 1]!; k++) {
    const i = k < starts[g + 1]! ? order[k]! : -1;
    const nextStart = i >= 0 ? x.startNs.get(i) : lifeEnd;
    // The gap before this slice: waiting until ready, then runnable.
    const wakeAt = out.length;
    if (first.state === GState.Waiting) {
      const until = Number.isNaN(readyNs) ? nextStart : Math.min(readyNs, nextStart);
      out.push(GState.Waiting, prevEnd, until, first.reason, stack);
      if (until < nextStart) out.push(GState.Runnable, until, nextStart, "", stack);
    } else if (first.state === GState.Runnable || (first.state === GState.Syscall && i >= 0)) {
      const from = first.state === GState.Syscall && !Number.isNaN(readyNs) ? readyNs : prevEnd;
      out.push(GState.Runnable, from, nextStart, first.reason, stack);
    } else if (i >= 0 && nextStart > prevEnd) {
      // Unknown first state (old traces): runnable is all the model says of it.
      out.push(GState.Runnable, prevEnd, nextStart, "", stack);
    }
    if (i < 0) break;
    // What let this slice run belongs to the interval that ended the gap's wait (or began the life).
    const kind = x.causeKind.get(i);
    const by = x.causeG.get(i);
    let w = out.length > wakeAt ? wakeAt : -1;
    if (w >= 0) {
      let wake = causeToWake[kind] ?? Wake.Unknown;
      if (out.state[w] === GState.Waiting) {
        if (out.reason[w] === "sleep") wake = Wake.Timer;
        else if (wake === Wake.Goroutine && by < 0) wake = Wake.Unknown;
        else if (wake === Wake.None) wake = Wake.Unknown;
      } else if (wake !== Wake.Created) w = -1;
      if (w >= 0) {
        out.wake[w] = wake;
        out.wokenBy[w] = wake === Wake.Goroutine || wake === Wake.Created ? by : -1;
      }
    }
    // The slice: running, split by its syscalls; a syscall that lost its P goes on past the slice.
    const s0 = x.startNs.get(i);
    const s1 = x.threadEnd(i);
    const endStack = x.endStack.get(i);
    let t = s0;
    while (si < sEnd && sc.threadEnd(sOrder[si]!) <= s0) si++;
    while (si < sEnd && sc.startNs.get(sOrder[si]!) < s1) {
      const j = sOrder[si]!;
      const a = Math.max(t, sc.startNs.get(j));
      const b = Math.min(s1, sc.threadEnd(j));
      if (a > t) out.push(GState.Running, t, a, "", endStack);
      if (b > a) out.push(GState.Syscall, a, b, "", sc.stack.get(j));
      t = Math.max(t, b);
      if (sc.threadEnd(j) > s1) break;
      si++;
    }
    if (s1 > t) out.push(GState.Running, t, s1, "", endStack);
    prevEnd = s1;
    first = parseState(str(x.endState.get(i)));
    readyNs = x.readyNs.get(i);
    stack = endStack;
    if (first.state === -1) break; // ended, or running at the trace's end
  }
  return out;
}
