/**
 * The wire-format table of the old trace family (headers go 1.5 … go 1.21):
 * event types 0–49, the arguments each carries, and how the argument list
 * changed from one dialect to the next. The raw decoder, the parser and the
 * converter read this table; nothing else knows argument counts.
 *
 * Facts from Go's internal/trace/internal/tracev1 (1.11–1.21) and from the
 * parser Go shipped before 1.23 (all versions, removed in Go commit 664088b).
 */

export const enum V1 {
  None = 0,
  /** Start of a per-P batch [p, ticks]; in 1.5 [p, seq, ticks]. */
  Batch = 1,
  /** Ticks per second [freq]; in 1.5 [freq, unused]. No timestamp. */
  Frequency = 2,
  /** [id, n, {pc, func string, file string, line}×n]; in 1.5 [id, n, pc×n]. */
  Stack = 3,
  Gomaxprocs = 4,
  ProcStart = 5,
  ProcStop = 6,
  GCStart = 7,
  GCDone = 8,
  STWStart = 9,
  STWDone = 10,
  GCSweepStart = 11,
  GCSweepDone = 12,
  GoCreate = 13,
  GoStart = 14,
  GoEnd = 15,
  GoStop = 16,
  GoSched = 17,
  GoPreempt = 18,
  GoSleep = 19,
  GoBlock = 20,
  GoUnblock = 21,
  GoBlockSend = 22,
  GoBlockRecv = 23,
  GoBlockSelect = 24,
  GoBlockSync = 25,
  GoBlockCond = 26,
  GoBlockNet = 27,
  GoSysCall = 28,
  GoSysExit = 29,
  GoSysBlock = 30,
  GoWaiting = 31,
  GoInSyscall = 32,
  HeapAlloc = 33,
  HeapGoal = 34,
  /** The timer goroutine [g]; in 1.5 [g, unused]. No timestamp. */
  TimerGoroutine = 35,
  FutileWakeup = 36,
  /** String table entry [id, len, bytes]. Go 1.7+. */
  String = 37,
  GoStartLocal = 38,
  GoUnblockLocal = 39,
  GoSysExitLocal = 40,
  GoStartLabel = 41,
  GoBlockGC = 42,
  GCMarkAssistStart = 43,
  GCMarkAssistDone = 44,
  UserTaskCreate = 45,
  UserTaskEnd = 46,
  UserRegion = 47,
  /** Followed by the message as [len, bytes] after the length-prefixed arguments. */
  UserLog = 48,
  CPUSample = 49,
  Count = 50,
}

export interface V1EventSpec {
  readonly name: string;
  /** First header version (the N of go 1.N) that may contain the event. */
  readonly minVersion: number;
  /** The last argument is the event's stack ID. */
  readonly stack: boolean;
  /** Arguments after the timestamp (and the stack, which is not listed), as of Go 1.11. */
  readonly args: readonly string[];
}

const s = (name: string, minVersion: number, stack: boolean, args: string[]): V1EventSpec => ({
  name,
  minVersion,
  stack,
  args,
});

export const v1Specs: readonly V1EventSpec[] = [
  s("None", 5, false, []),
  s("Batch", 5, false, ["p", "ticks"]),
  s("Frequency", 5, false, ["freq"]),
  s("Stack", 5, false, ["id", "siz"]),
  s("Gomaxprocs", 5, true, ["procs"]),
  s("ProcStart", 5, false, ["thread"]),
  s("ProcStop", 5, false, []),
  s("GCStart", 5, true, ["seq"]),
  s("GCDone", 5, false, []),
  s("GCSTWStart", 5, false, ["kindid"]),
  s("GCSTWDone", 5, false, []),
  s("GCSweepStart", 5, true, []),
  s("GCSweepDone", 5, false, ["swept", "reclaimed"]),
  s("GoCreate", 5, true, ["g", "stack"]),
  s("GoStart", 5, false, ["g", "seq"]),
  s("GoEnd", 5, false, []),
  s("GoStop", 5, true, []),
  s("GoSched", 5, true, []),
  s("GoPreempt", 5, true, []),
  s("GoSleep", 5, true, []),
  s("GoBlock", 5, true, []),
  s("GoUnblock", 5, true, ["g", "seq"]),
  s("GoBlockSend", 5, true, []),
  s("GoBlockRecv", 5, true, []),
  s("GoBlockSelect", 5, true, []),
  s("GoBlockSync", 5, true, []),
  s("GoBlockCond", 5, true, []),
  s("GoBlockNet", 5, true, []),
  s("GoSysCall", 5, true, []),
  s("GoSysExit", 5, false, ["g", "seq", "ts"]),
  s("GoSysBlock", 5, false, []),
  s("GoWaiting", 5, false, ["g"]),
  s("GoInSyscall", 5, false, ["g"]),
  s("HeapAlloc", 5, false, ["mem"]),
  s("HeapGoal", 5, false, ["mem"]),
  s("TimerGoroutine", 5, false, ["g"]),
  s("FutileWakeup", 5, false, []),
  s("String", 7, false, []),
  s("GoStartLocal", 7, false, ["g"]),
  s("GoUnblockLocal", 7, true, ["g"]),
  s("GoSysExitLocal", 7, false, ["g", "ts"]),
  s("GoStartLabel", 8, false, ["g", "seq", "labelid"]),
  s("GoBlockGC", 8, true, []),
  s("GCMarkAssistStart", 9, true, []),
  s("GCMarkAssistDone", 9, false, []),
  s("UserTaskCreate", 11, true, ["taskid", "pid", "typeid"]),
  s("UserTaskEnd", 11, true, ["taskid"]),
  s("UserRegion", 11, true, ["taskid", "mode", "typeid"]),
  s("UserLog", 11, true, ["id", "keyid"]),
  s("CPUSample", 19, true, ["ts", "p", "g"]),
];

/** Is `typ` a known event type for traces of version `v`? */
export function knownV1Event(typ: number, v: number): boolean {
  return typ !== V1.None && typ < V1.Count && v1Specs[typ]!.minVersion <= v;
}

/**
 * The number of values an event of this type carries in version `v`,
 * counting its timestamp (and, in 1.5, its sequence number) and its stack,
 * as the old parser's argNum did. Stack events carry what they carry.
 */
export function v1ArgCount(typ: number, v: number, carried: number): number {
  if (typ === V1.Stack) return carried;
  const spec = v1Specs[typ]!;
  let n = spec.args.length + (spec.stack ? 1 : 0);
  if (typ === V1.Batch || typ === V1.Frequency || typ === V1.TimerGoroutine) {
    // Before 1.7 these had one more (unused, or the batch's sequence number).
    return v < 7 ? n + 1 : n;
  }
  n++; // the timestamp
  if (v < 7) n++; // the sequence number
  switch (typ) {
    case V1.GCSweepDone:
      if (v < 9) n -= 2; // swept and reclaimed came in 1.9
      break;
    case V1.GCStart:
    case V1.GoStart:
    case V1.GoUnblock:
      if (v < 7) n--; // sequence arguments came in 1.7
      break;
    case V1.STWStart:
      if (v < 10) n--; // the kind came in 1.10
      break;
  }
  return n;
}

/** Special P ids the parser moves events to (Go's FakeP and following). */
export const TimerP = 1000001;
export const NetpollP = 1000002;
export const SyscallP = 1000003;
export const GCP = 1000004;
export const ProfileP = 1000005;

/**
 * Stop-the-world reasons as the converter names them, indexed by Go's
 * STWReason. Index 0 ("unknown") is the empty string, as Go converts it.
 */
export const stwReasonStrings: readonly string[] = [
  "",
  "GC mark termination",
  "GC sweep termination",
  "write heap dump",
  "goroutine profile",
  "goroutine profile cleanup",
  "all goroutine stack trace",
  "read mem stats",
  "AllThreadsSyscall",
  "GOMAXPROCS",
  "start trace",
  "stop trace",
  "CountPagesInUse (test)",
  "ReadMetricsSlow (test)",
  "ReadMemStatsSlow (test)",
  "PageCachePagesLeaked (test)",
  "ResetDebugLog (test)",
];

/**
 * The STW reason (an index into stwReasonStrings) of an STWStart's kind
 * argument: before 1.21 only 0 (mark termination) and 1 (sweep termination)
 * exist, and before 1.10 the kind is absent and reads as 0.
 */
export function stwReason(kind: number, v: number): number {
  if (v < 21) return kind === 0 || kind === 1 ? kind + 1 : 0;
  if (v === 21) return kind < stwReasonStrings.length ? kind : 0;
  return 0;
}
