/**
 * What "why" asks and answers, as plain JSON: `gotrace why --json`, the
 * view server's /api/why and the timeline's "Why?" panel share these
 * shapes. Times are ns since the trace's origin, as on the timeline;
 * goroutines are named by their IDs.
 */

export type WhyState = "running" | "syscall" | "runnable" | "waiting";

/** How a wait ended (or a life began): what the trace records. */
export type WhyWake = "goroutine" | "created" | "timer" | "network" | "syscall-exit" | "unknown";

export interface WhyFrame {
  readonly func: string;
  readonly file: string;
  readonly line: number;
}

/** One step of a chain: one goroutine in one state. */
export interface WhyStep {
  readonly goroutine: number;
  /** "G12 main.worker", as the timeline names it. */
  readonly name: string;
  readonly state: WhyState;
  /** A wait's reason ("chan receive", "sync", "sleep", …), a runnable's ("preempted"), or "". */
  readonly reason: string;
  readonly startNs: number;
  readonly endNs: number;
  /** Where it blocked, or where its running slice stopped (innermost first; empty when unknown). */
  readonly stack: readonly WhyFrame[];
  /** The goroutine that ended this wait (or created this goroutine), if one did. */
  readonly wokenBy: number | null;
  /** How this wait ended, or how this life began; null for other steps. */
  readonly wake: WhyWake | null;
}

/** Where a chain ends: see docs/why.md. */
export type WhyRoot =
  | "running"
  | "runnable"
  | "timer"
  | "network"
  | "syscall"
  | "trace-start"
  | "window"
  | "unknown"
  | "not-ended"
  | "limit";

/** `gotrace why FILE --goroutine ID [--at NS] --json`. */
export interface WhyChainResponse {
  readonly goroutine: number;
  readonly atNs: number | null;
  readonly root: WhyRoot;
  /** The root in words. */
  readonly rootText: string;
  /** Latest first: the interval asked about, then what led to it. */
  readonly steps: readonly WhyStep[];
}

export type WhyCategory = "executing" | "runnable" | "syscall" | "waiting" | "gc";

export interface WhyShare {
  readonly category: WhyCategory;
  /** The goroutine the critical path was on, or null when the trace cannot say. */
  readonly goroutine: number | null;
  readonly name: string;
  /** A wait's reason ("sleep", "chan receive", "unknown"), else "". */
  readonly reason: string;
  /** Whether the goroutine took part in the task or region (else the path waited for it). */
  readonly member: boolean;
  readonly ns: number;
  readonly percent: number;
}

/** `gotrace why FILE --task ID | --task-type T | --region T --json`. */
export interface CriticalPathResponse {
  readonly kind: "task" | "region";
  /** The task's ID (a region's task, or null). */
  readonly task: number | null;
  readonly type: string;
  /** The goroutine it ended on. */
  readonly goroutine: number;
  readonly startNs: number;
  readonly endNs: number;
  readonly durNs: number;
  /** Goroutines that took part (the region's; a task's regions', and where it began and ended). */
  readonly members: readonly number[];
  readonly root: WhyRoot;
  readonly rootText: string;
  /** Time by cause, largest first; they add up to durNs. */
  readonly breakdown: readonly WhyShare[];
  /** Time per category, summed over goroutines. */
  readonly totals: Readonly<Record<WhyCategory, number>>;
  readonly steps: readonly WhyStep[];
}

/** What /api/why takes: one of goroutine (with at), task, taskType, region. */
export interface WhyQuery {
  readonly goroutine?: number;
  readonly atNs?: number;
  readonly task?: number;
  readonly taskType?: string;
  readonly region?: string;
}

/** The answer when the question names nothing in the trace. */
export interface WhyError {
  readonly error: string;
}
