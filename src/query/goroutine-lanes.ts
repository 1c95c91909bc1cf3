/**
 * A goroutine's row in the goroutine view: its life as consecutive state
 * segments (blocked, runnable, running) derived from its execution slices
 * and the times it became runnable, so no per-transition storage is
 * needed. Materialized when the row is first asked for and kept in a small
 * cache (a goroutine with 1M slices costs ~24 MB while cached).
 */

import type { Timeline } from "../model/timeline.js";
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

/** The segments of goroutine g (index), in time order, empty ones left out. */
export function goroutineSegments(tl: Timeline, g: number, visit: (s: Segment) => void): void {
  const x = tl.exec;
  const G = tl.goroutines;
  const { order, starts } = tl.execByG;
  const from = starts[g]!;
  const to = starts[g + 1]!;
  const endOfLife = Number.isNaN(G.endNs.get(g)) ? tl.durationNs : G.endNs.get(g);
  const emitGap = (exec: number, gapStart: number, readyNs: number, gapEnd: number, blockedState: string) => {
    const ready = Number.isNaN(readyNs) ? gapEnd : Math.min(Math.max(readyNs, gapStart), gapEnd);
    if (ready > gapStart)
      visit({ startNs: gapStart, endNs: ready, part: Part.Waiting, exec, state: blockedState });
    if (gapEnd > ready)
      visit({ startNs: ready, endNs: gapEnd, part: Part.Runnable, exec, state: "runnable" });
  };
  const firstStart = from < to ? x.startNs.get(order[from]!) : endOfLife;
  const created = Math.min(G.createdNs.get(g), firstStart);
  emitGap(-1, created, G.firstReadyNs.get(g), firstStart, tl.strings.get(G.firstState.get(g)) || "blocked");
  for (let k = from; k < to; k++) {
    const i = order[k]!;
    const s = x.startNs.get(i);
    const e = x.threadEnd(i);
    visit({ startNs: s, endNs: e, part: Part.Running, exec: i, state: "running" });
    const state = tl.strings.get(x.endState.get(i));
    // An ended goroutine whose ID is used again (cgo callbacks) lives again from its next slice.
    if (state === "ended") continue;
    const next = k + 1 < to ? x.startNs.get(order[k + 1]!) : endOfLife;
    if (next > e) emitGap(i, e, x.readyNs.get(i), next, state);
  }
}

/** The state lane of a goroutine row, materialized. */
export class StateLane implements Lane {
  readonly depth = 0;
  readonly n: number;
  private readonly starts: Float64Array;
  private readonly ends: Float64Array;
  private readonly exec: Int32Array;
  private readonly parts: Uint8Array;
  private readonly states: string[];
  private readonly stateOf: Uint16Array;
  private sums: SampledPrefix | undefined;

  constructor(
    tl: Timeline,
    private readonly g: number,
  ) {
    const segs: Segment[] = [];
    goroutineSegments(tl, g, (s) => segs.push(s));
    this.n = segs.length;
    this.starts = Float64Array.from(segs, (s) => s.startNs);
    this.ends = Float64Array.from(segs, (s) => s.endNs);
    this.exec = Int32Array.from(segs, (s) => s.exec);
    this.parts = Uint8Array.from(segs, (s) => s.part);
    const ids = new Map<string, number>();
    this.states = [];
    this.stateOf = Uint16Array.from(segs, (s) => {
      let id = ids.get(s.state);
      if (id === undefined) {
        id = this.states.length;
        this.states.push(s.state);
        ids.set(s.state, id);
      }
      return Math.min(id, 0xffff);
    });
    this.goroutineID = tl.goroutines.id.get(g);
  }

  private readonly goroutineID: number;

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
    const state = this.states[this.stateOf[k]!]!;
    return state.startsWith("syscall") ? -SliceCategory.BlockedSyscall : -SliceCategory.Blocked;
  }
  label(k: number): string {
    return this.states[this.stateOf[k]!]!;
  }
}

/**
 * IDs of state segments: after an execution slice, (slice, part); before
 * the first, (goroutine, part) under a separate tag.
 */
export function stateSegmentID(g: number, exec: number, part: Part): number {
  return exec >= 0 ? sliceID(Tag.State, exec * 4 + part) : sliceID(Tag.StateStart, g * 4 + part);
}
