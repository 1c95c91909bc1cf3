/**
 * `gotrace view` in headless chromium, through the harness C and D use:
 * the page frame loads with no errors, and the Content-Security-Policy
 * stops markup that a trace string could smuggle in from running.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { TraceInfo } from "../query/timeline/protocol.js";
import { browserSkip, elementPixels, inkPixels, openView, type ViewSession } from "../testing/browser.js";
import { fixturesDir } from "../testing/corpus.js";

describe("gotrace view in chromium", { skip: browserSkip() }, () => {
  let s: ViewSession;
  before(async () => {
    s = await openView(join(fixturesDir, "gc-go1.26.trace"));
  });
  after(() => s?.close());

  it("loads the page frame with the trace's format, without errors", async () => {
    const page = await s.newPage();
    const info = await s.api<TraceInfo>("api/info");
    await page.locator(".nav-info").waitFor();
    assert.equal(await page.locator(".nav-info").textContent(), info.format);
    const shot = await s.screenshot(page, "view-frame-gc-go1.26");
    assert.ok(existsSync(shot));
    assert.ok(inkPixels(await elementPixels(page, "nav")) > 100, "the navigation bar is drawn");
    s.assertNoErrors();
    await page.close();
  });

  it("runs no inline script or event handler, even if one reaches the DOM", async () => {
    const page = await s.newPage();
    await page.locator(".nav-info").waitFor();
    s.errors.length = 0;
    // What a trace string would become if some page put it in innerHTML.
    await page.evaluate(`document.body.insertAdjacentHTML("beforeend",
      '<img src="x" onerror="window.__pwned = 1"><a href="#" onclick="window.__pwned = 2" id="pw">x</a>')`);
    await page.evaluate(`(() => {
      const s = document.createElement("script");
      s.textContent = "window.__pwned = 3";
      document.body.append(s);
    })()`);
    await page.click("#pw");
    await page.waitForTimeout(200);
    assert.equal(await page.evaluate("window.__pwned"), undefined);
    assert.ok(
      s.errors.some((e) => /Content Security Policy/i.test(e)),
      `the browser reports the blocked script: ${s.errors.join("; ")}`,
    );
    s.errors.length = 0;
    await page.close();
  });
});
