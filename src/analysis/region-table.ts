/**
 * User regions in columns: a trace can hold millions of them (one per item
 * of a pipeline stage, say), so they are rows of typed arrays with interned
 * types and frames, turned into objects only when asked for.
 */

import { F64Column, IntColumn, RelColumn } from "../model/columns.js";
import type { GoState, StackFrame } from "../model/vocabulary.js";

/** One end of a region: its own RegionBegin/RegionEnd, or a goroutine's creation or exit standing in for it. */
export interface RegionEdge {
  readonly timeNs: number;
  /** The goroutine the event belongs to (the region's). */
  readonly g: number;
  /**
   * "region": a RegionBegin/RegionEnd event. "goroutine": a goroutine state
   * change, for a region inherited at creation (start) or cut short by the
   * goroutine's exit (end); `from`/`to` give the change.
   */
  readonly kind: "region" | "goroutine";
  readonly from?: GoState;
  readonly to?: GoState;
}

export interface RegionInstance {
  /** The region type; "" for the stand-in region a goroutine inherits from its creator's innermost region. */
  readonly type: string;
  readonly task: number;
  readonly g: number;
  readonly start: RegionEdge | undefined;
  readonly end: RegionEdge | undefined;
  /** Outermost frame of the start event's stack, Go's grouping key with the type; undefined without a stack. */
  readonly frame: StackFrame | undefined;
  /** Start and end, with the trace's bounds standing in for missing ends (as Go's pages do). */
  readonly startNs: number;
  readonly endNs: number;
  readonly durNs: number;
}

/**
 * IDs (tasks, goroutines) that are small integers in practice but may be any
 * uint64 the trace spells: an IntColumn (1–4 bytes a row) until a value
 * does not fit, then a Float64 column from then on for every row.
 */
class IdColumn {
  private ints: IntColumn | undefined = new IntColumn();
  private wide: F64Column | undefined;

  push(v: number): void {
    if (this.ints) {
      if (Number.isInteger(v) && v >= -1 && v < 0x7fffffff) {
        this.ints.push(v);
        return;
      }
      const wide = new F64Column();
      for (let i = 0; i < this.ints.length; i++) wide.push(this.ints.get(i));
      this.wide = wide;
      this.ints = undefined;
    }
    this.wide!.push(v);
  }

  get(i: number): number {
    return this.ints ? this.ints.get(i) : this.wide!.get(i);
  }
}

/** Edge codes: none, a region event, a goroutine state change (from/to in the high bits). */
const noEdge = 0;
const regionEdge = 1;
const goroutineEdge = 2;

export class RegionTable {
  length = 0;
  private types: string[] = [];
  private readonly typeIds = new Map<string, number>();
  private frames: StackFrame[] = [];
  private readonly frameIds = new Map<string, number>();
  // Chunked columns: no copy as they grow, no room left over at the end.
  private readonly typeCol = new IntColumn();
  private readonly frameCol = new IntColumn();
  private readonly taskCol = new IdColumn();
  private readonly gCol = new IdColumn();
  private readonly startCol = new F64Column();
  /** The end from the start: 4 bytes while under 2.1 s (an end whose begin was not traced is kept whole). */
  private readonly endCol = new RelColumn(this.startCol);
  /** Edge code | from << 2 | to << 5, for the start and the end. */
  private readonly startEdge = new IntColumn();
  private readonly endEdge = new IntColumn();
  /** The trace's bounds, for ends not seen; set when the trace is done. */
  traceStartNs = 0;
  traceEndNs = 0;

  /** The id of a type string (or -1 if no region has it). */
  typeId(type: string): number {
    return this.typeIds.get(type) ?? -1;
  }

  /** The id of a frame (interned by all four fields, as Go compares them), or -1 for none. */
  frameId(f: StackFrame | undefined): number {
    if (!f) return -1;
    const key = `${f.pc}\u0000${f.func}\u0000${f.file}\u0000${f.line}`;
    let id = this.frameIds.get(key);
    if (id === undefined) {
      id = this.frames.length;
      this.frames.push(f);
      this.frameIds.set(key, id);
    }
    return id;
  }

  frame(id: number): StackFrame | undefined {
    return id < 0 ? undefined : this.frames[id];
  }

  /** A new region with neither end yet; returns its row. */
  add(type: string, task: number, g: number, frameId: number): number {
    let t = this.typeIds.get(type);
    if (t === undefined) {
      t = this.types.length;
      this.types.push(type);
      this.typeIds.set(type, t);
    }
    const row = this.length++;
    this.typeCol.push(t);
    this.frameCol.push(frameId);
    this.taskCol.push(task);
    this.gCol.push(g);
    this.startCol.push(0);
    this.endCol.push(0);
    this.startEdge.push(noEdge);
    this.endEdge.push(noEdge);
    return row;
  }

  /** Sets where a region starts: a RegionBegin, or (with from/to) the goroutine's creation. */
  setStart(row: number, timeNs: number, from?: GoState, to?: GoState): void {
    this.startCol.set(row, timeNs);
    this.startEdge.set(row, from === undefined ? regionEdge : goroutineEdge | (from << 2) | (to! << 5));
  }

  /** Sets where a region ends: a RegionEnd, or (with from/to) the goroutine's exit. */
  setEnd(row: number, timeNs: number, from?: GoState, to?: GoState): void {
    this.endCol.set(row, timeNs);
    this.endEdge.set(row, from === undefined ? regionEdge : goroutineEdge | (from << 2) | (to! << 5));
  }

  typeOf(row: number): number {
    return this.typeCol.get(row);
  }

  frameOf(row: number): number {
    return this.frameCol.get(row);
  }

  taskOf(row: number): number {
    return this.taskCol.get(row);
  }

  /** Start (or the trace start if not traced). */
  startNs(row: number): number {
    return this.startEdge.get(row) === noEdge ? this.traceStartNs : this.startCol.get(row);
  }

  /** End (or the trace end if not traced). */
  endNs(row: number): number {
    return this.endEdge.get(row) === noEdge ? this.traceEndNs : this.endCol.get(row);
  }

  durNs(row: number): number {
    return this.endNs(row) - this.startNs(row);
  }

  private edge(code: number, timeNs: number, g: number): RegionEdge | undefined {
    if (code === noEdge) return undefined;
    if ((code & 3) === regionEdge) return { timeNs, g, kind: "region" };
    return { timeNs, g, kind: "goroutine", from: (code >> 2) & 7, to: (code >> 5) & 7 };
  }

  /** Row `row` as an object. */
  get(row: number): RegionInstance {
    const g = this.gCol.get(row);
    const startNs = this.startNs(row);
    const endNs = this.endNs(row);
    return {
      type: this.types[this.typeCol.get(row)]!,
      task: this.taskCol.get(row),
      g,
      start: this.edge(this.startEdge.get(row), this.startCol.get(row), g),
      end: this.edge(this.endEdge.get(row), this.endCol.get(row), g),
      frame: this.frame(this.frameCol.get(row)),
      startNs,
      endNs,
      durNs: endNs - startNs,
    };
  }

  typeName(id: number): string {
    return this.types[id]!;
  }
}
