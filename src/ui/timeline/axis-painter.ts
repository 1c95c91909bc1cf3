/**
 * The time axis above the rows: tick labels, the selected range with its
 * duration, find matches as small markers, and the time under the mouse.
 */
import { theme } from "./colors.js";
import { type AxisTicks, formatDuration, formatTimestamp, tickLabel } from "./time-format.js";
import type { TimeWindow } from "./viewport.js";

export const axisHeightPx = 30;

export interface AxisScene {
  readonly win: TimeWindow;
  readonly widthPx: number;
  readonly gutterPx: number;
  readonly ticks: AxisTicks;
  readonly range?: TimeWindow;
  readonly hoverX?: number;
  /** Start times of find matches, drawn as markers on the axis. */
  readonly matchTimes?: readonly number[];
  readonly currentMatchNs?: number;
  /** Requests are in flight: said in the gutter, so a slow engine does not look like an empty trace. */
  readonly loading: boolean;
  /** The engine left out flows here (too many to draw): said in the gutter. */
  readonly flowsTruncated: boolean;
}

export function paintAxis(ctx: CanvasRenderingContext2D, a: AxisScene): void {
  const h = axisHeightPx;
  const trackW = a.widthPx - a.gutterPx;
  const k = trackW / (a.win.endNs - a.win.startNs);
  const xOf = (ns: number) => a.gutterPx + (ns - a.win.startNs) * k;
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, a.widthPx, h);
  ctx.font = theme.font;
  ctx.textBaseline = "middle";

  ctx.save();
  ctx.beginPath();
  ctx.rect(a.gutterPx, 0, trackW, h);
  ctx.clip();
  if (a.range) {
    const x0 = xOf(a.range.startNs);
    const x1 = xOf(a.range.endNs);
    ctx.fillStyle = theme.rangeFill;
    ctx.fillRect(x0, 0, x1 - x0, h);
  }
  ctx.fillStyle = theme.mutedText;
  for (let i = 0; i < a.ticks.count; i++) {
    const x = Math.round(xOf(a.ticks.firstNs + i * a.ticks.stepNs));
    ctx.fillStyle = theme.rowLine;
    ctx.fillRect(x, h - 8, 1, 8);
    ctx.fillStyle = theme.mutedText;
    ctx.fillText(tickLabel(a.ticks, i), x + 4, 11);
  }
  if (a.matchTimes) {
    ctx.fillStyle = theme.highlight;
    for (const t of a.matchTimes) {
      if (t < a.win.startNs || t > a.win.endNs) continue;
      const x = xOf(t);
      const big = t === a.currentMatchNs;
      ctx.beginPath();
      ctx.moveTo(x, h - 1);
      ctx.lineTo(x - (big ? 5 : 3), h - (big ? 9 : 6));
      ctx.lineTo(x + (big ? 5 : 3), h - (big ? 9 : 6));
      ctx.closePath();
      ctx.fill();
    }
  }
  if (a.range) {
    const x0 = xOf(a.range.startNs);
    const x1 = xOf(a.range.endNs);
    ctx.fillStyle = theme.rangeEdge;
    ctx.fillRect(Math.round(x0), 0, 1, h);
    ctx.fillRect(Math.round(x1), 0, 1, h);
    pill(ctx, formatDuration(a.range.endNs - a.range.startNs), (x0 + x1) / 2, 22, "#0b63ce", "#ffffff", a);
  }
  if (a.hoverX !== undefined && a.hoverX >= a.gutterPx) {
    const t = a.win.startNs + (a.hoverX - a.gutterPx) / k;
    pill(ctx, formatTimestamp(t), a.hoverX, 22, "#374151", "#ffffff", a);
  }
  ctx.restore();

  // The gutter shows how much time the screen spans.
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, a.gutterPx, h);
  ctx.fillStyle = theme.mutedText;
  ctx.fillText(
    `span ${formatDuration(a.win.endNs - a.win.startNs)}${a.loading ? " · loading…" : ""}`,
    10,
    h / 2,
  );
  ctx.fillStyle = theme.rowLine;
  ctx.fillRect(0, h - 1, a.widthPx, 1);
  ctx.fillRect(a.gutterPx - 1, 0, 1, h);
}

/** A small rounded label centred at x (kept inside the track area). */
function pill(
  ctx: CanvasRenderingContext2D,
  text: string,
  x: number,
  y: number,
  bg: string,
  fg: string,
  a: AxisScene,
): void {
  const w = ctx.measureText(text).width + 10;
  const left = Math.min(Math.max(x - w / 2, a.gutterPx + 1), a.widthPx - w - 1);
  ctx.fillStyle = bg;
  ctx.beginPath();
  ctx.roundRect(left, y - 7, w, 14, 3);
  ctx.fill();
  ctx.fillStyle = fg;
  ctx.fillText(text, left + 5, y + 0.5);
}
