/**
 * Property tests for the timeline's pure math (src/ui/timeline/viewport.ts,
 * time-format.ts, layout.ts). The UI is bundled by vite and not compiled by
 * `tsc -p .`, so these DOM-free files are imported through
 * testing/ui-module.ts, transpiled by TypeScript: the code under test is
 * exactly what the browser runs.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { importUiModule } from "../testing/ui-module.js";

interface TimeWindow {
  startNs: number;
  endNs: number;
}
interface FetchPlan {
  startNs: number;
  endNs: number;
  resolutionNs: number;
  widthPx: number;
}
interface Viewport {
  minSpanNs: number;
  maxRequestPx: number;
  clampWindow(w: TimeWindow, dur: number): TimeWindow;
  zoomAround(w: TimeWindow, factor: number, anchorNs: number, dur: number): TimeWindow;
  panBy(w: TimeWindow, deltaNs: number, dur: number): TimeWindow;
  xOfNs(ns: number, w: TimeWindow, widthPx: number): number;
  nsAtX(x: number, w: TimeWindow, widthPx: number): number;
  fetchPlan(w: TimeWindow, widthPx: number, dur: number): FetchPlan;
  planCovers(p: FetchPlan, w: TimeWindow, widthPx: number, dur: number): boolean;
  planKey(p: FetchPlan): string;
}
interface AxisTicks {
  firstNs: number;
  stepNs: number;
  count: number;
}
interface TimeFormat {
  formatDuration(ns: number): string;
  axisTicks(startNs: number, endNs: number, widthPx: number, minGapPx?: number, charPx?: number): AxisTicks;
  tickLabel(t: AxisTicks, i: number): string;
}
interface RowLike {
  index: number;
  label: string;
  kind: "slices" | "counter" | "marks";
  group: string;
  maxDepth?: number;
}
interface Layout {
  layoutRows(
    rows: RowLike[],
    collapsed: Set<string>,
    keep?: (r: RowLike) => boolean,
  ): {
    entryRow: Int32Array;
    entryY: Float64Array;
    entryH: Float64Array;
    rowY: Float64Array;
    totalHeightPx: number;
  };
  entryAt(layout: unknown, y: number): number;
  visibleEntries(layout: unknown, top: number, height: number): [number, number];
}

const vp = await importUiModule<Viewport>("timeline/viewport.ts");
const tf = await importUiModule<TimeFormat>("timeline/time-format.ts");
const lay = await importUiModule<Layout>("timeline/layout.ts");

/** A trace duration (1 µs … 10^13 ns ≈ 2.8 h) and a window inside it. */
const traceAndWindow = fc
  .tuple(
    fc.double({ min: 1e3, max: 1e13, noNaN: true }),
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.double({ min: 0, max: 1, noNaN: true }),
  )
  .map(([dur, a, b]) => {
    const w = vp.clampWindow({ startNs: Math.min(a, b) * dur, endNs: Math.max(a, b) * dur }, dur);
    return { dur, w };
  });
/** Screens from narrow to very wide (8K at a device pixel ratio of 1). */
const widthPx = fc.integer({ min: 100, max: 8000 });

function inside(w: TimeWindow, dur: number): boolean {
  return (
    w.startNs >= 0 &&
    w.endNs <= dur * (1 + 1e-12) &&
    w.endNs - w.startNs >= Math.min(vp.minSpanNs, dur) * (1 - 1e-9)
  );
}

describe("timeline viewport math", () => {
  it("clampWindow keeps any window inside the trace and at least the minimum span", () => {
    fc.assert(
      fc.property(fc.double({ min: 1, max: 1e13, noNaN: true }), fc.double(), fc.double(), (dur, a, b) => {
        const w = vp.clampWindow({ startNs: a, endNs: b }, dur);
        assert.ok(inside(w, dur), JSON.stringify({ dur, a, b, w }));
      }),
    );
  });

  it("zooming keeps the time under the anchor at the same place on screen", () => {
    fc.assert(
      fc.property(
        traceAndWindow,
        fc.double({ min: 0.1, max: 10, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        ({ dur, w }, factor, at) => {
          const span = w.endNs - w.startNs;
          const anchor = w.startNs + at * span;
          const z = vp.zoomAround(w, factor, anchor, dur);
          assert.ok(inside(z, dur));
          const zSpan = z.endNs - z.startNs;
          // Unless the window hit an end of the trace or a span limit, the anchor stays put.
          const free =
            z.startNs > 0 && z.endNs < dur && Math.abs(zSpan - span * factor) <= span * factor * 1e-9;
          if (free)
            assert.ok(Math.abs((anchor - z.startNs) / zSpan - at) < 1e-6, JSON.stringify({ w, z, at }));
          if (factor < 1) assert.ok(zSpan <= span * (1 + 1e-9));
          if (factor > 1) assert.ok(zSpan >= span * (1 - 1e-9));
        },
      ),
    );
  });

  it("panning keeps the span and stays inside the trace", () => {
    fc.assert(
      fc.property(traceAndWindow, fc.double({ min: -2, max: 2, noNaN: true }), ({ dur, w }, frac) => {
        const span = w.endNs - w.startNs;
        const p = vp.panBy(w, frac * span, dur);
        assert.ok(inside(p, dur));
        assert.ok(Math.abs(p.endNs - p.startNs - span) <= span * 1e-9);
      }),
    );
  });

  it("x and time convert back and forth", () => {
    fc.assert(
      fc.property(traceAndWindow, widthPx, fc.double({ min: 0, max: 1, noNaN: true }), ({ w }, width, f) => {
        const x = f * width;
        const back = vp.xOfNs(vp.nsAtX(x, w, width), w, width);
        // Times are doubles: far into a long trace a 50 ns window has few bits below the ns left.
        const ulpPx = ((8 * Number.EPSILON * w.endNs) / (w.endNs - w.startNs)) * width;
        assert.ok(Math.abs(back - x) <= Math.max(1e-6 * width, ulpPx), `${x} → ${back}`);
      }),
    );
  });

  it("a fetch plan covers the window padded, at a power-of-two resolution no coarser than a pixel", () => {
    fc.assert(
      fc.property(traceAndWindow, widthPx, ({ dur, w }, width) => {
        const p = vp.fetchPlan(w, width, dur);
        const nsPerPx = (w.endNs - w.startNs) / width;
        assert.ok(Number.isInteger(Math.log2(p.resolutionNs)));
        assert.ok(p.resolutionNs <= nsPerPx && nsPerPx < 2 * p.resolutionNs);
        assert.ok(p.startNs <= w.startNs && p.endNs >= Math.min(w.endNs, dur) * (1 - 1e-12));
        assert.ok(vp.planCovers(p, w, width, dur));
        assert.ok(p.widthPx >= 1 && p.widthPx <= 6 * width + 600, `${p.widthPx} px for ${width}`);
        assert.ok(p.widthPx <= vp.maxRequestPx + 1, `${p.widthPx} px is over the request limit`);
      }),
    );
  });

  it("small pans reuse the same request", () => {
    fc.assert(
      fc.property(traceAndWindow, widthPx, ({ dur, w }, width) => {
        const p = vp.fetchPlan(w, width, dur);
        const moved = vp.panBy(w, ((w.endNs - w.startNs) * 5) / width, dur);
        // A pan of five pixels is still covered by the padded plan, so no refetch.
        assert.ok(vp.planCovers(p, moved, width, dur));
      }),
    );
  });
});

describe("timeline axis", () => {
  it("ticks are round steps, inside the window, far enough apart, with distinct labels", () => {
    fc.assert(
      fc.property(traceAndWindow, widthPx, ({ w }, width) => {
        const t = tf.axisTicks(w.startNs, w.endNs, width, 90, 7);
        const mant = t.stepNs / 10 ** Math.floor(Math.log10(t.stepNs) + 1e-12);
        assert.ok(
          [1, 2, 5].some((m) => Math.abs(mant - m) < 1e-6),
          `step ${t.stepNs}`,
        );
        assert.ok((t.stepNs * width) / (w.endNs - w.startNs) >= 90 * (1 - 1e-9));
        assert.ok(t.count <= width / 90 + 2);
        const labels = new Set<string>();
        for (let i = 0; i < t.count; i++) {
          const ns = t.firstNs + i * t.stepNs;
          assert.ok(ns >= w.startNs - 1e-6 * t.stepNs && ns <= w.endNs + 1e-6 * t.stepNs);
          labels.add(tf.tickLabel(t, i));
        }
        assert.equal(labels.size, t.count, [...labels].join(" | "));
      }),
    );
  });

  it("durations read back within 1% in their unit", () => {
    const scale: Record<string, number> = { ns: 1, µs: 1e3, ms: 1e6, s: 1e9 };
    fc.assert(
      fc.property(fc.double({ min: 1, max: 1e13, noNaN: true }), (ns) => {
        const [num, unit] = tf.formatDuration(ns).split(" ");
        const back = Number(num) * scale[unit!]!;
        assert.ok(Math.abs(back - ns) <= ns * 0.01 + 0.5, `${ns} → ${num} ${unit}`);
      }),
    );
    assert.equal(tf.formatDuration(1500), "1.50 µs");
    assert.equal(tf.formatDuration(2_500_000_000), "2.50 s");
  });
});

describe("timeline row layout", () => {
  const rowsArb = fc.array(
    fc.record({
      group: fc.constantFrom("Counters", "Global", "Procs", "Goroutines"),
      kind: fc.constantFrom("slices" as const, "counter" as const, "marks" as const),
      maxDepth: fc.integer({ min: 0, max: 4 }),
    }),
    { maxLength: 200 },
  );
  it("rows stack without gaps, and a y finds the entry that contains it", () => {
    fc.assert(
      fc.property(rowsArb, fc.boolean(), fc.double({ min: 0, max: 1, noNaN: true }), (spec, collapse, f) => {
        const rows = spec.map((r, index) => ({ ...r, index, label: `r${index}` }));
        const layout = lay.layoutRows(rows, new Set(collapse ? ["Procs"] : []), (r) => r.index % 3 !== 1);
        let y = 0;
        for (let e = 0; e < layout.entryRow.length; e++) {
          assert.equal(layout.entryY[e], y);
          const r = layout.entryRow[e]!;
          if (r >= 0) {
            assert.equal(layout.rowY[r], y);
            assert.notEqual(r % 3, 1);
          }
          y += layout.entryH[e]!;
        }
        assert.equal(layout.totalHeightPx, y);
        if (y === 0) return;
        const probe = f * (y - 1e-6);
        const e = lay.entryAt(layout, probe);
        assert.ok(layout.entryY[e]! <= probe && probe < layout.entryY[e]! + layout.entryH[e]!);
        const [from, to] = lay.visibleEntries(layout, probe, 100);
        assert.equal(from, e);
        assert.ok(to > from && (to === layout.entryRow.length || layout.entryY[to]! >= probe + 100));
      }),
    );
  });
});
