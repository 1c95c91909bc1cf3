/**
 * Counts on the analysis pages agree with their nouns ("1 goroutine",
 * "2 goroutines"): on a trace where every group holds one goroutine and a
 * profile can hold one interval (testdata/long-names.txt), and on
 * annotations-go1.26, where a task type has a single task. Every page's
 * text, tooltips included, is searched for "1 <plural>".
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { browserSkip, openView, type ViewSession } from "../testing/browser.js";
import { buildTrace } from "../testing/build-trace.js";
import { fixturesDir, repoRoot } from "../testing/corpus.js";
import { analysisPages, pageLoaded } from "../testing/pages-browser-support.js";

/** "1 goroutines", "1 intervals"…: a count of one with a plural noun. */
const onePlural = /(?<![\d.,])1 (goroutines|intervals|tasks|regions|groups|events|waits|rows|more rows)\b/;

/** The page's visible text and every title (tooltip) on it. */
async function allText(page: Page): Promise<string> {
  return page.evaluate(
    `document.body.innerText + "\\n" + [...document.querySelectorAll("[title], [aria-label]")].map((e) => (e.getAttribute("title") ?? "") + "\\n" + (e.getAttribute("aria-label") ?? "")).join("\\n")`,
  );
}

describe("analysis pages: counted nouns", { skip: browserSkip() }, () => {
  const tmp = mkdtempSync(join(tmpdir(), "gotrace-wording-"));
  const longNames = join(tmp, "long-names.trace");
  let one: ViewSession;
  let tasks: ViewSession;
  before(async () => {
    const text = readFileSync(join(repoRoot, "src", "server", "testdata", "long-names.txt"), "utf8");
    writeFileSync(longNames, buildTrace(text));
    one = await openView(longNames);
    tasks = await openView(join(fixturesDir, "annotations-go1.26.trace"));
  });
  after(async () => {
    await one?.close();
    await tasks?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("a group of one goroutine, a profile of one interval", async () => {
    const group = "github.com/segmentio/kafka-go.(*Conn).start.func2";
    const page = await one.newPage(`#/goroutines?group=${encodeURIComponent(group)}`);
    await pageLoaded(page);
    await page.waitForSelector('table[data-testid="group-goroutines"]');
    assert.match(await allText(page), /^1 goroutine;/m);
    await page.goto(`${one.url}#/profiles?type=sync&group=${encodeURIComponent(group)}`);
    await pageLoaded(page);
    assert.match(
      (await page.locator('[data-testid="profile-total"]').textContent()) ?? "",
      / in 1 interval\.$/,
    );
    await page.goto(`${one.url}#/profiles?type=sync`);
    await pageLoaded(page);
    assert.match(
      (await page.locator('[data-testid="profile-total"]').textContent()) ?? "",
      / in 4 intervals\.$/,
    );
    // A frame's hover and the status line count its intervals too.
    const box = (await page.locator(".flame-wrap canvas").boundingBox())!;
    await page.mouse.move(box.x + box.width - 40, box.y + 2 * 18 + 9);
    await page.waitForSelector(".flame-tip");
    assert.match((await page.locator(".flame-tip").textContent()) ?? "", /, 1 interval$/);
    one.assertNoErrors();
  });

  it("a task type with one task", async () => {
    const page = await tasks.newPage("#/tasks?type=db");
    await pageLoaded(page);
    await page.waitForSelector('[data-testid="instance-count"]');
    assert.match((await page.locator('[data-testid="instance-count"]').textContent()) ?? "", /^1 task\b/);
    tasks.assertNoErrors();
  });

  it("no page says 1 of a plural", async () => {
    for (const s of [one, tasks]) {
      for (const hash of analysisPages) {
        const page = await s.newPage(hash);
        await pageLoaded(page);
        const m = onePlural.exec(await allText(page));
        assert.equal(m, null, `${hash} reads "${m?.[0]}"`);
        await page.close();
      }
    }
  });
});
