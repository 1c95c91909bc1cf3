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

/** An id → value table where id 0 always means the empty value, as in Go. */
export class IdTable<T> {
  private readonly map = new Map<number, T>();
  constructor(private readonly zero: T) {}

  has(id: number): boolean {
    return id === 0 || this.map.has(id);
  }

  get(id: number): T | undefined {
    if (id === 0) return this.zero;
    return this.map.get(id);
  }

  /** Adds a value; false if the id is already taken. */
  insert(id: number, value: T): boolean {
    if (this.has(id)) return false;
    this.map.set(id, value);
    return true;
  }

  /** Adds a value under the next free id (ids count from 1). */
  append(value: T): number {
    const id = this.map.size + 1;
    this.map.set(id, value);
    return id;
  }

  get size(): number {
    return this.map.size;
  }

  entries(): IterableIterator<[number, T]> {
    return this.map.entries();
  }
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
    return Math.trunc(ticks * this.nsPerTick);
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
