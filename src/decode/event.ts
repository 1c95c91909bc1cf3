/**
 * The event model a library user sees: the same kinds and meaning as Go's
 * internal/trace events, whatever the trace version.
 *
 * An Event is a thin view over its wire form: a type byte, a time, the
 * scheduling context (thread, proc, goroutine) and up to four arguments,
 * interpreted on demand through the generation's tables.
 */
import { Ev, specs } from "../format/v2/spec.js";
import type { EvTable } from "./v2/table.js";

export enum EventKind {
  Bad = 0,
  Sync = 1,
  Metric = 2,
  Label = 3,
  StackSample = 4,
  RangeBegin = 5,
  RangeActive = 6,
  RangeEnd = 7,
  TaskBegin = 8,
  TaskEnd = 9,
  RegionBegin = 10,
  RegionEnd = 11,
  Log = 12,
  StateTransition = 13,
  Experimental = 14,
}

export const eventKindNames: readonly string[] = [
  "Bad",
  "Sync",
  "Metric",
  "Label",
  "StackSample",
  "RangeBegin",
  "RangeActive",
  "RangeEnd",
  "TaskBegin",
  "TaskEnd",
  "RegionBegin",
  "RegionEnd",
  "Log",
  "StateTransition",
  "Experimental",
];

export enum GoState {
  Undetermined = 0,
  NotExist = 1,
  Runnable = 2,
  Running = 3,
  Waiting = 4,
  Syscall = 5,
}

export const goStateNames: readonly string[] = [
  "Undetermined",
  "NotExist",
  "Runnable",
  "Running",
  "Waiting",
  "Syscall",
];

export enum ProcState {
  Undetermined = 0,
  NotExist = 1,
  Running = 2,
  Idle = 3,
}

export const procStateNames: readonly string[] = ["Undetermined", "NotExist", "Running", "Idle"];

export enum ResourceKind {
  None = 0,
  Goroutine = 1,
  Proc = 2,
  Thread = 3,
}

export const resourceKindNames: readonly string[] = ["None", "Goroutine", "Proc", "Thread"];

export const NoGoroutine = -1;
export const NoProc = -1;
export const NoThread = -1;
/** Go's NoTask is 2^64−1; gotrace keeps it as −1 and prints it as Go does. */
export const NoTask = -1;
export const BackgroundTask = 0;

/** A task ID as read (a uint64 held as a double): 2^64−1, which rounds to 2^64, is NoTask. */
function taskID(v: number): number {
  return v >= 2 ** 64 ? NoTask : v;
}

/** The type of the Sync events the reader makes (Go uses 255 too). */
export const EvSync = 255;

const kindOfType = new Uint8Array(256);
for (const [t, k] of [
  [Ev.CPUSample, EventKind.StackSample],
  [Ev.ProcsChange, EventKind.Metric],
  [Ev.ProcStart, EventKind.StateTransition],
  [Ev.ProcStop, EventKind.StateTransition],
  [Ev.ProcSteal, EventKind.StateTransition],
  [Ev.ProcStatus, EventKind.StateTransition],
  [Ev.GoCreate, EventKind.StateTransition],
  [Ev.GoCreateSyscall, EventKind.StateTransition],
  [Ev.GoStart, EventKind.StateTransition],
  [Ev.GoDestroy, EventKind.StateTransition],
  [Ev.GoDestroySyscall, EventKind.StateTransition],
  [Ev.GoStop, EventKind.StateTransition],
  [Ev.GoBlock, EventKind.StateTransition],
  [Ev.GoUnblock, EventKind.StateTransition],
  [Ev.GoSyscallBegin, EventKind.StateTransition],
  [Ev.GoSyscallEnd, EventKind.StateTransition],
  [Ev.GoSyscallEndBlocked, EventKind.StateTransition],
  [Ev.GoStatus, EventKind.StateTransition],
  [Ev.STWBegin, EventKind.RangeBegin],
  [Ev.STWEnd, EventKind.RangeEnd],
  [Ev.GCActive, EventKind.RangeActive],
  [Ev.GCBegin, EventKind.RangeBegin],
  [Ev.GCEnd, EventKind.RangeEnd],
  [Ev.GCSweepActive, EventKind.RangeActive],
  [Ev.GCSweepBegin, EventKind.RangeBegin],
  [Ev.GCSweepEnd, EventKind.RangeEnd],
  [Ev.GCMarkAssistActive, EventKind.RangeActive],
  [Ev.GCMarkAssistBegin, EventKind.RangeBegin],
  [Ev.GCMarkAssistEnd, EventKind.RangeEnd],
  [Ev.HeapAlloc, EventKind.Metric],
  [Ev.HeapGoal, EventKind.Metric],
  [Ev.GoLabel, EventKind.Label],
  [Ev.UserTaskBegin, EventKind.TaskBegin],
  [Ev.UserTaskEnd, EventKind.TaskEnd],
  [Ev.UserRegionBegin, EventKind.RegionBegin],
  [Ev.UserRegionEnd, EventKind.RegionEnd],
  [Ev.UserLog, EventKind.Log],
  [Ev.GoSwitch, EventKind.StateTransition],
  [Ev.GoSwitchDestroy, EventKind.StateTransition],
  [Ev.GoCreateBlocked, EventKind.StateTransition],
  [Ev.GoStatusStack, EventKind.StateTransition],
  [Ev.Span, EventKind.Experimental],
  [Ev.SpanAlloc, EventKind.Experimental],
  [Ev.SpanFree, EventKind.Experimental],
  [Ev.HeapObject, EventKind.Experimental],
  [Ev.HeapObjectAlloc, EventKind.Experimental],
  [Ev.HeapObjectFree, EventKind.Experimental],
  [Ev.GoroutineStack, EventKind.Experimental],
  [Ev.GoroutineStackAlloc, EventKind.Experimental],
  [Ev.GoroutineStackFree, EventKind.Experimental],
  [EvSync, EventKind.Sync],
] as const) {
  kindOfType[t] = k;
}

/** Wire goroutine status → GoState (index 0, "bad", maps to Undetermined as in Go). */
export const goStatusToState: readonly GoState[] = [
  GoState.Undetermined,
  GoState.Runnable,
  GoState.Running,
  GoState.Syscall,
  GoState.Waiting,
];

/** Wire proc status → ProcState (a P in a syscall is still Running; abandoned is Idle). */
export const procStatusToState: readonly ProcState[] = [
  ProcState.Undetermined,
  ProcState.Running,
  ProcState.Idle,
  ProcState.Running,
  ProcState.Idle,
];

export interface StackFrame {
  readonly pc: number;
  readonly func: string;
  readonly file: string;
  readonly line: number;
}

/** A stack: a table and an id. id 0 with a table is an empty stack, which Go still prints a header for. */
export interface Stack {
  readonly table: EvTable | undefined;
  readonly id: number;
}

export const NoStack: Stack = { table: undefined, id: 0 };

export function isNoStack(s: Stack): boolean {
  return s.table === undefined && s.id === 0;
}

export function stackFrames(s: Stack): StackFrame[] {
  if (s.id === 0 || !s.table) return [];
  return s.table.frames(s.id);
}

export interface ResourceID {
  readonly kind: ResourceKind;
  readonly id: number;
}

export interface StateTransition {
  readonly resource: ResourceID;
  /** GoState or ProcState, by resource kind. */
  readonly from: number;
  readonly to: number;
  readonly reason: string;
  readonly stack: Stack;
}

export interface Range {
  readonly name: string;
  readonly scope: ResourceID;
}

export interface Task {
  readonly id: number;
  readonly parent: number;
  readonly type: string;
}

export interface ClockSnapshot {
  /** Absolute trace time in ns, exact. */
  readonly traceNs: number;
  readonly mono: bigint;
  readonly wallSec: number;
  readonly wallNsec: number;
}

/**
 * An event. The reader reuses Event objects: one handed to a readTrace
 * callback, or returned by TraceReader.read(), is valid until the next event
 * is read. Call clone() to keep it longer (the events() iterator does).
 */
export class Event {
  /**
   * stateTransition()'s answer for the event as it is now. set() forgets it;
   * so must any code that rewrites a recycled Event's fields directly.
   */
  cachedTransition: StateTransition | undefined = undefined;

  constructor(
    /** The generation's tables (undefined only for the Sync after the last generation). */
    public table: EvTable | undefined,
    /** Wire event type, or EvSync. */
    public type: number,
    /** Nanoseconds since the trace's origin (see TraceReader.originNs). */
    public time: number,
    public g: number,
    public p: number,
    public m: number,
    public a0 = 0,
    public a1 = 0,
    public a2 = 0,
    public a3 = 0,
  ) {}

  /** A copy that stays valid after the reader moves on. */
  clone(): Event {
    return new Event(
      this.table,
      this.type,
      this.time,
      this.g,
      this.p,
      this.m,
      this.a0,
      this.a1,
      this.a2,
      this.a3,
    );
  }

  /** Sets every field (the reader recycles Event objects). */
  set(
    table: EvTable | undefined,
    type: number,
    time: number,
    g: number,
    p: number,
    m: number,
    a0: number,
    a1: number,
    a2: number,
    a3: number,
  ): this {
    this.table = table;
    this.type = type;
    this.time = time;
    this.g = g;
    this.p = p;
    this.m = m;
    this.a0 = a0;
    this.a1 = a1;
    this.a2 = a2;
    this.a3 = a3;
    this.cachedTransition = undefined;
    return this;
  }

  get kind(): EventKind {
    return kindOfType[this.type]! as EventKind;
  }

  /** Argument i (0-based, after the timestamp), as Go's baseEvent.args. */
  arg(i: number): number {
    return i === 0 ? this.a0 : i === 1 ? this.a1 : i === 2 ? this.a2 : this.a3;
  }

  str(id: number): string {
    return this.table?.strings.get(id) ?? "";
  }

  /** The event's own stack. */
  stack(): Stack {
    if (this.type === EvSync) return NoStack;
    if (this.type === Ev.CPUSample) return { table: this.table, id: this.a0 };
    const spec = specs[this.type];
    if (!spec || spec.stackIDs.length === 0) return NoStack;
    const id = this.arg(spec.stackIDs[0]! - 1);
    return id === 0 ? NoStack : { table: this.table, id };
  }

  metric(): { name: string; value: number } {
    switch (this.type) {
      case Ev.ProcsChange:
        return { name: "/sched/gomaxprocs:threads", value: this.a0 };
      case Ev.HeapAlloc:
        return { name: "/memory/classes/heap/objects:bytes", value: this.a0 };
      case Ev.HeapGoal:
        return { name: "/gc/heap/goal:bytes", value: this.a0 };
    }
    throw new Error(`metric() called on event type ${this.type}`);
  }

  label(): { label: string; resource: ResourceID } {
    return { label: this.str(this.a0), resource: { kind: ResourceKind.Goroutine, id: this.g } };
  }

  range(): Range {
    switch (this.type) {
      case Ev.STWBegin:
      case Ev.STWEnd:
        return {
          name: `stop-the-world (${this.str(this.a0)})`,
          scope: { kind: ResourceKind.Goroutine, id: this.g },
        };
      case Ev.GCBegin:
      case Ev.GCActive:
      case Ev.GCEnd:
        return { name: "GC concurrent mark phase", scope: { kind: ResourceKind.None, id: 0 } };
      case Ev.GCSweepBegin:
      case Ev.GCSweepActive:
      case Ev.GCSweepEnd:
        return {
          name: "GC incremental sweep",
          scope: { kind: ResourceKind.Proc, id: this.type === Ev.GCSweepActive ? this.a0 : this.p },
        };
      case Ev.GCMarkAssistBegin:
      case Ev.GCMarkAssistActive:
      case Ev.GCMarkAssistEnd:
        return {
          name: "GC mark assist",
          scope: { kind: ResourceKind.Goroutine, id: this.type === Ev.GCMarkAssistActive ? this.a0 : this.g },
        };
    }
    throw new Error(`range() called on event type ${this.type}`);
  }

  rangeAttributes(): { name: string; value: number }[] {
    if (this.type !== Ev.GCSweepEnd) return [];
    return [
      { name: "bytes swept", value: this.a0 },
      { name: "bytes reclaimed", value: this.a1 },
    ];
  }

  task(): Task {
    if (this.type === Ev.UserTaskBegin) {
      return { id: taskID(this.a0), parent: taskID(this.a1), type: this.str(this.a2) };
    }
    // The reader stored the parent and type of the task on its end event.
    return { id: taskID(this.a0), parent: taskID(this.a2), type: this.table?.getExtraString(this.a3) ?? "" };
  }

  region(): { task: number; type: string } {
    return { task: taskID(this.a0), type: this.str(this.a1) };
  }

  log(): { task: number; category: string; message: string } {
    return { task: taskID(this.a0), category: this.str(this.a1), message: this.str(this.a2) };
  }

  /**
   * The transition this event makes. Computed once per event: several
   * analyses ask the same event in one pass, and an object per ask was a
   * fifth of their time in garbage collection.
   */
  stateTransition(): StateTransition {
    this.cachedTransition ??= this.makeTransition();
    return this.cachedTransition;
  }

  private makeTransition(): StateTransition {
    const go = (
      id: number,
      from: GoState,
      to: GoState,
      reason = "",
      stack: Stack = NoStack,
    ): StateTransition => ({
      resource: { kind: ResourceKind.Goroutine, id },
      from,
      to,
      reason,
      stack,
    });
    const proc = (id: number, from: ProcState, to: ProcState): StateTransition => ({
      resource: { kind: ResourceKind.Proc, id },
      from,
      to,
      reason: "",
      stack: NoStack,
    });
    switch (this.type) {
      case Ev.ProcStart:
        return proc(this.a0, ProcState.Idle, ProcState.Running);
      case Ev.ProcStop:
        return proc(this.p, ProcState.Running, ProcState.Idle);
      case Ev.ProcSteal:
        // The reader stored the stolen P's wire status in the extra slot: 4 is "syscall abandoned".
        return proc(this.a0, this.a3 === 4 ? ProcState.Idle : ProcState.Running, ProcState.Idle);
      case Ev.ProcStatus:
        return proc(this.a0, this.a2 as ProcState, procStatusToState[this.a1] ?? ProcState.Undetermined);
      case Ev.GoCreate:
      case Ev.GoCreateBlocked:
        return go(
          this.a0,
          GoState.NotExist,
          this.type === Ev.GoCreateBlocked ? GoState.Waiting : GoState.Runnable,
          "",
          { table: this.table, id: this.a1 },
        );
      case Ev.GoCreateSyscall:
        return go(this.a0, GoState.NotExist, GoState.Syscall);
      case Ev.GoStart:
        return go(this.a0, GoState.Runnable, GoState.Running);
      case Ev.GoDestroy:
        return go(this.g, GoState.Running, GoState.NotExist);
      case Ev.GoDestroySyscall:
        return go(this.g, GoState.Syscall, GoState.NotExist);
      case Ev.GoStop:
        return go(this.g, GoState.Running, GoState.Runnable, this.str(this.a0), this.stack());
      case Ev.GoBlock:
        return go(this.g, GoState.Running, GoState.Waiting, this.str(this.a0), this.stack());
      case Ev.GoUnblock:
      case Ev.GoSwitch:
      case Ev.GoSwitchDestroy:
        return go(this.a0, GoState.Waiting, GoState.Runnable);
      case Ev.GoSyscallBegin:
        return go(this.g, GoState.Running, GoState.Syscall, "", this.stack());
      case Ev.GoSyscallEnd:
        return go(this.g, GoState.Syscall, GoState.Running);
      case Ev.GoSyscallEndBlocked:
        return go(this.g, GoState.Syscall, GoState.Runnable);
      case Ev.GoStatus:
      case Ev.GoStatusStack: {
        // The reader packs the previous state above bit 32 and the wire status below it.
        const from = Math.floor(this.a2 / 2 ** 32);
        const status = this.a2 % 2 ** 32;
        return go(this.a0, from, goStatusToState[status] ?? GoState.Undetermined, "", this.stack());
      }
    }
    throw new Error(`stateTransition() called on event type ${this.type}`);
  }

  /** Sync: its ordinal N and, for Go 1.25+, the generation's clock snapshot. */
  sync(): { n: number; clockSnapshot: ClockSnapshot | undefined } {
    const cs = this.table?.clockSnapshot;
    return {
      n: this.a0,
      clockSnapshot: cs && {
        traceNs: this.table!.mul(cs.time),
        mono: cs.mono,
        wallSec: cs.sec,
        wallNsec: cs.nsec,
      },
    };
  }

  experimental(): { name: string; experiment: string; args: readonly string[]; values: number[] } {
    const spec = specs[this.type]!;
    const args = spec.args.slice(1);
    return {
      name: spec.name,
      experiment: spec.experiment === 1 ? "AllocFree" : "None",
      args,
      values: args.map((_, i) => this.arg(i)),
    };
  }
}
