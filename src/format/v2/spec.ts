/**
 * The wire-format table of the modern trace family (headers go 1.22 … go 1.26).
 *
 * One row per event type, indexed by the type byte. The decoder, the raw
 * (`-d=wire`) reader and writer, the text form of traces and the tests all read
 * this table; nothing else in gotrace knows argument counts or positions.
 *
 * Argument names follow Go's convention `name` or `name_type`, where the type
 * (seq, pstatus, gstatus, g, m, p, string, stack, value, task) says how the
 * number is interpreted.
 */

export const enum Ev {
  None = 0,
  EventBatch = 1,
  Stacks = 2,
  Stack = 3,
  Strings = 4,
  String = 5,
  CPUSamples = 6,
  CPUSample = 7,
  Frequency = 8,
  ProcsChange = 9,
  ProcStart = 10,
  ProcStop = 11,
  ProcSteal = 12,
  ProcStatus = 13,
  GoCreate = 14,
  GoCreateSyscall = 15,
  GoStart = 16,
  GoDestroy = 17,
  GoDestroySyscall = 18,
  GoStop = 19,
  GoBlock = 20,
  GoUnblock = 21,
  GoSyscallBegin = 22,
  GoSyscallEnd = 23,
  GoSyscallEndBlocked = 24,
  GoStatus = 25,
  STWBegin = 26,
  STWEnd = 27,
  GCActive = 28,
  GCBegin = 29,
  GCEnd = 30,
  GCSweepActive = 31,
  GCSweepBegin = 32,
  GCSweepEnd = 33,
  GCMarkAssistActive = 34,
  GCMarkAssistBegin = 35,
  GCMarkAssistEnd = 36,
  HeapAlloc = 37,
  HeapGoal = 38,
  GoLabel = 39,
  UserTaskBegin = 40,
  UserTaskEnd = 41,
  UserRegionBegin = 42,
  UserRegionEnd = 43,
  UserLog = 44,
  // Go 1.23
  GoSwitch = 45,
  GoSwitchDestroy = 46,
  GoCreateBlocked = 47,
  GoStatusStack = 48,
  ExperimentalBatch = 49,
  // Go 1.25
  Sync = 50,
  ClockSnapshot = 51,
  // Go 1.26: written in-band as a lone byte between generations.
  EndOfGeneration = 52,
  NumEvents = 53,
  // Experimental events (AllocFree experiment, GODEBUG=traceallocfree=1).
  MaxEvent = 127,
  Span = 128,
  SpanAlloc = 129,
  SpanFree = 130,
  HeapObject = 131,
  HeapObjectAlloc = 132,
  HeapObjectFree = 133,
  GoroutineStack = 134,
  GoroutineStackAlloc = 135,
  GoroutineStackFree = 136,
  MaxExperimentalEvent = 137,
}

export const enum Experiment {
  None = 0,
  AllocFree = 1,
}

export const experimentNames: readonly string[] = ["None", "AllocFree"];

export interface EventSpec {
  readonly name: string;
  /** Argument names; their count is the number of varints after the type byte. */
  readonly args: readonly string[];
  /** Indices into args that hold string IDs. */
  readonly stringIDs: readonly number[];
  /** Indices into args that hold stack IDs; the first is the event's own stack. */
  readonly stackIDs: readonly number[];
  /** For an event that ends a range: the event type that begins it. */
  readonly startEv: Ev;
  /** Appears in the main event stream and reaches the reader's user. */
  readonly isTimedEvent: boolean;
  /** Followed by a varint length and that many raw bytes. */
  readonly hasData: boolean;
  /** Followed by nframes × {pc, func string ID, file string ID, line}. */
  readonly isStack: boolean;
  readonly experiment: Experiment;
}

type SpecInit = Partial<EventSpec> & { name: string };

function spec(init: SpecInit): EventSpec {
  return {
    args: [],
    stringIDs: [],
    stackIDs: [],
    startEv: Ev.None,
    isTimedEvent: false,
    hasData: false,
    isStack: false,
    experiment: Experiment.None,
    ...init,
  };
}

const timed = (name: string, args: string[], more: Partial<EventSpec> = {}): EventSpec =>
  spec({ name, args, isTimedEvent: true, ...more });

const allocFree = (name: string, args: string[]): EventSpec =>
  timed(name, args, { experiment: Experiment.AllocFree });

const table: (EventSpec | undefined)[] = [];
table[Ev.EventBatch] = spec({ name: "EventBatch", args: ["gen", "m", "time", "size"] });
table[Ev.Stacks] = spec({ name: "Stacks" });
table[Ev.Stack] = spec({ name: "Stack", args: ["id", "nframes"], isStack: true });
table[Ev.Strings] = spec({ name: "Strings" });
table[Ev.String] = spec({ name: "String", args: ["id"], hasData: true });
table[Ev.CPUSamples] = spec({ name: "CPUSamples" });
table[Ev.CPUSample] = spec({ name: "CPUSample", args: ["time", "m", "p", "g", "stack"], stackIDs: [4] });
table[Ev.Frequency] = spec({ name: "Frequency", args: ["freq"] });
table[Ev.ProcsChange] = timed("ProcsChange", ["dt", "procs_value", "stack"], { stackIDs: [2] });
table[Ev.ProcStart] = timed("ProcStart", ["dt", "p", "p_seq"]);
table[Ev.ProcStop] = timed("ProcStop", ["dt"]);
table[Ev.ProcSteal] = timed("ProcSteal", ["dt", "p", "p_seq", "m"]);
table[Ev.ProcStatus] = timed("ProcStatus", ["dt", "p", "pstatus"]);
table[Ev.GoCreate] = timed("GoCreate", ["dt", "new_g", "new_stack", "stack"], { stackIDs: [3, 2] });
table[Ev.GoCreateSyscall] = timed("GoCreateSyscall", ["dt", "new_g"]);
table[Ev.GoStart] = timed("GoStart", ["dt", "g", "g_seq"]);
table[Ev.GoDestroy] = timed("GoDestroy", ["dt"]);
table[Ev.GoDestroySyscall] = timed("GoDestroySyscall", ["dt"]);
table[Ev.GoStop] = timed("GoStop", ["dt", "reason_string", "stack"], { stackIDs: [2], stringIDs: [1] });
table[Ev.GoBlock] = timed("GoBlock", ["dt", "reason_string", "stack"], { stackIDs: [2], stringIDs: [1] });
table[Ev.GoUnblock] = timed("GoUnblock", ["dt", "g", "g_seq", "stack"], { stackIDs: [3] });
table[Ev.GoSyscallBegin] = timed("GoSyscallBegin", ["dt", "p_seq", "stack"], { stackIDs: [2] });
table[Ev.GoSyscallEnd] = timed("GoSyscallEnd", ["dt"], { startEv: Ev.GoSyscallBegin });
table[Ev.GoSyscallEndBlocked] = timed("GoSyscallEndBlocked", ["dt"], { startEv: Ev.GoSyscallBegin });
table[Ev.GoStatus] = timed("GoStatus", ["dt", "g", "m", "gstatus"]);
table[Ev.STWBegin] = timed("STWBegin", ["dt", "kind_string", "stack"], { stackIDs: [2], stringIDs: [1] });
table[Ev.STWEnd] = timed("STWEnd", ["dt"], { startEv: Ev.STWBegin });
table[Ev.GCActive] = timed("GCActive", ["dt", "gc_seq"], { startEv: Ev.GCBegin });
table[Ev.GCBegin] = timed("GCBegin", ["dt", "gc_seq", "stack"], { stackIDs: [2] });
table[Ev.GCEnd] = timed("GCEnd", ["dt", "gc_seq"], { startEv: Ev.GCBegin });
table[Ev.GCSweepActive] = timed("GCSweepActive", ["dt", "p"], { startEv: Ev.GCSweepBegin });
table[Ev.GCSweepBegin] = timed("GCSweepBegin", ["dt", "stack"], { stackIDs: [1] });
table[Ev.GCSweepEnd] = timed("GCSweepEnd", ["dt", "swept_value", "reclaimed_value"], {
  startEv: Ev.GCSweepBegin,
});
table[Ev.GCMarkAssistActive] = timed("GCMarkAssistActive", ["dt", "g"], { startEv: Ev.GCMarkAssistBegin });
table[Ev.GCMarkAssistBegin] = timed("GCMarkAssistBegin", ["dt", "stack"], { stackIDs: [1] });
table[Ev.GCMarkAssistEnd] = timed("GCMarkAssistEnd", ["dt"], { startEv: Ev.GCMarkAssistBegin });
table[Ev.HeapAlloc] = timed("HeapAlloc", ["dt", "heapalloc_value"]);
table[Ev.HeapGoal] = timed("HeapGoal", ["dt", "heapgoal_value"]);
table[Ev.GoLabel] = timed("GoLabel", ["dt", "label_string"], { stringIDs: [1] });
table[Ev.UserTaskBegin] = timed("UserTaskBegin", ["dt", "task", "parent_task", "name_string", "stack"], {
  stackIDs: [4],
  stringIDs: [3],
});
table[Ev.UserTaskEnd] = timed("UserTaskEnd", ["dt", "task", "stack"], { stackIDs: [2] });
table[Ev.UserRegionBegin] = timed("UserRegionBegin", ["dt", "task", "name_string", "stack"], {
  stackIDs: [3],
  stringIDs: [2],
});
table[Ev.UserRegionEnd] = timed("UserRegionEnd", ["dt", "task", "name_string", "stack"], {
  startEv: Ev.UserRegionBegin,
  stackIDs: [3],
  stringIDs: [2],
});
table[Ev.UserLog] = timed("UserLog", ["dt", "task", "key_string", "value_string", "stack"], {
  stackIDs: [4],
  stringIDs: [2, 3],
});
table[Ev.GoSwitch] = timed("GoSwitch", ["dt", "g", "g_seq"]);
table[Ev.GoSwitchDestroy] = timed("GoSwitchDestroy", ["dt", "g", "g_seq"]);
table[Ev.GoCreateBlocked] = timed("GoCreateBlocked", ["dt", "new_g", "new_stack", "stack"], {
  stackIDs: [3, 2],
});
table[Ev.GoStatusStack] = timed("GoStatusStack", ["dt", "g", "m", "gstatus", "stack"], { stackIDs: [4] });
// Raw readers see the experimental batch's payload as its data trailer.
table[Ev.ExperimentalBatch] = spec({
  name: "ExperimentalBatch",
  args: ["exp", "gen", "m", "time"],
  hasData: true,
});
table[Ev.Sync] = spec({ name: "Sync" });
table[Ev.ClockSnapshot] = timed("ClockSnapshot", ["dt", "mono", "sec", "nsec"]);
table[Ev.EndOfGeneration] = spec({ name: "EndOfGeneration" });
table[Ev.Span] = allocFree("Span", ["dt", "id", "npages_value", "kindclass"]);
table[Ev.SpanAlloc] = allocFree("SpanAlloc", ["dt", "id", "npages_value", "kindclass"]);
table[Ev.SpanFree] = allocFree("SpanFree", ["dt", "id"]);
table[Ev.HeapObject] = allocFree("HeapObject", ["dt", "id", "type"]);
table[Ev.HeapObjectAlloc] = allocFree("HeapObjectAlloc", ["dt", "id", "type"]);
table[Ev.HeapObjectFree] = allocFree("HeapObjectFree", ["dt", "id"]);
table[Ev.GoroutineStack] = allocFree("GoroutineStack", ["dt", "id", "order"]);
table[Ev.GoroutineStackAlloc] = allocFree("GoroutineStackAlloc", ["dt", "id", "order"]);
table[Ev.GoroutineStackFree] = allocFree("GoroutineStackFree", ["dt", "id"]);

/** The full table, indexed by event type; holes are undefined. */
export const specs: readonly (EventSpec | undefined)[] = table;

export function isExperimental(ev: number): boolean {
  return ev > Ev.MaxEvent && ev < Ev.MaxExperimentalEvent;
}

/** Goroutine status as written in GoStatus events. */
export const enum GoStatus {
  Bad = 0,
  Runnable = 1,
  Running = 2,
  Syscall = 3,
  Waiting = 4,
}

/** Proc status as written in ProcStatus events. */
export const enum ProcStatus {
  Bad = 0,
  Running = 1,
  Idle = 2,
  Syscall = 3,
  /** Written only by Go 1.22, for a P whose syscall was abandoned. */
  SyscallAbandoned = 4,
}

export const MaxBatchSize = 64 << 10;
export const MaxFramesPerStack = 128;
export const MaxEventTrailerDataSize = 1 << 10;
/** Largest number of arguments of any timed event. */
export const MaxTimedEventArgs = 5;
