/**
 * Test support for the timeline's browser tests: reading where things are
 * on the page through `window.__gotraceTimeline` (ui/timeline/controller.ts
 * `TimelineProbe`), waiting until every requested window has been drawn,
 * and looking at canvas pixels (crops, the find highlight colour).
 * Functions, not strings, are passed to the page: its CSP forbids
 * evaluating strings.
 */
import type { Page } from "playwright-core";
import type { Row, WindowResponse } from "../query/timeline/protocol.js";
import { elementPixels, inkPixels, type Pixels, type ViewSession } from "./browser.js";

/** The tracks canvas. */
export const canvas = "canvas.tl-canvas";
/** The colour find outlines matching goroutines' slices with (colors.ts `theme.highlight`). */
export const highlightRGB = [0xff, 0x7a, 0x00] as const;

export interface Probe {
  gutterPx: number;
  window: { startNs: number; endNs: number };
  plan: { startNs: number; endNs: number; resolutionNs: number; widthPx: number };
  view: string;
}

/** The page's `window.__gotraceTimeline` (controller.ts `TimelineProbe`), typed for the functions below. */
export interface PageProbe {
  gutterPx: number;
  view(): string;
  window(): { startNs: number; endNs: number };
  plan(): Probe["plan"];
  xOfNs(ns: number): number;
  rowTopPx(row: number): number;
  idle(): boolean;
}
export type PageGlobal = {
  __gotraceTimeline?: PageProbe;
  document: { documentElement: { dataset: Record<string, string> } };
};

/** Waits until the timeline has drawn everything it asked for (idle three times, 100 ms apart). */
export async function settle(page: Page): Promise<void> {
  const idle = () => {
    const g = globalThis as unknown as PageGlobal;
    return (
      Number(g.document.documentElement.dataset.timelineFrames ?? 0) > 0 &&
      g.__gotraceTimeline?.idle() === true
    );
  };
  for (let i = 0; i < 3; i++) {
    await page.waitForFunction(idle, undefined, { timeout: 20_000 });
    if (i < 2) await page.waitForTimeout(100);
  }
}

export async function probe(page: Page): Promise<Probe> {
  return page.evaluate(() => {
    const t = (globalThis as unknown as PageGlobal).__gotraceTimeline!;
    return { gutterPx: t.gutterPx, window: t.window(), plan: t.plan(), view: t.view() };
  });
}

export async function rowTop(page: Page, row: number): Promise<number> {
  return page.evaluate((r) => (globalThis as unknown as PageGlobal).__gotraceTimeline!.rowTopPx(r), row);
}

export async function xOf(page: Page, ns: number): Promise<number> {
  return page.evaluate((t) => (globalThis as unknown as PageGlobal).__gotraceTimeline!.xOfNs(t), ns);
}

/** In the page: whether the address selects slice `id`. */
export function hashHasSel(id: number): boolean {
  const hash = (globalThis as unknown as { location: { hash: string } }).location.hash;
  return new RegExp(`[?&]sel=${id}(&|$)`).test(hash);
}

/** The window start and end the address says, once its debounced rewrite has happened. */
export async function urlWindow(page: Page): Promise<{ start: number; end: number }> {
  await page.waitForTimeout(400);
  const params = new URLSearchParams(new URL(page.url()).hash.replace(/^#\/timeline\??/, ""));
  return { start: Number(params.get("start")), end: Number(params.get("end")) };
}

export function crop(p: Pixels, x0: number, y0: number, w: number, h: number): Pixels {
  const x = Math.max(0, Math.floor(x0));
  const y = Math.max(0, Math.floor(y0));
  const cw = Math.max(0, Math.min(p.width - x, Math.floor(w)));
  const ch = Math.max(0, Math.min(p.height - y, Math.floor(h)));
  const rgba = new Uint8Array(cw * ch * 4);
  for (let r = 0; r < ch; r++)
    rgba.set(p.rgba.subarray(((y + r) * p.width + x) * 4, ((y + r) * p.width + x + cw) * 4), r * cw * 4);
  return { width: cw, height: ch, rgba };
}

/** x positions (canvas CSS px) of highlight-coloured pixels in a band of rows. */
export function highlightXs(p: Pixels, y0: number, y1: number): number[] {
  const xs: number[] = [];
  for (let y = Math.max(0, Math.floor(y0)); y < Math.min(p.height, y1); y++) {
    for (let x = 0; x < p.width; x++) {
      const o = (y * p.width + x) * 4;
      if (
        Math.abs(p.rgba[o]! - highlightRGB[0]) < 12 &&
        Math.abs(p.rgba[o + 1]! - highlightRGB[1]) < 12 &&
        Math.abs(p.rgba[o + 2]! - highlightRGB[2]) < 12
      )
        xs.push(x);
    }
  }
  return xs;
}

/** The engine's answer for rows [from, to) exactly as the page asked for it. */
export async function windowAsPage(
  s: ViewSession,
  page: Page,
  from: number,
  to: number,
): Promise<WindowResponse> {
  const { plan, view } = await probe(page);
  return s.api<WindowResponse>(
    `api/window?view=${view}&startNs=${plan.startNs}&endNs=${plan.endNs}&widthPx=${plan.widthPx}&rowFrom=${from}&rowTo=${to}&flows=false`,
  );
}

/** P rows of a proc view with drawn pixels, after the page settled. */
export async function inkedProcRows(page: Page, procRows: readonly Row[]): Promise<number> {
  const px = await elementPixels(page, canvas);
  const { gutterPx } = await probe(page);
  let inked = 0;
  for (const r of procRows) {
    const top = await rowTop(page, r.index);
    if (inkPixels(crop(px, gutterPx + 1, top + 2, px.width - gutterPx - 1, 16)) > 20) inked++;
  }
  return inked;
}
