/**
 * What the UI asks the timeline engine, and what it gets back. Every
 * request and response is plain JSON, so the same UI can talk to the engine
 * over HTTP (`gotrace view`) or through postMessage to a Worker that reads
 * a dropped file in the browser. Times are nanoseconds since the first event.
 */

/** Three ways to lay out the same trace: one row per P, per OS thread, or per goroutine. */
export type ViewKind = "proc" | "thread" | "goroutine";
export const viewKinds: readonly ViewKind[] = ["proc", "thread", "goroutine"];

export interface TraceInfo {
  /** The header's format, e.g. "go 1.26 trace". */
  readonly format: string;
  readonly durationNs: number;
  readonly events: number;
  readonly goroutines: number;
  readonly procs: number;
  readonly threads: number;
  /** Set when the trace is damaged: what is shown is what came before it. */
  readonly damage?: { readonly message: string; readonly offset: number; readonly lostBytes: number };
}

/**
 * How far reading the trace has got. The page is served while the trace is
 * read, and shows this until the engine can answer (`/api/progress`).
 */
export interface LoadProgress {
  readonly bytesRead: number;
  /** The trace's size, when known. */
  readonly totalBytes: number | null;
  readonly events: number;
  /** The engine answers from now on. */
  readonly done: boolean;
  /** Set when reading failed and there is nothing to show. */
  readonly error: string | null;
}

/**
 * One horizontal track. `kind` says how it is drawn: slices (with nesting
 * `depth`), a counter (stacked areas, `series` names), or marks (instants).
 */
export interface Row {
  /** Index in the view's row list; requests name rows by it. */
  readonly index: number;
  readonly label: string;
  readonly kind: "slices" | "counter" | "marks";
  /** Section heading the row sits under: "Counters", "Global", "Procs", "Threads", "Goroutines". */
  readonly group: string;
  /** Counter rows: the names of the series, bottom first. */
  readonly series?: readonly string[];
  /**
   * Counter rows: series [0, stacked) are stacked areas; the rest are lines,
   * each at its own value (the heap's GC goal). All are stacked when absent.
   */
  readonly stacked?: number;
  /**
   * Nothing to draw in the whole trace: no slices, and no marks but a P's
   * start and stop ticks (every P has those). The UI hides such rows unless
   * asked to show them.
   */
  readonly empty?: boolean;
  /** Goroutine view: the goroutine the row belongs to. */
  readonly goroutine?: number;
  /** Maximum nesting depth of slices in the row (0 = flat), so the UI can size it. */
  readonly maxDepth?: number;
}

export interface WindowRequest {
  readonly view: ViewKind;
  readonly startNs: number;
  readonly endNs: number;
  /** Width of the drawing in CSS pixels: items shorter than one pixel are merged. */
  readonly widthPx: number;
  /** Rows [rowFrom, rowTo) of the view. */
  readonly rowFrom: number;
  readonly rowTo: number;
  /** Include flow arrows (creation, unblocking, syscall exit) between rows. */
  readonly flows?: boolean;
}

/**
 * The slices of one row in a window, as columns. An item is either one
 * slice (`count` 1, `id` ≥ 0, for `/slice`) or several slices narrower than
 * a pixel merged into one (`count` > 1, `id` −1, `busyNs` the time they cover).
 */
export interface SliceColumns {
  readonly row: number;
  readonly startNs: number[];
  readonly endNs: number[];
  readonly id: number[];
  readonly count: number[];
  readonly busyNs: number[];
  /**
   * What decides the colour: a goroutine ID for goroutine slices, or a
   * negative category code (`SliceCategory`) for everything else.
   */
  readonly color: number[];
  /** Index into the response's `labels`, −1 for none (merged items). */
  readonly label: number[];
  readonly depth: number[];
}

/** Categories of slices that are not a goroutine running; `color` holds −category. */
export const enum SliceCategory {
  Merged = 1,
  Syscall = 2,
  GCMark = 3,
  STW = 4,
  MarkAssist = 5,
  Sweep = 6,
  Region = 7,
  Task = 8,
  Runnable = 9,
  Blocked = 10,
  BlockedSyscall = 11,
  GCWorker = 12,
}

/** A counter row in a window: one sample per pixel at most (the maximum within it). */
export interface CounterColumns {
  readonly row: number;
  /** As the row's `stacked`: series [0, stacked) stack, the rest are lines; all stack when absent. */
  readonly stacked?: number;
  readonly timeNs: number[];
  /** values[s][i] is series s at timeNs[i]; the value holds until the next sample. */
  readonly values: number[][];
}

/** Instants (CPU samples, logs, network unblocks, proc start/stop): merged per pixel. */
export interface MarkColumns {
  readonly row: number;
  readonly timeNs: number[];
  readonly count: number[];
  /** Mark id for `/mark` when count is 1, else −1. */
  readonly id: number[];
  readonly label: number[];
}

export type FlowKind = "create" | "unblock" | "syscall" | "task";

export interface Flow {
  readonly kind: FlowKind;
  readonly fromRow: number;
  readonly fromNs: number;
  readonly toRow: number;
  readonly toNs: number;
}

export interface WindowResponse {
  readonly view: ViewKind;
  readonly startNs: number;
  readonly endNs: number;
  /** Nanoseconds per pixel the items were merged at. */
  readonly resolutionNs: number;
  /** Strings the columns' `label` indices point to. */
  readonly labels: string[];
  readonly slices: SliceColumns[];
  readonly counters: CounterColumns[];
  readonly marks: MarkColumns[];
  readonly flows: Flow[];
  /** True when flows were left out because there were too many to draw. */
  readonly flowsTruncated: boolean;
}

export interface Frame {
  readonly func: string;
  readonly file: string;
  readonly line: number;
}

export interface GoroutineRef {
  readonly goroutine: number;
  readonly name: string;
  readonly atNs: number;
  readonly stack: Frame[];
}

export interface SliceDetails {
  readonly id: number;
  readonly view: ViewKind;
  readonly row: number;
  readonly title: string;
  /** "goroutine", "syscall", "GC", "STW", "mark assist", "sweep", "region", "task", or a goroutine state. */
  readonly kind: string;
  readonly goroutine?: number;
  readonly startNs: number;
  readonly durNs: number;
  readonly startStack: Frame[];
  readonly endStack: Frame[];
  /** Why it ended: the goroutine's next state and reason ("blocked: chan receive"). */
  readonly endReason?: string;
  readonly args?: Readonly<Record<string, string>>;
  readonly createdBy?: GoroutineRef;
  readonly unblockedBy?: GoroutineRef;
}

export interface MarkDetails {
  readonly id: number;
  readonly row: number;
  readonly title: string;
  readonly timeNs: number;
  readonly goroutine?: number;
  readonly stack: Frame[];
}

export interface GoroutineEvent {
  readonly timeNs: number;
  /** "created", "running on P2", "blocked: chan receive", "log [cat] msg", "region begin: name", … */
  readonly what: string;
  readonly stack: Frame[];
}

export interface GoroutineDetails {
  readonly goroutine: number;
  readonly name: string;
  /** Row of the goroutine in the goroutine view. */
  readonly row: number;
  readonly createdBy?: GoroutineRef;
  readonly startNs?: number;
  readonly endNs?: number;
  /** The function it started in ("" if no stack showed it): its goroutine group. */
  readonly startFunction: string;
  /** Time running on a P, less time in syscalls (the goroutine analysis's execution time). */
  readonly execNs: number;
  /** CPU profiler samples taken while it ran (0 when the profiler was off); each stands for about 10 ms of CPU. */
  readonly cpuSamples: number;
  readonly events: GoroutineEvent[];
  readonly eventsTruncated: boolean;
}

/**
 * "function": a goroutine's start function or label matched; "stack": a
 * frame (function or file) of a stack of one of its events did, the first
 * such event in time.
 */
export type MatchKind = "goroutine" | "function" | "stack" | "task" | "region" | "log";

export interface Match {
  readonly kind: MatchKind;
  readonly label: string;
  /** Stack matches: the innermost frame that matched. */
  readonly frame?: Frame;
  readonly goroutine?: number;
  readonly startNs: number;
  readonly endNs: number;
  /** Slice to select in the goroutine view, when there is one. */
  readonly sliceId?: number;
}

export interface FindResponse {
  readonly query: string;
  readonly matches: Match[];
  /** Every goroutine any match belongs to, ascending, for highlighting and filtering. */
  readonly goroutines: number[];
  readonly truncated: boolean;
}

export interface RangeSummary {
  readonly startNs: number;
  readonly endNs: number;
  /** Goroutine-time in each state within the range ("running", "runnable", "blocked: chan receive", …). */
  readonly states: { readonly state: string; readonly ns: number }[];
  /** Busy time of each P within the range. */
  readonly procs: { readonly proc: number; readonly busyNs: number }[];
  /** Counts of events within the range, by kind ("goroutine created", "GC", "log", …). */
  readonly events: { readonly kind: string; readonly count: number }[];
}

/** The engine's synchronous interface; servers and Workers wrap it. */
export interface TimelineEngine {
  info(): TraceInfo;
  rows(view: ViewKind): Row[];
  window(req: WindowRequest): WindowResponse;
  slice(view: ViewKind, id: number): SliceDetails | undefined;
  mark(view: ViewKind, id: number): MarkDetails | undefined;
  goroutine(id: number): GoroutineDetails | undefined;
  find(query: string, limit: number): FindResponse;
  range(startNs: number, endNs: number): RangeSummary;
}
