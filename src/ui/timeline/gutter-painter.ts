/**
 * The label gutter left of the tracks: group headings (one pinned at the top
 * while its rows scroll), row labels (shortened from the middle, so the
 * function at the end stays), counter legends, and the highlight of
 * focused or matching goroutines. Drawn after the tracks, over a plain
 * background, so slices never show through.
 */
import { seriesColors, theme } from "./colors.js";
import { fitLabel } from "./label-fit.js";
import { headingHeightPx, laneHeightPx } from "./layout.js";
import type { Scene } from "./painter.js";

/** Row labels and group headings, drawn over a plain gutter so slices never show through. */
export function paintGutter(ctx: CanvasRenderingContext2D, s: Scene, from: number, to: number): void {
  const { layout, gutterPx, scrollTopPx } = s;
  ctx.save();
  ctx.beginPath();
  ctx.rect(0, 0, gutterPx - 1, s.heightPx);
  ctx.clip();
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, gutterPx, s.heightPx);
  s.labelsDrawn?.clear();
  for (let e = from; e < to; e++) {
    const y = layout.entryY[e]! - scrollTopPx;
    const h = layout.entryH[e]!;
    const row = layout.entryRow[e]!;
    if (row < 0) {
      drawHeading(ctx, s, -row - 1, y, h);
    } else {
      const r = s.rows[row]!;
      const focused = s.focusGoroutine !== undefined && r.goroutine === s.focusGoroutine;
      const lit = s.highlight !== undefined && r.goroutine !== undefined && s.highlight.has(r.goroutine);
      if (focused || lit) {
        ctx.fillStyle = lit ? "rgba(255, 122, 0, 0.14)" : theme.focusRow;
        ctx.fillRect(0, y, gutterPx, h);
      }
      ctx.fillStyle = theme.labelText;
      ctx.font = focused ? theme.boldFont : theme.font;
      // The end of a name is the function: it stays, the package path and then the middle go.
      const text = fitLabel(r.label, Math.floor((gutterPx - 24) / s.charPx));
      s.labelsDrawn?.set(row, text);
      const lineY = r.kind === "counter" ? y + 11 : y + Math.min(h, laneHeightPx + 4) / 2;
      ctx.fillText(text, 18, lineY);
      if (r.kind === "counter" && r.series) drawLegend(ctx, s, r.series, r.stacked, y + 29);
    }
    ctx.fillStyle = theme.rowLine;
    ctx.fillRect(0, y + h - 1, gutterPx, 1);
  }
  ctx.restore();
  ctx.font = theme.font;
  ctx.fillStyle = theme.rowLine;
  ctx.fillRect(gutterPx - 1, 0, 1, s.heightPx);
  drawStickyHeading(ctx, s, from, to);
}

/**
 * When a group's heading has scrolled off the top, it stays pinned there
 * (across gutter and tracks) until the next heading pushes it up.
 */
function drawStickyHeading(ctx: CanvasRenderingContext2D, s: Scene, from: number, to: number): void {
  const { layout } = s;
  if (from >= to || layout.entryRow[from]! < 0) return;
  let y = 0;
  for (let e = from + 1; e < to && layout.entryY[e]! - s.scrollTopPx < headingHeightPx; e++) {
    if (layout.entryRow[e]! < 0) y = layout.entryY[e]! - s.scrollTopPx - headingHeightPx;
  }
  ctx.fillStyle = theme.headingBg;
  ctx.fillRect(0, y, s.widthPx, headingHeightPx);
  drawHeading(ctx, s, layout.entryHeading[from]!, y, headingHeightPx);
  ctx.fillStyle = theme.rowLine;
  ctx.fillRect(0, y + headingHeightPx - 1, s.widthPx, 1);
}

function drawHeading(ctx: CanvasRenderingContext2D, s: Scene, heading: number, y: number, h: number): void {
  const { layout, gutterPx } = s;
  const group = layout.headings[heading]!;
  ctx.fillStyle = theme.headingBg;
  ctx.fillRect(0, y, gutterPx - 1, h);
  ctx.fillStyle = theme.headingText;
  ctx.font = theme.boldFont;
  ctx.fillText(`${s.collapsed.has(group) ? "▸" : "▾"} ${group}`, 8, y + h / 2);
  ctx.fillStyle = theme.mutedText;
  ctx.font = theme.font;
  const shown = layout.headingShown[heading]!;
  const all = layout.headingCounts[heading]!;
  const n = shown === all ? String(all) : `${shown} of ${all}`;
  ctx.fillText(n, gutterPx - 10 - n.length * s.charPx, y + h / 2);
}

/** Series names with their colour: a square for a stacked area, a dash for a line. */
function drawLegend(
  ctx: CanvasRenderingContext2D,
  s: Scene,
  series: readonly string[],
  stacked: number | undefined,
  y: number,
): void {
  let x = 18;
  ctx.fillStyle = theme.mutedText;
  for (let i = 0; i < series.length && x < s.gutterPx - 20; i++) {
    ctx.fillStyle = seriesColors[i % seriesColors.length]!;
    if (i < (stacked ?? series.length)) ctx.fillRect(x, y - 4, 8, 8);
    else ctx.fillRect(x, y - 1, 8, 2);
    ctx.fillStyle = theme.mutedText;
    const name = series[i]!;
    ctx.fillText(name, x + 11, y);
    x += 11 + name.length * s.charPx + 10;
  }
}
