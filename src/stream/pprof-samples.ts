/**
 * The blocking profiles' raw samples, kept when a region or time-range
 * filter may be asked for (BlockingProfileAnalyzer({ regions: true })): one
 * row per interval a goroutine spent in a profile's state, with how the
 * unfiltered profile counted it, so a filter can cut it again.
 */
import { F64Column, IntColumn } from "../model/columns.js";
import type { GoroutineScope } from "./pprof-scope.js";

/**
 * Raw samples, kept only for region and time-range filters: chunked
 * columns (model/columns.ts), about 40 bytes a sample and no spare half
 * array while growing (a large trace has tens of millions).
 */
export class SampleColumns {
  readonly g = new F64Column();
  readonly key = new IntColumn();
  readonly startNs = new F64Column();
  readonly endNs = new F64Column();
  /**
   * How the unfiltered profile counts the sample: the goroutine incarnation
   * (index into `scopes`, −1: not counted) and bucket it is tallied under,
   * and the delay it adds. A time range cuts [startNs, startNs + delay] further.
   */
  readonly scope = new IntColumn();
  readonly bucket = new IntColumn();
  readonly delayNs = new F64Column();
  readonly scopes: GoroutineScope[] = [];
  private readonly scopeIndex = new Map<GoroutineScope, number>();
  length = 0;
  committed = 0;

  push(g: number, key: number, startNs: number, endNs: number): void {
    this.length++;
    this.g.push(g);
    this.key.push(key);
    this.startNs.push(startNs);
    this.endNs.push(endNs);
    this.scope.push(-1);
    this.bucket.push(0);
    this.delayNs.push(0);
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
    this.scope.set(i, s);
    this.bucket.set(i, bucket);
    this.delayNs.set(i, delayNs);
  }

  /** Forgets the samples since the last commit (the trace broke; nothing is pushed after this). */
  rollback(): void {
    this.length = this.committed;
  }
}
