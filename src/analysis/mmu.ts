/**
 * Minimum mutator utilization: for a window size w, the lowest share of the
 * processors the program had over any w-long stretch of the trace (the MMU
 * curve of Cheng & Blelloch), and the worst such windows. Go's algorithm
 * (internal/trace/gc.go), step for step, so the numbers and the windows
 * chosen among equals are go tool trace's:
 *
 * Each utilization series is cut into ≤ 1000 bands with their minimum and
 * cumulative integral. A lower bound on the mean over every window starting
 * in a band orders the bands in a heap; bands are refined exactly, lowest
 * bound first, by sliding the window from one change of the function to the
 * next, until no unrefined band can beat what was found.
 *
 * Times are ns, relative or absolute alike (only differences are used).
 */
import { GoHeap } from "./go-heap.js";
import { MutatorUtilDistribution } from "./mud.js";
import type { UtilSeries } from "./util-series.js";

/** How many bands each series is cut into (Go's bandsPerSeries). */
const bandsPerSeries = 1000;
/** Within this many points ahead, integrators scan; beyond, they bisect (as in Go: it moves them the same way). */
const maxSeq = 8;

/** One worst window: it starts at startNs (same time base as the series) and has this mean utilization. */
export interface UtilWindow {
  readonly startNs: number;
  readonly util: number;
}

class Series {
  readonly times: Float64Array;
  readonly utils: Float64Array;
  readonly n: number;
  /** sums[j]: the integral of utilization from the first point to times[j]. */
  readonly sums: Float64Array;
  readonly bandDur: number;
  readonly bandMin: Float64Array;
  /** The integral up to each band's left edge, and the integrator position there. */
  readonly bandCum: Float64Array;
  readonly bandPos: Int32Array;

  constructor(s: UtilSeries) {
    const n = s.length;
    this.n = n;
    this.times = s.timesNs.slice(0, n);
    this.utils = s.utils.slice(0, n);
    this.sums = new Float64Array(n);
    let sum = 0;
    let prevUtil = 0;
    let prevTime = 0;
    for (let j = 0; j < n; j++) {
      sum += prevUtil * (this.times[j]! - prevTime);
      this.sums[j] = sum;
      prevUtil = this.utils[j]!;
      prevTime = this.times[j]!;
    }

    const numBands = Math.min(bandsPerSeries, n);
    this.bandDur = Math.max(1, Math.floor((this.duration + numBands - 1) / numBands));
    this.bandMin = new Float64Array(numBands + 1);
    this.bandCum = new Float64Array(numBands + 1);
    this.bandPos = new Int32Array(numBands + 1);
    // One extra band at the end records the final cumulative sum.
    const left = new Integrator(this);
    for (let i = 0; i <= numBands; i++) {
      const start = this.bandStart(i);
      const end = start + this.bandDur;
      this.bandCum[i] = left.advance(start);
      this.bandPos[i] = left.pos;
      let min = 1;
      for (let k = left.pos; k < n && this.times[k]! < end; k++) min = Math.min(min, this.utils[k]!);
      this.bandMin[i] = min;
    }
  }

  get duration(): number {
    return this.times[this.n - 1]! - this.times[0]!;
  }

  bandStart(i: number): number {
    return i * this.bandDur + this.times[0]!;
  }

  /** A lower bound on the mean utilization of every window (of the given size) starting in each band. */
  bandBounds(series: number, window: number, out: BandBound[]): void {
    const bandDur = this.bandDur;
    const minBands = Math.floor((window + bandDur - 1) / bandDur);
    const maxBands = Math.floor((window + 2 * (bandDur - 1)) / bandDur);
    const tailDur = window % bandDur;
    const nBounds = Math.max(0, this.bandMin.length - maxBands + 1);
    for (let i = 0; i < nBounds; i++) {
      // Partly covered bands count at their minimum, fully covered ones at their mean.
      const l = this.bandMin[i]!;
      const r1 = this.bandMin[i + minBands - 1]!;
      const r2 = this.bandMin[i + maxBands - 1]!;
      const minBand = Math.min(l, Math.min(r1, r2));
      let total = 0;
      if (minBands === 1) total += minBand * window;
      else {
        // The worst window covers the lowest minimum as much as it can, the second lowest with the rest.
        total += minBand * bandDur;
        let midBand = 0;
        if (minBand === l) midBand = Math.min(r1, r2);
        else if (minBand === r1) midBand = Math.min(l, r2);
        else if (minBand === r2) midBand = Math.min(l, r1);
        total += midBand * tailDur;
      }
      if (minBands > 2) total += this.bandCum[i + minBands - 1]! - this.bandCum[i + 1]!;
      out.push({ series, band: i, bound: total / window });
    }
  }

  /** Slides a window across band `band` exactly, feeding every candidate position to acc. */
  refineBand(band: number, window: number, acc: Accumulator, pastEnd: boolean): void {
    let time = this.bandStart(band);
    const endTime = Math.min(time + this.bandDur, this.times[this.n - 1]! - window);
    // The last bands can start after the last window position; Go still
    // measures a window at the band's start, running past the end of the
    // function (where it counts utilization 0), before it clamps. Start at
    // the last position instead, from the band that holds it.
    let from = band;
    if (!pastEnd && time > endTime) {
      time = endTime;
      from = Math.floor((endTime - this.times[0]!) / this.bandDur);
    }
    const left = new Integrator(this, this.bandPos[from]!);
    const right = new Integrator(this, this.bandPos[from]!);
    acc.resetTime();
    for (;;) {
      // The windowed mean is piecewise linear, bending only where an edge
      // meets a change of the function: only those positions matter.
      const mu = (right.advance(time + window) - left.advance(time)) / window;
      if (acc.addMU(time, mu, window)) break;
      if (time === endTime) break;
      // The windowed mean falls by at most 1/window per ns, so nothing
      // closer than (mu - bound)·window can go below the bound.
      const minTime = time + Math.trunc((mu - acc.bound) * window);
      const t1 = left.next(time);
      const t2 = right.next(time + window) - window;
      time = Math.min(t1, t2);
      if (time < minTime) time = minTime;
      // Stop at the band's end, but do evaluate it: the MUD needs the whole band.
      if (time >= endTime) time = endTime;
    }
  }
}

/** A position in a series that integrates it up to a time; times must not go back. */
class Integrator {
  constructor(
    private readonly s: Series,
    /** Index of the last point at or before the current time. */
    public pos = 0,
  ) {}

  advance(time: number): number {
    const { times, utils, sums, n } = this.s;
    let pos = this.pos;
    if (pos + maxSeq < n && times[pos + maxSeq]! > time) {
      while (pos + 1 < n && times[pos + 1]! <= time) pos++;
    } else {
      let l = pos;
      let r = n;
      while (l < r) {
        const h = (l + r) >>> 1;
        if (times[h]! <= time) l = h + 1;
        else r = h;
      }
      pos = l - 1;
    }
    this.pos = pos;
    const t = times[pos]!;
    return time === t ? sums[pos]! : sums[pos]! + utils[pos]! * (time - t);
  }

  /** The first change of the function after `time` (Infinity if none). */
  next(time: number): number {
    const { times, n } = this.s;
    for (let k = this.pos; k < n; k++) if (times[k]! > time) return times[k]!;
    return Number.POSITIVE_INFINITY;
  }
}

interface BandBound {
  readonly series: number;
  readonly band: number;
  readonly bound: number;
}

/** Collects the windowed means the refinement produces: the minimum, the n worst disjoint windows, the MUD. */
class Accumulator {
  mmu = 1;
  /** Means above this cannot change the result. */
  bound = 1;
  readonly worst: GoHeap<UtilWindow>;
  private lastTime = Number.NaN;
  private lastMU = 0;

  constructor(
    private readonly nWorst = 0,
    readonly mud: MutatorUtilDistribution | undefined = undefined,
  ) {
    // The top of the heap is the least bad of the worst windows (later first among equals).
    this.worst = new GoHeap<UtilWindow>([], (a, b) =>
      a.util !== b.util ? a.util > b.util : a.startNs > b.startNs,
    );
  }

  /** The next position does not follow the last one (a new band starts). */
  resetTime(): void {
    this.lastTime = Number.NaN;
  }

  /** Takes the mean at one window position; true if no later position can matter. */
  addMU(time: number, mu: number, window: number): boolean {
    if (mu < this.mmu) this.mmu = mu;
    this.bound = this.mmu;
    // Go returns here whenever it keeps no worst windows, which also starves
    // the MUD: go tool trace's "Show percentiles" draws the MMU for every
    // quantile (as of Go 1.26; no Go issue found). The MUD is fed here.
    if (this.nWorst === 0 && !this.mud) return mu === 0;

    if (this.nWorst > 0) {
      const heap = this.worst;
      const items = heap.items;
      if (items.length < this.nWorst || mu < items[0]!.util) {
        // Keep the worse of this window and one that overlaps it.
        let keep = false;
        for (let i = 0; i < items.length; i++) {
          const w = items[i]!;
          if (time + window > w.startNs && w.startNs + window > time) {
            if (w.util <= mu) keep = true;
            else heap.remove(i);
            break;
          }
        }
        if (!keep) {
          heap.push({ startNs: time, util: mu });
          if (items.length > this.nWorst) heap.pop();
        }
      }
      this.bound = items.length < this.nWorst ? 1 : Math.max(this.bound, items[0]!.util);
    }

    if (this.mud) {
      if (!Number.isNaN(this.lastTime)) this.mud.add(this.lastMU, mu, time - this.lastTime);
      this.lastTime = time;
      this.lastMU = mu;
      const approx = this.mud.approxInvCumulativeSum();
      // Until the mass we need is reached, everything counts.
      this.bound = approx ? Math.max(this.bound, approx.upper) : 1;
      return false;
    }
    // Enough windows at 0: nothing can be worse.
    return this.worst.length === this.nWorst && this.worst.items[0]!.util === 0;
  }
}

export interface MMUOptions {
  /** Also measure the windows go tool trace measures that run past the end of a series (see refineBand). */
  readonly windowsPastEnd?: boolean;
}

/**
 * The MMU curve of a set of utilization series (one, or one per P). Build
 * once, then ask for any window size. Series shorter than one ns are left
 * out (Go panics on them).
 */
export class MMUCurve {
  private readonly series: Series[];

  private readonly pastEnd: boolean;

  constructor(utils: readonly UtilSeries[], options: MMUOptions = {}) {
    this.series = utils.filter((u) => u.length > 1).map((u) => new Series(u));
    this.series = this.series.filter((s) => s.duration > 0);
    this.pastEnd = options.windowsPastEnd ?? false;
  }

  /** True when there is no utilization data (no series with a duration). */
  get empty(): boolean {
    return this.series.length === 0;
  }

  /** First and last time over all series. */
  get bounds(): { startNs: number; endNs: number } {
    let startNs = Number.POSITIVE_INFINITY;
    let endNs = Number.NEGATIVE_INFINITY;
    for (const s of this.series) {
      startNs = Math.min(startNs, s.times[0]!);
      endNs = Math.max(endNs, s.times[s.n - 1]!);
    }
    return { startNs, endNs };
  }

  /** The minimum mean utilization over all windows of this many ns (in [0, 1]). */
  mmu(windowNs: number): number {
    const acc = new Accumulator();
    this.run(windowNs, acc);
    return acc.mmu;
  }

  /**
   * Up to n disjoint windows with the lowest mean utilization, worst first
   * (ties: earlier first). Which of several overlapping equal windows is
   * reported follows Go exactly.
   */
  examples(windowNs: number, n: number): UtilWindow[] {
    const acc = new Accumulator(n);
    this.run(windowNs, acc);
    return [...acc.worst.items].sort((a, b) => a.util - b.util || a.startNs - b.startNs);
  }

  /**
   * Quantiles of the mutator utilization distribution: the mean utilization
   * that the given share of window positions stays at or below (0 is the
   * MMU). Where there is no distribution (a window as long as the trace),
   * the MMU.
   */
  mud(windowNs: number, quantiles: readonly number[]): number[] {
    if (quantiles.length === 0) return [];
    const maxQ = Math.max(...quantiles);
    // The distribution's total mass is the number of window positions, in ns.
    let duration = 0;
    for (const s of this.series) if (s.duration >= windowNs) duration += s.duration - windowNs;
    const mud = new MutatorUtilDistribution();
    mud.setTrackMass(duration * maxQ);
    const acc = new Accumulator(0, mud);
    this.run(windowNs, acc);
    return quantiles.map((q) => {
      const { x } = mud.invCumulativeSum(duration * q);
      return Number.isNaN(x) ? acc.mmu : x;
    });
  }

  private run(window: number, acc: Accumulator): void {
    if (window <= 0) {
      acc.mmu = 0;
      return;
    }
    const bounds: BandBound[] = [];
    const windows = this.series.map((s, i) => {
      const w = Math.min(window, s.duration);
      s.bandBounds(i, w, bounds);
      return w;
    });
    const heap = new GoHeap(bounds, (a, b) => a.bound < b.bound);
    heap.init();
    while (heap.length > 0 && heap.items[0]!.bound < acc.bound) {
      const top = heap.items[0]!;
      this.series[top.series]!.refineBand(top.band, windows[top.series]!, acc, this.pastEnd);
      heap.pop();
    }
  }
}

/** go tool trace's MMU plot: the window range and the curve at 100 log-spaced windows. */
export interface MMUPlot {
  /** The smallest window: the first of 1 s, 1 ms, 1 µs, 1 ns (going down) whose MMU is below 1e-4, else 1 ns. */
  readonly xMinNs: number;
  /** Six decades above xMin, but no more than the trace's length (or that length, when asked). */
  readonly xMaxNs: number;
  readonly quantiles: readonly number[] | undefined;
  /** [window ns, MMU] points, or [window ns, MUD at each quantile] with quantiles. */
  readonly curve: readonly number[][];
}

/**
 * The quantiles of go tool trace's "Show percentiles": the minimum, and the
 * p99.9, p99 and p95 MU. (Go writes 1 - .999 etc., constants its compiler
 * computes exactly, so these are the nearest doubles, not 1 - 0.999.)
 */
export const plotQuantiles: readonly number[] = [0, 0.001, 0.01, 0.05];

/**
 * The plot go tool trace serves at /mmu?mode=plot (windows computed with the
 * same float steps). Go stops six decades above the smallest window, often
 * at 1 s; `toTraceLength` goes on to the trace's whole length instead.
 */
export function mmuPlot(
  curve: MMUCurve,
  quantiles?: readonly number[],
  samples = 100,
  toTraceLength = false,
): MMUPlot {
  let xMin = 1e9;
  while (xMin > 1) {
    if (curve.mmu(xMin) < 0.0001) break;
    xMin = Math.floor(xMin / 1000);
  }
  const { startNs, endNs } = curve.bounds;
  const xMax = toTraceLength ? Math.max(xMin, endNs - startNs) : Math.min(xMin * 1e6, endNs - startNs);
  const logMin = Math.log(xMin);
  const logMax = Math.log(xMax);
  const points: number[][] = [];
  for (let i = 0; i < samples; i++) {
    const window = Math.trunc(Math.exp((i / (samples - 1)) * (logMax - logMin) + logMin));
    points.push(quantiles ? [window, ...curve.mud(window, quantiles)] : [window, curve.mmu(window)]);
  }
  return { xMinNs: xMin, xMaxNs: xMax, quantiles, curve: points };
}
