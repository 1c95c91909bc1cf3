/**
 * What the timeline says is under the mouse (src/ui/timeline/hit-test.ts),
 * checked as a property: for any row of non-overlapping slices at any
 * window and scroll, pointing at the middle of a slice at least two pixels
 * wide picks exactly that slice, a point in the gutter picks the row, and
 * a heading picks its group.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Row, SliceColumns } from "../query/timeline/protocol.js";
import { importUiModule } from "../testing/ui-module.js";

interface Layout {
  rowY: Float64Array;
}
type Pick = { kind: string; id?: number; group?: string; row?: number };

const { layoutRows, laneHeightPx } = await importUiModule<{
  layoutRows(rows: Row[], collapsed: Set<string>): Layout;
  laneHeightPx: number;
}>("timeline/layout.ts");
const { hitTest } = await importUiModule<{ hitTest(c: unknown, x: number, y: number): Pick | undefined }>(
  "timeline/hit-test.ts",
);
const { defaultGutterPx: gutterPx } = await importUiModule<{ defaultGutterPx: number }>(
  "timeline/controller.ts",
);

const rows: Row[] = [
  { index: 0, label: "Goroutines", kind: "counter", group: "Counters", series: ["Running"] },
  { index: 1, label: "Proc 0", kind: "slices", group: "Procs", maxDepth: 1 },
  { index: 2, label: "Proc 1", kind: "slices", group: "Procs", maxDepth: 0 },
];

/** Slices that do not overlap within a depth: cut points of [0, 1e6) paired off. */
const slicesArb = fc
  .uniqueArray(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 2, maxLength: 60 })
  .map((cuts) => cuts.sort((a, b) => a - b))
  .chain((cuts) =>
    fc
      .array(fc.integer({ min: 0, max: 1 }), { minLength: cuts.length, maxLength: cuts.length })
      .map((depths) => {
        const cols: SliceColumns = {
          row: 1,
          startNs: [],
          endNs: [],
          id: [],
          count: [],
          busyNs: [],
          color: [],
          label: [],
          depth: [],
        };
        for (let i = 0; i + 1 < cuts.length; i += 2) {
          cols.startNs.push(cuts[i]!);
          cols.endNs.push(cuts[i + 1]!);
          cols.id.push(i);
          cols.count.push(1);
          cols.busyNs.push(cuts[i + 1]! - cuts[i]!);
          cols.color.push(i);
          cols.label.push(-1);
          cols.depth.push(depths[i]!);
        }
        return cols;
      }),
  );

describe("timeline hit test", () => {
  it("pointing at the middle of a slice picks that slice", () => {
    fc.assert(
      fc.property(
        slicesArb,
        fc.integer({ min: 0, max: 500_000 }),
        fc.integer({ min: 1000, max: 1_000_000 }),
        fc.integer({ min: 300, max: 3000 }),
        fc.integer({ min: 0, max: 40 }),
        (cols, startNs, spanNs, trackWidthPx, scrollTop) => {
          const layout = layoutRows(rows, new Set());
          const win = { startNs, endNs: startNs + spanNs };
          const c = {
            layout,
            view: "proc",
            win,
            trackWidthPx,
            gutterPx,
            scroller: { scrollTop },
            cache: {
              row: (_v: string, r: number) =>
                r === 1 ? { labels: [], slices: cols, counterMax: 0 } : undefined,
            },
          };
          const k = trackWidthPx / spanNs;
          for (let i = 0; i < cols.id.length; i++) {
            const x0 = gutterPx + (cols.startNs[i]! - win.startNs) * k;
            const x1 = gutterPx + (cols.endNs[i]! - win.startNs) * k;
            // Only slices on screen and wide enough that their neighbours' slop cannot reach the middle.
            if (x1 - x0 < 8 || (x0 + x1) / 2 < gutterPx || (x0 + x1) / 2 > gutterPx + trackWidthPx) continue;
            const y = layout.rowY[1]! - scrollTop + 2 + cols.depth[i]! * laneHeightPx + laneHeightPx / 2;
            const p = hitTest(c, (x0 + x1) / 2, y);
            assert.equal(p?.kind, "slice", JSON.stringify({ i, p }));
            assert.equal(p?.id, cols.id[i]);
          }
          assert.equal(hitTest(c, 10, layout.rowY[1]! - scrollTop + 5)?.kind, "row");
          if (scrollTop === 0) assert.equal(hitTest(c, 500, 5)?.group, "Counters");
        },
      ),
    );
  });
});
