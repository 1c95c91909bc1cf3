/**
 * The packed counter track against a plain list of samples: decoding gives
 * back what was pushed (small steps packed, large ones escaped), and a
 * window's per-pixel maxima equal a naive scan, across block and
 * superblock boundaries.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { CounterTrack } from "./counters.js";

const step = fc.record({
  dt: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 2 ** 27 })),
  s: fc.integer({ min: 0, max: 2 }),
  delta: fc.oneof(fc.constantFrom(-1, 1, 1), fc.integer({ min: -1000, max: 1000 })),
});

function fill(steps: readonly { dt: number; s: number; delta: number }[]) {
  const track = new CounterTrack(["a", "b", "c"]);
  const pushed: { timeNs: number; values: number[] }[] = [];
  const v = [0, 0, 0];
  let t = 0;
  for (const { dt, s, delta } of steps) {
    t += dt;
    v[s] = Math.max(0, v[s]! + delta);
    const before = pushed.at(-1)?.values ?? [0, 0, 0];
    track.push(t, v);
    if (v.some((x, i) => x !== before[i])) pushed.push({ timeNs: t, values: v.slice() });
  }
  return { track, pushed, endNs: t + 1 };
}

/** Per pixel, the maximum of the value in effect at its start and every sample inside it. */
function naive(
  pushed: { timeNs: number; values: number[] }[],
  startNs: number,
  endNs: number,
  nsPerPx: number,
) {
  const out: { timeNs: number; values: number[] }[] = [];
  const px = Math.ceil((endNs - startNs) / nsPerPx);
  for (let p = 0; p < px; p++) {
    const a = startNs + p * nsPerPx;
    const b = Math.min(endNs, a + nsPerPx);
    let at = [0, 0, 0];
    for (const s of pushed) if (s.timeNs <= a) at = s.values;
    const m = at.slice();
    for (const s of pushed)
      if (s.timeNs > a && s.timeNs < b) for (let i = 0; i < 3; i++) m[i] = Math.max(m[i]!, s.values[i]!);
    const last = out.at(-1);
    if (!last || last.values.some((x, i) => x !== m[i])) out.push({ timeNs: a, values: m });
  }
  return out;
}

describe("CounterTrack", () => {
  it("move is push with one series down and another up", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            // Mostly packed steps, some too long for a packed word.
            dt: fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 2 ** 26, max: 2 ** 27 })),
            from: fc.integer({ min: -1, max: 2 }),
            to: fc.integer({ min: -1, max: 2 }),
          }),
          { maxLength: 6000, size: "max" },
        ),
        (moves) => {
          const moved = new CounterTrack(["a", "b", "c"]);
          const pushed = new CounterTrack(["a", "b", "c"]);
          const v = [0, 0, 0];
          let t = 0;
          for (const { dt, from, to } of moves) {
            t += dt;
            moved.move(t, from, to);
            if (from >= 0) v[from]!--;
            if (to >= 0) v[to]!++;
            pushed.push(t, v);
          }
          assert.deepEqual(moved.samples(), pushed.samples());
          // Coarse and fine pixels: whole blocks and superblocks skipped by their maxima, and single samples.
          for (const px of [7, 100, 3000])
            assert.deepEqual(moved.window(0, t + 1, (t + 1) / px), pushed.window(0, t + 1, (t + 1) / px));
        },
      ),
      { numRuns: 100 },
    );
  });

  it("decodes what was pushed", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 3000 }), (steps) => {
        const { track, pushed } = fill(steps);
        assert.deepEqual(track.samples(), pushed);
      }),
      { numRuns: 50 },
    );
  });

  it("gives each pixel's maximum, as a naive scan does", () => {
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 9000, maxLength: 20000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        // Few pixels make pixels span whole superblocks (4096 samples).
        fc.oneof(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 60 })),
        (steps, x, y, widthPx) => {
          const { track, pushed, endNs: total } = fill(steps);
          const startNs = Math.floor(Math.min(x, y) * total);
          const endNs = Math.max(startNs + 1, Math.ceil(Math.max(x, y) * total));
          const nsPerPx = (endNs - startNs) / widthPx;
          const w = track.window(startNs, endNs, nsPerPx);
          const got = w.timeNs.map((t, i) => ({ timeNs: t, values: w.values.map((s) => s[i]!) }));
          assert.deepEqual(got, naive(pushed, startNs, endNs, nsPerPx));
        },
      ),
      { numRuns: 40 },
    );
  });

  it("reads back and windows samples across its 64K-word chunks", () => {
    // Deterministic steps, so the long track is the same each run.
    let x = 12345;
    const next = (n: number) => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      return x % n;
    };
    const steps = Array.from({ length: 2 * 65536 + 100 }, () => ({
      dt: next(50) === 0 ? 2 ** 27 : next(1000),
      s: next(3),
      delta: next(20) === 0 ? 7 : next(2) === 0 ? 1 : -1,
    }));
    const { track, pushed, endNs } = fill(steps);
    assert.ok(track.length > 2 * 65536);
    track.trim();
    assert.deepEqual(track.samples(), pushed);
    assert.deepEqual(track.samples().slice(65530, 65550), pushed.slice(65530, 65550));
    for (const px of [3, 40, 300]) {
      const w = track.window(0, endNs, endNs / px);
      const got = w.timeNs.map((t, i) => ({ timeNs: t, values: w.values.map((s) => s[i]!) }));
      assert.deepEqual(got, naive(pushed, 0, endNs, endNs / px), `${px} px`);
    }
  });
});
