/**
 * Merging the per-P batches of an old trace into one stream (Go 1.7+).
 *
 * Events within a P's batch are in order. Across Ps, goroutine sequence
 * numbers say which event must come first: an event is "ready" when the
 * goroutine it moves is in the state (and at the sequence number) the event
 * expects. Among the ready heads of all Ps, the one with the lowest
 * timestamp goes next. The min-heap below is Go's container/heap step for
 * step, so events with equal timestamps come out in Go's order.
 */
import { V1 } from "./spec.js";

export const enum GStatus {
  Dead = 0,
  Runnable = 1,
  Running = 2,
  Waiting = 3,
}

/** Pseudo goroutine of events with no ordering constraint (Go: ^uint64(0)). */
export const unordered = -1;
/** Pseudo goroutine carrying the GC sequence (Go: ^uint64(0)-1). */
export const garbage = -2;
/** "Any sequence number" when checking, "keep it" when applying. */
export const noseq = -1;
/** "One more than the current sequence number". */
export const seqinc = -2;

export interface GState {
  seq: number;
  status: GStatus;
}

/** The goroutine an event moves, the state it needs, and the state it leaves. */
export interface Transition {
  g: number;
  initSeq: number;
  initStatus: GStatus;
  nextSeq: number;
  nextStatus: GStatus;
}

export function newTransition(): Transition {
  return { g: unordered, initSeq: 0, initStatus: GStatus.Dead, nextSeq: 0, nextStatus: GStatus.Dead };
}

function set(t: Transition, g: number, is: number, ist: GStatus, ns: number, nst: GStatus): void {
  t.g = g;
  t.initSeq = is;
  t.initStatus = ist;
  t.nextSeq = ns;
  t.nextStatus = nst;
}

/** Fills `t` for an event of type `typ` on goroutine `g` with arguments a0, a1. */
export function stateTransition(t: Transition, typ: number, g: number, a0: number, a1: number): void {
  switch (typ) {
    case V1.GoCreate:
      set(t, a0, 0, GStatus.Dead, 1, GStatus.Runnable);
      return;
    case V1.GoWaiting:
    case V1.GoInSyscall:
      set(t, g, 1, GStatus.Runnable, 2, GStatus.Waiting);
      return;
    case V1.GoStart:
    case V1.GoStartLabel:
      set(t, g, a1, GStatus.Runnable, a1 + 1, GStatus.Running);
      return;
    case V1.GoStartLocal:
      // Emitted on the P of the GoCreate/GoUnblock it follows, so ready as soon as it is reached.
      set(t, g, noseq, GStatus.Runnable, seqinc, GStatus.Running);
      return;
    case V1.GoBlock:
    case V1.GoBlockSend:
    case V1.GoBlockRecv:
    case V1.GoBlockSelect:
    case V1.GoBlockSync:
    case V1.GoBlockCond:
    case V1.GoBlockNet:
    case V1.GoSleep:
    case V1.GoSysBlock:
    case V1.GoBlockGC:
      set(t, g, noseq, GStatus.Running, noseq, GStatus.Waiting);
      return;
    case V1.GoSched:
    case V1.GoPreempt:
      set(t, g, noseq, GStatus.Running, noseq, GStatus.Runnable);
      return;
    case V1.GoUnblock:
    case V1.GoSysExit:
      set(t, a0, a1, GStatus.Waiting, a1 + 1, GStatus.Runnable);
      return;
    case V1.GoUnblockLocal:
    case V1.GoSysExitLocal:
      set(t, a0, noseq, GStatus.Waiting, seqinc, GStatus.Runnable);
      return;
    case V1.GCStart:
      set(t, garbage, a0, GStatus.Dead, a0 + 1, GStatus.Dead);
      return;
    default:
      t.g = unordered;
  }
}

const zeroState: GState = { seq: 0, status: GStatus.Dead };

/**
 * Goroutine IDs count up from 1, so states live in arrays indexed by ID (plus
 * 2, for the GC's pseudo goroutine); IDs past this bound (damaged traces) go
 * to a map. A trace with millions of goroutines then costs 9 bytes each.
 */
const denseLimit = 1 << 26;

export class GoroutineStates {
  private seq = new Float64Array(1024);
  private status = new Uint8Array(1024);
  private readonly sparse = new Map<number, GState>();

  private static slot(g: number): number {
    const i = g + 2;
    return i >= 0 && i < denseLimit && Number.isInteger(i) ? i : -1;
  }

  get(g: number): GState {
    const i = GoroutineStates.slot(g);
    if (i < 0) return this.sparse.get(g) ?? zeroState;
    if (i >= this.seq.length) return zeroState;
    return { seq: this.seq[i]!, status: this.status[i]! };
  }

  ready(t: Transition): boolean {
    if (t.g === unordered) return true;
    const i = GoroutineStates.slot(t.g);
    let seq = 0;
    let status = GStatus.Dead;
    if (i < 0) {
      const cur = this.sparse.get(t.g) ?? zeroState;
      seq = cur.seq;
      status = cur.status;
    } else if (i < this.seq.length) {
      seq = this.seq[i]!;
      status = this.status[i]!;
    }
    return (t.initSeq === noseq || t.initSeq === seq) && t.initStatus === status;
  }

  /** Applies a transition; false if it is not ready (the trace is inconsistent). */
  apply(t: Transition): boolean {
    if (t.g === unordered) return true;
    if (!this.ready(t)) return false;
    const i = GoroutineStates.slot(t.g);
    if (i < 0) {
      let cur = this.sparse.get(t.g);
      if (!cur) {
        cur = { seq: 0, status: GStatus.Dead };
        this.sparse.set(t.g, cur);
      }
      if (t.nextSeq === seqinc) cur.seq++;
      else if (t.nextSeq !== noseq) cur.seq = t.nextSeq;
      cur.status = t.nextStatus;
      return true;
    }
    if (i >= this.seq.length) this.grow(i);
    if (t.nextSeq === seqinc) this.seq[i]!++;
    else if (t.nextSeq !== noseq) this.seq[i] = t.nextSeq;
    this.status[i] = t.nextStatus;
    return true;
  }

  private grow(i: number): void {
    let n = this.seq.length;
    while (n <= i) n *= 2;
    const seq = new Float64Array(n);
    seq.set(this.seq);
    this.seq = seq;
    const status = new Uint8Array(n);
    status.set(this.status);
    this.status = status;
  }
}

/** A min-heap by timestamp, with container/heap's exact moves. */
export class Frontier<T> {
  readonly items: T[] = [];
  constructor(private readonly ts: (x: T) => number) {}

  get length(): number {
    return this.items.length;
  }

  push(x: T): void {
    const h = this.items;
    h.push(x);
    let j = h.length - 1;
    for (;;) {
      const i = Math.trunc((j - 1) / 2);
      if (i === j || !(this.ts(h[j]!) < this.ts(h[i]!))) break;
      const t = h[i]!;
      h[i] = h[j]!;
      h[j] = t;
      j = i;
    }
  }

  pop(): T {
    const h = this.items;
    const n = h.length - 1;
    const t = h[0]!;
    h[0] = h[n]!;
    h[n] = t;
    this.down(0, n);
    return h.pop()!;
  }

  private down(i0: number, n: number): void {
    const h = this.items;
    let i = i0;
    for (;;) {
      const j1 = 2 * i + 1;
      if (j1 >= n) break;
      let j = j1;
      const j2 = j1 + 1;
      if (j2 < n && this.ts(h[j2]!) < this.ts(h[j1]!)) j = j2;
      if (!(this.ts(h[j]!) < this.ts(h[i]!))) break;
      const t = h[i]!;
      h[i] = h[j]!;
      h[j] = t;
      i = j;
    }
  }
}
