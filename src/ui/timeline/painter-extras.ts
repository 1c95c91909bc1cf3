/**
 * The timeline's non-slice drawing: counters as stacked step areas (and
 * lines for series that do not stack, such as the heap's goal), marks
 * as ticks, and flow arrows between rows. Like the slice painter these read
 * only cached columns of the visible rows.
 */
import type { FlowKind, MarkColumns } from "../../query/timeline/protocol.js";
import type { WhyStep } from "../../query/why/protocol.js";
import { perLabels, seriesColors, theme } from "./colors.js";
import { laneHeightPx } from "./layout.js";
import type { Scene } from "./painter.js";
import { chunkRows, type RowData } from "./window-cache.js";

/**
 * A round number ≥ v (1, 2 or 5 × 10^k), so a counter's scale reads
 * cleanly; with `bytes`, round in the unit it is shown in (10 MiB, not 9.5).
 */
export function niceCeil(v: number, bytes = false): number {
  if (v <= 0) return 1;
  const unit = bytes ? 1024 ** Math.max(0, Math.floor(Math.log(v) / Math.log(1024))) : 1;
  const u = v / unit;
  const p = 10 ** Math.floor(Math.log10(u));
  for (const m of [1, 2, 5, 10]) if (m * p >= u) return m * p * unit;
  return 10 * p * unit;
}

/** Compact number for counter scales: 950, 12k, 3.4M; heap rows in bytes. */
export function formatCount(v: number, bytes: boolean): string {
  const steps = bytes ? ["B", "KiB", "MiB", "GiB", "TiB"] : ["", "k", "M", "G", "T"];
  const base = bytes ? 1024 : 1000;
  let i = 0;
  while (Math.abs(v) >= base && i < steps.length - 1) {
    v /= base;
    i++;
  }
  const s = Number.isInteger(v) ? String(v) : v.toFixed(v >= 10 ? 0 : 1);
  return bytes ? `${s} ${steps[i]}` : `${s}${steps[i]}`;
}

export function drawCounter(
  ctx: CanvasRenderingContext2D,
  s: Scene,
  data: RowData,
  rowTop: number,
  rowH: number,
  k: number,
): void {
  const c = data.counter!;
  const bottom = rowTop + rowH - 2;
  const r = s.rows[c.row];
  const bytes = r !== undefined && /heap/i.test(r.label);
  const scale = niceCeil(data.counterMax, bytes);
  const plotH = rowH - 8;
  const yk = plotH / scale;
  const n = c.timeNs.length;
  const stacked = Math.min(c.stacked ?? c.values.length, c.values.length);
  let fill = "";
  for (let i = 0; i < n; i++) {
    const t0 = c.timeNs[i]!;
    const t1 = i + 1 < n ? c.timeNs[i + 1]! : s.win.endNs;
    if (t1 < s.win.startNs || t0 > s.win.endNs) continue;
    const x0 = Math.round(s.gutterPx + Math.max(t0 - s.win.startNs, -1) * k);
    const x1 = Math.round(s.gutterPx + Math.min(t1 - s.win.startNs, s.win.endNs - s.win.startNs + 1) * k);
    if (x1 <= x0) continue;
    let cum = 0;
    for (let sIdx = 0; sIdx < stacked; sIdx++) {
      const v = Math.max(0, c.values[sIdx]![i] ?? 0);
      if (v === 0) continue;
      const color = seriesColors[sIdx % seriesColors.length]!;
      if (color !== fill) ctx.fillStyle = fill = color;
      const yTop = bottom - (cum + v) * yk;
      ctx.fillRect(x0, yTop, x1 - x0, v * yk);
      cum += v;
    }
  }
  // Series past the stacked ones are lines at their own value (the heap's GC goal), drawn over the areas.
  for (let sIdx = stacked; sIdx < c.values.length; sIdx++) {
    ctx.strokeStyle = seriesColors[sIdx % seriesColors.length]!;
    ctx.lineWidth = lineSeriesPx;
    ctx.beginPath();
    let drawing = false;
    for (let i = 0; i < n; i++) {
      const t0 = c.timeNs[i]!;
      const t1 = i + 1 < n ? c.timeNs[i + 1]! : s.win.endNs;
      const v = Math.max(0, c.values[sIdx]![i] ?? 0);
      if (t1 < s.win.startNs || t0 > s.win.endNs || v === 0) {
        drawing = false;
        continue;
      }
      const x0 = Math.round(s.gutterPx + Math.max(t0 - s.win.startNs, -1) * k);
      const x1 = Math.round(s.gutterPx + Math.min(t1 - s.win.startNs, s.win.endNs - s.win.startNs + 1) * k);
      const y = bottom - v * yk;
      if (drawing) ctx.lineTo(x0, y);
      else ctx.moveTo(x0, y);
      ctx.lineTo(Math.max(x1, x0 + 1), y);
      drawing = true;
    }
    ctx.stroke();
  }
  const label = formatCount(scale, bytes);
  const labelX = s.widthPx - 8 - label.length * s.charPx;
  // On a plate, so a line at the top of the scale cannot run through it.
  ctx.fillStyle = theme.labelPlate;
  ctx.fillRect(labelX - 3, rowTop + 2, label.length * s.charPx + 6, 12);
  ctx.fillStyle = theme.mutedText;
  ctx.fillText(label, labelX, rowTop + 8);
}

/** Width of a counter series drawn as a line (the heap's goal). */
export const lineSeriesPx = 2;

export function drawMarks(
  ctx: CanvasRenderingContext2D,
  s: Scene,
  m: MarkColumns,
  labels: readonly string[],
  rowTop: number,
  rowH: number,
  k: number,
  underSlices: boolean,
): void {
  const colors = markColors(labels);
  let fill = "";
  // On a row of their own marks span its height; under slices (proc start/stop on a P's
  // syscall row) they are short ticks along the bottom, so they never hide the slices.
  const top = underSlices ? rowTop + rowH - 7 : rowTop + 4;
  const h = underSlices ? 5 : rowH - 8;
  for (let i = 0; i < m.timeNs.length; i++) {
    const t = m.timeNs[i]!;
    if (t < s.win.startNs || t > s.win.endNs) continue;
    const x = s.gutterPx + (t - s.win.startNs) * k;
    // A merged mark (several in one pixel) is drawn stronger than a single one.
    ctx.globalAlpha = m.count[i]! > 1 ? 0.9 : 0.7;
    const li = m.label[i]!;
    let color: string = theme.mark;
    if (li >= 0) {
      colors[li] ??= markColor(labels[li] ?? "");
      color = colors[li];
    }
    if (color !== fill) ctx.fillStyle = fill = color;
    ctx.fillRect(x - 0.5, top, 1, h);
  }
  ctx.globalAlpha = 1;
}

/** Marks are told apart by what they are: CPU samples, logs, network, syscalls; the rest grey. */
function markColor(label: string): string {
  if (/cpu/i.test(label)) return "#2f6fd0";
  if (/network/i.test(label)) return "#0f8b8d";
  if (/syscall/i.test(label)) return "#c9821f";
  if (/^\[|log/i.test(label)) return "#2e9d6a";
  return theme.mark;
}

/** Mark colours by label index, worked out on first use per engine answer (labels array), not per frame. */
const markColors = perLabels<string>();

const flowColors: Record<FlowKind, string> = {
  create: "rgba(46, 125, 50, 0.8)",
  unblock: "rgba(198, 40, 40, 0.6)",
  syscall: "rgba(230, 126, 0, 0.8)",
  task: "rgba(21, 101, 192, 0.8)",
};

/**
 * Arrows between rows; each flow is drawn once, from the chunk holding its
 * source row when shown. Returns whether the engine left some out.
 */
export function drawFlows(
  ctx: CanvasRenderingContext2D,
  s: Scene,
  from: number,
  to: number,
  k: number,
): boolean {
  let truncated = false;
  let lastChunk = -1;
  let firstChunk = -1;
  ctx.lineWidth = 1;
  for (let e = from; e < to; e++) {
    const row = s.layout.entryRow[e]!;
    if (row < 0) continue;
    const chunk = Math.floor(row / chunkRows);
    if (chunk === lastChunk) continue;
    if (firstChunk < 0) firstChunk = chunk;
    lastChunk = chunk;
    truncated ||= s.cache.flowsTruncated(s.view, chunk);
    for (const f of s.cache.flows(s.view, chunk)) {
      const fromChunk = Math.floor(f.fromRow / chunkRows);
      // Drawn from the source's chunk if that is on screen (it then holds the flow too), else from here.
      if (fromChunk !== chunk && fromChunk >= firstChunk && fromChunk <= lastChunk + 1) continue;
      const y0 = s.layout.rowY[f.fromRow]!;
      const y1 = s.layout.rowY[f.toRow]!;
      if (Number.isNaN(y0) || Number.isNaN(y1)) continue;
      const x0 = s.gutterPx + (f.fromNs - s.win.startNs) * k;
      const x1 = s.gutterPx + (f.toNs - s.win.startNs) * k;
      if ((x0 < s.gutterPx && x1 < s.gutterPx) || (x0 > s.widthPx && x1 > s.widthPx)) continue;
      const ya = y0 - s.scrollTopPx + 2 + laneHeightPx / 2;
      const yb = y1 - s.scrollTopPx + 2 + laneHeightPx / 2;
      ctx.strokeStyle = flowColors[f.kind] ?? theme.flow;
      ctx.fillStyle = ctx.strokeStyle;
      ctx.beginPath();
      ctx.moveTo(x0, ya);
      ctx.lineTo(x1, yb);
      ctx.stroke();
      // Arrowhead along the line, 6 px long; flows are often vertical (an unblock at the same instant).
      const len = Math.hypot(x1 - x0, yb - ya) || 1;
      const ux = (x1 - x0) / len;
      const uy = (yb - ya) / len;
      ctx.beginPath();
      ctx.moveTo(x1, yb);
      ctx.lineTo(x1 - 6 * ux - 3 * uy, yb - 6 * uy + 3 * ux);
      ctx.lineTo(x1 - 6 * ux + 3 * uy, yb - 6 * uy - 3 * ux);
      ctx.closePath();
      ctx.fill();
    }
  }
  return truncated;
}

/** A step of a "Why?" chain as the last frame drew it (for the probe and tests). */
export interface ChainDrawn {
  readonly step: number;
  readonly goroutine: number;
  readonly row: number;
  readonly x0: number;
  readonly x1: number;
}

const chainFill: Readonly<Record<WhyStep["state"], string>> = {
  running: "rgba(46, 125, 50, 0.35)",
  runnable: "rgba(249, 168, 37, 0.45)",
  syscall: "rgba(230, 81, 0, 0.4)",
  waiting: "rgba(178, 60, 23, 0.25)",
};

/**
 * A "Why?" chain over the goroutine view: each step's stretch of its
 * goroutine's row outlined and tinted by state, and an arrow at each
 * wake-up from the waker's row to the woken goroutine's. Returns what it drew.
 */
export function drawChain(
  ctx: CanvasRenderingContext2D,
  s: Scene,
  chain: readonly WhyStep[],
  k: number,
): ChainDrawn[] {
  const rowOf = new Map<number, number>();
  for (const r of s.rows)
    if (r.goroutine !== undefined && !rowOf.has(r.goroutine)) rowOf.set(r.goroutine, r.index);
  const drawn: ChainDrawn[] = [];
  const xOf = (ns: number) => s.gutterPx + (ns - s.win.startNs) * k;
  const yOf = (row: number) => s.layout.rowY[row]! - s.scrollTopPx;
  ctx.lineWidth = 2;
  chain.forEach((st, i) => {
    const row = rowOf.get(st.goroutine);
    if (row === undefined || Number.isNaN(s.layout.rowY[row]!)) return;
    const x0 = xOf(st.startNs);
    const x1 = Math.max(xOf(st.endNs), x0 + 2);
    drawn.push({ step: i, goroutine: st.goroutine, row, x0, x1 });
    if (x1 < s.gutterPx || x0 > s.widthPx) return;
    const y = yOf(row) + 1;
    ctx.fillStyle = chainFill[st.state];
    ctx.fillRect(x0, y, x1 - x0, laneHeightPx);
    ctx.strokeStyle = theme.highlight;
    ctx.strokeRect(x0, y, x1 - x0, laneHeightPx);
  });
  // Wake-ups: from the waker (the next step) to the woken goroutine, at the moment of the wake-up.
  ctx.fillStyle = ctx.strokeStyle = theme.highlight;
  for (let i = 0; i + 1 < chain.length; i++) {
    const st = chain[i]!;
    const by = chain[i + 1]!;
    if (by.goroutine === st.goroutine) continue;
    const from = rowOf.get(by.goroutine);
    const to = rowOf.get(st.goroutine);
    if (from === undefined || to === undefined) continue;
    const ns = st.wake === "created" ? st.startNs : st.endNs;
    const x = xOf(ns);
    const ya = yOf(from) + 2 + laneHeightPx / 2;
    const yb = yOf(to) + 2 + laneHeightPx / 2;
    ctx.beginPath();
    ctx.moveTo(x, ya);
    ctx.lineTo(x, yb);
    ctx.stroke();
    const dir = yb > ya ? 1 : -1;
    ctx.beginPath();
    ctx.moveTo(x, yb);
    ctx.lineTo(x - 4, yb - 7 * dir);
    ctx.lineTo(x + 4, yb - 7 * dir);
    ctx.closePath();
    ctx.fill();
  }
  ctx.lineWidth = 1;
  return drawn;
}
