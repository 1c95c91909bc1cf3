/**
 * The timeline's tables, one class per kind of row, each a set of columns.
 * Rows are appended while the trace is read; `finalize` reorders them so
 * the rows of one track (a P, an M, a goroutine) are contiguous and sorted
 * by start, which is what the query engine's binary searches need.
 */
import { F64Column, I32List, IntColumn, RelColumn } from "./columns.js";

/**
 * Goroutine execution slices: a goroutine executing (running or in a
 * syscall) on a P and an M, from start to end, as go tool trace's proc view
 * draws them. A slice whose P was taken away during a syscall ends on the P
 * there (`endNs`) but goes on on its thread until the syscall returns
 * (`threadEndNs`, kept in a side map: 2,214 of 7.8M slices in a 35M-event trace).
 */
export class ExecTable {
  readonly startNs = new F64Column();
  readonly endNs = new RelColumn(this.startNs);
  /** Goroutine index (Timeline.goroutines). */
  readonly g = new IntColumn();
  /** P ID, −1 for a goroutine executing without a P (cgo callbacks). */
  readonly p = new IntColumn();
  /** Thread index (Timeline.threadIDs). */
  readonly m = new IntColumn();
  /** The goroutine's label (GoLabel, e.g. "GC (idle)") when the slice ended, interned: it changes between slices. */
  readonly label = new IntColumn();
  /** Stack of the event that ended the slice (the start stack is the previous slice's end stack). */
  readonly endStack = new IntColumn();
  /** What the goroutine did next, interned: "blocked: chan receive", "runnable: preempted", "ended", … */
  readonly endState = new IntColumn();
  /** When the goroutine became runnable again after the slice (NaN if it never did, or was runnable at once). */
  readonly readyNs = new RelColumn(this.endNs);
  /** What let the goroutine run (`CauseKind`) and which goroutine index caused it (−1 none). */
  readonly causeKind = new IntColumn();
  readonly causeG = new IntColumn();
  /** P of the event that caused it (−1 if none). */
  readonly causeP = new IntColumn();
  readonly causeM = new IntColumn();
  /** Stack of the event that caused it (where the unblocking goroutine was), 0 for none. */
  readonly causeStack = new IntColumn();
  readonly threadEndNs = new Map<number, number>();
  get length(): number {
    return this.startNs.length;
  }

  threadEnd(i: number): number {
    return this.threadEndNs.get(i) ?? this.endNs.get(i);
  }
}

export const enum CauseKind {
  None = 0,
  Create = 1,
  Unblock = 2,
  /** Unblocked by the network poller: drawn from the Network row. */
  Network = 3,
  /** Returned from a syscall that lost its P: drawn from the Syscalls row. */
  SyscallExit = 4,
}

/** Syscalls: on a P (in the proc view, until the P is taken away) and a thread. */
export class SyscallTable {
  readonly startNs = new F64Column();
  readonly endNs = new F64Column();
  readonly g = new IntColumn();
  readonly p = new IntColumn();
  readonly m = new IntColumn();
  readonly stack = new IntColumn();
  /** 1 if the syscall blocked (its P was taken away), as go tool trace's "blocked: yes". */
  readonly blocked = new IntColumn();
  /** Blocked syscalls end on their P when it was taken; here is when they returned. */
  readonly threadEndNs = new Map<number, number>();
  get length(): number {
    return this.startNs.length;
  }

  /** When syscall i returned (on its thread), which a blocked one does after it ends on its P. */
  threadEnd(i: number): number {
    return this.threadEndNs.get(i) ?? this.endNs.get(i);
  }
}

/** Kinds of ranges drawn in a P's second row (and the goroutine view). */
export const enum RangeKind {
  MarkAssist = 0,
  Sweep = 1,
  Other = 2,
}

/** Ranges that belong to a P: GC mark assist of the goroutine running there, sweeping. */
export class ProcRangeTable {
  readonly startNs = new F64Column();
  readonly endNs = new F64Column();
  readonly kind = new IntColumn();
  readonly name = new IntColumn();
  readonly p = new IntColumn();
  readonly m = new IntColumn();
  readonly g = new IntColumn();
  readonly startStack = new IntColumn();
  readonly endStack = new IntColumn();
  get length(): number {
    return this.startNs.length;
  }
}

export const enum GlobalKind {
  GC = 0,
  STW = 1,
}

/** Whole-program ranges: GC concurrent mark phases and stop-the-world pauses (with their reason). */
export class GlobalRangeTable {
  readonly startNs = new F64Column();
  readonly endNs = new F64Column();
  readonly kind = new IntColumn();
  readonly name = new IntColumn();
  readonly g = new IntColumn();
  readonly startStack = new IntColumn();
  readonly endStack = new IntColumn();
  get length(): number {
    return this.startNs.length;
  }
}

/** User tasks. `depth` is the lane in the Tasks row (tasks overlap freely). */
export class TaskTable {
  readonly id = new F64Column();
  readonly parent = new IntColumn();
  readonly name = new IntColumn();
  readonly startNs = new F64Column();
  readonly endNs = new F64Column();
  readonly startG = new IntColumn();
  readonly endG = new IntColumn();
  readonly startStack = new IntColumn();
  readonly endStack = new IntColumn();
  readonly depth = new IntColumn();
  get length(): number {
    return this.startNs.length;
  }
}

/** User regions, per goroutine, with their nesting depth (0 = outermost). */
export class RegionTable {
  readonly startNs = new F64Column();
  readonly endNs = new RelColumn(this.startNs);
  readonly g = new IntColumn();
  readonly name = new IntColumn();
  /** Task index (TaskTable row), −1 for none or the background task. */
  readonly task = new IntColumn();
  readonly depth = new IntColumn();
  readonly startStack = new IntColumn();
  readonly endStack = new IntColumn();
  get length(): number {
    return this.startNs.length;
  }
}

export const enum MarkKind {
  CPUSample = 0,
  Log = 1,
  /** A goroutine unblocked by the network poller. */
  Network = 2,
  /** A goroutine returned from a syscall that had lost its P. */
  SyscallExit = 3,
  ProcStart = 4,
  ProcStop = 5,
}

/** Instants. */
export class MarkTable {
  readonly timeNs = new F64Column();
  readonly kind = new IntColumn();
  readonly p = new IntColumn();
  readonly m = new IntColumn();
  readonly g = new IntColumn();
  readonly stack = new IntColumn();
  /** Interned text: the log's "[category] message", the unblock reason, … */
  readonly label = new IntColumn();
  get length(): number {
    return this.timeNs.length;
  }
}

/** Per goroutine (by index): its ID, name, creation and end. */
export class GoroutineTable {
  readonly id = new F64Column();
  /** Start function (interned), as go tool trace names goroutines "G<id> <function>". */
  readonly func = new IntColumn();
  readonly label = new IntColumn();
  readonly createdNs = new F64Column();
  /** Creator goroutine index (−1 unknown) and the creation stack. */
  readonly creator = new IntColumn();
  readonly createStack = new IntColumn();
  /** When it ended (NaN if it did not). */
  readonly endNs = new F64Column();
  /** Its state from creation (or first sight) until it first ran, interned, and when it became runnable. */
  readonly firstState = new IntColumn();
  readonly firstReadyNs = new F64Column();
  get length(): number {
    return this.id.length;
  }
}

/** A permutation plus the start of each group in it. */
export interface Grouping {
  readonly order: Int32Array;
  readonly starts: Int32Array;
}

export { I32List };
