/**
 * Growable typed-array columns and string interning: the storage every
 * timeline table is built from. A 35M-event trace yields about 8M goroutine
 * slices and 7M regions; as objects they would cost ~100 bytes each, as
 * columns 4–8 bytes per field.
 */

type IntArray = Uint8Array | Uint16Array | Int32Array;

/**
 * Integers ≥ −1 in the narrowest array that holds them: starts at 8 bits
 * and widens (to 16, then 32 bits) the first time a larger value arrives.
 * Stack IDs, string IDs, P and M indexes mostly fit in 16 bits, so most
 * columns cost 2 bytes a row instead of 4. −1 ("none") is stored as the
 * width's maximum.
 */
export class IntColumn {
  private data: IntArray = new Uint8Array(16);
  /** How −1 is stored, and the largest other value the current width holds. */
  private none = 0xff;
  private max = 0xfe;
  length = 0;

  push(v: number): void {
    if (this.length === this.data.length) this.grow(this.data.length * 2);
    this.set(this.length++, v);
  }

  set(i: number, v: number): void {
    if (v > this.max || v < -1) this.widen(v);
    this.data[i] = v === -1 ? this.none : v;
  }

  get(i: number): number {
    const v = this.data[i]!;
    return v === this.none ? -1 : v;
  }

  private widen(v: number): void {
    if (v < -1 || v > 0x7fffffff || !Number.isInteger(v))
      throw new RangeError(`column value ${v} out of range`);
    const wide: IntArray =
      v < 0xffff && this.data instanceof Uint8Array
        ? new Uint16Array(this.data.length)
        : new Int32Array(this.data.length);
    const none = wide instanceof Uint16Array ? 0xffff : -1;
    this.max = wide instanceof Uint16Array ? 0xfffe : 0x7fffffff;
    for (let i = 0; i < this.length; i++) {
      const x = this.data[i]!;
      wide[i] = x === this.none ? none : x;
    }
    this.data = wide;
    this.none = none;
  }

  private grow(n: number): void {
    const next = new (this.data.constructor as new (n: number) => IntArray)(n);
    next.set(this.data);
    this.data = next;
  }

  /** Drops the spare capacity once building is done. */
  trim(): void {
    if (this.data.length !== this.length) this.data = this.data.slice(0, this.length);
  }

  /** Reorders rows: row i becomes old row order[i]. */
  permute(order: Int32Array): void {
    const next = new (this.data.constructor as new (n: number) => IntArray)(order.length);
    for (let i = 0; i < order.length; i++) next[i] = this.data[order[i]!]!;
    this.data = next;
  }

  get bytes(): number {
    return this.data.byteLength;
  }
}

/** Float64 values (times in ns, exact to 2^53) in a growable array. */
export class F64Column {
  private data = new Float64Array(16);
  length = 0;

  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }

  set(i: number, v: number): void {
    this.data[i] = v;
  }

  get(i: number): number {
    return this.data[i]!;
  }

  /** The backing array (length ≥ this.length), for tight loops such as binary search. */
  get array(): Float64Array {
    return this.data;
  }

  trim(): void {
    if (this.data.length !== this.length) this.data = this.data.slice(0, this.length);
  }

  permute(order: Int32Array): void {
    const next = new Float64Array(order.length);
    for (let i = 0; i < order.length; i++) next[i] = this.data[order[i]!]!;
    this.data = next;
  }

  get bytes(): number {
    return this.data.byteLength;
  }
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
