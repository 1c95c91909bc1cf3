/**
 * Old-format events held in columns: an old trace is read whole (its tables
 * come last), so millions of events wait in memory between parsing and
 * conversion. One typed array per field keeps that at 41 bytes an event
 * (45 for files past 4 GiB), with nothing for the garbage collector to walk.
 * No event has more than three arguments: the user log's inline message ID
 * rides in a2, which its own arguments leave free.
 */

/** Marks a g/a0/a1 value that does not fit 32 bits (argument values are non-negative integers). */
const wide = 0xffffffff;

export class V1Events {
  /** Timestamps: ticks relative to the trace's first batch until converted, then ns from the first event. */
  ts: Float64Array;
  /** Goroutine the event happened on (32 bits, like a0; wider IDs in `bigG`): use getG/setG. */
  g: Uint32Array;
  readonly bigG = new Map<number, number>();
  /**
   * The first two arguments, 32 bits wide: wider values (heap sizes, task
   * IDs from damaged traces …) are rare, and are marked `wide` here with the
   * value in `big0`/`big1`. Read and write them with getA0/setA0, getA1/setA1.
   */
  a0: Uint32Array;
  a1: Uint32Array;
  readonly big0 = new Map<number, number>();
  readonly big1 = new Map<number, number>();
  a2: Float64Array;
  /** Stack ID (Go keeps it as a uint32). */
  stk: Uint32Array;
  /** P the event happened on, or one of the fake Ps (TimerP …). */
  p: Int32Array;
  type: Uint8Array;
  /** Byte offset of the event in the file, for error messages (doubles only for files past 4 GiB). */
  off: Uint32Array | Float64Array;
  /** Go 1.5 only: the global sequence number events are ordered by. */
  seq: Float64Array | undefined;
  length = 0;

  constructor(capacity = 64, withSeq = false, wideOffsets = false) {
    this.ts = new Float64Array(capacity);
    this.g = new Uint32Array(capacity);
    this.a0 = new Uint32Array(capacity);
    this.a1 = new Uint32Array(capacity);
    this.a2 = new Float64Array(capacity);
    this.stk = new Uint32Array(capacity);
    this.p = new Int32Array(capacity);
    this.type = new Uint8Array(capacity);
    this.off = wideOffsets ? new Float64Array(capacity) : new Uint32Array(capacity);
    this.seq = withSeq ? new Float64Array(capacity) : undefined;
  }

  /** Makes room for one more event and returns its index (fields hold stale values). */
  grow(): number {
    if (this.length === this.ts.length) this.resize(this.ts.length * 2);
    return this.length++;
  }

  clear(): void {
    this.length = 0;
  }

  getG(i: number): number {
    const v = this.g[i]!;
    return v === wide ? this.bigG.get(i)! : v;
  }

  setG(i: number, v: number): void {
    if (v < wide) this.g[i] = v;
    else {
      this.g[i] = wide;
      this.bigG.set(i, v);
    }
  }

  getA0(i: number): number {
    const v = this.a0[i]!;
    return v === wide ? this.big0.get(i)! : v;
  }

  getA1(i: number): number {
    const v = this.a1[i]!;
    return v === wide ? this.big1.get(i)! : v;
  }

  setA0(i: number, v: number): void {
    if (v < wide) this.a0[i] = v;
    else {
      this.a0[i] = wide;
      this.big0.set(i, v);
    }
  }

  setA1(i: number, v: number): void {
    if (v < wide) this.a1[i] = v;
    else {
      this.a1[i] = wide;
      this.big1.set(i, v);
    }
  }

  arg(i: number, k: number): number {
    return k === 0 ? this.getA0(i) : k === 1 ? this.getA1(i) : this.a2[i]!;
  }

  setArg(i: number, k: number, v: number): void {
    if (k === 0) this.setA0(i, v);
    else if (k === 1) this.setA1(i, v);
    else this.a2[i] = v;
  }

  /** Appends event `i` of `src` and returns its index here. */
  copyFrom(src: V1Events, i: number): number {
    const j = this.grow();
    this.ts[j] = src.ts[i]!;
    this.setG(j, src.getG(i));
    this.setA0(j, src.getA0(i));
    this.setA1(j, src.getA1(i));
    this.a2[j] = src.a2[i]!;
    this.stk[j] = src.stk[i]!;
    this.p[j] = src.p[i]!;
    this.type[j] = src.type[i]!;
    this.off[j] = src.off[i]!;
    if (this.seq && src.seq) this.seq[j] = src.seq[i]!;
    return j;
  }

  private resize(capacity: number): void {
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(capacity);
      b.set(a.subarray(0, this.length));
      return b;
    };
    this.ts = f64(this.ts);
    const u32 = (a: Uint32Array) => {
      const b = new Uint32Array(capacity);
      b.set(a.subarray(0, this.length));
      return b;
    };
    this.g = u32(this.g);
    this.a0 = u32(this.a0);
    this.a1 = u32(this.a1);
    this.a2 = f64(this.a2);
    const off = this.off instanceof Float64Array ? new Float64Array(capacity) : new Uint32Array(capacity);
    off.set(this.off.subarray(0, this.length));
    this.off = off;
    if (this.seq) this.seq = f64(this.seq);
    const stk = new Uint32Array(capacity);
    stk.set(this.stk.subarray(0, this.length));
    this.stk = stk;
    const p = new Int32Array(capacity);
    p.set(this.p.subarray(0, this.length));
    this.p = p;
    const type = new Uint8Array(capacity);
    type.set(this.type.subarray(0, this.length));
    this.type = type;
  }
}

/**
 * The parsed trace: events in their final order (`order` lists indices into
 * `events`, since only the events Go moves need to move), and the tables.
 */
export interface V1Trace {
  readonly version: number;
  readonly events: V1Events;
  readonly order: Uint32Array;
  readonly stacks: Map<number, number[]>;
  readonly pcs: Map<number, { fn: number; file: number; line: number }>;
  readonly strings: Map<number, string>;
  readonly inlineStrings: string[];
  /** Go 1.5–1.10: goroutines whose mark assist ends before any began (it was under way at the start). */
  readonly assistsAtStart?: readonly number[];
}
