/**
 * One goroutine's life as state intervals (running, syscall, runnable,
 * waiting with its reason), each with its stack and what ended it: the
 * goroutine that woke it, the network poller, a syscall's return or its
 * creation. Read from the model's goroutine states (model/states.ts), one
 * goroutine at a time as the walk reaches it, and kept as columns.
 */
import { StateKind, type StateRow, type StateWalker } from "../../model/states.js";
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
  state: Uint8Array;
  startNs: Float64Array;
  endNs: Float64Array;
  /** Interned reason (Timeline.strings: "chan receive", "preempted", …; 0 none). */
  reason: Int32Array;
  /** Stack (StackTable ID): where it blocked, or where the slice stopped. */
  stack: Int32Array;
  /** For the interval that ended a wait or began a life: who (goroutine index, −1) and how. */
  wokenBy: Int32Array;
  wake: Uint8Array;
  /** The stack of the event that ended the wait (the waker's, where it woke it), 0 if none. */
  wakeStack: Int32Array;
  length = 0;

  /** `capacity`: the intervals expected (more are room made for). */
  constructor(capacity = 16) {
    const n = Math.max(4, capacity);
    this.state = new Uint8Array(n);
    this.startNs = new Float64Array(n);
    this.endNs = new Float64Array(n);
    this.reason = new Int32Array(n);
    this.stack = new Int32Array(n);
    this.wokenBy = new Int32Array(n);
    this.wake = new Uint8Array(n);
    this.wakeStack = new Int32Array(n);
  }

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

/** Adds a state row to `out`, with what ended a wait moved onto the wait (the model puts it on the runnable interval after it). */
function add(tl: Timeline, out: GoroutineStates, r: StateRow): void {
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
}

/** Goroutine g's intervals, all of them (LazyStates reads the same a piece at a time). */
export function goroutineStates(tl: Timeline, walker: StateWalker, g: number): GoroutineStates {
  const out = new GoroutineStates();
  walker.each(g, (r) => add(tl, out, r));
  return out;
}

/** Slices per piece of a LazyStates. */
export const defaultPieceSlices = 256;
/** A LazyStates handle is piece × handleBase + index in the piece. */
export const handleBase = 2 ** 32;

/**
 * Goroutine g's intervals, read a piece (256 execution slices) at a
 * time as they are asked for, so a question about one moment of a
 * goroutine with millions of slices reads only the pieces around it. An
 * interval is named by a handle (piece × 2³² + index in the piece), in the
 * same order as the intervals; the pieces together are goroutineStates().
 * (A wait and the runnable interval after it come from the same slice, so
 * they are always in the same piece.)
 */
export class LazyStates {
  private readonly pieces: (GoroutineStates | undefined)[];
  private readonly firstSlice: number;
  private readonly slices: number;

  constructor(
    private readonly tl: Timeline,
    private readonly walker: StateWalker,
    readonly g: number,
    private readonly pieceSlices = defaultPieceSlices,
  ) {
    const { starts } = tl.execByG;
    this.firstSlice = starts[g]!;
    this.slices = starts[g + 1]! - starts[g]!;
    this.pieces = new Array(Math.max(1, Math.ceil(this.slices / pieceSlices)));
  }

  /** Piece c's intervals, read on first use. */
  piece(c: number): GoroutineStates {
    let p = this.pieces[c];
    if (!p) {
      const from = c * this.pieceSlices;
      const to = Math.min(this.slices, from + this.pieceSlices);
      // Most slices make three intervals (running, a wait, runnable).
      const out = new GoroutineStates(3 * (to - from) + 2);
      this.walker.eachIn(this.g, from, to, (r) => add(this.tl, out, r));
      p = out;
      this.pieces[c] = p;
    }
    return p;
  }

  get pieceCount(): number {
    return this.pieces.length;
  }

  private p(h: number): GoroutineStates {
    return this.piece(Math.floor(h / handleBase));
  }
  state(h: number): StateKind {
    return this.p(h).state[h % handleBase] as StateKind;
  }
  startNs(h: number): number {
    return this.p(h).startNs[h % handleBase]!;
  }
  endNs(h: number): number {
    return this.p(h).endNs[h % handleBase]!;
  }
  reason(h: number): number {
    return this.p(h).reason[h % handleBase]!;
  }
  stack(h: number): number {
    return this.p(h).stack[h % handleBase]!;
  }
  wokenBy(h: number): number {
    return this.p(h).wokenBy[h % handleBase]!;
  }
  wake(h: number): Wake {
    return this.p(h).wake[h % handleBase] as Wake;
  }
  wakeStack(h: number): number {
    return this.p(h).wakeStack[h % handleBase]!;
  }

  /** The interval before h, −1 at the first. */
  prev(h: number): number {
    if (h % handleBase > 0) return h - 1;
    for (let c = Math.floor(h / handleBase) - 1; c >= 0; c--) {
      const n = this.piece(c).length;
      if (n > 0) return c * handleBase + n - 1;
    }
    return -1;
  }

  /** The interval after h (the first if h is −1), −1 after the last. */
  next(h: number): number {
    let c = 0;
    if (h >= 0) {
      c = Math.floor(h / handleBase);
      if ((h % handleBase) + 1 < this.piece(c).length) return h + 1;
      c++;
    }
    for (; c < this.pieces.length; c++) if (this.piece(c).length > 0) return c * handleBase;
    return -1;
  }

  /** The last interval starting before t, −1 if none. */
  private lastBefore(t: number): number {
    // The last piece whose first slice starts before t (piece 0 also holds the time before the first slice).
    const x = this.tl.exec;
    const { order } = this.tl.execByG;
    let lo = 1;
    let hi = this.pieces.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (x.startNs.get(order[this.firstSlice + mid * this.pieceSlices]!) < t) lo = mid + 1;
      else hi = mid;
    }
    for (let c = lo - 1; c >= 0; c--) {
      const p = this.piece(c);
      let a = 0;
      let b = p.length;
      while (a < b) {
        const mid = (a + b) >>> 1;
        if (p.startNs[mid]! < t) a = mid + 1;
        else b = mid;
      }
      if (a > 0) return c * handleBase + a - 1;
    }
    return -1;
  }

  /** The interval going on just before time t (start < t ≤ end), the one a wake-up at t happened in; −1 if none. */
  before(t: number): number {
    const h = this.lastBefore(t);
    return h >= 0 && t <= this.endNs(h) ? h : -1;
  }

  /** The interval covering time t: the last one starting before t (or at t, for a life's first); −1 if none. */
  at(t: number): number {
    const h = this.lastBefore(t);
    if (h >= 0 && t <= this.endNs(h)) return h;
    const n = this.next(h);
    return n >= 0 && this.startNs(n) === t ? n : -1;
  }
}
