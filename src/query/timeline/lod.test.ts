/**
 * Properties of the level-of-detail walk, checked against a naive
 * reference on random tracks: every item is shown exactly once (alone or
 * in one merged run), runs are contiguous, busy time is the sum of the
 * merged durations, a track never yields more than widthPx items, and at
 * fine resolution the walk returns the raw items.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { type ItemSource, SampledPrefix, walkInstants, walkItems } from "./lod.js";

/** Non-overlapping items from gaps and durations (integers, as trace times are). */
function track(
  parts: readonly { gap: number; dur: number }[],
): ItemSource & { starts: number[]; ends: number[] } {
  const starts: number[] = [];
  const ends: number[] = [];
  let t = 0;
  for (const { gap, dur } of parts) {
    t += gap;
    starts.push(t);
    t += dur;
    ends.push(t);
  }
  const prefix = new SampledPrefix(starts.length, (k) => ends[k]! - starts[k]!);
  return {
    n: starts.length,
    starts,
    ends,
    start: (k) => starts[k]!,
    end: (k) => ends[k]!,
    prefix: (k) => prefix.at(k),
  };
}

const parts = fc.array(
  fc.record({
    gap: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 100_000 })),
    dur: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 200_000 })),
  }),
  { maxLength: 400 },
);

interface Out {
  first: number;
  last: number;
  startNs: number;
  endNs: number;
  busyNs: number;
}

function walk(src: ItemSource, startNs: number, endNs: number, widthPx: number): Out[] {
  const out: Out[] = [];
  walkItems(src, startNs, endNs, widthPx, (first, last, s, e, busyNs) =>
    out.push({ first, last, startNs: s, endNs: e, busyNs }),
  );
  return out;
}

/** Items overlapping [startNs, endNs), and instants in it, by brute force. */
function visible(t: { starts: number[]; ends: number[] }, startNs: number, endNs: number): number[] {
  const ks: number[] = [];
  for (let k = 0; k < t.starts.length; k++) {
    const s = t.starts[k]!;
    const e = t.ends[k]!;
    if (s < endNs && (e > startNs || (s >= startNs && s < endNs))) ks.push(k);
  }
  return ks;
}

const windowOf = (total: number) =>
  fc
    .tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }))
    .map(([a, b]) => {
      const lo = Math.min(a, b) * total;
      const hi = Math.max(a, b) * total;
      return hi > lo ? [lo, hi] : [0, Math.max(1, total)];
    });

describe("walkItems", () => {
  it("shows every visible item exactly once, in order, within widthPx items", () => {
    fc.assert(
      fc.property(
        parts.chain((p) => {
          const t = track(p);
          const total = t.n ? t.ends[t.n - 1]! + 1 : 1;
          return fc.tuple(fc.constant(t), windowOf(total), fc.integer({ min: 1, max: 300 }));
        }),
        ([t, [startNs, endNs], widthPx]) => {
          const out = walk(t, startNs!, endNs!, widthPx);
          assert.ok(out.length <= widthPx, `${out.length} items for ${widthPx} px`);
          const shown: number[] = [];
          for (const o of out) for (let k = o.first; k <= o.last; k++) shown.push(k);
          assert.deepEqual(shown, visible(t, startNs!, endNs!));
          for (const o of out) {
            let busy = 0;
            for (let k = o.first; k <= o.last; k++) busy += t.ends[k]! - t.starts[k]!;
            assert.equal(o.busyNs, busy);
            assert.equal(o.startNs, t.starts[o.first]);
            assert.equal(o.endNs, t.ends[o.last]);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("returns the raw items when every item spans more than a pixel", () => {
    fc.assert(
      fc.property(parts, (p) => {
        const t = track(p);
        const total = t.n ? t.ends[t.n - 1]! : 0;
        // Half a nanosecond per pixel: any item of 1 ns or more covers a whole pixel.
        const out = walk(t, 0, Math.max(1, total), Math.max(1, total) * 2);
        const nonEmpty = out.filter((o) => o.endNs > o.startNs);
        for (const o of nonEmpty) assert.equal(o.first, o.last);
        assert.deepEqual(
          nonEmpty.map((o) => [o.startNs, o.endNs]),
          t.starts.map((s, k) => [s, t.ends[k]!]).filter(([s, e]) => e! > s! && s! < Math.max(1, total)),
        );
      }),
      { numRuns: 200 },
    );
  });
});

describe("walkInstants", () => {
  it("counts every instant in the window once, one item per pixel at most", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 10_000 }), { maxLength: 300 }).map((a) => a.sort((x, y) => x - y)),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 500 }),
        (times, startNs, len, widthPx) => {
          const endNs = startNs + len;
          const pixels = new Set<number>();
          let total = 0;
          walkInstants(
            times.length,
            (k) => times[k]!,
            startNs,
            endNs,
            widthPx,
            (first, count, t) => {
              assert.equal(t, times[first]);
              const px = Math.floor(((t - startNs) / len) * widthPx);
              assert.ok(!pixels.has(px), "two items in one pixel");
              pixels.add(px);
              total += count;
            },
          );
          assert.equal(total, times.filter((t) => t >= startNs && t < endNs).length);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("SampledPrefix", () => {
  it("equals the running sum at every index", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1e9 }), { maxLength: 200 }), (durs) => {
        const p = new SampledPrefix(durs.length, (k) => durs[k]!);
        let sum = 0;
        for (let k = 0; k <= durs.length; k++) {
          assert.equal(p.at(k), sum);
          sum += durs[k] ?? 0;
        }
      }),
    );
  });
});
