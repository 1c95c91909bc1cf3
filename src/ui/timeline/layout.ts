/**
 * Vertical layout of a view's rows: group headings, row heights and the y of
 * each, in typed arrays built once per (rows, collapsed groups, filter). A
 * goroutine view can have 100k rows, so finding the visible ones is a
 * binary search, and a frame only touches those. No DOM here.
 */
import type { Row } from "../../query/timeline/protocol.js";

export const headingHeightPx = 24;
export const laneHeightPx = 18;
export const counterHeightPx = 44;
export const marksHeightPx = 20;

export function rowHeightPx(row: Row): number {
  if (row.kind === "counter") return counterHeightPx;
  if (row.kind === "marks") return marksHeightPx;
  return 4 + ((row.maxDepth ?? 0) + 1) * laneHeightPx;
}

export interface RowLayout {
  /** Entries top to bottom: a row index ≥ 0, or −(heading number + 1). */
  readonly entryRow: Int32Array;
  /** The heading number each entry sits under, for the sticky heading. */
  readonly entryHeading: Int32Array;
  readonly entryY: Float64Array;
  readonly entryH: Float64Array;
  /** Group name of each heading, by heading number. */
  readonly headings: readonly string[];
  /** Rows under each heading: shown (after the filter) and in all. */
  readonly headingShown: readonly number[];
  readonly headingCounts: readonly number[];
  /** y of each row of the view, NaN when hidden (filtered out or collapsed). */
  readonly rowY: Float64Array;
  readonly totalHeightPx: number;
}

/**
 * Lays out `rows` grouped under headings in the order the engine gives them.
 * Rows of a collapsed group are hidden; `keep`, when given, hides rows it
 * rejects (the goroutine view's find filter), and groups left empty.
 */
export function layoutRows(
  rows: readonly Row[],
  collapsed: ReadonlySet<string>,
  keep?: (row: Row) => boolean,
): RowLayout {
  const entryRow: number[] = [];
  const entryHeading: number[] = [];
  const entryY: number[] = [];
  const entryH: number[] = [];
  const headings: string[] = [];
  const headingCounts: number[] = [];
  const headingShown: number[] = [];
  const rowY = new Float64Array(rows.length).fill(Number.NaN);
  let y = 0;
  let i = 0;
  while (i < rows.length) {
    const group = rows[i]!.group;
    let j = i;
    while (j < rows.length && rows[j]!.group === group) j++;
    let kept = 0;
    for (let k = i; k < j; k++) if (!keep || keep(rows[k]!)) kept++;
    if (kept > 0) {
      headings.push(group);
      headingCounts.push(j - i);
      headingShown.push(kept);
      entryRow.push(-headings.length);
      entryHeading.push(headings.length - 1);
      entryY.push(y);
      entryH.push(headingHeightPx);
      y += headingHeightPx;
      if (!collapsed.has(group)) {
        for (let k = i; k < j; k++) {
          const row = rows[k]!;
          if (keep && !keep(row)) continue;
          const h = rowHeightPx(row);
          entryRow.push(row.index);
          entryHeading.push(headings.length - 1);
          entryY.push(y);
          entryH.push(h);
          rowY[row.index] = y;
          y += h;
        }
      }
    }
    i = j;
  }
  return {
    entryRow: Int32Array.from(entryRow),
    entryHeading: Int32Array.from(entryHeading),
    entryY: Float64Array.from(entryY),
    entryH: Float64Array.from(entryH),
    headings,
    headingShown,
    headingCounts,
    rowY,
    totalHeightPx: y,
  };
}

/** The first entry whose bottom is below `y` (binary search); entryRow.length if none. */
export function entryAt(layout: RowLayout, y: number): number {
  let lo = 0;
  let hi = layout.entryRow.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (layout.entryY[mid]! + layout.entryH[mid]! <= y) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Entries [from, to) that intersect the band [top, top + height). */
export function visibleEntries(layout: RowLayout, top: number, height: number): [number, number] {
  const from = entryAt(layout, top);
  let to = from;
  const bottom = top + height;
  while (to < layout.entryRow.length && layout.entryY[to]! < bottom) to++;
  return [from, to];
}
