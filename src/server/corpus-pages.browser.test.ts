/**
 * Every page on every trace: `gotrace view` on each real-world trace in
 * the wild-trace corpus (Go 1.5 to 1.26, some damaged), when it is
 * here, and on a fixture from each toolchain 1.21–1.27, with the timeline
 * and all seven analysis pages opened in chromium. Each page must finish
 * loading with content and no error line, and the browser must see no
 * console error, page error or failed request. A file gotrace cannot serve
 * must fail with one line, not a stack trace. The detailed checks of each
 * page live in the other *.browser.test.ts files; this one is for breadth.
 */
import assert from "node:assert/strict";
import { basename, join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { browserSkip, collectErrors, launchChromium, startView } from "../testing/browser.js";
import { fixturesDir, mapLimit, repoRoot, runProcess, traceFiles, wildTraces } from "../testing/corpus.js";
import { analysisPages } from "../testing/pages-browser-support.js";

function traces(): string[] {
  const wild = wildTraces();
  const fixtures = traceFiles(fixturesDir, () => true).filter((f) =>
    /^gc-go1\.\d+\.trace$/.test(basename(f)),
  );
  return [...fixtures, ...wild];
}

/** The page's document, typed for the two things asked of it (the tests compile without the DOM; predicates run in the page, so each names it itself). */
interface PageDoc {
  querySelector(s: string): unknown;
  documentElement: { dataset: Record<string, string | undefined> };
}

/** Waits until the page shows its content: no "Analysing…" line left. */
async function settled(page: Page): Promise<void> {
  await page.locator("h1").first().waitFor({ timeout: 60_000 });
  await page.waitForFunction(
    () => (globalThis as unknown as { document: PageDoc }).document.querySelector(".page .loading") === null,
    undefined,
    {
      timeout: 60_000,
    },
  );
}

/** The CLI command that answers the same question as each analysis page. */
const cliOf: Record<string, string[]> = {
  "#/overview": ["stats"],
  "#/goroutines": ["goroutines"],
  "#/profiles?type=sync": ["pprof", "--type=sync", "--top"],
  "#/tasks": ["tasks"],
  "#/regions": ["regions"],
  "#/mmu": ["mmu"],
  "#/schedlat": ["schedlat"],
};

/**
 * A page may say an analysis has no answer for this trace (one Go cannot
 * read either; an old trace that never states GOMAXPROCS has no MMU) only
 * if the CLI fails on the same question with the same message.
 */
async function cliSaysToo(hash: string, file: string, shown: string): Promise<boolean> {
  const args = cliOf[hash];
  const reason = shown.trim().replace(/^gotrace: /, "");
  if (!args || reason === "") return false;
  const r = await runProcess([process.execPath, join(repoRoot, "dist", "cli", "main.js"), ...args, file]);
  return r.status !== 0 && r.stderr.includes(reason);
}

describe("every page on every corpus trace", { skip: browserSkip() }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(() => browser?.close());

  it("serves each trace or fails in one line, and every page loads without errors", async (t) => {
    const files = traces();
    assert.ok(files.length >= 7, "the toolchain fixtures at least");
    let served = 0;
    const failures: string[] = [];
    await mapLimit(files, 2, async (file) => {
      const name = basename(file);
      let view: Awaited<ReturnType<typeof startView>>;
      try {
        view = await startView(file);
      } catch (e) {
        // Not served: the reason must be gotrace's one line, not a crash.
        const msg = String(e instanceof Error ? e.message : e);
        const lines = msg.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("gotrace view "));
        if (lines.length !== 1 || !lines[0]!.startsWith("gotrace: ") || /\n\s+at /.test(msg)) {
          failures.push(`${name}: not served, and not with one line:\n${msg}`);
        }
        return;
      }
      served++;
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const errors: string[] = [];
      try {
        for (const hash of ["#/timeline", ...analysisPages]) {
          const page = await context.newPage();
          collectErrors(page, errors, `${hash}: `);
          await page.goto(view.url + hash, { waitUntil: "load" });
          if (hash === "#/timeline") {
            await page.waitForFunction(
              () =>
                Number(
                  (globalThis as unknown as { document: PageDoc }).document.documentElement.dataset
                    .timelineFrames ?? 0,
                ) > 0,
              {
                timeout: 60_000,
              },
            );
          } else {
            await settled(page);
            if ((await page.locator(".aerror").count()) > 0) {
              const shown = (await page.locator(".aerror").first().textContent()) ?? "";
              if (!(await cliSaysToo(hash, file, shown))) errors.push(`${hash}: ${shown}`);
            }
          }
          await page.close();
        }
      } catch (e) {
        errors.push(String(e));
      } finally {
        await context.close();
        await view.close();
      }
      if (errors.length > 0) failures.push(`${name}:\n  ${errors.join("\n  ")}`);
    });
    t.diagnostic(`${served} of ${files.length} traces served, every page opened`);
    assert.deepEqual(failures, []);
    assert.ok(served >= 7, `${served} traces served`);
  });
});
