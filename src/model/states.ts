/**
 * Goroutine states as intervals: for each goroutine, from its creation (or
 * first sight) to its end, every stretch it spent running, in a syscall,
 * runnable or waiting, with the reason, a stack and what woke it. They are
 * derived from the timeline's execution slices, which already carry what
 * follows each slice (its end state, when it became runnable, and the cause
 * of the next run), so they cost nothing while the trace is read; they are
 * walked one goroutine at a time, without storing any, by whoever needs
 * them (exports, SQL, wake-up chains, the blocking profiles). A goroutine's
 * intervals are contiguous through each life; a reused goroutine ID (cgo
 * callbacks on extra Ms) has a gap between lives.
 */
import { CauseKind } from "./tables.js";
import type { Timeline } from "./timeline.js";

export const enum StateKind {
  Running = 0,
  Syscall = 1,
  Runnable = 2,
  Waiting = 3,
}

/** What follows a goroutine's last slice of a life ("ended"). */
const Ended = 4;

export const stateKindNames = ["running", "syscall", "runnable", "waiting"] as const;

/** One interval, reused by the walker: copy what you keep. */
export interface StateRow {
  /** Goroutine index (Timeline.goroutines). */
  g: number;
  state: StateKind;
  /** Interned reason (Timeline.strings): "chan receive", "preempted", "sleep", … ("" for none). */
  reason: number;
  startNs: number;
  endNs: number;
  /**
   * Interned stack (Timeline.stacks), 0 if none: where a waiting goroutine
   * blocked, where a runnable one stopped (preempted, yielded) or else the
   * stack of the event that made it runnable, where a running one stopped,
   * where a syscall was made.
   */
  stack: number;
  /** For a runnable interval: what made it runnable (CauseKind) and the goroutine that did (−1 none). */
  wakeKind: CauseKind;
  wokenBy: number;
  /** For running and syscall intervals: the execution slice (Timeline.exec row) it lies in, else −1. */
  exec: number;
}

/**
 * One goroutine's state rows as columns (what the blocking profiles and the
 * goroutine summaries read), reused from one goroutine to the next.
 */
export class StateRows {
  n = 0;
  state = new Uint8Array(64);
  reason = new Int32Array(64);
  stack = new Int32Array(64);
  startNs = new Float64Array(64);
  endNs = new Float64Array(64);

  /** Appends a row (StateWalker.rowsOf's visitor). */
  readonly push = (r: StateRow): void => {
    if (this.n === this.state.length) this.grow();
    const i = this.n++;
    this.state[i] = r.state;
    this.reason[i] = r.reason;
    this.stack[i] = r.stack;
    this.startNs[i] = r.startNs;
    this.endNs[i] = r.endNs;
  };

  private grow(): void {
    const size = this.state.length * 2;
    const copy = <T extends Uint8Array | Int32Array | Float64Array>(a: T, b: T): T => {
      b.set(a);
      return b;
    };
    this.state = copy(this.state, new Uint8Array(size));
    this.reason = copy(this.reason, new Int32Array(size));
    this.stack = copy(this.stack, new Int32Array(size));
    this.startNs = copy(this.startNs, new Float64Array(size));
    this.endNs = copy(this.endNs, new Float64Array(size));
  }
}

/** Reads the states of one goroutine at a time from a timeline. */
export class StateWalker {
  private readonly row: StateRow = {
    g: 0,
    state: StateKind.Running,
    reason: 0,
    startNs: 0,
    endNs: 0,
    stack: 0,
    wakeKind: CauseKind.None,
    wokenBy: -1,
    exec: -1,
  };
  /**
   * End-state string ID → state kind + 2 (0: not parsed yet) and reason
   * string ID ("blocked: chan receive" → Waiting, "chan receive"): read for
   * every slice, so arrays rather than a map of pairs.
   */
  private parsedKind = new Int8Array(0);
  private parsedReason = new Int32Array(0);

  constructor(readonly tl: Timeline) {}

  /** Calls visit for each state interval of goroutine g, in time order; intervals are contiguous. */
  each(g: number, visit: (row: StateRow) => void): void {
    const { starts } = this.tl.execByG;
    this.eachIn(g, 0, starts[g + 1]! - starts[g]!, visit);
  }

  /** Goroutine g's intervals, as each() gives them, into `rows` (emptied first). */
  rowsOf(g: number, rows: StateRows): void {
    rows.n = 0;
    this.each(g, rows.push);
  }

  /**
   * The intervals of goroutine g that its execution slices from..to−1 (its
   * k-th slice in time order) begin: each slice's running and syscall
   * intervals, then what followed it up to the next slice; from 0, also
   * those before its first slice. Consecutive ranges give what each()
   * gives, so a caller can read only the time it needs (a goroutine's
   * slices are in time order, and do not overlap).
   */
  eachIn(g: number, from: number, to: number, visit: (row: StateRow) => void): void {
    const tl = this.tl;
    const x = tl.exec;
    const gt = tl.goroutines;
    const { order, starts } = tl.execByG;
    const end = tl.lifeEndNs(g);
    const sys = tl.syscallsByG;
    let s = sys.starts[g]!;
    const sEnd = sys.starts[g + 1]!;
    let t = gt.createdNs.get(g);
    if (from > 0) {
      // Mid-life: the previous slice's end, and the syscalls made after it.
      const prevEnd = x.threadEnd(order[starts[g]! + from - 1]!);
      t = Math.max(x.startNs.get(order[starts[g]! + from]!), prevEnd);
      let hi = sEnd;
      while (s < hi) {
        const mid = (s + hi) >>> 1;
        if (tl.syscalls.startNs.get(sys.order[mid]!) < prevEnd) s = mid + 1;
        else hi = mid;
      }
    } else {
      const first = starts[g]! < starts[g + 1]! ? order[starts[g]!]! : -1;
      // Before its first slice: its first state, then runnable from when it became so.
      const state0 = gt.firstState.get(g);
      const kind0 = this.kindOf(state0);
      const reason0 = this.parsedReason[state0]!;
      const ready0 = gt.firstReadyNs.get(g);
      const stop0 = first >= 0 ? x.startNs.get(first) : end;
      if (kind0 === StateKind.Waiting || kind0 === StateKind.Syscall) {
        const until = Number.isNaN(ready0) ? stop0 : Math.min(ready0, stop0);
        t = this.emit(visit, g, kind0, reason0, t, until, 0, CauseKind.None, -1, -1);
      }
      if (first >= 0) {
        const kind = x.causeKind.get(first) as CauseKind;
        t = this.emit(
          visit,
          g,
          StateKind.Runnable,
          0,
          t,
          stop0,
          x.causeStack.get(first),
          kind,
          x.causeG.get(first),
          -1,
        );
      } else if (kind0 === StateKind.Runnable || !Number.isNaN(ready0)) {
        t = this.emit(visit, g, StateKind.Runnable, 0, t, end, 0, CauseKind.None, -1, -1);
      }
    }

    for (let k = starts[g]! + from; k < starts[g]! + to; k++) {
      const i = order[k]!;
      const sliceEnd = x.threadEnd(i);
      // Executing: running, with the syscalls made during the slice cut out.
      while (s < sEnd && tl.syscalls.startNs.get(sys.order[s]!) < sliceEnd) {
        const r = sys.order[s++]!;
        const sStart = Math.max(t, tl.syscalls.startNs.get(r));
        const sStop = Math.min(sliceEnd, tl.syscalls.threadEnd(r));
        if (sStart > t) t = this.emit(visit, g, StateKind.Running, 0, t, sStart, 0, CauseKind.None, -1, i);
        t = this.emit(
          visit,
          g,
          StateKind.Syscall,
          0,
          t,
          sStop,
          tl.syscalls.stack.get(r),
          CauseKind.None,
          -1,
          i,
        );
      }
      t = this.emit(visit, g, StateKind.Running, 0, t, sliceEnd, x.endStack.get(i), CauseKind.None, -1, i);

      // After it: what it did next, then runnable until the next slice.
      const next = k + 1 < starts[g + 1]! ? order[k + 1]! : -1;
      const nextStart = next >= 0 ? x.startNs.get(next) : end;
      const state = x.endState.get(i);
      const kind = this.kindOf(state);
      const reason = this.parsedReason[state]!;
      const ready = x.readyNs.get(i);
      if (kind === Ended) {
        // A reused ID (cgo callbacks on extra Ms): nothing until its next life begins.
        t = nextStart;
        continue;
      }
      if (kind === StateKind.Waiting || kind === StateKind.Syscall) {
        const until = Number.isNaN(ready) ? nextStart : Math.min(ready, nextStart);
        t = this.emit(visit, g, kind, reason, t, until, x.endStack.get(i), CauseKind.None, -1, -1);
      }
      if (next >= 0) {
        // Preempted or yielding: runnable from the slice's end, at the stack it stopped at.
        const stack = kind === StateKind.Runnable ? x.endStack.get(i) : x.causeStack.get(next);
        t = this.emit(
          visit,
          g,
          StateKind.Runnable,
          kind === StateKind.Runnable ? reason : 0,
          t,
          nextStart,
          stack,
          x.causeKind.get(next) as CauseKind,
          x.causeG.get(next),
          -1,
        );
      } else if (kind === StateKind.Runnable || (kind === StateKind.Waiting && !Number.isNaN(ready))) {
        t = this.emit(
          visit,
          g,
          StateKind.Runnable,
          kind === StateKind.Runnable ? reason : 0,
          t,
          end,
          0,
          CauseKind.None,
          -1,
          -1,
        );
      }
    }
  }

  private emit(
    visit: (row: StateRow) => void,
    g: number,
    state: StateKind,
    reason: number,
    start: number,
    end: number,
    stack: number,
    wakeKind: CauseKind,
    wokenBy: number,
    exec: number,
  ): number {
    if (!(end > start)) return Math.max(start, Number.isNaN(end) ? start : end);
    const r = this.row;
    r.g = g;
    r.state = state;
    r.reason = reason;
    r.startNs = start;
    r.endNs = end;
    r.stack = stack;
    r.wakeKind = wakeKind;
    r.wokenBy = wokenBy;
    r.exec = exec;
    visit(r);
    return end;
  }

  /** The state kind of an end-state string ID (parsing it on first sight: parsedReason then holds its reason). */
  private kindOf(id: number): StateKind | typeof Ended | -1 {
    if (id < 0) return -1;
    if (id < this.parsedKind.length) {
      const k = this.parsedKind[id]!;
      if (k !== 0) return k - 2;
    }
    return this.parse(id);
  }

  private parse(id: number): StateKind | typeof Ended | -1 {
    if (id >= this.parsedKind.length) {
      const size = Math.max(id + 1, this.tl.strings.size, this.parsedKind.length * 2);
      const kinds = new Int8Array(size);
      kinds.set(this.parsedKind);
      const reasons = new Int32Array(size);
      reasons.set(this.parsedReason);
      this.parsedKind = kinds;
      this.parsedReason = reasons;
    }
    const name = this.tl.strings.get(id);
    const colon = name.indexOf(": ");
    const head = colon < 0 ? name : name.slice(0, colon);
    const reason = colon < 0 ? "" : name.slice(colon + 2);
    const kind =
      head === "blocked"
        ? StateKind.Waiting
        : head === "runnable"
          ? StateKind.Runnable
          : head === "syscall"
            ? StateKind.Syscall
            : head === "running"
              ? StateKind.Running
              : head === "ended"
                ? Ended
                : -1;
    // Interning the reason may grow the strings: the arrays above are sized by ID, not by it.
    this.parsedReason[id] = this.tl.strings.intern(reason);
    this.parsedKind[id] = kind + 2;
    return kind;
  }
}
