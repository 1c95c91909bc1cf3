/**
 * The blocking profiles' raw samples, kept when a region or time-range
 * filter may be asked for (BlockingProfileAnalyzer({ regions: true })): one
 * row per interval a goroutine spent in a profile's state, with how the
 * unfiltered profile counted it, so a filter can cut it again.
 */
import type { GoroutineScope } from "./pprof-scope.js";

function grown<T extends Float64Array | Int32Array | Uint8Array>(a: T, make: (n: number) => T): T {
  const b = make(a.length * 2);
  b.set(a);
  return b;
}

/**
 * Raw samples, kept only for region and time-range filters: typed columns,
 * 41 bytes a sample (a large trace has tens of millions).
 */
export class SampleColumns {
  g = new Float64Array(1024);
  key = new Int32Array(1024);
  startNs = new Float64Array(1024);
  endNs = new Float64Array(1024);
  /**
   * How the unfiltered profile counts the sample: the goroutine incarnation
   * (index into `scopes`, −1: not counted) and bucket it is tallied under,
   * and the delay it adds. A time range cuts [startNs, startNs + delay] further.
   */
  scope = new Int32Array(1024);
  bucket = new Uint8Array(1024);
  delayNs = new Float64Array(1024);
  readonly scopes: GoroutineScope[] = [];
  private readonly scopeIndex = new Map<GoroutineScope, number>();
  length = 0;
  committed = 0;

  push(g: number, key: number, startNs: number, endNs: number): void {
    if (this.length === this.g.length) {
      this.g = grown(this.g, (n) => new Float64Array(n));
      this.key = grown(this.key, (n) => new Int32Array(n));
      this.startNs = grown(this.startNs, (n) => new Float64Array(n));
      this.endNs = grown(this.endNs, (n) => new Float64Array(n));
      this.scope = grown(this.scope, (n) => new Int32Array(n));
      this.bucket = grown(this.bucket, (n) => new Uint8Array(n));
      this.delayNs = grown(this.delayNs, (n) => new Float64Array(n));
    }
    const i = this.length++;
    this.g[i] = g;
    this.key[i] = key;
    this.startNs[i] = startNs;
    this.endNs[i] = endNs;
    this.scope[i] = -1;
  }

  /** Records how the last sample pushed is tallied. */
  tallied(scope: GoroutineScope, bucket: number, delayNs: number): void {
    let s = this.scopeIndex.get(scope);
    if (s === undefined) {
      s = this.scopes.length;
      this.scopes.push(scope);
      this.scopeIndex.set(scope, s);
    }
    const i = this.length - 1;
    this.scope[i] = s;
    this.bucket[i] = bucket;
    this.delayNs[i] = delayNs;
  }

  rollback(): void {
    this.length = this.committed;
  }
}
