/**
 * Counter tracks (goroutines running/runnable/GC-waiting, heap, threads),
 * stored compactly. The goroutine counter changes on nearly every state
 * transition: 20M samples in a 35M-event trace, which as (time, 3 values)
 * in Float64 would take 640 MB. Most samples move each series by −1, 0 or
 * +1 less than 67 ms after the one before, so a sample packs into one
 * 32-bit word: 26 bits of time delta and 2 bits per series. Anything else
 * is an escape word (0xffffffff) whose time and values sit in a side list.
 *
 * Blocks of 64 samples keep their starting time and values and the maximum
 * of each series inside them, and superblocks of 64 blocks keep their
 * maxima too, so a query skips whole blocks and superblocks: a pixel costs
 * at most ~2 × 64 decoded samples plus ~2 × 64 skipped blocks, whatever
 * the number of samples under it.
 */

export const maxSeries = 3;
const dtBits = 26;
const dtMask = (1 << dtBits) - 1;
const escapeWord = 0xffffffff;
const wordBits = 16;
const wordChunk = 1 << wordBits;
const wordMask = wordChunk - 1;
const blockBits = 6;
const blockSize = 1 << blockBits;
/** Blocks per superblock. */
const superBits = 6;

/** Growable Float64 list (block metadata). */
class F64List {
  data = new Float64Array(64);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  trim(): void {
    this.data = this.data.slice(0, this.length);
  }
}

export class CounterTrack {
  readonly series: readonly string[];
  /** The packed samples, in chunks of 64K words (a big trace's goroutine counter holds 20M). */
  private words: Uint32Array[] = [new Uint32Array(1024)];
  /** The last chunk of words, and the words in it. */
  private cur: Uint32Array = this.words[0]!;
  private pos = 0;
  length = 0;
  private readonly sideTime = new F64List();
  private readonly sideValues = new F64List();
  /** Per block: time and values before its first sample, side index at its start, max inside, last sample time. */
  private readonly blockTime = new F64List();
  private readonly blockValues = new F64List();
  private readonly blockSide = new F64List();
  private readonly blockMax = new F64List();
  private readonly blockLast = new F64List();
  /** Per superblock: max inside and last sample time. */
  private readonly superMax = new F64List();
  private readonly superLast = new F64List();
  private readonly last: number[];
  private lastTime = 0;

  // The decoding cursor of `window` (one per track: queries are synchronous).
  private ci = 0;
  private cTime = 0;
  private cSide = 0;
  private readonly cValues: number[];

  constructor(series: readonly string[]) {
    if (series.length > maxSeries) throw new RangeError("too many series");
    this.series = series;
    this.last = series.map(() => 0);
    this.cValues = series.map(() => 0);
  }

  /** Appends a sample at `timeNs` if any value changed (a time before the last one counts as the last one). */
  push(timeNs: number, values: readonly number[]): void {
    const S = this.series.length;
    const last = this.last;
    // Packed when the time step fits 26 bits and every series moves by −1, 0 or +1.
    let codes = 0;
    let packable = true;
    let changed = false;
    for (let s = 0; s < S; s++) {
      const d = values[s]! - last[s]!;
      if (d === 0) continue;
      changed = true;
      if (d === 1) codes |= 1 << (2 * s);
      else if (d === -1) codes |= 2 << (2 * s);
      else packable = false;
    }
    if (!changed) return;
    this.append(timeNs, values, codes, packable);
  }

  /** Appends a changed sample; `codes` are its 2-bit steps, valid if `packable`. */
  private append(timeNs: number, values: readonly number[], codes: number, packable: boolean): void {
    const S = this.series.length;
    const last = this.last;
    if (timeNs < this.lastTime) timeNs = this.lastTime;
    if ((this.length & (blockSize - 1)) === 0) this.startBlock();
    const dt = timeNs - this.lastTime;
    let word: number;
    if (packable && dt <= dtMask && (dt | 0) === dt) {
      word = ((codes << dtBits) | dt) >>> 0;
    } else {
      word = escapeWord;
      this.sideTime.push(timeNs);
      for (let s = 0; s < S; s++) this.sideValues.push(values[s]!);
    }
    if (this.pos === this.cur.length) this.growWords();
    this.cur[this.pos++] = word;
    this.length++;
    this.lastTime = timeNs;
    const blk = this.blockTime.length - 1;
    const sb = blk >> superBits;
    const bm = this.blockMax.data;
    const sm = this.superMax.data;
    for (let s = 0; s < S; s++) {
      const v = values[s]!;
      last[s] = v;
      if (v > bm[blk * S + s]!) bm[blk * S + s] = v;
      if (v > sm[sb * S + s]!) sm[sb * S + s] = v;
    }
    this.blockLast.data[blk] = timeNs;
    this.superLast.data[sb] = timeNs;
  }

  /**
   * Moves one unit from series `from` to series `to` (either −1 for none):
   * a goroutine changing state. The common case (20M times in a 35M-event
   * trace), so it changes `last` in place and, past a block's first sample,
   * updates the maxima of the one series that grew.
   */
  move(timeNs: number, from: number, to: number): void {
    if (from === to) return;
    const last = this.last;
    if (timeNs < this.lastTime) timeNs = this.lastTime;
    // A block that starts here keeps the values before the move.
    const first = (this.length & (blockSize - 1)) === 0;
    if (first) this.startBlock();
    let codes = 0;
    if (from >= 0) {
      last[from]!--;
      codes |= 2 << (2 * from);
    }
    if (to >= 0) {
      last[to]!++;
      codes |= 1 << (2 * to);
    }
    const dt = timeNs - this.lastTime;
    let word: number;
    if (dt <= dtMask && (dt | 0) === dt) word = ((codes << dtBits) | dt) >>> 0;
    else {
      word = escapeWord;
      this.sideTime.push(timeNs);
      for (const v of last) this.sideValues.push(v);
    }
    if (this.pos === this.cur.length) this.growWords();
    this.cur[this.pos++] = word;
    this.length++;
    this.lastTime = timeNs;
    const S = last.length;
    const blk = this.blockTime.length - 1;
    const sb = blk >> superBits;
    const bm = this.blockMax.data;
    const sm = this.superMax.data;
    if (first) {
      for (let s = 0; s < S; s++) {
        const v = last[s]!;
        if (v > bm[blk * S + s]!) bm[blk * S + s] = v;
        if (v > sm[sb * S + s]!) sm[sb * S + s] = v;
      }
    } else if (to >= 0) {
      // Only a series that grew can pass the maxima the block's earlier samples set.
      const v = last[to]!;
      if (v > bm[blk * S + to]!) bm[blk * S + to] = v;
      if (v > sm[sb * S + to]!) sm[sb * S + to] = v;
    }
    this.blockLast.data[blk] = timeNs;
    this.superLast.data[sb] = timeNs;
  }

  /** Room for one more word: the first chunk doubles up to 64K words, then whole chunks follow. */
  private growWords(): void {
    if (this.cur.length < wordChunk) {
      // A trimmed last chunk of several grows back to a whole one.
      const n =
        this.words.length === 1 ? Math.min(wordChunk, Math.max(1024, this.cur.length * 2)) : wordChunk;
      const next = new Uint32Array(n);
      next.set(this.cur);
      this.words[this.words.length - 1] = next;
      this.cur = next;
    } else {
      this.cur = new Uint32Array(wordChunk);
      this.words.push(this.cur);
      this.pos = 0;
    }
  }

  private startBlock(): void {
    const blk = this.blockTime.length;
    this.blockTime.push(this.lastTime);
    this.blockSide.push(this.sideTime.length);
    this.blockLast.push(this.lastTime);
    for (const v of this.last) {
      this.blockValues.push(v);
      this.blockMax.push(Number.NEGATIVE_INFINITY);
    }
    if ((blk & ((1 << superBits) - 1)) === 0) {
      this.superLast.push(this.lastTime);
      for (let s = 0; s < this.series.length; s++) this.superMax.push(Number.NEGATIVE_INFINITY);
    }
  }

  trim(): void {
    if (this.pos < this.cur.length) {
      this.cur = this.cur.slice(0, this.pos);
      this.words[this.words.length - 1] = this.cur;
    }
    for (const l of [
      this.sideTime,
      this.sideValues,
      this.blockTime,
      this.blockValues,
      this.blockSide,
      this.blockMax,
      this.blockLast,
      this.superMax,
      this.superLast,
    ])
      l.trim();
  }

  get bytes(): number {
    let n = 0;
    for (const w of this.words) n += w.byteLength;
    for (const l of [
      this.sideTime,
      this.sideValues,
      this.blockTime,
      this.blockValues,
      this.blockSide,
      this.blockMax,
      this.blockLast,
      this.superMax,
      this.superLast,
    ])
      n += l.data.byteLength;
    return n;
  }

  /** Moves the cursor to the start of block b (values before its first sample). */
  private seekBlock(b: number): void {
    const S = this.series.length;
    this.ci = b << blockBits;
    this.cTime = this.blockTime.data[b]!;
    this.cSide = this.blockSide.data[b]!;
    for (let s = 0; s < S; s++) this.cValues[s] = this.blockValues.data[b * S + s]!;
  }

  /** Decodes the sample at the cursor into it and advances. */
  private step(): void {
    const S = this.series.length;
    const w = this.words[this.ci >>> wordBits]![this.ci & wordMask]!;
    this.ci++;
    if (w === escapeWord) {
      const k = this.cSide++;
      this.cTime = this.sideTime.data[k]!;
      for (let s = 0; s < S; s++) this.cValues[s] = this.sideValues.data[k * S + s]!;
      return;
    }
    this.cTime += w & dtMask;
    const codes = w >>> dtBits;
    for (let s = 0; s < S; s++) {
      const code = (codes >>> (2 * s)) & 3;
      if (code === 1) this.cValues[s]!++;
      else if (code === 2) this.cValues[s]!--;
    }
  }

  /** The time of the sample at the cursor, without consuming it. */
  private peekTime(): number {
    const w = this.words[this.ci >>> wordBits]![this.ci & wordMask]!;
    return w === escapeWord ? this.sideTime.data[this.cSide]! : this.cTime + (w & dtMask);
  }

  /** Every sample, decoded (for tests and small traces). */
  samples(): { timeNs: number; values: number[] }[] {
    const out: { timeNs: number; values: number[] }[] = [];
    this.forEachSample((timeNs, values) => out.push({ timeNs, values: values.slice() }));
    return out;
  }

  /** Every sample in time order, without an object per sample (`values` is reused: copy what you keep). */
  forEachSample(f: (timeNs: number, values: readonly number[]) => void): void {
    this.forEachSampleIn(0, this.length, f);
  }

  /** Samples first .. first + count − 1 (those there are), as forEachSample gives them: a long track in parts. */
  forEachSampleIn(
    first: number,
    count: number,
    f: (timeNs: number, values: readonly number[]) => void,
  ): void {
    const end = Math.min(this.length, first + count);
    if (first >= end) return;
    this.seekBlock(first >>> blockBits);
    while (this.ci < first) this.step();
    while (this.ci < end) {
      this.step();
      f(this.cTime, this.cValues);
    }
  }

  /**
   * At most one sample per pixel: for each pixel of width `nsPerPx` from
   * `startNs`, the maximum of each series within it (including the value
   * in effect at its start). A sample equal to the one before is left out.
   */
  window(startNs: number, endNs: number, nsPerPx: number): { timeNs: number[]; values: number[][] } {
    const S = this.series.length;
    const out = { timeNs: [] as number[], values: this.series.map(() => [] as number[]) };
    if (!(endNs > startNs) || !(nsPerPx > 0)) return out;
    if (this.length === 0) {
      // Nothing ever changed: every series is 0 throughout.
      out.timeNs.push(startNs);
      for (const v of out.values) v.push(0);
      return out;
    }
    const nb = this.blockTime.length;
    const nsb = this.superLast.length;
    const blockLast = this.blockLast.data;
    const superLast = this.superLast.data;
    // The first block whose last sample is at or after startNs.
    let lo = 0;
    let hi = nb;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (blockLast[mid]! < startNs) lo = mid + 1;
      else hi = mid;
    }
    this.seekBlock(Math.min(lo, nb - 1));
    while (this.ci < this.length && this.peekTime() <= startNs) this.step();
    const prev = this.series.map(() => Number.NaN);
    const m = new Array<number>(S);
    const px = Math.ceil((endNs - startNs) / nsPerPx);
    for (let p = 0; p < px; p++) {
      const a = startNs + p * nsPerPx;
      const b = Math.min(endNs, a + nsPerPx);
      for (let s = 0; s < S; s++) m[s] = this.cValues[s]!;
      while (this.ci < this.length) {
        if ((this.ci & (blockSize - 1)) === 0) {
          const blk = this.ci >> blockBits;
          const sb = blk >> superBits;
          // Whole superblocks, then whole blocks, that end inside this pixel.
          if ((blk & ((1 << superBits) - 1)) === 0 && sb + 1 < nsb && superLast[sb]! < b) {
            for (let s = 0; s < S; s++) m[s] = Math.max(m[s]!, this.superMax.data[sb * S + s]!);
            this.seekBlock((sb + 1) << superBits);
            continue;
          }
          if (blk + 1 < nb && blockLast[blk]! < b) {
            for (let s = 0; s < S; s++) m[s] = Math.max(m[s]!, this.blockMax.data[blk * S + s]!);
            this.seekBlock(blk + 1);
            continue;
          }
        }
        if (this.peekTime() >= b) break;
        this.step();
        for (let s = 0; s < S; s++) if (this.cValues[s]! > m[s]!) m[s] = this.cValues[s]!;
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
}
