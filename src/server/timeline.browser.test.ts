/**
 * The timeline in headless chromium against `gotrace view` on our fixtures:
 * it draws (pixels in the P rows, not just DOM), W/S/A/D move the window,
 * clicking a goroutine slice picked from the engine's own /api/window
 * answer opens its stacks, find outlines exactly that goroutine's slices, a
 * deep link restores the picture, and hostile trace strings stay text.
 * Screenshots go to test-output/screenshots/.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import type { FindResponse, Row, SliceDetails, WindowResponse } from "../query/protocol.js";
import {
  browserSkip,
  elementPixels,
  inkPixels,
  openView,
  type Pixels,
  type ViewSession,
} from "../testing/browser.js";
import { fixturesDir } from "../testing/corpus.js";

const canvas = "canvas.tl-canvas";
/** The colour find outlines matching goroutines' slices with (colors.ts `theme.highlight`). */
const highlightRGB = [0xff, 0x7a, 0x00] as const;

interface Probe {
  gutterPx: number;
  window: { startNs: number; endNs: number };
  plan: { startNs: number; endNs: number; resolutionNs: number; widthPx: number };
  view: string;
}

/** The page's `window.__gotraceTimeline` (controller.ts `TimelineProbe`), typed for the functions below. */
interface PageProbe {
  gutterPx: number;
  view(): string;
  window(): { startNs: number; endNs: number };
  plan(): Probe["plan"];
  xOfNs(ns: number): number;
  rowTopPx(row: number): number;
  idle(): boolean;
}
type PageGlobal = {
  __gotraceTimeline?: PageProbe;
  document: { documentElement: { dataset: Record<string, string> } };
};

// Functions, not strings, are passed to the page: its CSP forbids evaluating strings.

/** Waits until the timeline has drawn everything it asked for (idle three times, 100 ms apart). */
async function settle(page: Page): Promise<void> {
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

async function probe(page: Page): Promise<Probe> {
  return page.evaluate(() => {
    const t = (globalThis as unknown as PageGlobal).__gotraceTimeline!;
    return { gutterPx: t.gutterPx, window: t.window(), plan: t.plan(), view: t.view() };
  });
}

async function rowTop(page: Page, row: number): Promise<number> {
  return page.evaluate((r) => (globalThis as unknown as PageGlobal).__gotraceTimeline!.rowTopPx(r), row);
}

async function xOf(page: Page, ns: number): Promise<number> {
  return page.evaluate((t) => (globalThis as unknown as PageGlobal).__gotraceTimeline!.xOfNs(t), ns);
}

/** In the page: whether the address selects slice `id`. */
function hashHasSel(id: number): boolean {
  const hash = (globalThis as unknown as { location: { hash: string } }).location.hash;
  return new RegExp(`[?&]sel=${id}(&|$)`).test(hash);
}

/** The window start and end the address says, once its debounced rewrite has happened. */
async function urlWindow(page: Page): Promise<{ start: number; end: number }> {
  await page.waitForTimeout(400);
  const params = new URLSearchParams(new URL(page.url()).hash.replace(/^#\/timeline\??/, ""));
  return { start: Number(params.get("start")), end: Number(params.get("end")) };
}

function crop(p: Pixels, x0: number, y0: number, w: number, h: number): Pixels {
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
function highlightXs(p: Pixels, y0: number, y1: number): number[] {
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
async function windowAsPage(s: ViewSession, page: Page, from: number, to: number): Promise<WindowResponse> {
  const { plan, view } = await probe(page);
  return s.api<WindowResponse>(
    `api/window?view=${view}&startNs=${plan.startNs}&endNs=${plan.endNs}&widthPx=${plan.widthPx}&rowFrom=${from}&rowTo=${to}&flows=false`,
  );
}

describe("timeline on sched-go1.26", { skip: browserSkip() }, () => {
  let s: ViewSession;
  let rows: Row[];
  let procRows: Row[];
  before(async () => {
    s = await openView(join(fixturesDir, "sched-go1.26.trace"));
    rows = await s.api<Row[]>("api/rows?view=proc");
    procRows = rows.filter((r) => r.group === "Procs" && /^Proc \d+$/.test(r.label));
  });
  after(() => s?.close());

  it("draws goroutine slices in the P rows", async () => {
    assert.ok(procRows.length >= 1, "the proc view has P rows");
    const page = await s.newPage("#/timeline");
    await settle(page);
    const px = await elementPixels(page, canvas);
    const { gutterPx } = await probe(page);
    let inked = 0;
    for (const r of procRows) {
      const top = await rowTop(page, r.index);
      const n = inkPixels(crop(px, gutterPx + 1, top + 2, px.width - gutterPx - 1, 16));
      if (n > 20) inked++;
    }
    assert.ok(inked >= 1, `${inked} of ${procRows.length} P rows have drawn slices`);
    assert.ok(inkPixels(crop(px, 0, 0, gutterPx - 2, px.height)) > 200, "row labels are drawn");
    await s.screenshot(page, "timeline-sched-go1.26-proc");
    s.assertNoErrors();
    await page.close();
  });

  it("W/S zoom and A/D pan the window, 0 shows the whole trace", async () => {
    const page = await s.newPage("#/timeline");
    await settle(page);
    await page.focus(".tl-scroller");
    const whole = await urlWindow(page);
    const dur = whole.end - whole.start;
    await page.keyboard.press("w");
    const zoomed = await urlWindow(page);
    assert.ok(zoomed.end - zoomed.start < dur * 0.9, `W zooms in: ${JSON.stringify(zoomed)}`);
    await page.keyboard.press("w");
    await page.keyboard.press("w");
    const deeper = await urlWindow(page);
    await page.keyboard.press("d");
    const right = await urlWindow(page);
    assert.ok(right.start > deeper.start, "D pans later");
    assert.ok(Math.abs(right.end - right.start - (deeper.end - deeper.start)) <= 2, "panning keeps the span");
    await page.keyboard.press("a");
    const left = await urlWindow(page);
    assert.ok(left.start < right.start, "A pans earlier");
    await page.keyboard.press("s");
    const out = await urlWindow(page);
    assert.ok(out.end - out.start > left.end - left.start, "S zooms out");
    const axisText = (await probe(page)).window;
    assert.ok(Math.abs(axisText.startNs - out.start) <= 1, "the canvas shows the window the address says");
    await page.keyboard.press("0");
    assert.deepEqual(await urlWindow(page), whole);
    s.assertNoErrors();
    await page.close();
  });

  it("ctrl+wheel zooms around the pointer, shift+wheel and drag pan, shift+drag selects a range with totals", async () => {
    const page = await s.newPage("#/timeline");
    await settle(page);
    const box = (await page.locator(canvas).boundingBox())!;
    const { gutterPx, window: whole } = await probe(page);
    const span = (w: { startNs: number; endNs: number }) => w.endNs - w.startNs;
    // Zoom in around a point a quarter of the way across: the time under it stays put.
    const x = gutterPx + (box.width - gutterPx) / 4;
    const tBefore = whole.startNs + (span(whole) * (x - gutterPx)) / (box.width - gutterPx);
    await page.mouse.move(box.x + x, box.y + 200);
    await page.keyboard.down("Control");
    await page.mouse.wheel(0, -300);
    await page.keyboard.up("Control");
    await page.waitForTimeout(100);
    const zoomed = (await probe(page)).window;
    assert.ok(span(zoomed) < span(whole) * 0.8, "ctrl+wheel up zooms in");
    const tAfter = zoomed.startNs + (span(zoomed) * (x - gutterPx)) / (box.width - gutterPx);
    assert.ok(Math.abs(tAfter - tBefore) < span(zoomed) / 100, "the time under the pointer stays under it");
    await page.keyboard.down("Shift");
    await page.mouse.wheel(0, 200);
    await page.keyboard.up("Shift");
    await page.waitForTimeout(100);
    const panned = (await probe(page)).window;
    assert.ok(panned.startNs > zoomed.startNs, "shift+wheel pans");
    // Drag left by 100 px: later times come into view.
    await page.mouse.move(box.x + 600, box.y + 300);
    await page.mouse.down();
    await page.mouse.move(box.x + 500, box.y + 300, { steps: 4 });
    await page.mouse.up();
    const dragged = (await probe(page)).window;
    assert.ok(dragged.startNs > panned.startNs, "dragging left moves to later times");
    assert.ok(Math.abs(span(dragged) - span(panned)) < 1, "dragging keeps the span");
    // Shift+drag selects; the range panel shows the engine's totals for it.
    await page.keyboard.down("Shift");
    await page.mouse.move(box.x + gutterPx + 50, box.y + 300);
    await page.mouse.down();
    await page.mouse.move(box.x + gutterPx + 400, box.y + 300, { steps: 4 });
    await page.mouse.up();
    await page.keyboard.up("Shift");
    const panel = page.locator('[data-testid="range-summary"]');
    await panel.waitFor();
    assert.match((await panel.textContent()) ?? "", /Goroutine time by state/);
    await s.screenshot(page, "timeline-sched-go1.26-range");
    await page.locator(".tl-scroller").focus();
    await page.keyboard.press("f");
    await page.waitForTimeout(100);
    const focused = (await probe(page)).window;
    assert.ok(span(focused) < span(dragged) * 0.5, "F zooms to the selected range");
    s.assertNoErrors();
    await page.close();
  });

  it("clicking a goroutine slice shows its stacks; find outlines that goroutine; the link restores it", async () => {
    const page = await s.newPage("#/timeline");
    await settle(page);
    const resp = await windowAsPage(s, page, 0, rows.length);
    // The widest single goroutine slice on a P row: at least a few pixels, so the click lands on it.
    let best: { row: number; i: number; w: number; cols: WindowResponse["slices"][number] } | undefined;
    for (const cols of resp.slices) {
      if (!procRows.some((r) => r.index === cols.row)) continue;
      for (let i = 0; i < cols.id.length; i++) {
        if (cols.id[i]! < 0 || cols.color[i]! < 0) continue;
        const w = cols.endNs[i]! - cols.startNs[i]!;
        if (!best || w > best.w) best = { row: cols.row, i, w, cols };
      }
    }
    assert.ok(best, "the engine answered with goroutine slices on the P rows");
    const { cols, i, row } = best;
    const id = cols.id[i]!;
    const g = cols.color[i]!;
    const details = await s.api<SliceDetails>(`api/slice?view=proc&id=${id}`);
    // Zoom so the slice is wide, then click its middle.
    const span = cols.endNs[i]! - cols.startNs[i]!;
    await page.goto(
      `${s.url}#/timeline?view=proc&start=${Math.max(0, cols.startNs[i]! - span)}&end=${cols.endNs[i]! + span}`,
    );
    await settle(page);
    const box = (await page.locator(canvas).boundingBox())!;
    const x = await xOf(page, (cols.startNs[i]! + cols.endNs[i]!) / 2);
    const y = (await rowTop(page, row)) + 2 + cols.depth[i]! * 18 + 8;
    await page.mouse.click(box.x + x, box.y + y);
    const panel = page.locator('[data-testid="slice-details"]');
    await panel.waitFor();
    assert.equal(await panel.locator(".tl-title").textContent(), details.title);
    const stackFuncs = [...details.startStack, ...details.endStack].map((f) => f.func);
    assert.ok(stackFuncs.length > 0, "the slice has stacks");
    const shown = await panel.locator(".tl-func").allTextContents();
    for (const f of stackFuncs) assert.ok(shown.includes(f), `stack frame ${f} is shown`);
    await s.screenshot(page, "timeline-sched-go1.26-slice-details");

    // → selects the next slice of the row (as loaded by the page), ← comes back.
    const rowNow = (await windowAsPage(s, page, row, row + 1)).slices.find((c) => c.row === row);
    const next = rowNow?.startNs
      .map((st, k) => ({ st, k }))
      .filter(({ st, k }) => rowNow.depth[k] === cols.depth[i] && rowNow.id[k]! >= 0 && st > cols.startNs[i]!)
      .sort((a, b) => a.st - b.st)[0];
    if (next) {
      const nextId = rowNow!.id[next.k]!;
      await page.keyboard.press("ArrowRight");
      await page.waitForFunction(hashHasSel, nextId);
      await page.keyboard.press("ArrowLeft");
      await page.waitForFunction(hashHasSel, id);
    }

    // Find the goroutine by ID: its slices, and only its, get the highlight outline.
    const found = await s.api<FindResponse>(`api/find?q=${g}&limit=1000`);
    assert.ok(found.goroutines.includes(g), `find ${g} matches goroutine ${g}`);
    await page.fill('input[type="search"]', String(g));
    await page.keyboard.press("Enter");
    await page.locator('[data-testid="find-results"]').waitFor();
    await page.focus(".tl-scroller");
    await page.keyboard.press("0");
    await page.waitForTimeout(100);
    await settle(page);
    const px = await elementPixels(page, canvas);
    const all = await windowAsPage(s, page, 0, rows.length);
    let lit = 0;
    for (const r of procRows) {
      const top = await rowTop(page, r.index);
      const c = all.slices.find((sc) => sc.row === r.index);
      for (const hx of highlightXs(px, top + 2, top + 18)) {
        lit++;
        let onMatch = false;
        for (let k = 0; c && k < c.startNs.length && !onMatch; k++) {
          if (!found.goroutines.includes(c.color[k]!)) continue;
          const x0 = await xOf(page, c.startNs[k]!);
          const x1 = await xOf(page, c.endNs[k]!);
          onMatch = hx >= x0 - 3 && hx <= x1 + 3;
        }
        assert.ok(onMatch, `highlight at x=${hx} in ${r.label} lies on a slice of a matching goroutine`);
      }
    }
    assert.ok(lit > 0, "matching slices are outlined");
    await s.screenshot(page, "timeline-sched-go1.26-find");

    // A deep link to the goroutine view with the selection restores it.
    const link = `#/timeline?view=goroutine&start=${Math.floor(details.startNs)}&end=${Math.ceil(details.startNs + Math.max(details.durNs, 1000) * 3)}&g=${g}`;
    const again = await s.newPage(link);
    await settle(again);
    const p = await probe(again);
    assert.equal(p.view, "goroutine");
    assert.ok(Math.abs(p.window.startNs - Math.floor(details.startNs)) <= 1, "the window is restored");
    assert.equal(await again.locator('[data-view="goroutine"]').getAttribute("aria-pressed"), "true");
    const gRows = await s.api<Row[]>("api/rows?view=goroutine");
    const gRow = gRows.find((r) => r.goroutine === g);
    assert.ok(gRow, `goroutine view has a row for G${g}`);
    const top = await rowTop(again, gRow.index);
    const box2 = (await again.locator(canvas).boundingBox())!;
    assert.ok(top >= 0 && top < box2.height, `the focused goroutine's row is on screen (y=${top})`);
    await s.screenshot(again, "timeline-sched-go1.26-deeplink-goroutine");
    s.assertNoErrors();
    await again.close();
    await page.close();
  });

  it("a created-by link jumps to the creating goroutine in the goroutine view", async () => {
    const dur = (await s.api<{ durationNs: number }>("api/info")).durationNs;
    const resp = await s.api<WindowResponse>(
      `api/window?view=proc&startNs=0&endNs=${dur}&widthPx=4000&rowFrom=0&rowTo=${rows.length}`,
    );
    const ids = resp.slices.flatMap((c) => c.id.filter((x, k) => x >= 0 && c.color[k]! >= 0)).slice(0, 60);
    let d: SliceDetails | undefined;
    for (const id of ids) {
      const x = await s.api<SliceDetails>(`api/slice?view=proc&id=${id}`);
      if (x.createdBy) {
        d = x;
        break;
      }
    }
    assert.ok(d?.createdBy, "some goroutine slice says who created its goroutine");
    const page = await s.newPage(`#/timeline?view=proc&start=0&end=${dur}&sel=${d.id}`);
    const panel = page.locator('[data-testid="slice-details"]');
    await panel.waitFor();
    await panel.locator("tr", { hasText: "Created by" }).locator("button.tl-link").first().click();
    await page.waitForFunction(
      () => (globalThis as unknown as PageGlobal).__gotraceTimeline?.view() === "goroutine",
    );
    const gPanel = page.locator('[data-testid="goroutine-details"]');
    await gPanel.waitFor();
    const g = d.createdBy.goroutine;
    assert.match((await gPanel.locator(".tl-title").textContent()) ?? "", new RegExp(`^G${g}\\b`));
    await settle(page);
    const gRows = await s.api<Row[]>("api/rows?view=goroutine");
    const top = await rowTop(page, gRows.find((r) => r.goroutine === g)!.index);
    const box = (await page.locator(canvas).boundingBox())!;
    assert.ok(top >= 0 && top < box.height, `G${g}'s row is on screen`);
    assert.match(page.url(), new RegExp(`[?&]g=${g}(&|$)`));
    await s.screenshot(page, "timeline-sched-go1.26-created-by");
    s.assertNoErrors();
    await page.close();
  });

  it("clicking a mark shows its details", async () => {
    const page = await s.newPage("#/timeline");
    await settle(page);
    const resp = await windowAsPage(s, page, 0, rows.length);
    // A single mark whose row has no slice within 2 µs of it, so the click cannot land on a slice.
    let pick: { row: number; t: number; id: number } | undefined;
    for (const m of resp.marks) {
      const sl = resp.slices.find((c) => c.row === m.row);
      for (let i = 0; i < m.timeNs.length && !pick; i++) {
        const t = m.timeNs[i]!;
        if (m.count[i] !== 1 || m.id[i]! < 0) continue;
        const near = sl?.startNs.some((st, k) => st - 2000 <= t && t <= sl.endNs[k]! + 2000);
        if (!near) pick = { row: m.row, t, id: m.id[i]! };
      }
    }
    assert.ok(pick, "the trace has an isolated mark");
    const d = await s.api<{ title: string }>(`api/mark?view=proc&id=${pick.id}`);
    await page.goto(`${s.url}#/timeline?view=proc&start=${Math.max(0, pick.t - 1000)}&end=${pick.t + 1000}`);
    await settle(page);
    const box = (await page.locator(canvas).boundingBox())!;
    await page.mouse.click(box.x + (await xOf(page, pick.t)), box.y + (await rowTop(page, pick.row)) + 10);
    const panel = page.locator('[data-testid="mark-details"]');
    await panel.waitFor();
    assert.equal(await panel.locator(".tl-title").textContent(), d.title);
    await s.screenshot(page, "timeline-sched-go1.26-mark");
    s.assertNoErrors();
    await page.close();
  });

  it("a deep link with a selected slice opens its details", async () => {
    const resp = await s.api<WindowResponse>(
      `api/window?view=proc&startNs=0&endNs=${(await s.api<{ durationNs: number }>("api/info")).durationNs}&widthPx=1000&rowFrom=0&rowTo=${rows.length}`,
    );
    const cols = resp.slices.find(
      (c) => procRows.some((r) => r.index === c.row) && c.id.some((x) => x >= 0),
    )!;
    const id = cols.id.find((x) => x >= 0)!;
    const d = await s.api<SliceDetails>(`api/slice?view=proc&id=${id}`);
    const page = await s.newPage(
      `#/timeline?view=proc&start=0&end=${Math.ceil(d.startNs + d.durNs * 4 + 1000)}&sel=${id}`,
    );
    await page.locator('[data-testid="slice-details"]').waitFor();
    assert.equal(await page.locator('[data-testid="slice-details"] .tl-title').textContent(), d.title);
    await settle(page);
    await s.screenshot(page, "timeline-sched-go1.26-deeplink-slice");
    s.assertNoErrors();
    await page.close();
  });
});

/** P rows of a proc view with drawn pixels, after the page settled. */
async function inkedProcRows(page: Page, procRows: readonly Row[]): Promise<number> {
  const px = await elementPixels(page, canvas);
  const { gutterPx } = await probe(page);
  let inked = 0;
  for (const r of procRows) {
    const top = await rowTop(page, r.index);
    if (inkPixels(crop(px, gutterPx + 1, top + 2, px.width - gutterPx - 1, 16)) > 20) inked++;
  }
  return inked;
}

describe("timeline on other traces", { skip: browserSkip() }, () => {
  for (const name of ["sched-go1.21", "gc-go1.26", "annotations-go1.26"]) {
    it(`${name}: every view draws, flows on, without errors`, async () => {
      const s = await openView(join(fixturesDir, `${name}.trace`));
      try {
        const rows = await s.api<Row[]>("api/rows?view=proc");
        const procRows = rows.filter((r) => r.group === "Procs" && /^Proc \d+$/.test(r.label));
        const page = await s.newPage("#/timeline?view=proc");
        await settle(page);
        assert.ok((await inkedProcRows(page, procRows)) >= 1, "an old or new trace draws its P rows alike");
        await page.check('label:has-text("Flows") input');
        await settle(page);
        await s.screenshot(page, `timeline-${name}-proc-flows`);
        for (const [key, view] of [
          ["2", "thread"],
          ["3", "goroutine"],
        ] as const) {
          await page.focus(".tl-scroller");
          await page.keyboard.press(key);
          await page.waitForFunction(
            (v) => (globalThis as unknown as PageGlobal).__gotraceTimeline?.view() === v,
            view,
          );
          await settle(page);
          const px = await elementPixels(page, canvas);
          const { gutterPx } = await probe(page);
          const ink = inkPixels(crop(px, gutterPx + 1, 0, px.width - gutterPx - 1, px.height));
          assert.ok(ink > 200, `${view} view draws`);
          await s.screenshot(page, `timeline-${name}-${view}`);
        }
        s.assertNoErrors();
      } finally {
        await s.close();
      }
    });
  }
});

describe("timeline on a damaged trace", { skip: browserSkip() }, () => {
  it("shows the banner and draws what was read before the damage", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gotrace-timeline-"));
    const file = join(dir, "cut.trace");
    // Many generations: cut at 70%, the complete ones before the cut are kept.
    const bytes = readFileSync(join(fixturesDir, "manygen-go1.26.trace"));
    writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length * 0.7)));
    const s = await openView(file);
    try {
      const page = await s.newPage("#/timeline");
      await page.locator(".banner", { hasText: "Damaged trace" }).waitFor();
      await settle(page);
      const rows = await s.api<Row[]>("api/rows?view=proc");
      const procRows = rows.filter((r) => r.group === "Procs" && /^Proc \d+$/.test(r.label));
      assert.ok((await inkedProcRows(page, procRows)) >= 1, "the part before the damage is drawn");
      await s.screenshot(page, "timeline-damaged-manygen-go1.26");
      s.assertNoErrors();
    } finally {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("timeline find filter on annotations-go1.26", { skip: browserSkip() }, () => {
  it("keeps only the matching goroutines in the goroutine view, each drawn, and links to it", async () => {
    const s = await openView(join(fixturesDir, "annotations-go1.26.trace"));
    try {
      const q = "main.main.func3";
      const found = await s.api<FindResponse>(`api/find?q=${q}&limit=1000`);
      assert.ok(found.goroutines.length >= 2, `several goroutines run ${q}`);
      // Start in the proc view: turning the filter on switches to the goroutine view.
      const page = await s.newPage("#/timeline?view=proc");
      await settle(page);
      await page.fill('input[type="search"]', q);
      await page.keyboard.press("Enter");
      await page.locator('[data-testid="find-results"]').waitFor();
      await page.check('label:has-text("Filter") input');
      await page.waitForFunction(
        () => (globalThis as unknown as PageGlobal).__gotraceTimeline?.view() === "goroutine",
      );
      await settle(page);
      const gRows = await s.api<Row[]>("api/rows?view=goroutine");
      const px = await elementPixels(page, canvas);
      const { gutterPx } = await probe(page);
      for (const r of gRows.filter((r) => r.goroutine !== undefined)) {
        const top = await rowTop(page, r.index);
        if (found.goroutines.includes(r.goroutine!)) {
          assert.ok(Number.isFinite(top), `G${r.goroutine} is shown`);
          const ink = inkPixels(crop(px, gutterPx + 1, top + 2, px.width - gutterPx - 1, 16));
          assert.ok(ink > 20, `G${r.goroutine}'s row is drawn (${ink} px)`);
        } else {
          assert.ok(Number.isNaN(top), `G${r.goroutine} is filtered out`);
        }
      }
      await s.screenshot(page, "timeline-annotations-go1.26-filter");
      // The address carries the query and the filter, and opening it gives the same rows.
      const url = new URL(page.url());
      assert.match(url.hash, /q=main\.main\.func3/);
      assert.match(url.hash, /filter=1/);
      const again = await s.newPage(url.hash);
      await settle(again);
      for (const g of found.goroutines) {
        const r = gRows.find((x) => x.goroutine === g)!;
        assert.ok(Number.isFinite(await rowTop(again, r.index)), `the link shows G${g}`);
      }
      s.assertNoErrors();
    } finally {
      await s.close();
    }
  });
});

describe("timeline with hostile trace strings", { skip: browserSkip() }, () => {
  let s: ViewSession;
  before(async () => {
    s = await openView(join(fixturesDir, "hostile-go1.26.trace"));
  });
  after(() => s?.close());

  const payloads = ["<script>alert(1)</script>", "<img src=x onerror=alert(2)>", `"double" 'single'`];

  it("shows task, region and log strings as text and runs nothing", async () => {
    const dialogs: string[] = [];
    const page = await s.newPage("#/timeline?view=goroutine");
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await settle(page);
    const elements = () => {
      const d = (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } })
        .document;
      return {
        scripts: d.querySelectorAll("script").length,
        injected: d.querySelectorAll("img, svg, iframe, object, embed").length,
      };
    };
    const before = await page.evaluate(elements);
    for (const p of payloads) {
      const found = await s.api<FindResponse>(`api/find?q=${encodeURIComponent(p)}&limit=100`);
      assert.ok(found.matches.length > 0, `the engine finds ${p}`);
      await page.fill('input[type="search"]', p);
      await page.keyboard.press("Enter");
      const results = page.locator('[data-testid="find-results"]');
      await results.waitFor();
      await page.locator('[data-testid="find-results"] .tl-query', { hasText: p }).waitFor();
      const labels = await results.locator(".tl-match-label").allTextContents();
      assert.ok(
        labels.some((l) => l.includes(p)),
        `a match shows ${p} literally: ${labels.slice(0, 5).join(" | ")}`,
      );
      // Open the details of a few matches: slice or goroutine panels with the strings in them.
      const n = Math.min(await results.locator("li button").count(), 6);
      for (let i = 0; i < n; i++) {
        await results.locator("li button").nth(i).click();
        await page.waitForTimeout(150);
      }
      const side = (await page.locator(".tl-side").textContent()) ?? "";
      assert.ok(side.includes(p), `the side panel shows ${p} as text`);
      await settle(page);
      await s.screenshot(page, `timeline-hostile-${payloads.indexOf(p)}`);
    }
    await page.waitForTimeout(300);
    const afterCount = await page.evaluate(elements);
    assert.deepEqual(afterCount, before, "no element was injected");
    assert.deepEqual(dialogs, [], "no dialog was opened");
    s.assertNoErrors();
    await page.close();
  });
});
