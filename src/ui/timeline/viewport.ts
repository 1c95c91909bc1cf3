/**
 * Time-window math for the timeline, as pure functions: where a time falls
 * on the canvas, how zooming and panning move the window, and which window
 * and resolution to ask the engine for. No DOM here, so the property tests
 * in src/server/timeline-viewport.test.ts can run it in Node.
 *
 * Times are ns since the trace's first event; x is in CSS pixels from the
 * left edge of the track area.
 */

export interface TimeWindow {
  readonly startNs: number;
  readonly endNs: number;
}

/** Narrowest window the timeline zooms to: 50 ns over a whole screen is already far below event spacing. */
export const minSpanNs = 50;

export function spanOf(w: TimeWindow): number {
  return w.endNs - w.startNs;
}

export function xOfNs(ns: number, w: TimeWindow, widthPx: number): number {
  return ((ns - w.startNs) * widthPx) / (w.endNs - w.startNs);
}

export function nsAtX(xPx: number, w: TimeWindow, widthPx: number): number {
  return w.startNs + (xPx * (w.endNs - w.startNs)) / widthPx;
}

/**
 * Keeps a window inside [0, durationNs] and at least `minSpanNs` wide
 * (or the whole trace, if it is shorter), preserving its span where possible
 * by sliding it rather than cutting it.
 */
export function clampWindow(w: TimeWindow, durationNs: number): TimeWindow {
  const dur = Math.max(durationNs, 1);
  let span = w.endNs - w.startNs;
  if (!Number.isFinite(span) || span <= 0) span = dur;
  span = Math.min(Math.max(span, Math.min(minSpanNs, dur)), dur);
  let start = Number.isFinite(w.startNs) ? w.startNs : 0;
  if (start < 0) start = 0;
  if (start + span > dur) start = dur - span;
  return { startNs: start, endNs: start + span };
}

/**
 * Zooms by `factor` (< 1 zooms in) keeping the time under `anchorNs` where
 * it is on screen, as W/S and ctrl+wheel do around the mouse.
 */
export function zoomAround(w: TimeWindow, factor: number, anchorNs: number, durationNs: number): TimeWindow {
  const span = spanOf(w);
  const dur = Math.max(durationNs, 1);
  const newSpan = Math.min(Math.max(span * factor, Math.min(minSpanNs, dur)), dur);
  const anchor = Math.min(Math.max(anchorNs, w.startNs), w.endNs);
  const start = anchor - ((anchor - w.startNs) * newSpan) / span;
  return clampWindow({ startNs: start, endNs: start + newSpan }, durationNs);
}

/** Moves the window by `deltaNs` (positive = later), keeping its span. */
export function panBy(w: TimeWindow, deltaNs: number, durationNs: number): TimeWindow {
  return clampWindow({ startNs: w.startNs + deltaNs, endNs: w.endNs + deltaNs }, durationNs);
}

/** A window around [startNs, endNs] with `marginFrac` of its span free on each side. */
export function windowAround(
  startNs: number,
  endNs: number,
  marginFrac: number,
  durationNs: number,
): TimeWindow {
  const span = Math.max(endNs - startNs, minSpanNs);
  const mid = (startNs + endNs) / 2;
  const half = (span * (1 + 2 * marginFrac)) / 2;
  return clampWindow({ startNs: mid - half, endNs: mid + half }, durationNs);
}

/** What to ask the engine for: a padded window at a power-of-two resolution. */
export interface FetchPlan {
  readonly startNs: number;
  readonly endNs: number;
  /** Nanoseconds per pixel of the request: a power of two, at most the visible ns per pixel. */
  readonly resolutionNs: number;
  readonly widthPx: number;
}

/** Requests are aligned to blocks of this many pixels, so small pans ask for the same window. */
const blockPx = 256;
/** Widest request: the server refuses more than 2^15 px; this leaves room to spare. */
export const maxRequestPx = 24576;

/** The largest power of two not above `nsPerPx`: items come back at least as fine as one screen pixel. */
export function resolutionFor(w: TimeWindow, widthPx: number): number {
  const nsPerPx = spanOf(w) / Math.max(widthPx, 1);
  return 2 ** Math.floor(Math.log2(nsPerPx));
}

/**
 * The request for showing `w` on `widthPx` pixels: padded by one viewport
 * on each side (so panning by up to a screen needs no new data), aligned to
 * blocks of the resolution (so nearby windows share one request), clipped to
 * the trace.
 */
export function fetchPlan(w: TimeWindow, widthPx: number, durationNs: number): FetchPlan {
  const resolutionNs = resolutionFor(w, widthPx);
  const span = spanOf(w);
  const block = resolutionNs * blockPx;
  // Padding shrinks on very wide screens so a request stays under the server's width limit.
  const pad = Math.max(0, Math.min(span, ((maxRequestPx - 2 * blockPx) * resolutionNs - span) / 2));
  const startNs = Math.max(0, Math.floor((w.startNs - pad) / block) * block);
  const endNs = Math.max(
    startNs + resolutionNs,
    Math.min(durationNs, Math.ceil((w.endNs + pad) / block) * block),
  );
  return { startNs, endNs, resolutionNs, widthPx: Math.max(1, Math.ceil((endNs - startNs) / resolutionNs)) };
}

/** Whether data fetched by `plan` is what `w` wants: same resolution and it covers the visible part. */
export function planCovers(plan: FetchPlan, w: TimeWindow, widthPx: number, durationNs: number): boolean {
  if (plan.resolutionNs !== resolutionFor(w, widthPx)) return false;
  return plan.startNs <= Math.max(0, w.startNs) && plan.endNs >= Math.min(durationNs, w.endNs);
}

export function planKey(p: FetchPlan): string {
  return `${p.startNs}:${p.endNs}:${p.resolutionNs}`;
}
