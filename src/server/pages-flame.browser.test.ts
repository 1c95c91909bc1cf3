/**
 * The flame graph on the Profiles page, on a trace written for it
 * (testdata/long-names.txt: goroutines blocked under long module paths such
 * as github.com/segmentio/kafka-go): a narrow frame keeps its function's
 * name and drops the package path, the whole name shows on hover, the
 * graph is as wide as the page and as tall as its rows.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { browserSkip, elementPixels, openView, type ViewSession } from "../testing/browser.js";
import { buildTrace } from "../testing/build-trace.js";
import { repoRoot } from "../testing/corpus.js";
import { pageLoaded, tabTo, waitUntil } from "../testing/pages-browser-support.js";

const rowPx = 18;

describe("flame graph: labels, hover and size", { skip: browserSkip() }, () => {
  const tmp = mkdtempSync(join(tmpdir(), "gotrace-flame-"));
  const file = join(tmp, "long-names.trace");
  let s: ViewSession;
  before(async () => {
    const text = readFileSync(join(repoRoot, "src", "server", "testdata", "long-names.txt"), "utf8");
    writeFileSync(file, buildTrace(text));
    s = await openView(file);
  });
  after(async () => {
    await s?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("spans the page's width, and is as tall as its rows", async () => {
    const page = await s.newPage("#/profiles?type=sync", { width: 1800, height: 800 });
    await pageLoaded(page);
    const canvas = page.locator(".flame-wrap canvas");
    await canvas.waitFor();
    const box = (await canvas.boundingBox())!;
    // The page's padding (20 px a side) and the frame's border, nothing more.
    const inner = (await page.evaluate("document.documentElement.clientWidth")) as number;
    assert.ok(box.width >= inner - 44, `the graph is ${box.width} px wide on a ${inner} px page`);
    // all, then three frames deep: four rows, no empty band below them.
    assert.equal(box.height, 4 * rowPx);
    const px = await elementPixels(page, ".flame-wrap canvas");
    let bottomInk = 0;
    for (let y = px.height - rowPx + 2; y < px.height - 2; y++) {
      for (let x = 0; x < px.width; x++) {
        const k = (y * px.width + x) * 4;
        if (px.rgba[k]! < 250 || px.rgba[k + 1]! < 250 || px.rgba[k + 2]! < 250) bottomInk++;
      }
    }
    assert.ok(bottomInk > px.width * 5, "the last row holds frames");
    await s.screenshot(page, "pages-flame-wide");
    s.assertNoErrors();
  });

  it("shortens the package path of a narrow frame, keeps the function's name, and shows the whole name on hover", async () => {
    const page = await s.newPage("#/profiles?type=sync", { width: 1100, height: 700 });
    await pageLoaded(page);
    await tabTo(page, `el.classList.contains("flame-wrap")`);
    // Down to the heaviest stack's first frame: wide enough for its whole name.
    await page.keyboard.press("ArrowDown");
    const wide = "github.com/segmentio/kafka-go.(*Reader).start.func1";
    await waitUntil(page, `document.querySelector(".flame-wrap").dataset.cursor === ${JSON.stringify(wide)}`);
    assert.equal(await page.getAttribute(".flame-wrap canvas", "data-cursor-label"), wide);
    // Its sibling is a tenth as wide: the path goes, the function stays.
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowDown");
    const narrow = "github.com/segmentio/kafka-go.(*Conn).readLoop";
    await waitUntil(
      page,
      `document.querySelector(".flame-wrap").dataset.cursor === ${JSON.stringify(narrow)}`,
    );
    const label = (await page.getAttribute(".flame-wrap canvas", "data-cursor-label")) ?? "";
    assert.notEqual(label, narrow, "the whole name does not fit");
    assert.ok(
      narrow.endsWith(label) && label.endsWith("readLoop"),
      `the frame reads ${JSON.stringify(label)}`,
    );
    await s.screenshot(page, "pages-flame-narrow-frame");

    // Hover: the frame's whole name, as text.
    const box = (await page.locator(".flame-wrap canvas").boundingBox())!;
    await page.mouse.move(box.x + box.width - 40, box.y + 2 * rowPx + rowPx / 2);
    await page.waitForSelector('[data-testid="flame-tip-name"]');
    assert.equal(await page.locator('[data-testid="flame-tip-name"]').textContent(), narrow);
    await s.screenshot(page, "pages-flame-hover");
    s.assertNoErrors();
  });
});
