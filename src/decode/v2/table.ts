/**
 * Per-generation tables: strings, stacks, PCs → frames, extra strings made by
 * the reader, the frequency and clock snapshot, and experimental batches.
 * Every event of a generation refers to the table of its generation.
 */

export interface Frame {
  readonly pc: number;
  readonly funcID: number;
  readonly fileID: number;
  readonly line: number;
}

export interface ExperimentalBatch {
  /** Thread that wrote the batch (-1 for none). */
  readonly thread: number;
  readonly data: Uint8Array;
}

/** A clock snapshot (Go 1.25+): the trace clock, the monotonic clock and the wall clock at one moment. */
export interface ClockSnapshotRaw {
  /** Ticks. */
  readonly time: number;
  /** Monotonic clock in ns: exact, as it may exceed 2^53 on hosts up for months. */
  readonly mono: bigint;
  readonly sec: number;
  readonly nsec: number;
}

/**
 * Go's Time(float64): truncation toward zero, and on amd64 the value Go's
 * conversion gives for NaN, ±Inf and anything outside int64 (−2^63).
 */
export function toGoTime(ns: number): number {
  const t = Math.trunc(ns);
  return t < 2 ** 63 && t >= -(2 ** 63) ? t : -(2 ** 63);
}

/** An id → value table where id 0 always means the empty value, as in Go. */
export class IdTable<T> {
  // IDs are small and dense in practice (the runtime counts from 1), so they
  // index an array; anything unusually large goes to a map.
  private readonly dense: (T | undefined)[] = [];
  private sparse: Map<number, T> | undefined;
  private count = 0;
  constructor(private readonly zero: T) {}

  has(id: number): boolean {
    if (id === 0) return true;
    if (id < denseLimit) return this.dense[id] !== undefined;
    return this.sparse?.has(id) ?? false;
  }

  get(id: number): T | undefined {
    if (id === 0) return this.zero;
    if (id < denseLimit) return this.dense[id];
    return this.sparse?.get(id);
  }

  /** Adds a value; false if the id is already taken. */
  insert(id: number, value: T): boolean {
    if (this.has(id)) return false;
    if (id < denseLimit) {
      // Fill holes so the array stays packed (V8 keeps holey arrays slower).
      for (let i = this.dense.length; i < id; i++) this.dense.push(undefined);
      this.dense[id] = value;
    } else {
      this.sparse ??= new Map();
      this.sparse.set(id, value);
    }
    this.count++;
    return true;
  }

  /** Adds a value under the next free id (ids count from 1). */
  append(value: T): number {
    const id = this.count + 1;
    this.insert(id, value);
    return id;
  }

  get size(): number {
    return this.count;
  }

  *entries(): IterableIterator<[number, T]> {
    for (let id = 1; id < this.dense.length; id++) {
      const v = this.dense[id];
      if (v !== undefined) yield [id, v];
    }
    if (this.sparse) yield* this.sparse.entries();
  }
}

/** IDs below this live in an array; a hostile trace cannot make us allocate more than this many slots per table. */
const denseLimit = 1 << 20;

/** An EvTable as plain data (EvTable.toPlain), for postMessage. */
export interface PlainTable {
  readonly strings: [number, string][];
  readonly stacks: [number, readonly number[]][];
  readonly pcs: [number, Frame][];
  readonly extraStrings: string[];
  readonly generation: number;
  readonly nsPerTick: number;
  readonly clockSnapshot: ClockSnapshotRaw | undefined;
  readonly expBatches: [number, ExperimentalBatch[]][];
}

export class EvTable {
  readonly strings = new IdTable<string>("");
  readonly stacks = new IdTable<readonly number[]>([]);
  readonly pcs = new Map<number, Frame>();
  private extraStrings: string[] = [];
  private extraStringIDs: Map<string, number> | undefined;
  /** The generation number these tables belong to. */
  generation = 0;
  /** Nanoseconds per tick; 0 until the frequency event is read. */
  nsPerTick = 0;
  clockSnapshot: ClockSnapshotRaw | undefined;
  readonly expBatches = new Map<number, ExperimentalBatch[]>();

  /** Converts ticks to (absolute) nanoseconds exactly as Go: float multiply, then truncate. */
  mul(ticks: number): number {
    return toGoTime(ticks * this.nsPerTick);
  }

  /** Strings the reader itself attaches to events (e.g. a task's type on its end event). */
  addExtraString(s: string): number {
    if (s === "") return 0;
    this.extraStringIDs ??= new Map();
    const known = this.extraStringIDs.get(s);
    if (known !== undefined) return known;
    this.extraStrings.push(s);
    const id = this.extraStrings.length;
    this.extraStringIDs.set(s, id);
    return id;
  }

  getExtraString(id: number): string {
    return id === 0 ? "" : (this.extraStrings[id - 1] ?? "");
  }

  /** How many extra strings the reader has added so far (they only ever grow). */
  get extraStringCount(): number {
    return this.extraStrings.length;
  }

  /** Everything in the table as plain data that structured clone can carry to a worker. */
  toPlain(): PlainTable {
    return {
      strings: [...this.strings.entries()],
      stacks: [...this.stacks.entries()],
      pcs: [...this.pcs.entries()],
      extraStrings: this.extraStrings.slice(),
      generation: this.generation,
      nsPerTick: this.nsPerTick,
      clockSnapshot: this.clockSnapshot,
      expBatches: [...this.expBatches.entries()],
    };
  }

  /** The table `toPlain` described (in a worker). */
  static fromPlain(p: PlainTable): EvTable {
    const t = new EvTable();
    for (const [id, s] of p.strings) t.strings.insert(id, s);
    for (const [id, pcs] of p.stacks) t.stacks.insert(id, pcs);
    for (const [pc, f] of p.pcs) t.pcs.set(pc, f);
    for (const x of p.extraStrings) t.addExtraString(x);
    t.generation = p.generation;
    t.nsPerTick = p.nsPerTick;
    t.clockSnapshot = p.clockSnapshot;
    for (const [k, v] of p.expBatches) t.expBatches.set(k, v);
    return t;
  }

  /** The frames of a stack, outermost last, as Go lists them. */
  frames(stackID: number): { pc: number; func: string; file: string; line: number }[] {
    const pcs = this.stacks.get(stackID);
    if (!pcs) return [];
    return pcs.map((pc) => {
      const f = this.pcs.get(pc);
      return {
        pc,
        func: (f && this.strings.get(f.funcID)) ?? "",
        file: (f && this.strings.get(f.fileID)) ?? "",
        line: f?.line ?? 0,
      };
    });
  }
}
