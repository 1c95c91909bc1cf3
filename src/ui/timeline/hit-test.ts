/**
 * What is under a point of the timeline: a heading, a slice (or a merged
 * item), a mark, a counter sample. Reads the same cached columns the
 * painter drew, so what you click is what you saw.
 */
import type { TimelineController } from "./controller.js";
import { entryAt, headingHeightPx, laneHeightPx } from "./layout.js";

export type Pick =
  | { readonly kind: "heading"; readonly group: string }
  | { readonly kind: "row"; readonly row: number }
  | {
      readonly kind: "slice";
      readonly row: number;
      /** Engine id, or −1 for a merged item (`count` slices narrower than a pixel). */
      readonly id: number;
      readonly startNs: number;
      readonly endNs: number;
      readonly count: number;
      readonly busyNs: number;
      readonly depth: number;
      readonly label: string;
    }
  | {
      readonly kind: "mark";
      readonly row: number;
      readonly id: number;
      readonly timeNs: number;
      readonly count: number;
      readonly label: string;
    }
  | {
      readonly kind: "counter";
      readonly row: number;
      readonly timeNs: number;
      readonly values: readonly number[];
    };

/** Slop around thin items, in CSS pixels, so a 1 px slice or tick can still be hit. */
const slopPx = 3;

export function hitTest(c: TimelineController, xPx: number, yPx: number): Pick | undefined {
  const layout = c.layout;
  if (!layout || !c.scroller) return undefined;
  const gutterPx = c.gutterPx;
  const y = yPx + c.scroller.scrollTop;
  // The pinned heading at the top (painter.ts drawStickyHeading) answers for its group.
  const top = entryAt(layout, c.scroller.scrollTop);
  if (yPx < headingHeightPx && top < layout.entryRow.length && layout.entryRow[top]! >= 0) {
    return { kind: "heading", group: layout.headings[layout.entryHeading[top]!]! };
  }
  const e = entryAt(layout, y);
  if (e >= layout.entryRow.length || layout.entryY[e]! > y) return undefined;
  const row = layout.entryRow[e]!;
  if (row < 0) return { kind: "heading", group: layout.headings[-row - 1]! };
  if (xPx < gutterPx) return { kind: "row", row };
  const data = c.cache.row(c.view, row);
  if (!data) return { kind: "row", row };
  const k = c.trackWidthPx / (c.win.endNs - c.win.startNs);
  const xOf = (ns: number) => gutterPx + (ns - c.win.startNs) * k;
  const within = y - layout.entryY[e]!;

  if (data.slices) {
    const s = data.slices;
    const lane = Math.floor((within - 2) / laneHeightPx);
    let best = -1;
    let bestDist = slopPx + 1;
    for (let i = 0; i < s.startNs.length; i++) {
      if (s.depth[i] !== lane) continue;
      const x0 = xOf(s.startNs[i]!);
      const x1 = Math.max(xOf(s.endNs[i]!), x0 + 1);
      const d = xPx < x0 ? x0 - xPx : xPx > x1 ? xPx - x1 : 0;
      if (d < bestDist) {
        bestDist = d;
        best = i;
      }
    }
    if (best >= 0) {
      const li = s.label[best]!;
      return {
        kind: "slice",
        row,
        id: s.id[best]!,
        startNs: s.startNs[best]!,
        endNs: s.endNs[best]!,
        count: s.count[best]!,
        busyNs: s.busyNs[best]!,
        depth: s.depth[best]!,
        label: li >= 0 ? (data.labels[li] ?? "") : "",
      };
    }
  }
  if (data.marks) {
    const m = data.marks;
    let best = -1;
    let bestDist = slopPx + 1;
    for (let i = 0; i < m.timeNs.length; i++) {
      const d = Math.abs(xOf(m.timeNs[i]!) - xPx);
      if (d < bestDist) {
        bestDist = d;
        best = i;
      }
    }
    if (best >= 0) {
      const li = m.label[best]!;
      return {
        kind: "mark",
        row,
        id: m.id[best]!,
        timeNs: m.timeNs[best]!,
        count: m.count[best]!,
        label: li >= 0 ? (data.labels[li] ?? "") : "",
      };
    }
  }
  if (data.counter) {
    const t = c.win.startNs + (xPx - gutterPx) / k;
    const times = data.counter.timeNs;
    // The sample in force at t: the last one at or before it.
    let lo = 0;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (times[mid]! <= t) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) {
      const i = lo - 1;
      return { kind: "counter", row, timeNs: times[i]!, values: data.counter.values.map((v) => v[i] ?? 0) };
    }
  }
  return { kind: "row", row };
}
