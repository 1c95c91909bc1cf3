/**
 * Level of detail where the data lives: a track's items (sorted by start,
 * not overlapping) are walked pixel by pixel with binary searches, so a
 * request costs O(widthPx × log n) whatever the trace size, and returns at
 * most about one item per pixel.
 *
 * The pixel grid starts at the window's start. An item is shown alone if
 * it covers at least one whole pixel of the grid (then no other item can
 * own that pixel), or if it is the only item starting in its pixel.
 * Otherwise the items starting in the same pixel that do not cover a whole
 * pixel are merged into one, with their count and the time they cover
 * (from prefix sums of durations). Each shown item owns a distinct pixel,
 * so a track yields at most widthPx items.
 */

/** A track's items, indexed 0..n−1 in start order. */
export interface ItemSource {
  readonly n: number;
  start(k: number): number;
  end(k: number): number;
  /** Sum of the durations of items 0..k−1. */
  prefix(k: number): number;
}

/** Receives one item (first === last, count 1) or a merged run [first, last]. */
export type Emit = (first: number, last: number, startNs: number, endNs: number, busyNs: number) => void;

/** First k in [lo, hi) with start(k) ≥ t (hi if none). */
export function firstStartAtOrAfter(src: ItemSource, t: number, lo = 0, hi = src.n): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (src.start(mid) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first item that may reach into [t, …): the one before the first starting at t, if it ends after t. */
export function firstVisible(src: ItemSource, t: number): number {
  const k = firstStartAtOrAfter(src, t);
  return k > 0 && src.end(k - 1) > t ? k - 1 : k;
}

export function walkItems(
  src: ItemSource,
  startNs: number,
  endNs: number,
  widthPx: number,
  emit: Emit,
): void {
  if (src.n === 0 || !(endNs > startNs) || widthPx <= 0) return;
  const nsPerPx = (endNs - startNs) / widthPx;
  /** Pixel coordinate of a time (fractional). */
  const px = (t: number) => (t - startNs) / nsPerPx;
  const coversPixel = (k: number): boolean => {
    const a = px(Math.max(src.start(k), startNs));
    const b = px(Math.min(src.end(k), endNs));
    return Math.floor(b) >= Math.ceil(a) + 1;
  };
  let k = firstVisible(src, startNs);
  while (k < src.n) {
    const s = src.start(k);
    if (s >= endNs) break;
    if (coversPixel(k)) {
      emit(k, k, s, src.end(k), src.end(k) - s);
      k++;
      continue;
    }
    // Items starting in this pixel; only the last of them can cover a whole pixel.
    const pixel = Math.max(0, Math.floor(px(s)));
    const pixelEndNs = startNs + (pixel + 1) * nsPerPx;
    let next = firstStartAtOrAfter(src, pixelEndNs, k + 1);
    if (next - 1 > k && coversPixel(next - 1)) next--;
    const last = next - 1;
    let endMax = src.end(k);
    if (last > k) for (let j = Math.max(k, last - 1); j <= last; j++) endMax = Math.max(endMax, src.end(j));
    emit(k, last, s, last === k ? src.end(k) : endMax, src.prefix(next) - src.prefix(k));
    k = next;
  }
}

/** Instants (sorted times) merged per pixel: emits the first index, the count and the first time. */
export function walkInstants(
  n: number,
  time: (k: number) => number,
  startNs: number,
  endNs: number,
  widthPx: number,
  emit: (first: number, count: number, timeNs: number) => void,
): void {
  if (n === 0 || !(endNs > startNs) || widthPx <= 0) return;
  const nsPerPx = (endNs - startNs) / widthPx;
  const search = (t: number, lo: number): number => {
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (time(mid) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  let k = search(startNs, 0);
  while (k < n) {
    const t = time(k);
    if (t >= endNs) break;
    const pixel = Math.floor((t - startNs) / nsPerPx);
    const next = search(startNs + (pixel + 1) * nsPerPx, k + 1);
    emit(k, next - k, t);
    k = next;
  }
}

/**
 * Prefix sums sampled every 16 items: 0.5 byte per item instead of 8, and
 * at most 15 additions per lookup.
 */
export class SampledPrefix {
  private readonly blocks: Float64Array;

  constructor(
    private readonly n: number,
    private readonly dur: (k: number) => number,
  ) {
    this.blocks = new Float64Array((n >> 4) + 1);
    let sum = 0;
    for (let k = 0; k < n; k++) {
      if ((k & 15) === 0) this.blocks[k >> 4] = sum;
      sum += dur(k);
    }
    if ((n & 15) === 0) this.blocks[n >> 4] = sum;
  }

  /** Sum of the durations of items 0..k−1 (of all items if k ≥ n). */
  at(k: number): number {
    k = Math.min(k, this.n);
    let sum = this.blocks[k >> 4]!;
    for (let j = k & ~15; j < k; j++) sum += this.dur(j);
    return sum;
  }
}
