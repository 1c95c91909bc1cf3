/**
 * What makes the timeline readable, in headless chromium against
 * `gotrace view`: the heap counter draws the allocated heap as an area and
 * the GC goal as a line at its own height (not stacked); long goroutine
 * names keep their function when the gutter is narrow, the gutter's edge
 * can be dragged, and the full name is a hover away; rows with nothing in
 * the whole trace are hidden until the toolbar asks for them; find looks
 * into stacks, leaves the picture alone when nothing matched, and counts in
 * words; slice labels contrast with their fill. Screenshots go to
 * test-output/screenshots/.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import type { CounterColumns, FindResponse, Row } from "../query/timeline/protocol.js";
import { browserSkip, elementPixels, openView, type Pixels, type ViewSession } from "../testing/browser.js";
import { fixturesDir } from "../testing/corpus.js";
import { canvas, crop, probe, rowTop, settle, windowAsPage, xOf } from "../testing/timeline-probe.js";
import { importUiModule } from "../testing/ui-module.js";

type Rgb = readonly [number, number, number];

interface Colors {
  seriesColors: readonly string[];
  luminance(r: number, g: number, b: number): number;
  contrast(a: number, b: number): number;
  hslToRgb(h: number, s: number, l: number): [number, number, number];
  goroutineSwatch(g: number): { fill: string; text: string };
  sliceSwatch(c: number): { fill: string; text: string };
}
const colors = await importUiModule<Colors>("timeline/colors.ts");
const { formatCount } = await importUiModule<{ formatCount(v: number, bytes: boolean): string }>(
  "timeline/painter-extras.ts",
);

function rgbOf(css: string): Rgb {
  const hsl = /^hsl\((\d+) (\d+)% (\d+)%\)$/.exec(css);
  if (hsl) return colors.hslToRgb(Number(hsl[1]), Number(hsl[2]), Number(hsl[3]));
  const n = Number.parseInt(css.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function at(p: Pixels, x: number, y: number): Rgb {
  const o = (Math.round(y) * p.width + Math.round(x)) * 4;
  return [p.rgba[o]!, p.rgba[o + 1]!, p.rgba[o + 2]!];
}

const distance = (a: Rgb, b: Rgb) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
const lum = (c: Rgb) => colors.luminance(c[0], c[1], c[2]);

/** The page's probe, with the label the last frame drew for a row. */
type LabelProbe = { __gotraceTimeline?: { drawnLabel(row: number): string | undefined; gutterPx: number } };

async function drawnLabel(page: Page, row: number): Promise<string | undefined> {
  return page.evaluate((r) => (globalThis as unknown as LabelProbe).__gotraceTimeline!.drawnLabel(r), row);
}

const { fitLabel } = await importUiModule<{ fitLabel(text: string, room: number): string }>(
  "timeline/label-fit.ts",
);

describe("label text", () => {
  it("a name too long for its room loses the package path first, then its middle, never its end", () => {
    const name = "G14 github.com/segmentio/kafka-go.(*Reader).run";
    assert.equal(fitLabel(name, 60), name);
    assert.equal(fitLabel(name, 40), "G14 github.com/…/kafka-go.(*Reader).run");
    assert.equal(fitLabel(name, 30), "G14 kafka-go.(*Reader).run");
    assert.equal(fitLabel(name, 20), "G14 (*Reader).run");
    assert.equal(fitLabel("G1 main.main", 10), "G1 main");
    assert.equal(fitLabel(name, 15), "G14 …eader).run");
    assert.equal(fitLabel("G21 runtime.gcBgMarkWorker (GC (dedicated))", 30), "G21 runtime.gcBgMarkWorker");
    assert.equal(fitLabel("blocked: chan receive", 12), "blo… receive");
    for (const text of [name, "G3 main.f[go.shape.struct { a/b }]", "GC concurrent mark phase", "x"])
      for (let room = 0; room < 70; room++) {
        const fit = fitLabel(text, room);
        assert.ok(fit.length <= room, `${JSON.stringify(fit)} fits ${room}`);
        if (text.length <= room) assert.equal(fit, text);
        else if (room >= 2) assert.equal(fit.at(-1), text.at(-1), `${JSON.stringify(fit)} keeps the end`);
      }
  });

  it("every fill's label is the dark or white text that contrasts more, at least 3.95:1", () => {
    const fills = [
      ...Array.from({ length: 200 }, (_, g) => colors.goroutineSwatch(g)),
      ...Array.from({ length: 12 }, (_, c) => colors.sliceSwatch(-(c + 1))),
    ];
    for (const sw of fills) {
      const ratio = colors.contrast(lum(rgbOf(sw.fill)), lum(rgbOf(sw.text)));
      // Mid-luminance fills cannot reach 4.5:1 with either; about 4:1 is what the better one gives them.
      assert.ok(ratio >= 3.95, `${sw.text} on ${sw.fill}: ${ratio.toFixed(2)}:1`);
      if (sw.text === "#ffffff" || sw.text === "#1f2328") {
        const other = sw.text === "#ffffff" ? "#1f2328" : "#ffffff";
        assert.ok(
          ratio >= colors.contrast(lum(rgbOf(sw.fill)), lum(rgbOf(other))),
          `${sw.text} on ${sw.fill}`,
        );
      }
    }
  });
});

describe("timeline readability on gc-go1.26", { skip: browserSkip() }, () => {
  let s: ViewSession;
  let procRows: Row[];
  before(async () => {
    s = await openView(join(fixturesDir, "gc-go1.26.trace"));
    procRows = await s.api<Row[]>("api/rows?view=proc");
  });
  after(() => s?.close());

  it("heap: the allocated heap is the area, the GC goal a line at its own height, not stacked", async () => {
    const heap = procRows.find((r) => r.label === "Heap")!;
    assert.deepEqual(heap.series, ["Allocated", "NextGC"]);
    assert.equal(heap.stacked, 1);
    const page = await s.newPage("#/timeline");
    await settle(page);
    const resp = await windowAsPage(s, page, 0, heap.index + 1);
    const c = resp.counters.find((k) => k.row === heap.index) as CounterColumns;
    const px = await elementPixels(page, canvas);
    const top = await rowTop(page, heap.index);
    const bottom = top + 44 - 2;
    const area = rgbOf(colors.seriesColors[0]!);
    const line = rgbOf(colors.seriesColors[1]!);
    let checked = 0;
    for (let i = 0; i + 1 < c.timeNs.length; i++) {
      const alloc = c.values[0]![i]!;
      const goal = c.values[1]![i]!;
      const x0 = await xOf(page, c.timeNs[i]!);
      const x1 = await xOf(page, c.timeNs[i + 1]!);
      // Steady for a few pixels, with a clear gap between the heap and its goal.
      if (x1 - x0 < 4 || alloc <= 0 || goal < alloc * 1.15) continue;
      const x = Math.round((x0 + x1) / 2);
      let areaTop = Number.NaN;
      for (let y = Math.floor(bottom) - 1; y > top; y--) {
        if (distance(at(px, x, y), area) > 40) break;
        areaTop = y;
      }
      const lineYs: number[] = [];
      for (let y = Math.ceil(top); y < bottom; y++) if (distance(at(px, x, y), line) < 90) lineYs.push(y);
      assert.ok(!Number.isNaN(areaTop), `x=${x}: the allocated area is drawn`);
      assert.ok(lineYs.length > 0 && lineYs.length <= 3, `x=${x}: the goal is a thin line (${lineYs})`);
      const lineY = (lineYs[0]! + lineYs[lineYs.length - 1]! + 1) / 2;
      const areaH = bottom - areaTop;
      const lineH = bottom - lineY;
      assert.ok(
        Math.abs(areaH / lineH - alloc / goal) < 0.12,
        `x=${x}: area ${areaH.toFixed(1)} px and line ${lineH.toFixed(1)} px stand as ${alloc} to ${goal} bytes`,
      );
      // Between the heap and its goal there is no fill: the goal is not stacked on the heap.
      for (let y = Math.ceil(lineYs[lineYs.length - 1]! + 2); y < areaTop - 2; y++) {
        const p = at(px, x, y);
        assert.ok(distance(p, line) > 90 && distance(p, area) > 90, `x=${x} y=${y} is empty: ${p}`);
      }
      checked++;
    }
    assert.ok(checked >= 3, `${checked} steady stretches of the heap checked`);

    // The tooltip reads the goal itself, not its distance above the heap.
    let k = c.timeNs.findIndex(
      (_, i) => c.values[1]![i]! > c.values[0]![i]! * 1.3 && i + 1 < c.timeNs.length,
    );
    while (k >= 0 && (await xOf(page, c.timeNs[k + 1]!)) - (await xOf(page, c.timeNs[k]!)) < 5) k++;
    const box = (await page.locator(canvas).boundingBox())!;
    const mid = ((await xOf(page, c.timeNs[k]!)) + (await xOf(page, c.timeNs[k + 1]!))) / 2;
    await page.mouse.move(box.x + mid, box.y + top + 30);
    const tip = page.getByRole("tooltip");
    await tip.waitFor();
    const text = (await tip.textContent()) ?? "";
    assert.match(text, new RegExp(`Allocated: ${formatCount(c.values[0]![k]!, true)}`));
    assert.match(text, new RegExp(`NextGC: ${formatCount(c.values[1]![k]!, true)}`));
    await s.screenshot(page, "timeline-gc-go1.26-heap");
    s.assertNoErrors();
    await page.close();
  });

  it("rows with nothing in the whole trace are hidden until the toolbar shows them", async () => {
    const empty = procRows.filter((r) => r.empty);
    assert.ok(
      empty.some((r) => r.label === "Network") && empty.some((r) => r.label === "Tasks"),
      `gc-go1.26 has no network or task rows to show: ${empty.map((r) => r.label)}`,
    );
    const page = await s.newPage("#/timeline");
    await settle(page);
    for (const r of empty) assert.ok(Number.isNaN(await rowTop(page, r.index)), `${r.label} is hidden`);
    for (const r of procRows.filter((x) => !x.empty))
      assert.ok(Number.isFinite(await rowTop(page, r.index)), `${r.label} is shown`);
    const toggle = page.locator('label:has-text("Empty rows") input');
    await toggle.check();
    await settle(page);
    for (const r of procRows) assert.ok(Number.isFinite(await rowTop(page, r.index)), `${r.label} is shown`);
    await s.screenshot(page, "timeline-gc-go1.26-empty-rows-shown");
    await toggle.uncheck();
    await settle(page);
    for (const r of empty) assert.ok(Number.isNaN(await rowTop(page, r.index)), `${r.label} is hidden again`);
    s.assertNoErrors();
    await page.close();
  });

  it("a long name keeps its function in a narrow gutter, the gutter can be dragged, hovering shows all", async () => {
    const gRows = await s.api<Row[]>("api/rows?view=goroutine");
    const row = gRows.find((r) => r.label.startsWith("G") && r.label.includes("/") && r.label.length > 40)!;
    assert.ok(row, "a goroutine with a long name");
    const tail = row.label.slice(row.label.lastIndexOf(")") + 1); // ".startLocked.func1"
    const id = /^G\d+ /.exec(row.label)![0];
    const page = await s.newPage(`#/timeline?view=goroutine&g=${row.goroutine}`);
    await settle(page);
    const box = (await page.locator(canvas).boundingBox())!;
    const handle = page.locator('[data-testid="gutter-handle"]');
    /** Drags the gutter's edge by as much as it takes to make the gutter `width` wide. */
    const drag = async (width: number) => {
      const h = (await handle.boundingBox())!;
      const dx = width - (await probe(page)).gutterPx;
      await page.mouse.move(h.x + h.width / 2, h.y + 50);
      await page.mouse.down();
      await page.mouse.move(h.x + h.width / 2 + dx, h.y + 60, { steps: 5 });
      await page.mouse.up();
      await settle(page);
    };
    await drag(200);
    assert.equal((await probe(page)).gutterPx, 200, "dragging the edge sets the gutter's width");
    const narrow = (await drawnLabel(page, row.index))!;
    assert.ok(narrow.length < row.label.length, `"${narrow}" is shortened`);
    assert.ok(narrow.startsWith(id) && narrow.endsWith(tail), `"${narrow}" keeps ${id} and ${tail}`);
    // The full name is a hover away.
    await page.mouse.move(box.x + 60, box.y + (await rowTop(page, row.index)) + 10);
    const tip = page.getByRole("tooltip");
    await tip.waitFor();
    assert.equal(await tip.locator(".tl-tip-title").textContent(), row.label);
    await s.screenshot(page, "timeline-gc-go1.26-narrow-gutter");
    // Wide enough, the whole name is drawn; the width stays when coming back to the timeline.
    await drag(520);
    assert.equal((await probe(page)).gutterPx, 520);
    assert.equal(await drawnLabel(page, row.index), row.label);
    await page.click('nav a:has-text("Overview")');
    await page.click('nav a:has-text("Timeline")');
    await settle(page);
    assert.equal((await probe(page)).gutterPx, 520, "the width is kept");
    // The keyboard moves the edge too.
    await handle.focus();
    await page.keyboard.press("ArrowLeft");
    assert.equal((await probe(page)).gutterPx, 504);
    await s.screenshot(page, "timeline-gc-go1.26-wide-gutter");
    s.assertNoErrors();
    await page.close();
  });

  it("slice labels are dark on light fills and white on dark ones", async () => {
    const page = await s.newPage("#/timeline?view=proc");
    await settle(page);
    // Zoom until many goroutine slices are wide enough to carry a label.
    const all = await windowAsPage(s, page, 0, procRows.length);
    let widest = { s: 0, e: 0 };
    for (const c of all.slices)
      c.id.forEach((id, i) => {
        if (id >= 0 && c.color[i]! >= 0 && c.endNs[i]! - c.startNs[i]! > widest.e - widest.s)
          widest = { s: c.startNs[i]!, e: c.endNs[i]! };
      });
    const span = (widest.e - widest.s) * 40;
    await page.goto(
      `${s.url}#/timeline?view=proc&start=${Math.max(0, widest.s - span / 2)}&end=${widest.s + span / 2}`,
    );
    await settle(page);
    const resp = await windowAsPage(s, page, 0, procRows.length);
    const px = await elementPixels(page, canvas);
    const { gutterPx } = await probe(page);
    let darkOnLight = 0;
    let whiteOnDark = 0;
    for (const c of resp.slices) {
      const top = await rowTop(page, c.row);
      if (!Number.isFinite(top)) continue;
      for (let i = 0; i < c.id.length; i++) {
        if (c.label[i]! < 0 || c.color[i]! < 0) continue;
        const x0 = Math.max(await xOf(page, c.startNs[i]!), gutterPx);
        const x1 = Math.min(await xOf(page, c.endNs[i]!), px.width);
        if (x1 - x0 < 60) continue;
        const sw = colors.sliceSwatch(c.color[i]!);
        const fill = rgbOf(sw.fill);
        const y = top + 2 + c.depth[i]! * 18;
        const box = crop(px, x0 + 3, y + 2, x1 - x0 - 6, 12);
        // The label's ink: the pixel farthest from the fill.
        let ink: Rgb = fill;
        for (let k = 0; k < box.width * box.height; k++) {
          const p: Rgb = [box.rgba[k * 4]!, box.rgba[k * 4 + 1]!, box.rgba[k * 4 + 2]!];
          if (distance(p, fill) > distance(ink, fill)) ink = p;
        }
        if (distance(at(px, (x0 + x1) / 2, y + 1), fill) > 30) continue; // outlined or covered
        const ratio = colors.contrast(lum(ink), lum(fill));
        assert.ok(ratio >= 3, `label ink ${ink} on ${sw.fill}: ${ratio.toFixed(2)}:1`);
        if (lum(fill) > 0.3) {
          assert.ok(lum(ink) < lum(fill), `dark text on the light ${sw.fill}`);
          darkOnLight++;
        } else whiteOnDark += lum(ink) > lum(fill) ? 1 : 0;
      }
    }
    assert.ok(
      darkOnLight >= 1,
      `${darkOnLight} labels on light fills checked (${whiteOnDark} white on dark)`,
    );
    await s.screenshot(page, "timeline-gc-go1.26-label-contrast");
    s.assertNoErrors();
    await page.close();
  });
});

describe("timeline find on annotations-go1.26", { skip: browserSkip() }, () => {
  let s: ViewSession;
  before(async () => {
    s = await openView(join(fixturesDir, "annotations-go1.26.trace"));
  });
  after(() => s?.close());

  const find = async (page: Page, q: string) => {
    await page.fill('input[type="search"]', q);
    await page.keyboard.press("Enter");
    const count = page.locator('[data-testid="find-count"]');
    await count.waitFor();
    await page.waitForFunction((want) => {
      const d = (
        globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }
      ).document;
      return d.querySelector(".tl-query")?.textContent === want;
    }, q);
    return (await count.textContent()) ?? "";
  };

  it("finds functions and files in goroutines' stacks, with the frame, counted in words", async () => {
    const page = await s.newPage("#/timeline?view=goroutine");
    await settle(page);
    const api = await s.api<FindResponse>("api/find?q=time.Sleep&limit=1000");
    const stack = api.matches.filter((m) => m.kind === "stack");
    assert.ok(stack.length > 0, "time.Sleep is found in stacks");
    const text = await find(page, "time.Sleep");
    const n = api.matches.length;
    const g = api.goroutines.length;
    assert.equal(
      text,
      `${n} ${n === 1 ? "match" : "matches"} in ${g} ${g === 1 ? "goroutine" : "goroutines"}`,
    );
    const frames = await page.locator(".tl-matches .tl-match-frame").allTextContents();
    assert.equal(frames.length, stack.length);
    for (const f of frames) assert.match(f, /^in time\.Sleep \(time\.go:\d+\)$/);
    assert.equal(await page.locator(".tl-badge-stack").count(), stack.length);
    await s.screenshot(page, "timeline-annotations-go1.26-find-stack");
    // One goroutine, one match: the singular.
    assert.equal(await find(page, "G1"), "1 match in 1 goroutine");
    s.assertNoErrors();
    await page.close();
  });

  it("nothing found leaves the picture as it was", async () => {
    const page = await s.newPage("#/timeline?view=goroutine");
    await settle(page);
    await page.mouse.move(0, 0);
    const { gutterPx } = await probe(page);
    const tracks = async () => {
      await settle(page);
      const px = await elementPixels(page, canvas);
      // The top 600 px (the count beside the find box may wrap the toolbar and shorten the canvas),
      // inside the focus ring the scroller has when it, not the find box, has the focus.
      return crop(px, gutterPx + 2, 2, px.width - gutterPx - 4, 600);
    };
    const before = await tracks();
    await page.fill('input[type="search"]', "no-such-function-anywhere");
    await page.keyboard.press("Enter");
    await page.locator(".tl-count", { hasText: "no matches" }).waitFor();
    await page.mouse.move(0, 0);
    assert.equal(await page.locator('[data-testid="find-results"]').count(), 0, "no panel for no matches");
    const afterFind = await tracks();
    await s.screenshot(page, "timeline-annotations-go1.26-find-nothing");
    let differ = 0;
    let where = "";
    for (let k = 0; k < before.rgba.length; k += 4)
      if (before.rgba[k] !== afterFind.rgba[k]) {
        if (differ++ === 0)
          where = `first at x=${(k / 4) % before.width} y=${Math.floor(k / 4 / before.width)}`;
      }
    assert.equal(differ, 0, `no slice is dimmed (${differ} pixels differ, ${where})`);
    // A search that does match dims what it did not match: the comparison can fail.
    await find(page, "G1");
    await page.locator(".tl-scroller").focus();
    const matched = await tracks();
    assert.ok(!Buffer.from(before.rgba).equals(Buffer.from(matched.rgba)), "a match changes the picture");
    s.assertNoErrors();
    await page.close();
  });
});
