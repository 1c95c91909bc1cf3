/**
 * The banded MMU search against a slow, obviously correct one: evaluate the
 * windowed mean at every position where an edge of the window meets a
 * change of the function (the minimum of a piecewise-linear function is at
 * a bend or an end), by integrating the steps directly. Same for the MUD,
 * whose exact distribution is a sum of uniform pieces between those bends.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { MMUCurve, mmuPlot, plotQuantiles } from "./mmu.js";
import { UtilSeries } from "./util-series.js";

type Points = [number, number][];

/** ∫ of the step function from its start to t. */
function integral(points: Points, t: number): number {
  let sum = 0;
  for (let i = 0; i < points.length - 1; i++) {
    const [a, u] = points[i]!;
    const b = points[i + 1]![0];
    if (t <= a) break;
    sum += u * (Math.min(t, b) - a);
  }
  return sum;
}

function windowedMean(points: Points, start: number, w: number): number {
  return (integral(points, start + w) - integral(points, start)) / w;
}

/** Every window start where the windowed mean can bend, for one series. */
function bends(points: Points, w: number): number[] {
  const first = points[0]![0];
  const last = points[points.length - 1]![0] - w;
  const ts = new Set<number>([first, last]);
  for (const [t] of points) {
    if (t >= first && t <= last) ts.add(t);
    if (t - w >= first && t - w <= last) ts.add(t - w);
  }
  return [...ts].sort((a, b) => a - b);
}

function duration(points: Points): number {
  return points[points.length - 1]![0] - points[0]![0];
}

function slowMMU(series: Points[], window: number): number {
  let mmu = 1;
  for (const p of series) {
    const w = Math.min(window, duration(p));
    for (const t of bends(p, w)) mmu = Math.min(mmu, windowedMean(p, t, w));
  }
  return mmu;
}

/** The exact MUD: the windowed mean is linear between bends, so each stretch is a uniform piece of mass. */
function slowMUD(series: Points[], window: number, q: number): number {
  const pieces: { lo: number; hi: number; mass: number }[] = [];
  let total = 0;
  for (const p of series) {
    if (duration(p) < window) continue;
    const ts = bends(p, window);
    for (let i = 0; i + 1 < ts.length; i++) {
      const a = windowedMean(p, ts[i]!, window);
      const b = windowedMean(p, ts[i + 1]!, window);
      const mass = ts[i + 1]! - ts[i]!;
      pieces.push({ lo: Math.min(a, b), hi: Math.max(a, b), mass });
      total += mass;
    }
  }
  const y = total * q;
  const below = (x: number) =>
    pieces.reduce((s, p) => {
      if (x >= p.hi) return s + p.mass;
      if (x < p.lo) return s;
      return s + (p.mass * (x - p.lo)) / (p.hi - p.lo);
    }, 0);
  // The smallest x with at least y below it.
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (below(mid) >= y) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** A random utilization step function as MutatorUtilizationV2 makes them: integer times, ending at 0. */
const stepFunction = fc
  .record({
    start: fc.integer({ min: 0, max: 1_000_000 }),
    steps: fc.array(
      fc.record({
        dt: fc.integer({ min: 1, max: 20_000 }),
        util: fc.oneof(fc.constantFrom(0, 0.25, 0.5, 0.75, 1), fc.double({ min: 0, max: 1, noNaN: true })),
      }),
      { minLength: 1, maxLength: 60 },
    ),
  })
  .map(({ start, steps }) => {
    const points: Points = [[start, 1]];
    let t = start;
    for (const s of steps) {
      t += s.dt;
      points.push([t, s.util]);
    }
    points[points.length - 1]![1] = 0;
    return points;
  });

const windowSize = fc.oneof(fc.integer({ min: 1, max: 2_000 }), fc.integer({ min: 1, max: 1_500_000 }));

function curveOf(series: Points[]): MMUCurve {
  return new MMUCurve(series.map((p) => UtilSeries.of(p)));
}

describe("MMU", () => {
  it("equals the slow MMU on random step functions, one or many series", () => {
    fc.assert(
      fc.property(fc.array(stepFunction, { minLength: 1, maxLength: 4 }), windowSize, (series, w) => {
        const fast = curveOf(series).mmu(w);
        const slow = slowMMU(series, w);
        assert.ok(Math.abs(fast - slow) <= 1e-9, `fast ${fast} slow ${slow}`);
      }),
      { numRuns: 400 },
    );
  });

  it("equals the slow MMU when series have more points than bands", () => {
    // 1000 bands per series: long series exercise the band bounds and the bisecting integrator.
    const long = fc
      .array(fc.record({ dt: fc.integer({ min: 1, max: 50 }), util: fc.constantFrom(0, 0.5, 1) }), {
        minLength: 1100,
        maxLength: 1500,
      })
      .map((steps) => {
        const points: Points = [[0, 1]];
        let t = 0;
        for (const s of steps) {
          t += s.dt;
          points.push([t, s.util]);
        }
        points[points.length - 1]![1] = 0;
        return points;
      });
    fc.assert(
      fc.property(long, fc.integer({ min: 1, max: 30_000 }), (p, w) => {
        const fast = curveOf([p]).mmu(w);
        const slow = slowMMU([p], w);
        assert.ok(Math.abs(fast - slow) <= 1e-9, `fast ${fast} slow ${slow}`);
      }),
      { numRuns: 12 },
    );
  });

  // Go keeps a new window unless it overlaps a worse one, but checks only the
  // first overlapping window it finds: the windows are nearly always
  // disjoint, not always (so that is not checked).
  it("gives worst windows whose means are right, worst first, the first being the MMU", () => {
    fc.assert(
      fc.property(stepFunction, windowSize, fc.integer({ min: 1, max: 10 }), (p, w, n) => {
        const curve = curveOf([p]);
        const worst = curve.examples(w, n);
        const win = Math.min(w, duration(p));
        assert.ok(worst.length >= 1 && worst.length <= n);
        assert.ok(Math.abs(worst[0]!.util - curve.mmu(w)) <= 1e-9);
        for (let i = 0; i < worst.length; i++) {
          const x = worst[i]!;
          assert.ok(Math.abs(x.util - windowedMean(p, x.startNs, win)) <= 1e-9, `window at ${x.startNs}`);
          assert.ok(
            x.startNs >= p[0]![0] && x.startNs + win <= p[p.length - 1]![0],
            "window outside the trace",
          );
          if (i > 0) assert.ok(worst[i - 1]!.util <= x.util);
          for (const y of worst.slice(0, i)) assert.notEqual(x.startNs, y.startNs);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("gives the MUD quantiles of the exact distribution", () => {
    fc.assert(
      fc.property(
        fc.array(stepFunction, { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 1, max: 20_000 }),
        fc.constantFrom(0.001, 0.01, 0.05, 0.25, 0.5),
        (series, w, q) => {
          if (series.every((p) => duration(p) <= w)) return;
          const [fast] = curveOf(series).mud(w, [q]);
          const slow = slowMUD(series, w, q);
          assert.ok(Math.abs(fast! - slow) <= 1e-9, `fast ${fast} slow ${slow}`);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("gives real percentiles, not the MMU for each (go tool trace's are all the MMU)", () => {
    // 100 ms of full utilization with a 1 ms pause at 50 ms; 1 ms windows.
    const p: Points = [
      [0, 1],
      [50e6, 0],
      [51e6, 1],
      [100e6, 0],
    ];
    const curve = curveOf([p]);
    // The windowed mean falls linearly from 1 to 0 and back over 2 ms of
    // the 99 ms of window starts: mass 2 ms spread evenly over [0, 1].
    const got = curve.mud(1e6, plotQuantiles);
    const want = [0, (0.001 * 99) / 2, (0.01 * 99) / 2, 1];
    for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) < 1e-9, `${got} vs ${want}`);
  });

  it("measures no window past the end, unless asked to as go tool trace does", () => {
    // A trace without GC: two points. Go cuts it into two bands plus one;
    // the extra band starts 1 ns after the last 1 ns window could, and Go
    // measures that window anyway, counting 0 past the end.
    const p: Points = [
      [33344, 1],
      [38281409, 0],
    ];
    const fixed = curveOf([p]);
    const asGo = new MMUCurve([UtilSeries.of(p)], { windowsPastEnd: true });
    assert.equal(fixed.mmu(1), 1);
    assert.equal(asGo.mmu(1), 0);
    assert.deepEqual(asGo.examples(1, 1), [{ startNs: 38281410, util: 0 }]);
    assert.equal(fixed.mmu(1000), asGo.mmu(1000));
  });

  it("is 0 for a window of 0 and the whole-trace mean for a window longer than the trace", () => {
    const p: Points = [
      [10, 1],
      [20, 0.5],
      [40, 0],
    ];
    const curve = curveOf([p]);
    assert.equal(curve.mmu(0), 0);
    assert.equal(curve.mmu(1000), (10 + 10) / 30);
    assert.deepEqual(curve.examples(1000, 3), [{ startNs: 10, util: 20 / 30 }]);
  });

  it("starts the plot where the MMU first drops below 1e-4 and covers at most the trace", () => {
    const p: Points = [
      [0, 1],
      [5e6, 0],
      [5.5e6, 1],
      [20e6, 0],
    ];
    const plot = mmuPlot(curveOf([p]));
    // A 1 s window covers the whole trace (mean 0.975), a 1 ms one half the
    // 0.5 ms pause at best (0.5), a 1 µs one fits inside it (0).
    assert.equal(plot.xMinNs, 1000);
    assert.equal(plot.xMaxNs, 20e6);
    assert.equal(plot.curve.length, 100);
    // exp(log(x)) can fall a hair short of x, and Go truncates it, as we do.
    assert.ok(plot.curve[99]![0]! >= 20e6 - 1 && plot.curve[99]![0]! <= 20e6);
    assert.equal(plot.curve[0]![1], 0);
    assert.equal(plot.curve[99]![1], curveOf([p]).mmu(plot.curve[99]![0]!));
  });
});
