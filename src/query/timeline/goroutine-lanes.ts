/**
 * A goroutine's row in the goroutine view: its life as consecutive state
 * segments (blocked, runnable, running) derived from its execution slices
 * and the times it became runnable, so no per-transition storage is
 * needed. Materialized when the row is first asked for and kept in a small
 * cache (a goroutine with 1M slices costs ~24 MB while cached).
 */

import type { Timeline } from "../../model/timeline.js";
import { type Lane, sliceID, Tag } from "./lanes.js";
import { SampledPrefix } from "./lod.js";
import { SliceCategory } from "./protocol.js";

export const enum Part {
  Running = 0,
  /** Blocked (or in a syscall that lost its P) after the slice, until runnable. */
  Waiting = 1,
  Runnable = 2,
}

/** One segment of a goroutine's life, as details need it. */
export interface Segment {
  readonly startNs: number;
  readonly endNs: number;
  readonly part: Part;
  /** The execution slice it follows (or is), −1 before the first. */
  readonly exec: number;
  readonly state: string;
}

/** Receives one segment: its times, part, the slice it follows (−1 before the first) and its state's string ID. */
export type SegmentVisitor = (
  startNs: number,
  endNs: number,
  part: Part,
  exec: number,
  state: number,
) => void;

/**
 * The segments of goroutine g (index), in time order, empty ones left out,
 * without an object per segment (G1 of a 35M-event trace has 2.4M slices).
 */
export function forEachSegment(tl: Timeline, g: number, visit: SegmentVisitor): void {
  const x = tl.exec;
  const G = tl.goroutines;
  const { order, starts } = tl.execByG;
  const from = starts[g]!;
  const to = starts[g + 1]!;
  const runnable = tl.strings.intern("runnable");
  const running = tl.strings.intern("running");
  const blocked = tl.strings.intern("blocked");
  const ended = tl.strings.intern("ended");
  const endOfLife = tl.lifeEndNs(g);
  const gap = (exec: number, gapStart: number, readyNs: number, gapEnd: number, blockedState: number) => {
    const ready = Number.isNaN(readyNs) ? gapEnd : Math.min(Math.max(readyNs, gapStart), gapEnd);
    if (ready > gapStart) visit(gapStart, ready, Part.Waiting, exec, blockedState);
    if (gapEnd > ready) visit(ready, gapEnd, Part.Runnable, exec, runnable);
  };
  const firstStart = from < to ? x.startNs.get(order[from]!) : endOfLife;
  const created = Math.min(G.createdNs.get(g), firstStart);
  gap(-1, created, G.firstReadyNs.get(g), firstStart, G.firstState.get(g) || blocked);
  for (let k = from; k < to; k++) {
    const i = order[k]!;
    const e = x.threadEnd(i);
    visit(x.startNs.get(i), e, Part.Running, i, running);
    const state = x.endState.get(i);
    // An ended goroutine whose ID is used again (cgo callbacks) lives again from its next slice.
    if (state === ended) continue;
    const next = k + 1 < to ? x.startNs.get(order[k + 1]!) : endOfLife;
    if (next > e) gap(i, e, x.readyNs.get(i), next, state);
  }
}

/** The segments of goroutine g as objects (details and tests; the lane uses forEachSegment). */
export function goroutineSegments(tl: Timeline, g: number, visit: (s: Segment) => void): void {
  forEachSegment(tl, g, (startNs, endNs, part, exec, state) =>
    visit({ startNs, endNs, part, exec, state: tl.strings.get(state) }),
  );
}

/** The state lane of a goroutine row, materialized into typed arrays. */
export class StateLane implements Lane {
  readonly depth = 0;
  readonly n: number;
  private readonly starts: Float64Array;
  private readonly ends: Float64Array;
  private readonly exec: Int32Array;
  private readonly parts: Uint8Array;
  private readonly states: Int32Array;
  private readonly goroutineID: number;
  private sums: SampledPrefix | undefined;

  constructor(
    private readonly tl: Timeline,
    private readonly g: number,
  ) {
    let n = 0;
    forEachSegment(tl, g, () => n++);
    this.n = n;
    this.starts = new Float64Array(n);
    this.ends = new Float64Array(n);
    this.exec = new Int32Array(n);
    this.parts = new Uint8Array(n);
    this.states = new Int32Array(n);
    let k = 0;
    forEachSegment(tl, g, (s, e, part, exec, state) => {
      this.starts[k] = s;
      this.ends[k] = e;
      this.exec[k] = exec;
      this.parts[k] = part;
      this.states[k++] = state;
    });
    this.goroutineID = tl.goroutines.id.get(g);
  }

  start(k: number): number {
    return this.starts[k]!;
  }
  end(k: number): number {
    return this.ends[k]!;
  }
  prefix(k: number): number {
    this.sums ??= new SampledPrefix(this.n, (j) => this.ends[j]! - this.starts[j]!);
    return this.sums.at(k);
  }
  id(k: number): number {
    return stateSegmentID(this.g, this.exec[k]!, this.parts[k]! as Part);
  }
  color(k: number): number {
    const part = this.parts[k]! as Part;
    if (part === Part.Running) return this.goroutineID;
    if (part === Part.Runnable) return -SliceCategory.Runnable;
    return this.label(k).startsWith("syscall") ? -SliceCategory.BlockedSyscall : -SliceCategory.Blocked;
  }
  label(k: number): string {
    return this.tl.strings.get(this.states[k]!);
  }
}

/**
 * IDs of state segments: after an execution slice, (slice, part); before
 * the first, (goroutine, part) under a separate tag.
 */
export function stateSegmentID(g: number, exec: number, part: Part): number {
  return exec >= 0 ? sliceID(Tag.State, exec * 4 + part) : sliceID(Tag.StateStart, g * 4 + part);
}
