/**
 * Counter tracks (goroutines running/runnable/GC-waiting, heap, threads),
 * stored compactly. The goroutine counter changes on nearly every state
 * transition: 20M samples in a 35M-event trace, which as (time, 3 values)
 * in Float64 would take 640 MB. Most samples move each series by −1, 0 or +1
 * less than 67 ms after the one before, so a sample packs into one 32-bit
 * word: 26 bits of time delta and 2 bits per series. Anything else is an
 * escapeWord (0xffffffff) whose full time and values sit in a side list.
 *
 * Blocks of 256 samples keep their starting time and values and the maximum
 * of each series inside them, so a query over a long span skips whole
 * blocks: the cost is O(blocks in view + pixels × 256), not O(samples).
 */

export const maxSeries = 3;
const dtBits = 26;
const dtLimit = 2 ** dtBits;
const escapeWord = 0xffffffff;
const blockSize = 256;

/** A decoded position in a track: the sample index and the values in effect after it. */
interface Cursor {
  i: number;
  timeNs: number;
  side: number;
  readonly values: number[];
}

export class CounterTrack {
  readonly series: readonly string[];
  private words = new Uint32Array(1024);
  length = 0;
  private readonly sideTime: number[] = [];
  private readonly sideValues: number[] = [];
  /** Per block: time and values before its first sample, side index at its start, max inside, last time. */
  private readonly blockTime: number[] = [];
  private readonly blockValues: number[] = [];
  private readonly blockSide: number[] = [];
  private readonly blockMax: number[] = [];
  private readonly blockLast: number[] = [];
  private readonly last: number[];
  private lastTime = 0;

  constructor(series: readonly string[]) {
    if (series.length > maxSeries) throw new RangeError("too many series");
    this.series = series;
    this.last = series.map(() => 0);
  }

  /** The current values (after the last push). */
  current(s: number): number {
    return this.last[s]!;
  }

  /** Appends a sample at `timeNs` (≥ the previous one) if any value changed. */
  push(timeNs: number, values: readonly number[]): void {
    const S = this.series.length;
    let changed = false;
    for (let s = 0; s < S; s++) if (values[s] !== this.last[s]) changed = true;
    if (!changed) return;
    const b = this.length % blockSize === 0;
    if (b) this.startBlock();
    const dt = timeNs - this.lastTime;
    let word = dt >= 0 && dt < dtLimit && Number.isInteger(dt) ? dt : -1;
    for (let s = 0; s < S && word >= 0; s++) {
      const d = values[s]! - this.last[s]!;
      const code = d === 0 ? 0 : d === 1 ? 1 : d === -1 ? 2 : -1;
      if (code < 0) word = -1;
      else word += code * 2 ** (dtBits + 2 * s);
    }
    if (word < 0) {
      word = escapeWord;
      this.sideTime.push(timeNs);
      for (let s = 0; s < S; s++) this.sideValues.push(values[s]!);
    }
    if (this.length === this.words.length) {
      const next = new Uint32Array(this.words.length * 2);
      next.set(this.words);
      this.words = next;
    }
    this.words[this.length++] = word;
    this.lastTime = timeNs;
    const blk = this.blockTime.length - 1;
    for (let s = 0; s < S; s++) {
      this.last[s] = values[s]!;
      const k = blk * S + s;
      if (values[s]! > this.blockMax[k]!) this.blockMax[k] = values[s]!;
    }
    this.blockLast[blk] = timeNs;
  }

  /** Adds `delta` to series `s` at `timeNs`. */
  add(timeNs: number, s: number, delta: number): void {
    const v = this.last.slice();
    v[s]! += delta;
    this.push(timeNs, v);
  }

  private startBlock(): void {
    this.blockTime.push(this.lastTime);
    this.blockSide.push(this.sideTime.length);
    this.blockLast.push(this.lastTime);
    for (const v of this.last) {
      this.blockValues.push(v);
      this.blockMax.push(Number.NEGATIVE_INFINITY);
    }
  }

  trim(): void {
    this.words = this.words.slice(0, this.length);
  }

  get bytes(): number {
    return (
      this.words.byteLength + (this.sideTime.length + this.sideValues.length) * 8 + this.blockTime.length * 40
    );
  }

  private cursorAtBlock(b: number): Cursor {
    const S = this.series.length;
    return {
      i: b * blockSize,
      timeNs: this.blockTime[b]!,
      side: this.blockSide[b]!,
      values: this.blockValues.slice(b * S, b * S + S),
    };
  }

  /** Decodes sample `c.i` into the cursor and advances it. */
  private step(c: Cursor): void {
    const S = this.series.length;
    const w = this.words[c.i++]!;
    if (w === escapeWord) {
      c.timeNs = this.sideTime[c.side]!;
      for (let s = 0; s < S; s++) c.values[s] = this.sideValues[c.side * S + s]!;
      c.side++;
      return;
    }
    c.timeNs += w % dtLimit;
    for (let s = 0; s < S; s++) {
      const code = Math.floor(w / 2 ** (dtBits + 2 * s)) & 3;
      if (code === 1) c.values[s]!++;
      else if (code === 2) c.values[s]!--;
    }
  }

  /** Time of sample i (slow: decodes from its block start). */
  private sampleTime(i: number): number {
    const c = this.cursorAtBlock(Math.floor(i / blockSize));
    while (c.i <= i) this.step(c);
    return c.timeNs;
  }

  /** Every sample, decoded (for tests and small traces). */
  samples(): { timeNs: number; values: number[] }[] {
    const out: { timeNs: number; values: number[] }[] = [];
    if (this.length === 0) return out;
    const c = this.cursorAtBlock(0);
    while (c.i < this.length) {
      this.step(c);
      out.push({ timeNs: c.timeNs, values: c.values.slice() });
    }
    return out;
  }

  /**
   * At most one sample per pixel: for each pixel of width `nsPerPx` from
   * `startNs`, the maximum of each series within it (including the value
   * in effect at its start). Consecutive equal samples are left out.
   */
  window(startNs: number, endNs: number, nsPerPx: number): { timeNs: number[]; values: number[][] } {
    const S = this.series.length;
    const out = { timeNs: [] as number[], values: this.series.map(() => [] as number[]) };
    if (this.length === 0 || endNs <= startNs) return out;
    // The first block whose last sample is at or after startNs.
    const nb = this.blockTime.length;
    let lo = 0;
    let hi = nb;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.blockLast[mid]! < startNs) lo = mid + 1;
      else hi = mid;
    }
    const b0 = Math.max(0, Math.min(lo, nb - 1));
    const c = this.cursorAtBlock(b0);
    const peek = (): number => (c.i < this.length ? this.nextTime(c) : Number.POSITIVE_INFINITY);
    // Values in effect at startNs.
    while (c.i < this.length && peek() <= startNs) this.step(c);
    const prev: number[] = this.series.map(() => Number.NaN);
    const px = Math.ceil((endNs - startNs) / nsPerPx);
    const m = new Array<number>(S);
    for (let p = 0; p < px; p++) {
      const a = startNs + p * nsPerPx;
      const b = Math.min(endNs, a + nsPerPx);
      for (let s = 0; s < S; s++) m[s] = c.values[s]!;
      while (c.i < this.length) {
        // Skip whole blocks that end inside this pixel.
        if (c.i % blockSize === 0) {
          const blk = c.i / blockSize;
          if (this.blockLast[blk]! < b && blk + 1 < nb) {
            for (let s = 0; s < S; s++) m[s] = Math.max(m[s]!, this.blockMax[blk * S + s]!);
            const next = this.cursorAtBlock(blk + 1);
            c.i = next.i;
            c.timeNs = next.timeNs;
            c.side = next.side;
            for (let s = 0; s < S; s++) c.values[s] = next.values[s]!;
            continue;
          }
        }
        if (peek() >= b) break;
        this.step(c);
        for (let s = 0; s < S; s++) if (c.values[s]! > m[s]!) m[s] = c.values[s]!;
      }
      let same = true;
      for (let s = 0; s < S; s++) if (m[s] !== prev[s]) same = false;
      if (same) continue;
      out.timeNs.push(a);
      for (let s = 0; s < S; s++) {
        out.values[s]!.push(m[s]!);
        prev[s] = m[s]!;
      }
    }
    return out;
  }

  /** The time of the sample at the cursor, without consuming it. */
  private nextTime(c: Cursor): number {
    const w = this.words[c.i]!;
    if (w === escapeWord) return this.sideTime[c.side]!;
    return c.timeNs + (w % dtLimit);
  }

  /** Last sample time (for tests). */
  get lastSampleNs(): number {
    return this.length === 0 ? 0 : this.sampleTime(this.length - 1);
  }
}
