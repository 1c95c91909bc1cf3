/**
 * The state the ordering keeps per goroutine, proc and thread, the ranges
 * open on each, and the checks every handler shares.
 */
import { Ev, type GoStatus, type ProcStatus, specs } from "../../format/v2/spec.js";
import { NoGoroutine, NoProc, NoThread } from "../event.js";
import type { Ordering } from "./order.js";
import type { EvTable } from "./table.js";

/** The event a thread's cursor is looking at: type, time and arguments. */
export interface BaseEvent {
  type: number;
  time: number;
  a0: number;
  a1: number;
  a2: number;
  a3: number;
}

export interface SchedCtx {
  g: number;
  p: number;
  m: number;
}

export const enum Need {
  MustNotHave = 0,
  MayHave = 1,
  MustHave = 2,
}

export const procStatusNames = ["Bad", "Running", "Idle", "Syscall", "Bad"];
export const goStatusNames = ["Bad", "Runnable", "Running", "Syscall", "Waiting"];

/** Something with a sequence counter local to a generation. */
interface Sequenced {
  seqGen: number;
  seq: number;
}

/** Whether (gen, seq) comes right after the counter of `s`. */
export const succeeds = (gen: number, seq: number, s: Sequenced): boolean =>
  gen === s.seqGen && seq === s.seq + 1;

/** A range kind: its begin event type and, for STW, its description string. */
interface RangeType {
  typ: number;
  desc: number;
}

export function makeRangeType(typ: number, desc: number): RangeType {
  const start = specs[typ]!.startEv;
  return { typ: start !== Ev.None ? start : typ, desc };
}

export class RangeState {
  inFlight: RangeType[] = [];

  hasRange(t: RangeType): boolean {
    return this.inFlight.some((r) => r.typ === t.typ && r.desc === t.desc);
  }

  beginRange(t: RangeType): string | undefined {
    if (this.hasRange(t)) {
      return `discovered event already in-flight for when starting event ${specs[t.typ]!.name}`;
    }
    this.inFlight.push(t);
    return undefined;
  }

  activeRange(t: RangeType, isInitialGen: boolean): string | undefined {
    if (isInitialGen) {
      if (this.hasRange(t)) return `found named active range already in first gen: {${t.typ} ${t.desc}}`;
      this.inFlight.push(t);
    } else if (!this.hasRange(t)) {
      const list = this.inFlight.map((r) => `{${r.typ} ${r.desc}}`).join(" ");
      return `resource is missing active range: ${specs[t.typ]!.name} [${list}]`;
    }
    return undefined;
  }

  /** Ends the first in-flight range begun by the start event of `typ`; returns its description. */
  endRange(typ: number): { desc: number } | string {
    const st = specs[typ]!.startEv;
    const idx = this.inFlight.findIndex((r) => r.typ === st);
    if (idx < 0) return `tried to end event ${specs[st]!.name}, but not in-flight`;
    const desc = this.inFlight[idx]!.desc;
    // Swap-remove, as Go does: the order of the remaining ranges matters for later lookups.
    this.inFlight[idx] = this.inFlight[this.inFlight.length - 1]!;
    this.inFlight.pop();
    return { desc };
  }
}

export class GState extends RangeState {
  /** Open regions, innermost last, as parallel arrays (no object per region). */
  regionTasks: number[] = [];
  regionNames: string[] = [];
  constructor(
    readonly id: number,
    public status: GoStatus,
    public seqGen: number,
    public seq: number,
  ) {
    super();
  }
}

export class PState extends RangeState {
  constructor(
    readonly id: number,
    public status: ProcStatus,
    public seqGen: number,
    public seq: number,
  ) {
    super();
  }
}

/** A holder (the thread's batch cursor) that caches the thread's state between events. */
export interface MStateRef {
  mState: MState | undefined;
}

export interface MState {
  g: number;
  p: number;
}

export const enum GCState {
  Undetermined = 0,
  NotRunning = 1,
  Running = 2,
}

/** An ordering failure: the trace is broken. */
export class OrderError extends Error {}

export type Handler = (
  o: Ordering,
  ev: BaseEvent,
  evt: EvTable,
  m: number,
  gen: number,
  cur: SchedCtx,
) => SchedCtx | null;

/**
 * A read of some generations on their own (decode/v2/stitch.ts) does not know
 * what each thread held when they began: such a thread's goroutine and proc
 * are "unknown k" (k numbering the threads the read met unknown), and each
 * check that needed one is kept as an assumption, for the caller to hold
 * against the state the earlier generations left.
 */
export const unknownBase = -1000;
export const isUnknown = (v: number): boolean => v <= unknownBase;
/** Assumption codes: the unknown value was, or was not, "none". */
export const enum Assume {
  PNone = 0,
  PSome = 1,
  GNone = 2,
  GSome = 3,
  /** The goroutine was the one in the assumption's value. */
  GIs = 4,
}

export class StandaloneLog {
  /** Thread IDs, by their unknown index k. */
  readonly threads: number[] = [];
  /** Flat triples: unknown value (unknownBase − k), Assume code, value. */
  readonly assumptions: number[] = [];
  assume(unknown: number, code: Assume, value = 0): void {
    this.assumptions.push(unknown, code, value);
  }
}

/** The standalone log of the read being ordered now, if any (set by Ordering.advance). */
export const standalone: { log: StandaloneLog | undefined } = { log: undefined };

export function validateCtx(ctx: SchedCtx, m: Need, p: Need, g: Need): void {
  if (m === Need.MustHave && ctx.m === NoThread)
    throw new OrderError("expected a thread but didn't have one");
  if (m === Need.MustNotHave && ctx.m !== NoThread) throw new OrderError("expected no thread but had one");
  if (isUnknown(ctx.p)) {
    if (p !== Need.MayHave) standalone.log!.assume(ctx.p, p === Need.MustHave ? Assume.PSome : Assume.PNone);
  } else {
    if (p === Need.MustHave && ctx.p === NoProc) throw new OrderError("expected a proc but didn't have one");
    if (p === Need.MustNotHave && ctx.p !== NoProc) throw new OrderError("expected no proc but had one");
  }
  if (isUnknown(ctx.g)) {
    if (g !== Need.MayHave) standalone.log!.assume(ctx.g, g === Need.MustHave ? Assume.GSome : Assume.GNone);
  } else {
    if (g === Need.MustHave && ctx.g === NoGoroutine)
      throw new OrderError("expected a goroutine but didn't have one");
    if (g === Need.MustNotHave && ctx.g !== NoGoroutine)
      throw new OrderError("expected no goroutine but had one");
  }
}

export const userGo = (ctx: SchedCtx): void => validateCtx(ctx, Need.MustHave, Need.MustHave, Need.MustHave);
