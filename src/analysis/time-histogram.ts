/**
 * Go's duration histogram (cmd/trace's TimeHistogram): five logarithmic
 * buckets per decade, so bucket i starts at 10^(i/5) ns. Task and region
 * latencies are shown with these buckets on go tool trace's pages.
 */

/**
 * ln(10^(1/5)) as Go computes it. The double is a hair above the real value,
 * so an exact power of ten lands in the bucket below it (1000 ns → bucket 14,
 * which starts at 630 ns), as on Go's pages.
 */
const logDiv = Math.log(10 ** (1 / 5));

/** The bucket of a duration in ns; durations ≤ 0 go to bucket 0. */
export function bucketOf(durNs: number): number {
  return durNs > 0 ? Math.trunc(Math.log(durNs) / logDiv) : 0;
}

/** Where bucket i starts, in whole ns (truncated, as Go's time.Duration conversion does). */
export function bucketMinNs(i: number): number {
  return Math.trunc(Math.exp(i * logDiv));
}

export interface HistogramBucket {
  readonly index: number;
  /** The bucket holds durations in [minNs, maxNs). */
  readonly minNs: number;
  readonly maxNs: number;
  readonly count: number;
}

export interface TimeHistogramResult {
  readonly count: number;
  /** Every bucket from the lowest non-empty one to the highest, empty ones between included. */
  readonly buckets: readonly HistogramBucket[];
}

export class TimeHistogram {
  private counts: number[] = [];
  count = 0;

  add(durNs: number): void {
    const b = bucketOf(durNs);
    while (this.counts.length <= b) this.counts.push(0);
    this.counts[b]!++;
    this.count++;
  }

  /**
   * The buckets to show. Go tracks the lowest bucket with a quirk (a sample
   * in bucket 0 is hidden if a later sample is in a higher bucket, and the
   * order is a map's, so random); this shows every non-empty bucket.
   */
  result(): TimeHistogramResult {
    const lo = this.counts.findIndex((n) => n > 0);
    const buckets: HistogramBucket[] = [];
    if (lo >= 0) {
      for (let i = lo; i < this.counts.length; i++) {
        buckets.push({ index: i, minNs: bucketMinNs(i), maxNs: bucketMinNs(i + 1), count: this.counts[i]! });
      }
    }
    return { count: this.count, buckets };
  }
}
