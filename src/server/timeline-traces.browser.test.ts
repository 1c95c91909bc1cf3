/**
 * The timeline in headless chromium on more fixtures: old and new traces
 * draw every view alike (flows on), a damaged trace shows what came before
 * the damage, the find filter keeps only matching goroutines (and its link
 * restores that), and task/region/log strings holding markup stay text
 * with no script run. Screenshots go to test-output/screenshots/.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FindResponse, Row } from "../query/timeline/protocol.js";
import { browserSkip, elementPixels, inkPixels, openView, type ViewSession } from "../testing/browser.js";
import { fixturesDir } from "../testing/corpus.js";
import {
  canvas,
  crop,
  inkedProcRows,
  type PageGlobal,
  probe,
  rowTop,
  settle,
  windowAsPage,
  xOf,
} from "../testing/timeline-probe.js";
import { importUiModule } from "../testing/ui-module.js";

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

describe("timeline colours on gc-go1.26", { skip: browserSkip() }, () => {
  it("colours goroutines of one function alike when asked to", async () => {
    const colors = await importUiModule<{
      goroutineSwatch(g: number): { fill: string };
      labelFunction(label: string): string;
    }>("timeline/colors.ts");
    const s = await openView(join(fixturesDir, "gc-go1.26.trace"));
    try {
      const rows = await s.api<Row[]>("api/rows?view=proc");
      const page = await s.newPage("#/timeline?view=proc");
      await settle(page);
      const resp = await windowAsPage(s, page, 0, rows.length);
      const { window: w } = await probe(page);
      const box = (await page.locator(canvas).boundingBox())!;
      const pxPerNs = (box.width - (await probe(page)).gutterPx) / (w.endNs - w.startNs);
      // Wide slices of two goroutines that started in one function but have different colours by ID.
      const wide = resp.slices.flatMap((c) =>
        c.id.flatMap((id, i) =>
          id >= 0 && c.color[i]! >= 0 && c.label[i]! >= 0 && (c.endNs[i]! - c.startNs[i]!) * pxPerNs >= 8
            ? [
                {
                  row: c.row,
                  g: c.color[i]!,
                  fn: colors.labelFunction(resp.labels[c.label[i]!]!),
                  mid: (c.startNs[i]! + c.endNs[i]!) / 2,
                  depth: c.depth[i]!,
                },
              ]
            : [],
        ),
      );
      const pair = wide.flatMap((a) =>
        wide
          .filter(
            (b) => b.fn === a.fn && colors.goroutineSwatch(b.g).fill !== colors.goroutineSwatch(a.g).fill,
          )
          .map((b) => [a, b] as const),
      )[0];
      assert.ok(pair, "two goroutines of one function are on screen");
      const colourAt = async (it: (typeof wide)[number]) => {
        const px = await elementPixels(page, canvas);
        const x = Math.round(await xOf(page, it.mid));
        const y = Math.round((await rowTop(page, it.row)) + 2 + it.depth * 18 + 4);
        const o = (y * px.width + x) * 4;
        return [px.rgba[o], px.rgba[o + 1], px.rgba[o + 2]].join(",");
      };
      assert.notEqual(await colourAt(pair[0]), await colourAt(pair[1]), "by goroutine they differ");
      await page.selectOption('select:has(option[value="function"])', "function");
      await settle(page);
      assert.equal(await colourAt(pair[0]), await colourAt(pair[1]), "by function they are alike");
      await s.screenshot(page, "timeline-gc-go1.26-colour-by-function");
      s.assertNoErrors();
    } finally {
      await s.close();
    }
  });
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
      const banner = page.locator(".banner", { hasText: "Damaged trace" });
      await banner.waitFor();
      // How much was lost, in the units the rest of the UI uses.
      assert.match(
        (await banner.textContent()) ?? "",
        /; \d+(\.\d)? (B|KiB|MiB) after it could not be read\./,
      );
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
