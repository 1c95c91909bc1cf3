/**
 * What the timeline builder remembers about one goroutine while the trace
 * is read: whether it is executing and since when, its open syscall, what
 * will have caused its next run, its open ranges and regions. One object
 * per goroutine (125k in a 35M-event trace), never per event.
 */
import { GoState } from "../decode/event.js";
import { CauseKind } from "./tables.js";

/** Buckets of the Goroutines counter a goroutine is counted in. */
export const enum GCount {
  None = -1,
  Running = 0,
  Runnable = 1,
  GCWaiting = 2,
}

export interface OpenRange {
  /** NaN while the goroutine is not executing (the range waits to be drawn until it runs). */
  startNs: number;
  stack: number;
}

export class GState {
  state: GoState = GoState.Undetermined;
  named = false;
  /** Its creation was seen. */
  created = false;
  /** Its label (GoLabel, interned), as GoroutineTable.label holds it: what its slices are labelled. */
  label = 0;
  /** It waits (or last waited) for a reason that names the network: its unblock is the poller's. */
  networkWait = false;
  /** Counter bucket it is counted in now (so a decrement always matches its increment). */
  counted: GCount = GCount.None;

  /** Executing (running or in a syscall) since execStartNs on execP / execM. */
  executing = false;
  execStartNs = 0;
  execP = -1;
  execM = -1;
  /** The slice is executing but already ended on its P (the P was taken during a syscall): its row. */
  openSlice = -1;
  /** The last slice written, whose readiness time is still to be set, and its end (what that time is relative to). */
  lastSlice = -1;
  lastSliceEndNs = 0;

  /** The open syscall, and the row of one already ended on its P but not yet returned. */
  inSyscall = false;
  syscallStartNs = 0;
  syscallP = -1;
  syscallM = -1;
  syscallStack = 0;
  openSyscall = -1;

  /** What will have caused its next run. */
  causeKind: CauseKind = CauseKind.None;
  causeG = -1;
  causeP = -1;
  causeM = -1;
  causeNs = 0;
  causeStack = 0;

  /** GC mark assist and other goroutine-scoped ranges, by name ID. */
  ranges: Map<number, OpenRange> | undefined;
  inMarkAssist = false;
  /** Open regions, innermost last, four numbers each: name, task, start, stack (the first `openRegions` of them). */
  regions: number[] | undefined;
  openRegions = 0;

  constructor(readonly index: number) {}

  setCause(kind: CauseKind, g: number, p: number, m: number, ns: number, stack = 0): void {
    this.causeStack = stack;
    this.causeKind = kind;
    this.causeG = g;
    this.causeP = p;
    this.causeM = m;
    this.causeNs = ns;
  }
}

/** Running and in a syscall both count as executing, as in Go's GoState.Executing. */
export function isExecuting(s: GoState): boolean {
  return s === GoState.Running || s === GoState.Syscall;
}

/** The Goroutines counter bucket of a state (a syscall counts as running, as Go's viewer counts it). */
export function countBucket(s: GoState, inMarkAssist: boolean): GCount {
  switch (s) {
    case GoState.Running:
    case GoState.Syscall:
      return GCount.Running;
    case GoState.Runnable:
      return GCount.Runnable;
    case GoState.Waiting:
      return inMarkAssist ? GCount.GCWaiting : GCount.None;
    default:
      return GCount.None;
  }
}
