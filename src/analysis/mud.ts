/**
 * The mutator utilization distribution (MUD) for one window size: how much
 * time (mass) the windowed utilization spends at each level, built up as a
 * sum of uniform pieces and point masses while the MMU search walks the
 * trace. Quantiles of it are the "p99 MU" lines of go tool trace's MMU plot.
 * Same representation and arithmetic as Go's internal/trace/mud.go.
 */

/** Buckets of the coarse histogram that tracks where the wanted mass falls. */
const degree = 1024;

/** At x the density rises by delta; a point mass `dirac` sits at x too. */
interface Edge {
  x: number;
  delta: number;
  dirac: number;
}

export class MutatorUtilDistribution {
  private sorted: Edge[] = [];
  private unsorted: Edge[] = [];
  private readonly hist = new Float64Array(degree);
  /** The cumulative mass whose utilization level we need to know. */
  private trackMass = 0;
  /** The bucket where trackMass falls (degree if the total is still below it). */
  private trackBucket = 0;
  /** The mass in the buckets below trackBucket. */
  private trackSum = 0;

  /** Adds `area` spread evenly over utilizations [l, r] (a point mass if l === r). */
  add(l: number, r: number, area: number): void {
    if (area === 0) return;
    if (r < l) [l, r] = [r, l];
    if (l === r) this.unsorted.push({ x: l, delta: 0, dirac: area });
    else {
      const delta = area / (r - l);
      this.unsorted.push({ x: l, delta, dirac: 0 }, { x: r, delta: -delta, dirac: 0 });
    }

    const h = this.hist;
    let lb = Math.trunc(l * degree);
    let lf = l * degree - lb;
    if (lb >= degree) {
      lb = degree - 1;
      lf = 1;
    }
    if (l === r) h[lb]! += area;
    else {
      let rb = Math.trunc(r * degree);
      let rf = r * degree - rb;
      if (rb >= degree) {
        rb = degree - 1;
        rf = 1;
      }
      if (lb === rb) h[lb]! += area;
      else {
        const perBucket = area / (r - l) / degree;
        h[lb]! += perBucket * (1 - lf);
        h[rb]! += perBucket * rf;
        for (let i = lb + 1; i < rb; i++) h[i]! += perBucket;
      }
    }

    const thresh = this.trackBucket / degree;
    if (l < thresh) {
      this.trackSum += r < thresh ? area : (area * (thresh - l)) / (r - l);
      if (this.trackSum >= this.trackMass) this.setTrackMass(this.trackMass);
    }
  }

  /** Starts tracking which bucket the cumulative mass `mass` falls in. */
  setTrackMass(mass: number): void {
    this.trackMass = mass;
    let sum = 0;
    for (let i = 0; i < degree; i++) {
      const next = sum + this.hist[i]!;
      if (next > mass) {
        this.trackBucket = i;
        this.trackSum = sum;
        return;
      }
      sum = next;
    }
    this.trackBucket = degree;
    this.trackSum = sum;
  }

  /**
   * Bounds [lower, upper) on the utilization where the tracked mass is
   * reached, or undefined while the total mass is still below it.
   */
  approxInvCumulativeSum(): { lower: number; upper: number } | undefined {
    if (this.trackBucket === degree) return undefined;
    return { lower: this.trackBucket / degree, upper: (this.trackBucket + 1) / degree };
  }

  /**
   * The utilization x with `y` of mass at or below it, and whether the
   * distribution holds that much (if not, its highest point and false;
   * NaN if it is empty).
   */
  invCumulativeSum(y: number): { x: number; ok: boolean } {
    if (this.sorted.length === 0 && this.unsorted.length === 0) return { x: Number.NaN, ok: false };
    const fresh = this.unsorted.sort((a, b) => a.x - b.x);
    this.unsorted = [];
    this.sorted = this.sorted.length === 0 ? fresh : mergeByX(this.sorted, fresh);

    let csum = 0;
    // The density is a running sum of the edges' steps. A piece only an ulp
    // or two wide (a flat stretch of the windowed mean, up to rounding) has a
    // huge step up and the same step down, which would swamp the ordinary
    // steps in plain addition (Go adds plainly); compensated (Neumaier)
    // summation keeps them.
    let rate = 0;
    let rateLost = 0;
    let prevX = 0;
    for (const e of this.sorted) {
      const r = rate + rateLost;
      let next = csum + (e.x - prevX) * r;
      if (next >= y) {
        // Reached between the previous edge and this one (anywhere will do if flat).
        return { x: r === 0 ? e.x : (y - csum) / r + prevX, ok: true };
      }
      next += e.dirac;
      if (next >= y) return { x: e.x, ok: true };
      csum = next;
      prevX = e.x;
      const sum = rate + e.delta;
      rateLost += Math.abs(rate) >= Math.abs(e.delta) ? rate - sum + e.delta : e.delta - sum + rate;
      rate = sum;
    }
    return { x: prevX, ok: false };
  }
}

/** Merges two lists sorted by x; on ties the fresh edge goes first, as in Go. */
function mergeByX(old: Edge[], fresh: Edge[]): Edge[] {
  const out: Edge[] = [];
  let i = 0;
  let j = 0;
  while (i < old.length && j < fresh.length) out.push(old[i]!.x < fresh[j]!.x ? old[i++]! : fresh[j++]!);
  while (i < old.length) out.push(old[i++]!);
  while (j < fresh.length) out.push(fresh[j++]!);
  return out;
}
