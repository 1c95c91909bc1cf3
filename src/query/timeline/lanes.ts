/**
 * Lanes: one depth of one row, as an ItemSource the LOD walk reads. A lane
 * is a run of a timeline table, read in place (the proc view's execution
 * slices are a contiguous run), through a permutation (the thread view's),
 * or a small sorted copy (global ranges, a goroutine's syscalls).
 */
import type { ItemSource } from "./lod.js";
import { SampledPrefix } from "./lod.js";

/** Tags in the low 4 bits of slice IDs: which table a slice comes from. */
export const enum Tag {
  Exec = 0,
  Syscall = 1,
  ProcRange = 2,
  GlobalRange = 3,
  Task = 4,
  Region = 5,
  /** A goroutine-view state segment: (exec slice or goroutine, part). */
  State = 6,
  /** A goroutine-view state segment before the goroutine first ran: (goroutine, part). */
  StateStart = 7,
}

export const tagBits = 16;

export function sliceID(tag: Tag, index: number): number {
  return index * tagBits + tag;
}

export function splitID(id: number): { tag: Tag; index: number } {
  return { tag: (id % tagBits) as Tag, index: Math.floor(id / tagBits) };
}

export interface Lane extends ItemSource {
  readonly depth: number;
  /** Slice ID of item k (for /slice). */
  id(k: number): number;
  /** Goroutine ID or −SliceCategory. */
  color(k: number): number;
  label(k: number): string;
}

export interface LaneParts {
  readonly depth: number;
  readonly tag: Tag;
  readonly startNs: Float64Array;
  readonly endNs: (i: number) => number;
  /** Table rows of the lane: rows[from .. to) of `order`, or table rows from .. to without one. */
  readonly from: number;
  readonly to: number;
  readonly order?: Int32Array;
  readonly color: (i: number) => number;
  readonly label: (i: number) => string;
}

/** A lane over table rows, in place or through a permutation. */
export class TableLane implements Lane {
  readonly n: number;
  readonly depth: number;
  private sums: SampledPrefix | undefined;

  constructor(private readonly parts: LaneParts) {
    this.n = parts.to - parts.from;
    this.depth = parts.depth;
  }

  /** The table row of item k. */
  row(k: number): number {
    const p = this.parts;
    return p.order ? p.order[p.from + k]! : p.from + k;
  }

  start(k: number): number {
    return this.parts.startNs[this.row(k)]!;
  }

  end(k: number): number {
    return this.parts.endNs(this.row(k));
  }

  prefix(k: number): number {
    this.sums ??= new SampledPrefix(this.n, (j) => this.end(j) - this.start(j));
    return this.sums.at(k);
  }

  id(k: number): number {
    return sliceID(this.parts.tag, this.row(k));
  }

  color(k: number): number {
    return this.parts.color(this.row(k));
  }

  label(k: number): string {
    return this.parts.label(this.row(k));
  }
}

/** Sorts table rows by start: for small tables whose rows were appended at their end. */
export function sortedRows(rows: ArrayLike<number>, start: (i: number) => number): Int32Array {
  return Int32Array.from(rows).sort((a, b) => start(a) - start(b) || a - b);
}

/** One item of an ArrayLane while it is being built. */
export interface LaneItem {
  readonly startNs: number;
  readonly endNs: number;
  readonly id: number;
  readonly color: number;
}

/** A lane copied into its own arrays (small or mixed sources: a P's syscalls and mark assists). */
export class ArrayLane implements Lane {
  readonly n: number;
  private readonly starts: Float64Array;
  private readonly ends: Float64Array;
  private readonly ids: Float64Array;
  private readonly colors: Float64Array;
  private sums: SampledPrefix | undefined;

  constructor(
    readonly depth: number,
    items: LaneItem[],
    private readonly labelOf: (id: number) => string,
  ) {
    items.sort((a, b) => a.startNs - b.startNs || a.endNs - b.endNs);
    this.n = items.length;
    this.starts = Float64Array.from(items, (x) => x.startNs);
    this.ends = Float64Array.from(items, (x) => x.endNs);
    this.ids = Float64Array.from(items, (x) => x.id);
    this.colors = Float64Array.from(items, (x) => x.color);
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
    return this.ids[k]!;
  }
  color(k: number): number {
    return this.colors[k]!;
  }
  label(k: number): string {
    return this.labelOf(this.ids[k]!);
  }
}
