/**
 * The timeline in headless chromium against `gotrace view` on our fixtures:
 * it draws (pixels in the P rows, not just DOM), W/S/A/D move the window,
 * clicking a goroutine slice picked from the engine's own /api/window
 * answer opens its stacks, find outlines exactly that goroutine's slices, a
 * deep link restores the picture, marks and created-by links open their
 * details. Other traces, damage, the filter and hostile strings are in
 * timeline-traces.browser.test.ts.
 * Screenshots go to test-output/screenshots/.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FindResponse, Row, SliceDetails, WindowResponse } from "../query/timeline/protocol.js";
import { browserSkip, elementPixels, inkPixels, openView, type ViewSession } from "../testing/browser.js";
import { fixturesDir } from "../testing/corpus.js";
import {
  canvas,
  crop,
  hashHasSel,
  highlightXs,
  type PageGlobal,
  probe,
  rowTop,
  settle,
  urlWindow,
  windowAsPage,
  xOf,
} from "../testing/timeline-probe.js";

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

  it("W/S zoom and A/D pan the window, 0 shows the whole trace, also with focus on a toolbar checkbox", async () => {
    const page = await s.newPage("#/timeline");
    await settle(page);
    // Keys work page-wide: here the Flows checkbox has the focus, not the canvas.
    await page.check('label:has-text("Flows") input');
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
    // "?" opens the shortcuts, Escape closes them.
    await page.keyboard.press("?");
    const help = page.getByRole("dialog", { name: "Timeline shortcuts" });
    await help.waitFor();
    assert.match((await help.textContent()) ?? "", /zoom in \/ out/);
    await page.keyboard.press("Escape");
    await help.waitFor({ state: "detached" });
    // Leaving right after a change: the other page keeps its address, and the Timeline tab
    // comes back to exactly where the timeline was.
    await page.keyboard.press("w");
    const leftAt = (await probe(page)).window;
    await page.click('nav a:has-text("Overview")');
    await page.waitForTimeout(500);
    assert.match(new URL(page.url()).hash, /^#\/overview/);
    await page.click('nav a:has-text("Timeline")');
    await settle(page);
    const back = (await probe(page)).window;
    assert.ok(
      Math.abs(back.startNs - leftAt.startNs) <= 1 && Math.abs(back.endNs - leftAt.endNs) <= 1,
      `back where it was: ${JSON.stringify({ back, leftAt })}`,
    );
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
    // Clicking a group's heading folds its rows away, and a second click brings them back.
    const counters = rows.filter((r) => r.group === "Counters");
    const headingY = (await rowTop(page, counters[0]!.index)) - 12;
    await page.mouse.click(box.x + 60, box.y + headingY);
    await page.waitForFunction(
      (r) => Number.isNaN((globalThis as unknown as PageGlobal).__gotraceTimeline!.rowTopPx(r)),
      counters[0]!.index,
    );
    await page.mouse.click(box.x + 60, box.y + headingY);
    await page.waitForFunction(
      (r) => Number.isFinite((globalThis as unknown as PageGlobal).__gotraceTimeline!.rowTopPx(r)),
      counters[0]!.index,
    );
    await page.locator(".tl-scroller").focus();
    await page.keyboard.press("f");
    await page.waitForTimeout(100);
    const focused = (await probe(page)).window;
    assert.ok(span(focused) < span(dragged) * 0.5, "F zooms to the selected range");
    s.assertNoErrors();
    await page.close();
  });

  it("keeps drawing the old pixels while new data is on its way", async () => {
    const page = await s.newPage("#/timeline");
    await settle(page);
    const ink = async () => {
      const px = await elementPixels(page, canvas);
      const { gutterPx } = await probe(page);
      let n = 0;
      for (const r of procRows)
        n += inkPixels(
          crop(px, gutterPx + 1, (await rowTop(page, r.index)) + 2, px.width - gutterPx - 1, 16),
        );
      return n;
    };
    const before = await ink();
    // Hold every window answer back: frames must still come, drawn from what is cached.
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const waiting: Promise<void>[] = [];
    await page.route("**/api/window?*", (route) => {
      const p = held.then(() => route.continue());
      waiting.push(p);
      return p;
    });
    const frames = Number(
      await page.evaluate(
        () => (globalThis as unknown as PageGlobal).document.documentElement.dataset.timelineFrames,
      ),
    );
    await page.focus(".tl-scroller");
    await page.keyboard.press("s");
    await page.keyboard.press("w");
    await page.keyboard.press("w");
    await page.waitForTimeout(300);
    const during = await ink();
    const framesDuring = Number(
      await page.evaluate(
        () => (globalThis as unknown as PageGlobal).document.documentElement.dataset.timelineFrames,
      ),
    );
    assert.ok(framesDuring > frames, "frames are drawn while requests wait");
    assert.equal(
      await page.evaluate(() => (globalThis as unknown as PageGlobal).__gotraceTimeline!.idle()),
      false,
    );
    assert.ok(during > before / 4, `the P rows keep their pixels while waiting (${during} vs ${before})`);
    release();
    await Promise.all(waiting);
    await page.unroute("**/api/window?*");
    await settle(page);
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
    // A single mark whose row has no slice within 2 µs of it, so the click cannot land on a slice,
    // on a row that is shown (rows with only a P's start and stop ticks are hidden as empty).
    let pick: { row: number; t: number; id: number } | undefined;
    for (const m of resp.marks) {
      if (rows[m.row]?.empty) continue;
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

  it("a deep link with a selected range shows its totals and links to the profiles of just that range", async () => {
    const { durationNs } = await s.api<{ durationNs: number }>("api/info");
    const rs = Math.floor(durationNs / 4);
    const re = Math.floor(durationNs / 2);
    const page = await s.newPage(
      `#/timeline?view=proc&start=0&end=${Math.ceil(durationNs)}&rs=${rs}&re=${re}`,
    );
    const panel = page.locator('[data-testid="range-summary"]');
    await panel.waitFor();
    await settle(page);
    assert.match(page.url(), new RegExp(`[?&]rs=${rs}&re=${re}(&|$)`), "the range stays in the address");
    const sync = page.locator('[data-testid="range-profiles"] a', { hasText: "sync" });
    assert.equal(await sync.getAttribute("href"), `#/profiles?type=sync&start=${rs}&end=${re}`);
    await sync.click();
    await page.locator('[data-testid="range"]').waitFor();
    const total = page.locator('[data-testid="profile-total"]');
    await total.waitFor();
    const ranged = Number(await total.getAttribute("data-value"));
    const whole = await s.api<{ totalNs: number }>("api/analysis/profile?type=sync");
    assert.ok(ranged >= 0 && ranged <= whole.totalNs, `${ranged} ns of ${whole.totalNs} ns in the range`);
    s.assertNoErrors();
    await page.close();
  });
});
