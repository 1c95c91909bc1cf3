/**
 * Growable typed-array columns and string interning: the storage every
 * timeline table is built from. A 35M-event trace yields about 8M goroutine
 * slices and 7M regions; as objects they would cost ~100 bytes each, as
 * columns 4–8 bytes per field.
 */

type IntArray = Uint8Array | Uint16Array | Int32Array;
type AnyArray = IntArray | Float64Array;

/**
 * Columns are chunks of 64K rows, while a trace is read and after: growing
 * never copies nor leaves half an array spare (doubling a 7.8M-row Float64
 * column would hold 64 MB + 128 MB for a moment), and reordering a column
 * writes new chunks of the sizes just freed, which the allocator hands out
 * again (one whole array per column would be a fresh mapping each time,
 * while the chunks it replaced stay in the process as free heap). The
 * first chunk doubles up to 64K, so small traces stay small; `seal` trims
 * the last chunk to its rows. Row i is chunk i >> 16, index i & 0xffff.
 */
const chunkBits = 16;
const chunkSize = 1 << chunkBits;
const chunkMask = chunkSize - 1;

const empty16 = new Uint16Array(0);
const empty32 = new Int32Array(0);

function make<T extends AnyArray>(like: T, n: number): T {
  return new (like.constructor as new (n: number) => T)(n);
}

/**
 * The last chunk grown to hold one more row: a first chunk doubles up to a
 * whole chunk, a trimmed last chunk becomes whole again. Undefined when it
 * is whole already (a new chunk follows it).
 */
function regrown<T extends AnyArray>(chunks: T[]): T | undefined {
  const last = chunks[chunks.length - 1]!;
  if (last.length >= chunkSize) return undefined;
  const n = chunks.length === 1 ? Math.min(chunkSize, Math.max(16, last.length * 2)) : chunkSize;
  const next = make(last, n);
  next.set(last);
  chunks[chunks.length - 1] = next;
  return next;
}

/** The last chunk cut to the rows in it (`length` rows in all). */
function trimLast<T extends AnyArray>(chunks: T[], length: number): T {
  const rows = length - ((chunks.length - 1) << chunkBits);
  const last = chunks[chunks.length - 1]!;
  if (rows === last.length) return last;
  const cut = last.slice(0, rows) as T;
  chunks[chunks.length - 1] = cut;
  return cut;
}

function join<T extends AnyArray>(chunks: T[], length: number): T {
  const out = make(chunks[0]!, length);
  for (let c = 0; c < chunks.length; c++) {
    const from = c << chunkBits;
    const n = Math.min(chunks[c]!.length, length - from);
    if (n > 0) out.set(chunks[c]!.subarray(0, n), from);
  }
  return out;
}

/** Chunks for `n` rows shaped like `like` (whole chunks, the last one cut to its rows; one empty chunk for none). */
function chunksFor<T extends AnyArray>(like: T, n: number): T[] {
  const out: T[] = [];
  for (let from = 0; from < n || out.length === 0; from += chunkSize)
    out.push(make(like, Math.min(chunkSize, n - from)));
  return out;
}

/**
 * Chunks set free by reordering one column, handed to the next column of
 * the same array type that is reordered to the same row count: the
 * columns of a table reorder in turn without waiting for the collector to
 * free each one's old chunks.
 */
export class ChunkPool {
  private readonly free = new Map<unknown, AnyArray[]>();

  /** Chunks for `n` rows shaped like `like`: freed ones if there are, else new. */
  take<T extends AnyArray>(like: T, n: number): T[] {
    const got = this.free.get(like.constructor);
    if (got && rowsIn(got) === n) {
      this.free.delete(like.constructor);
      return got as T[];
    }
    return chunksFor(like, n);
  }

  /** Chunks no column holds any more (with `n` rows in all). */
  give(chunks: AnyArray[], n: number): void {
    trimLast(chunks, n);
    this.free.set(chunks[0]!.constructor, chunks);
  }
}

function rowsIn(chunks: readonly AnyArray[]): number {
  let n = 0;
  for (const c of chunks) n += c.length;
  return n;
}

/**
 * Integers ≥ −1 in the narrowest array that holds them: starts at 8 bits
 * and widens (to 16, then 32 bits) the first time a larger value arrives.
 * Stack IDs, string IDs, P and M indexes mostly fit in 16 bits, so most
 * columns cost 1–2 bytes a row instead of 4. −1 ("none") is stored as the
 * width's maximum.
 *
 * The last chunk is held in the field of its width (`c8`, `c16` or `c32`,
 * `w` saying which) with `pos` the rows in it and `cap` its size, so an
 * append writes there without finding its chunk, and each store is of one
 * array type (one field holding all three made every append a polymorphic
 * store, several times slower). −1 needs no mapping on append: an 8- or
 * 16-bit array stores it as its maximum, which is what "none" is there.
 */
export class IntColumn {
  private chunks: IntArray[];
  private c8: Uint8Array = new Uint8Array(16);
  private c16: Uint16Array = empty16;
  private c32: Int32Array = empty32;
  /** Bytes a row: 1, 2 or 4. */
  private w = 1;
  private pos = 0;
  private cap = 16;
  /** How −1 is stored, and the largest other value the current width holds. */
  private none = 0xff;
  private max = 0xfe;
  length = 0;

  constructor() {
    this.chunks = [this.c8];
  }

  push(v: number): void {
    if (v > this.max || v < -1) this.widen(v);
    const p = this.pos;
    if (p === this.cap) {
      this.grow();
      this.push(v);
      return;
    }
    const w = this.w;
    if (w === 1) this.c8[p] = v;
    else if (w === 2) this.c16[p] = v;
    else this.c32[p] = v;
    this.pos = p + 1;
    this.length++;
  }

  /** The last chunk, whatever its width. */
  private get cur(): IntArray {
    return this.chunks[this.chunks.length - 1]!;
  }

  /** Makes `a` the last chunk's array written to (it is already in `chunks`), with `rows` rows in it. */
  private setCur(a: IntArray, rows: number): void {
    if (a instanceof Uint8Array) this.c8 = a;
    else if (a instanceof Uint16Array) this.c16 = a;
    else this.c32 = a;
    this.cap = a.length;
    this.pos = rows;
  }

  private grow(): void {
    const next = regrown(this.chunks);
    if (next) this.setCur(next, this.pos);
    else {
      const c = make(this.cur, chunkSize);
      this.chunks.push(c);
      this.setCur(c, 0);
    }
  }

  set(i: number, v: number): void {
    if (v > this.max || v < -1) this.widen(v);
    this.chunks[i >>> chunkBits]![i & chunkMask] = v === -1 ? this.none : v;
  }

  get(i: number): number {
    const v = this.chunks[i >>> chunkBits]![i & chunkMask]!;
    return v === this.none ? -1 : v;
  }

  private widen(v: number): void {
    if (v < -1 || v > 0x7fffffff || !Number.isInteger(v))
      throw new RangeError(`column value ${v} out of range`);
    const to16 = v < 0xffff && this.max === 0xfe;
    const none = to16 ? 0xffff : -1;
    const convert = (a: IntArray): IntArray => {
      const wide = to16 ? new Uint16Array(a.length) : new Int32Array(a.length);
      for (let i = 0; i < a.length; i++) wide[i] = a[i] === this.none ? none : a[i]!;
      return wide;
    };
    this.chunks = this.chunks.map(convert);
    this.none = none;
    this.max = to16 ? 0xfffe : 0x7fffffff;
    this.w = to16 ? 2 : 4;
    this.setCur(this.cur, this.pos);
  }

  /** Trims the last chunk to its rows (building is done). */
  seal(): void {
    this.setCur(trimLast(this.chunks, this.length), this.pos);
  }

  /**
   * Reorders rows: row i becomes old row order[i] (`order` has `length`
   * rows). With a pool, the new chunks may come from it and the old ones go to it.
   */
  permute(order: Int32Array, pool?: ChunkPool): void {
    // One loop per array type: a loop over all three is megamorphic and 3× slower.
    const d = this.chunks[0]!;
    const out = pool ? pool.take(d, order.length) : chunksFor(d, order.length);
    if (d instanceof Uint8Array) gather8(this.chunks as Uint8Array[], order, out as Uint8Array[]);
    else if (d instanceof Uint16Array) gather16(this.chunks as Uint16Array[], order, out as Uint16Array[]);
    else gather32(this.chunks as Int32Array[], order, out as Int32Array[]);
    pool?.give(this.chunks, this.length);
    this.chunks = out;
    const last = out[out.length - 1]!;
    this.setCur(last, last.length);
    this.length = order.length;
  }

  /**
   * Rows grouped by their value plus `shift` (keys 0 .. keys − 1; rows
   * whose key is outside are left out), each group in row order: as
   * `groupByKey`, reading the column's own arrays.
   */
  groupBy(keys: number, shift = 0): { order: Int32Array; starts: Int32Array } {
    const none = this.none;
    const starts = new Int32Array(keys + 1);
    const n = this.length;
    for (let c = 0; c < this.chunks.length; c++) {
      const d = this.chunks[c]!;
      const rows = Math.min(d.length, n - (c << chunkBits));
      for (let i = 0; i < rows; i++) {
        const v = d[i]!;
        const k = (v === none ? -1 : v) + shift;
        if (k >= 0 && k < keys) starts[k + 1]!++;
      }
    }
    for (let k = 0; k < keys; k++) starts[k + 1]! += starts[k]!;
    const next = starts.slice(0, keys);
    const order = new Int32Array(starts[keys]!);
    for (let c = 0; c < this.chunks.length; c++) {
      const d = this.chunks[c]!;
      const base = c << chunkBits;
      const rows = Math.min(d.length, n - base);
      for (let i = 0; i < rows; i++) {
        const v = d[i]!;
        const k = (v === none ? -1 : v) + shift;
        if (k >= 0 && k < keys) order[next[k]!++] = base + i;
      }
    }
    return { order, starts };
  }

  /**
   * As `groupBy`, but of the rows `through` names in turn (rows of this
   * column): each group lists positions in `through` order, e.g. a
   * column already reordered, grouped in the order its rows had before
   * (`through` being where each old row went).
   */
  groupByThrough(keys: number, through: Int32Array): { order: Int32Array; starts: Int32Array } {
    const none = this.none;
    const chunks = this.chunks;
    const starts = new Int32Array(keys + 1);
    for (let r = 0; r < through.length; r++) {
      const i = through[r]!;
      const v = chunks[i >>> chunkBits]![i & chunkMask]!;
      const k = v === none ? -1 : v;
      if (k >= 0 && k < keys) starts[k + 1]!++;
    }
    for (let k = 0; k < keys; k++) starts[k + 1]! += starts[k]!;
    const next = starts.slice(0, keys);
    const order = new Int32Array(starts[keys]!);
    for (let r = 0; r < through.length; r++) {
      const i = through[r]!;
      const v = chunks[i >>> chunkBits]![i & chunkMask]!;
      const k = v === none ? -1 : v;
      if (k >= 0 && k < keys) order[next[k]!++] = i;
    }
    return { order, starts };
  }

  /** The values as one Int32Array (−1 for none), a copy to compute with. */
  toInt32(): Int32Array {
    const out = new Int32Array(this.length);
    const none = this.none;
    for (let c = 0; c < this.chunks.length; c++) {
      const d = this.chunks[c]!;
      const base = c << chunkBits;
      const rows = Math.min(d.length, this.length - base);
      for (let i = 0; i < rows; i++) {
        const v = d[i]!;
        out[base + i] = v === none ? -1 : v;
      }
    }
    return out;
  }

  get bytes(): number {
    return this.chunks.reduce((n, c) => n + c.byteLength, 0);
  }
}

// Gathers into chunks `out` (as chunksFor makes them) the rows `order` names from chunks `d`.
function gather8(d: Uint8Array[], order: Int32Array, out: Uint8Array[]): void {
  for (let c = 0; c < out.length; c++) {
    const o = out[c]!;
    const base = c << chunkBits;
    for (let i = 0; i < o.length; i++) {
      const r = order[base + i]!;
      o[i] = d[r >>> chunkBits]![r & chunkMask]!;
    }
  }
}

function gather16(d: Uint16Array[], order: Int32Array, out: Uint16Array[]): void {
  for (let c = 0; c < out.length; c++) {
    const o = out[c]!;
    const base = c << chunkBits;
    for (let i = 0; i < o.length; i++) {
      const r = order[base + i]!;
      o[i] = d[r >>> chunkBits]![r & chunkMask]!;
    }
  }
}

function gather32(d: Int32Array[], order: Int32Array, out: Int32Array[]): void {
  for (let c = 0; c < out.length; c++) {
    const o = out[c]!;
    const base = c << chunkBits;
    for (let i = 0; i < o.length; i++) {
      const r = order[base + i]!;
      o[i] = d[r >>> chunkBits]![r & chunkMask]!;
    }
  }
}

function gather64(d: Float64Array[], order: Int32Array, out: Float64Array[]): void {
  for (let c = 0; c < out.length; c++) {
    const o = out[c]!;
    const base = c << chunkBits;
    for (let i = 0; i < o.length; i++) {
      const r = order[base + i]!;
      o[i] = d[r >>> chunkBits]![r & chunkMask]!;
    }
  }
}

/**
 * Float64 values (times in ns, exact to 2^53), chunked like IntColumn
 * until `array` asks for them as one array.
 */
export class F64Column {
  private chunks: Float64Array[] | undefined;
  private cur: Float64Array = new Float64Array(16);
  private pos = 0;
  private data: Float64Array = new Float64Array(0);
  length = 0;
  /** The value last appended (what a RelColumn's next row is relative to). */
  lastPushed = 0;

  constructor() {
    this.chunks = [this.cur];
  }

  push(v: number): void {
    const p = this.pos;
    if (p === this.cur.length) {
      this.grow();
      this.push(v);
      return;
    }
    this.cur[p] = v;
    this.pos = p + 1;
    this.length++;
    this.lastPushed = v;
  }

  private grow(): void {
    if (!this.chunks) {
      // Appending after `array`: back to chunks.
      this.chunks = this.split();
      this.cur = this.chunks[this.chunks.length - 1]!;
      this.pos = this.cur.length;
    }
    const next = regrown(this.chunks);
    if (next) this.cur = next;
    else {
      this.cur = new Float64Array(chunkSize);
      this.pos = 0;
      this.chunks.push(this.cur);
    }
  }

  set(i: number, v: number): void {
    if (this.chunks) this.chunks[i >>> chunkBits]![i & chunkMask] = v;
    else this.data[i] = v;
  }

  get(i: number): number {
    return this.chunks ? this.chunks[i >>> chunkBits]![i & chunkMask]! : this.data[i]!;
  }

  /** The values as one array (joining the chunks), for tight loops such as binary search. */
  get array(): Float64Array {
    if (this.chunks) {
      this.data = join(this.chunks, this.length);
      this.chunks = undefined;
      this.cur = this.data;
      this.pos = this.length;
    }
    return this.data;
  }

  /** Trims the last chunk to its rows (building is done). */
  seal(): void {
    if (this.chunks) this.cur = trimLast(this.chunks, this.length);
  }

  /** The joined values back in chunks. */
  private split(): Float64Array[] {
    const out = chunksFor(this.data, this.length);
    for (let c = 0; c < out.length; c++)
      out[c]!.set(this.data.subarray(c << chunkBits, (c << chunkBits) + out[c]!.length));
    this.data = new Float64Array(0);
    return out;
  }

  /** Reorders rows as IntColumn.permute does. */
  permute(order: Int32Array, pool?: ChunkPool): void {
    const from = this.chunks ?? this.split();
    const out = pool ? pool.take(this.cur, order.length) : chunksFor(this.cur, order.length);
    gather64(from, order, out);
    pool?.give(from, this.length);
    this.chunks = out;
    this.data = new Float64Array(0);
    this.cur = out[out.length - 1]!;
    this.pos = this.cur.length;
    this.length = order.length;
  }

  get bytes(): number {
    return this.chunks ? this.chunks.reduce((n, c) => n + c.byteLength, 0) : this.data.byteLength;
  }
}

/** Deltas of 2^31 − 2 ns (2.1 s) or more are kept whole in a side map. */
const overflowMark = 0x7ffffffe;

/**
 * Times stored as a delta from another column of the same row (a slice's
 * end from its start, its readiness from its end): 4 bytes instead of 8,
 * as almost every delta is under 2.1 s; the rest, and times before their
 * base, sit whole in a side map. NaN is stored as "none".
 */
export class RelColumn {
  private readonly delta = new IntColumn();
  private overflow = new Map<number, number>();

  /** The value last appended (what a RelColumn based on this one is relative to). */
  lastPushed = 0;

  constructor(private readonly base: { get(i: number): number; readonly lastPushed: number }) {}

  get length(): number {
    return this.delta.length;
  }

  /** Appends row `length`'s value; its base must be the row last appended to the base column. */
  push(v: number): void {
    this.lastPushed = v;
    const d = v - this.base.lastPushed;
    // (d | 0) === d: an integer (d is below 2^31 here); NaN fails every test.
    if (d >= 0 && d < overflowMark && (d | 0) === d) this.delta.push(d);
    else if (Number.isNaN(v)) this.delta.push(-1);
    else {
      this.overflow.set(this.delta.length, v);
      this.delta.push(overflowMark);
    }
  }

  set(i: number, v: number): void {
    this.setOver(i, v, this.base.get(i));
  }

  /** As set, with row i's base value given (the caller knows it: no lookup). */
  setOver(i: number, v: number, base: number): void {
    // Only a row marked as overflowing has a value in the side map to drop.
    if (this.overflow.size > 0 && this.delta.get(i) === overflowMark) this.overflow.delete(i);
    const d = v - base;
    if (d >= 0 && d < overflowMark && (d | 0) === d) this.delta.set(i, d);
    else if (Number.isNaN(v)) this.delta.set(i, -1);
    else {
      this.delta.set(i, overflowMark);
      this.overflow.set(i, v);
    }
  }

  get(i: number): number {
    const d = this.delta.get(i);
    if (d === -1) return Number.NaN;
    return d === overflowMark ? this.overflow.get(i)! : this.base.get(i) + d;
  }

  seal(): void {
    this.delta.seal();
  }

  /** Reorders rows like the base column (which must be permuted the same way). */
  permute(order: Int32Array, pool?: ChunkPool): void {
    this.delta.permute(order, pool);
    if (this.overflow.size === 0) return;
    const inverse = new Int32Array(order.length);
    for (let i = 0; i < order.length; i++) inverse[order[i]!] = i;
    const moved = new Map<number, number>();
    for (const [i, v] of this.overflow) moved.set(inverse[i]!, v);
    this.overflow = moved;
  }

  get bytes(): number {
    return this.delta.bytes + this.overflow.size * 16;
  }
}

/** Seals every column of a table. */
export function sealColumns(table: object): void {
  for (const c of Object.values(table))
    if (c instanceof IntColumn || c instanceof F64Column || c instanceof RelColumn) c.seal();
}

/** A growable Int32 list (indexes, permutations). */
export class I32List {
  private data = new Int32Array(16);
  length = 0;

  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }

  get(i: number): number {
    return this.data[i]!;
  }

  set(i: number, v: number): void {
    this.data[i] = v;
  }

  toArray(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

/** IDs below this are kept in an IdCache's array (4 MiB at most); larger ones in a Map. */
const cacheDense = 1 << 20;

/**
 * What a generation's local IDs (string and stack IDs, counted from 1 by
 * the runtime) came to in the timeline: non-negative integers by ID, −1
 * for an ID not seen yet. An Int32Array while IDs stay small (a JS array
 * written at scattered indexes turns into a slow dictionary), a Map
 * beyond.
 */
export class IdCache {
  private dense = new Int32Array(64).fill(-1);
  private sparse: Map<number, number> | undefined;

  get(id: number): number {
    // (id >>> 0) === id: an integer from 0 to 2^32 − 1.
    if (id >>> 0 === id && id < cacheDense) return id < this.dense.length ? this.dense[id]! : -1;
    return this.sparse?.get(id) ?? -1;
  }

  set(id: number, v: number): void {
    if (id >>> 0 === id && id < cacheDense) {
      if (id >= this.dense.length) {
        const next = new Int32Array(Math.min(cacheDense, Math.max(id + 1, 2 * this.dense.length))).fill(-1);
        next.set(this.dense);
        this.dense = next;
      }
      this.dense[id] = v;
    } else {
      this.sparse ??= new Map();
      this.sparse.set(id, v);
    }
  }

  /** Forgets every ID (a new generation's tables). */
  clear(): void {
    this.dense.fill(-1);
    this.sparse = undefined;
  }
}

/** Strings interned into a table; ID 0 is "". */
export class StringTable {
  private readonly ids = new Map<string, number>([["", 0]]);
  private readonly list: string[] = [""];

  intern(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.list.length;
      this.list.push(s);
      this.ids.set(s, id);
    }
    return id;
  }

  get(id: number): string {
    return this.list[id] ?? "";
  }

  /** The ID of s, or −1 if it was never interned. */
  lookup(s: string): number {
    return this.ids.get(s) ?? -1;
  }

  get size(): number {
    return this.list.length;
  }
}

/**
 * Stable order of rows by a key and then by time, without comparisons: a
 * counting sort on the key (a row index, small and dense) keeps the time
 * order the rows were appended in, which is the order the trace delivers.
 * Returns the order and, per key, where its rows begin (`starts[k]` to `starts[k+1]`).
 */
export function groupByKey(
  n: number,
  key: (i: number) => number,
  keys: number,
): { order: Int32Array; starts: Int32Array } {
  const starts = new Int32Array(keys + 1);
  for (let i = 0; i < n; i++) {
    const k = key(i);
    if (k >= 0) starts[k + 1]!++;
  }
  for (let k = 0; k < keys; k++) starts[k + 1]! += starts[k]!;
  const next = starts.slice(0, keys);
  const order = new Int32Array(starts[keys]!);
  for (let i = 0; i < n; i++) {
    const k = key(i);
    if (k >= 0) order[next[k]!++] = i;
  }
  return { order, starts };
}
