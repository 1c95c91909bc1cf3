/**
 * Draws the rows of the timeline onto its canvas from cached data only:
 * synchronous, touching just the visible rows and the items the engine sent
 * for them (about one per pixel), so a frame costs the same on any trace.
 * Row labels sit in a gutter on the left; the track area is to its right.
 */
import type { Row, SliceColumns, ViewKind } from "../../query/timeline/protocol.js";
import type { WhyStep } from "../../query/why/protocol.js";
import { functionSwatch, labelFunction, perLabels, type Swatch, sliceSwatch, theme } from "./colors.js";
import { paintGutter } from "./gutter-painter.js";
import { fitLabel } from "./label-fit.js";
import { laneHeightPx, type RowLayout, visibleEntries } from "./layout.js";
import { type ChainDrawn, drawChain, drawCounter, drawFlows, drawMarks } from "./painter-extras.js";
import type { AxisTicks } from "./time-format.js";
import type { TimeWindow } from "./viewport.js";
import type { RowData, WindowCache } from "./window-cache.js";

export interface SelectedSlice {
  readonly row: number;
  readonly id: number;
  readonly startNs: number;
  readonly endNs: number;
}

/** Everything one frame depends on. */
export interface Scene {
  readonly view: ViewKind;
  readonly rows: readonly Row[];
  readonly layout: RowLayout;
  readonly cache: WindowCache;
  readonly win: TimeWindow;
  /** Canvas size and the label gutter, in CSS pixels. */
  readonly widthPx: number;
  readonly heightPx: number;
  readonly gutterPx: number;
  readonly scrollTopPx: number;
  readonly collapsed: ReadonlySet<string>;
  readonly ticks: AxisTicks;
  readonly selected?: SelectedSlice;
  /** The slice under the mouse, outlined lightly. */
  readonly hovered?: {
    readonly row: number;
    readonly depth: number;
    readonly startNs: number;
    readonly endNs: number;
  };
  /** Goroutines matched by find: their slices are outlined, others dimmed. */
  readonly highlight?: ReadonlySet<number>;
  /** Slices matched by find (goroutine view ids: regions, tasks): outlined too. */
  readonly highlightSlices?: ReadonlySet<number>;
  readonly focusGoroutine?: number;
  readonly range?: TimeWindow;
  readonly hoverX?: number;
  readonly showFlows: boolean;
  /** Goroutine slices coloured by goroutine ID, or by the function the goroutine started in. */
  readonly colorBy: "goroutine" | "function";
  /** Average width of one label character, measured once per font. */
  readonly charPx: number;
  /** Filled with the row labels as drawn (after shortening), when given. */
  readonly labelsDrawn?: Map<number, string>;
  /** A "Why?" chain to draw over the goroutine view; what was drawn goes into chainDrawn. */
  readonly chain?: readonly WhyStep[];
  readonly chainDrawn?: ChainDrawn[];
}

/** Draws a frame; returns whether flows were left out by the engine (too many to draw). */
export function paintTracks(ctx: CanvasRenderingContext2D, s: Scene): boolean {
  const { layout, gutterPx, widthPx, heightPx, scrollTopPx } = s;
  const trackW = widthPx - gutterPx;
  const k = trackW / (s.win.endNs - s.win.startNs);
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, widthPx, heightPx);
  ctx.font = theme.font;
  ctx.textBaseline = "middle";
  const [from, to] = visibleEntries(layout, scrollTopPx, heightPx);

  // Track area: backgrounds, grid, then the data, clipped to the right of the gutter.
  ctx.save();
  ctx.beginPath();
  ctx.rect(gutterPx, 0, trackW, heightPx);
  ctx.clip();
  for (let e = from; e < to; e++) {
    const y = layout.entryY[e]! - scrollTopPx;
    const h = layout.entryH[e]!;
    const row = layout.entryRow[e]!;
    if (row < 0) {
      ctx.fillStyle = theme.headingBg;
      ctx.fillRect(gutterPx, y, trackW, h);
    } else {
      const r = s.rows[row]!;
      if (s.focusGoroutine !== undefined && r.goroutine === s.focusGoroutine) {
        ctx.fillStyle = theme.focusRow;
        ctx.fillRect(gutterPx, y, trackW, h);
      }
    }
    ctx.fillStyle = theme.rowLine;
    ctx.fillRect(gutterPx, y + h - 1, trackW, 1);
  }
  ctx.fillStyle = theme.gridLine;
  for (let i = 0; i < s.ticks.count; i++) {
    const x = gutterPx + (s.ticks.firstNs + i * s.ticks.stepNs - s.win.startNs) * k;
    ctx.fillRect(Math.round(x), 0, 1, heightPx);
  }
  for (let e = from; e < to; e++) {
    const row = layout.entryRow[e]!;
    if (row < 0) continue;
    const data = s.cache.row(s.view, row);
    if (!data) continue;
    const y = layout.entryY[e]! - scrollTopPx;
    const h = layout.entryH[e]!;
    // In the goroutine view a matching goroutine's whole row stays bright, whatever its slices' colours.
    const g = s.rows[row]!.goroutine;
    const rowLit = g !== undefined && s.highlight?.has(g) === true;
    // Colouring by function in the goroutine view: the row is one goroutine, its label names the function.
    const rowSwatch =
      s.colorBy === "function" && g !== undefined
        ? functionSwatch(labelFunction(s.rows[row]!.label))
        : undefined;
    if (data.slices) drawSlices(ctx, s, data, data.slices, y, k, rowLit, rowSwatch);
    if (data.counter) drawCounter(ctx, s, data, y, h, k);
    if (data.marks)
      drawMarks(
        ctx,
        s,
        data.marks,
        data.labels,
        y,
        h,
        k,
        data.slices !== undefined || s.rows[row]!.kind !== "marks",
      );
  }
  const flowsTruncated = s.showFlows && drawFlows(ctx, s, from, to, k);
  if (s.chain && s.view === "goroutine") {
    const drawn = drawChain(ctx, s, s.chain, k);
    if (s.chainDrawn) s.chainDrawn.splice(0, s.chainDrawn.length, ...drawn);
  } else s.chainDrawn?.splice(0);
  drawHovered(ctx, s, k);
  drawSelected(ctx, s, k);
  drawRangeAndHover(ctx, s, k);
  ctx.restore();
  paintGutter(ctx, s, from, to);
  return flowsTruncated;
}

function drawSlices(
  ctx: CanvasRenderingContext2D,
  s: Scene,
  data: RowData,
  cols: SliceColumns,
  rowTop: number,
  k: number,
  rowLit: boolean,
  rowSwatch: Swatch | undefined,
): void {
  const byFunction = s.colorBy === "function" ? functionSwatches(data.labels) : undefined;
  const x0Limit = s.gutterPx - 2;
  const x1Limit = s.widthPx + 2;
  const { startNs, endNs, color, count, busyNs, label, depth, id } = cols;
  const hl = s.highlight;
  const hlSlices = s.highlightSlices;
  const h = laneHeightPx - 2;
  // Canvas parses a colour string on every assignment: assign only when it changes.
  let fill = "";
  let lastAlpha = 1;
  ctx.globalAlpha = 1;
  ctx.textAlign = "center";
  for (let i = 0; i < startNs.length; i++) {
    const st = startNs[i]!;
    const en = endNs[i]!;
    if (en < s.win.startNs || st > s.win.endNs) continue;
    let x0 = s.gutterPx + (st - s.win.startNs) * k;
    let x1 = s.gutterPx + (en - s.win.startNs) * k;
    if (x0 < x0Limit) x0 = x0Limit;
    if (x1 > x1Limit) x1 = x1Limit;
    const w = Math.max(x1 - x0, 1);
    const y = rowTop + 2 + depth[i]! * laneHeightPx;
    const c = color[i]!;
    const li = label[i]!;
    let sw = sliceSwatch(c);
    if (c >= 0 && byFunction) {
      if (rowSwatch) sw = rowSwatch;
      else if (li >= 0) {
        byFunction[li] ??= functionSwatch(labelFunction(data.labels[li] ?? ""));
        sw = byFunction[li];
      }
    }
    let alpha = 1;
    // A merged item stands for slices narrower than a pixel: the more of it is busy, the stronger.
    if (count[i]! > 1) alpha = 0.3 + (0.7 * Math.min(busyNs[i]!, en - st)) / Math.max(en - st, 1);
    const outlined = hl !== undefined && ((c >= 0 && hl.has(c)) || hlSlices?.has(id[i]!) === true);
    const lit = outlined || rowLit;
    if (hl !== undefined && !lit) alpha *= 0.3;
    if (alpha !== lastAlpha) ctx.globalAlpha = lastAlpha = alpha;
    if (sw.fill !== fill) ctx.fillStyle = fill = sw.fill;
    ctx.fillRect(x0, y, w, h);
    if (outlined) {
      ctx.strokeStyle = theme.highlight;
      ctx.lineWidth = 2;
      ctx.strokeRect(x0 + 1, y + 1, Math.max(w - 2, 0.5), h - 2);
    }
    // Labels only where there is room for a few characters (≥ 5 px slices at the least).
    if (li >= 0 && w >= 5) {
      const room = Math.floor((w - 6) / s.charPx);
      const text = data.labels[li] ?? "";
      // A lone letter and an ellipsis says nothing: label only when two characters fit, or the whole label.
      if (room >= Math.min(3, text.length)) {
        if (lastAlpha !== 1) ctx.globalAlpha = lastAlpha = 1;
        ctx.fillStyle = fill = hl !== undefined && !lit ? theme.mutedText : sw.text;
        // Centred in the visible part of the slice, as the eye expects from a bar with a title.
        const x0v = Math.max(x0, s.gutterPx);
        const x1v = Math.min(x0 + w, s.widthPx);
        // Cutting the middle needs a few characters each side; below that the start says more.
        const fitted =
          room >= 10 ? fitLabel(text, room) : text.length <= room ? text : `${text.slice(0, room - 1)}…`;
        ctx.fillText(fitted, (x0v + x1v) / 2, y + h / 2 + 0.5);
      }
    }
  }
  ctx.globalAlpha = 1;
  ctx.textAlign = "left";
}

/** Function colours by label index, worked out on first use per engine answer, not per frame. */
const functionSwatches = perLabels<Swatch>();

function drawHovered(ctx: CanvasRenderingContext2D, s: Scene, k: number): void {
  const hv = s.hovered;
  const y = hv && s.layout.rowY[hv.row];
  if (!hv || y === undefined || Number.isNaN(y)) return;
  const x0 = s.gutterPx + (hv.startNs - s.win.startNs) * k;
  const x1 = s.gutterPx + (hv.endNs - s.win.startNs) * k;
  ctx.strokeStyle = theme.hoverOutline;
  ctx.lineWidth = 1;
  ctx.strokeRect(
    x0 - 0.5,
    y - s.scrollTopPx + 1.5 + hv.depth * laneHeightPx,
    Math.max(x1 - x0, 1) + 1,
    laneHeightPx - 1,
  );
}

/** The selected slice gets a dark outline; its depth comes from the cached item with its id. */
function drawSelected(ctx: CanvasRenderingContext2D, s: Scene, k: number): void {
  const sel = s.selected;
  if (!sel) return;
  const y = s.layout.rowY[sel.row];
  if (y === undefined || Number.isNaN(y)) return;
  let depth = 0;
  const cols = s.cache.row(s.view, sel.row)?.slices;
  if (cols) {
    const i = cols.id.indexOf(sel.id);
    if (i >= 0) depth = cols.depth[i]!;
  }
  const x0 = s.gutterPx + (sel.startNs - s.win.startNs) * k;
  const x1 = s.gutterPx + (sel.endNs - s.win.startNs) * k;
  const top = y - s.scrollTopPx + 2 + depth * laneHeightPx;
  ctx.strokeStyle = theme.selection;
  ctx.lineWidth = 2;
  ctx.strokeRect(x0 - 1, top - 1, Math.max(x1 - x0, 1) + 2, laneHeightPx);
}

function drawRangeAndHover(ctx: CanvasRenderingContext2D, s: Scene, k: number): void {
  if (s.range) {
    const x0 = s.gutterPx + (s.range.startNs - s.win.startNs) * k;
    const x1 = s.gutterPx + (s.range.endNs - s.win.startNs) * k;
    ctx.fillStyle = theme.rangeFill;
    ctx.fillRect(x0, 0, x1 - x0, s.heightPx);
    ctx.fillStyle = theme.rangeEdge;
    ctx.fillRect(Math.round(x0), 0, 1, s.heightPx);
    ctx.fillRect(Math.round(x1), 0, 1, s.heightPx);
  }
  if (s.hoverX !== undefined && s.hoverX >= s.gutterPx) {
    ctx.fillStyle = theme.hoverLine;
    ctx.fillRect(Math.round(s.hoverX), 0, 1, s.heightPx);
  }
}
