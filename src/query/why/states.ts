/**
 * One goroutine's life as state intervals (running, syscall, runnable,
 * waiting with its reason), each with its stack and what ended it: the
 * goroutine that woke it, the network poller, a syscall's return or its
 * creation. Read from the model's goroutine states (model/states.ts), one
 * goroutine at a time as the walk reaches it, and kept as columns.
 */
import { StateKind, type StateWalker } from "../../model/states.js";
import { CauseKind } from "../../model/tables.js";
import type { Timeline } from "../../model/timeline.js";

export { stateKindNames as stateNames } from "../../model/states.js";

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

const causeToWake = [Wake.None, Wake.Created, Wake.Goroutine, Wake.Network, Wake.SyscallExit];

/** Columns of one goroutine's intervals, in time order, contiguous within each life (typed, grown by doubling). */
export class GoroutineStates {
  state = new Uint8Array(16);
  startNs = new Float64Array(16);
  endNs = new Float64Array(16);
  /** Interned reason (Timeline.strings: "chan receive", "preempted", …; 0 none). */
  reason = new Int32Array(16);
  /** Stack (StackTable ID): where it blocked, or where the slice stopped. */
  stack = new Int32Array(16);
  /** For the interval that ended a wait or began a life: who (goroutine index, −1) and how. */
  wokenBy = new Int32Array(16);
  wake = new Uint8Array(16);
  /** The stack of the event that ended the wait (the waker's, where it woke it), 0 if none. */
  wakeStack = new Int32Array(16);
  length = 0;

  private grow(): void {
    const n = this.state.length * 2;
    const more = <T extends Uint8Array | Int32Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(n);
      b.set(a);
      return b;
    };
    this.state = more(this.state);
    this.startNs = more(this.startNs);
    this.endNs = more(this.endNs);
    this.reason = more(this.reason);
    this.stack = more(this.stack);
    this.wokenBy = more(this.wokenBy);
    this.wake = more(this.wake);
    this.wakeStack = more(this.wakeStack);
  }

  push(state: StateKind, startNs: number, endNs: number, reason: number, stack: number): void {
    if (this.length === this.state.length) this.grow();
    const i = this.length++;
    this.state[i] = state;
    this.startNs[i] = startNs;
    this.endNs[i] = endNs;
    this.reason[i] = reason;
    this.stack[i] = stack;
    this.wokenBy[i] = -1;
    this.wake[i] = Wake.None;
    this.wakeStack[i] = 0;
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

/**
 * Goroutine g's intervals, from model/states.ts, with what ended each wait
 * moved onto the wait (the model puts it on the runnable interval after it).
 */
export function goroutineStates(tl: Timeline, walker: StateWalker, g: number): GoroutineStates {
  const out = new GoroutineStates();
  walker.each(g, (r) => {
    out.push(r.state, r.startNs, r.endNs, r.reason, r.stack);
    if (r.state !== StateKind.Runnable || r.wakeKind === CauseKind.None) return;
    const last = out.length - 1;
    if (r.wakeKind === CauseKind.Create) {
      out.wake[last] = Wake.Created;
      out.wokenBy[last] = r.wokenBy;
      out.wakeStack[last] = r.stack;
      return;
    }
    const w = last - 1;
    if (w < 0 || out.state[w] !== StateKind.Waiting || out.endNs[w] !== r.startNs) return;
    let wake = causeToWake[r.wakeKind] ?? Wake.Unknown;
    if (tl.strings.get(out.reason[w]!) === "sleep") wake = Wake.Timer;
    else if (wake === Wake.Goroutine && r.wokenBy < 0) wake = Wake.Unknown;
    out.wake[w] = wake;
    out.wokenBy[w] = wake === Wake.Goroutine ? r.wokenBy : -1;
    out.wakeStack[w] = r.stack;
  });
  return out;
}
