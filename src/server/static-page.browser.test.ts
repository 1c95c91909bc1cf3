/**
 * The static page (dist/web) from a plain static file server on loopback,
 * in chromium: a trace opened through the file input, a synthesized drop
 * and `?url=` draws the timeline and shows the Tasks page's counts as
 * `gotrace tasks --json` gives them; a damaged trace shows the damage
 * banner with what was read before it; a non-trace shows the reader's
 * error; a gzipped trace opens; a profile downloads as `gotrace view` serves it;
 * the hostile-string trace is shown as text. Also `gotrace view DIR`'s
 * list, whose traces open one by one.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gunzipSync, gzipSync } from "node:zlib";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { DiffResponse } from "../query/analysis/protocol.js";
import {
  browserSkip,
  collectErrors,
  elementPixels,
  inkPixels,
  launchChromium,
  screenshotDir,
  startView,
  waitForTimelineFrames,
} from "../testing/browser.js";
import { fixturesDir, repoRoot, requirement } from "../testing/corpus.js";
import { analysisPages, gotraceJson, pageLoaded, waitUntil } from "../testing/pages-browser-support.js";
import { builtWeb, type StaticServer, startStaticServer } from "../testing/static-server.js";
import { canvas, rowTop, settle, xOf } from "../testing/timeline-probe.js";

const file = join(fixturesDir, "annotations-go1.26.trace");
const hostileFile = join(fixturesDir, "hostile-go1.26.trace");
const trace = readFileSync(file);
/** Cut part-way through: a damaged trace with whole generations before the cut. */
const manygen = readFileSync(join(fixturesDir, "manygen-go1.26.trace"));
const damaged = manygen.subarray(0, Math.floor(manygen.length * 0.7));

function skip(): string | undefined {
  return (
    browserSkip() ??
    requirement(existsSync(join(builtWeb, "index.html")), "the static page, dist/web (npm run build)")
  );
}

interface TaskTypes {
  types: { type: string; count: number }[];
}

/** The Tasks page's counts per type, as shown. */
function taskCounts(page: Page): Promise<[string, number][]> {
  return page.evaluate(
    `[...document.querySelectorAll('table[data-testid="task-types"] tbody tr')].map((tr) => [tr.cells[0].textContent, Number(tr.cells[1].dataset.value)])`,
  );
}

describe("static page (dist/web)", { skip: skip() }, () => {
  let server: StaticServer;
  let browser: Browser;
  let context: BrowserContext;
  const errors: string[] = [];
  const cli = () => gotraceJson<TaskTypes>("tasks", file, "--json");

  before(async () => {
    server = await startStaticServer(
      new Map<string, Uint8Array>([
        ["/traces/annotations.trace", trace],
        ["/traces/annotations.trace.gz", gzipSync(trace)],
        ["/traces/damaged.trace", damaged],
        ["/traces/hostile.trace", readFileSync(hostileFile)],
        ["/traces/whychain.trace", readFileSync(join(fixturesDir, "whychain-go1.26.trace"))],
      ]),
    );
    browser = await launchChromium();
    context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      deviceScaleFactor: 1,
      acceptDownloads: true,
    });
  });
  after(async () => {
    await browser?.close().catch(() => {});
    await server?.close();
  });

  async function newPage(path = ""): Promise<Page> {
    const page = await context.newPage();
    collectErrors(page, errors);
    await page.goto(server.url + path, { waitUntil: "load" });
    return page;
  }

  /** The timeline drew, then the Tasks page (a hash change in the same tab) shows the CLI's counts. */
  async function checkOpened(page: Page, name: string): Promise<void> {
    await waitForTimelineFrames(page, 1);
    assert.ok(inkPixels(await elementPixels(page, "canvas")) > 1000, "the timeline drew");
    await page.screenshot({ path: join(screenshotDir, `static-page-${name}.png`) });
    await page.evaluate(`location.hash = "#/tasks"`);
    await pageLoaded(page);
    const want = cli().types.map((t) => [JSON.stringify(t.type), t.count]);
    assert.ok(want.length > 0);
    assert.deepEqual(await taskCounts(page), want);
  }

  it("opens a trace chosen with the file input", async () => {
    const page = await newPage();
    await page.setInputFiles('[data-testid="file-input"]', file);
    await checkOpened(page, "file-input");
    // "Open…" returns to the start page.
    await page.locator('[data-testid="open-another"]').click();
    await page.waitForSelector('[data-testid="file-input"]');
    assert.deepEqual(errors, []);
  });

  it("compares with a second trace chosen with Compare with…: the Diff page shows gotrace diff --json's numbers", async () => {
    const good = join(fixturesDir, "whydiff-go1.26.trace");
    const slow = join(fixturesDir, "whydiff-slow-go1.26.trace");
    const page = await newPage();
    await page.setInputFiles('[data-testid="file-input"]', good);
    await waitForTimelineFrames(page, 1);
    await page.setInputFiles('[data-testid="compare-input"]', slow);
    await page.locator('[data-testid="diff"]').waitFor({ timeout: 60_000 });
    assert.equal(await page.evaluate("location.hash"), "#/diff");
    const shown = await page
      .locator('[data-testid="diff-row"]')
      .evaluateAll((trs) =>
        trs.map((tr) => [
          tr.getAttribute("data-table"),
          tr.getAttribute("data-key"),
          tr.getAttribute("data-metric"),
          ...[...tr.querySelectorAll("td[data-value]")].map((td) => Number(td.getAttribute("data-value"))),
        ]),
      );
    const expected = gotraceJson<DiffResponse>("diff", good, slow, "--json");
    const want = [
      ...expected.top,
      ...expected.tables.flatMap((t) => t.rows.filter((r) => r.delta !== 0)),
    ].map((r) => [r.table, r.key, r.metric, r.a, r.b, r.delta]);
    assert.ok(want.length > 0);
    assert.deepEqual(shown, want);
    // The nav lists the page; a row links to trace A's page here, and to B's in another tab of the page.
    assert.equal(await page.locator('nav a:has-text("Diff")').count(), 1);
    const first = page.locator('[data-testid="diff-row"]').first();
    assert.equal(await first.locator("a").first().getAttribute("href"), "#/profiles?type=sync");
    const bHref = (await first.locator("a.diff-b").getAttribute("href"))!;
    assert.match(bHref, /^\.\/\?url=blob%3A.*&name=whydiff-slow-go1\.26\.trace#\/profiles\?type=sync$/);
    await page.screenshot({ path: join(screenshotDir, "static-page-compare.png") });
    const [b] = await Promise.all([context.waitForEvent("page"), first.locator("a.diff-b").click()]);
    collectErrors(b, errors);
    await b.locator('[data-testid="profile-table"], .page table').first().waitFor({ timeout: 60_000 });
    assert.equal(await b.title(), "whydiff-slow-go1.26.trace · gotrace");
    await b.close();
    assert.deepEqual(errors, []);
  });

  it("opens a trace dropped on the page", async () => {
    const page = await newPage();
    // The file's bytes come from the same server; the drop is made in the page as a user's would be.
    await page.evaluate(`(async () => {
      const bytes = await (await fetch("traces/annotations.trace")).arrayBuffer();
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], "annotations.trace"));
      for (const type of ["dragenter", "dragover", "drop"])
        document.body.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    })()`);
    await checkOpened(page, "drop");
    assert.deepEqual(errors, []);
  });

  it("opens ?url= with the page's fragment (a deep link), and a gzipped trace", async () => {
    let page = await newPage("?url=traces/annotations.trace#/timeline");
    await checkOpened(page, "url");
    page = await newPage("?url=traces/annotations.trace.gz#/tasks");
    await pageLoaded(page);
    assert.deepEqual(
      await taskCounts(page),
      cli().types.map((t) => [JSON.stringify(t.type), t.count]),
    );
    assert.deepEqual(errors, []);
  });

  it("opens every analysis page by its address (a deep link), each without an error", async () => {
    for (const hash of analysisPages) {
      const page = await newPage(`?url=traces/annotations.trace${hash}`);
      await pageLoaded(page);
      assert.equal(await page.locator('.aerror, [role="alert"]').count(), 0, `${hash} shows no error`);
      await page.close();
    }
    assert.deepEqual(errors, []);
  });

  it("shows the damage banner for a cut trace at the offset the CLI reports, and what was read before it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gotrace-static-"));
    const damagedFile = join(dir, "damaged.trace");
    writeFileSync(damagedFile, damaged);
    const cliLine = spawnSync(
      process.execPath,
      [join(repoRoot, "dist", "cli", "main.js"), "stats", damagedFile],
      {
        encoding: "utf8",
      },
    ).stderr;
    rmSync(dir, { recursive: true });
    const offset = /damaged at byte offset (\d+)/.exec(cliLine)?.[1];
    assert.ok(offset, cliLine);
    const page = await newPage("?url=traces/damaged.trace#/timeline");
    await page.waitForSelector('.banner[role="alert"]');
    const banner = (await page.locator(".banner").first().textContent()) ?? "";
    assert.match(banner, /^Damaged trace: .* Showing what was read before it/);
    assert.match(banner, new RegExp(`at byte offset ${offset}\\b`));
    await waitForTimelineFrames(page, 1);
    assert.ok(
      inkPixels(await elementPixels(page, "canvas")) > 1000,
      "what was read before the damage is drawn",
    );
    await page.screenshot({ path: join(screenshotDir, "static-page-damaged.png") });
  });

  it("shows the read's progress, from another origin that allows it (CORS)", async () => {
    // Sends the first part of the trace, then the rest when told.
    let release: () => void = () => {};
    const released = new Promise<void>((r) => {
      release = r;
    });
    const cut = Math.floor(manygen.length * 0.4);
    const slow = createServer((_req, res) => {
      res.writeHead(200, { "Content-Length": manygen.length, "Access-Control-Allow-Origin": "*" });
      res.write(manygen.subarray(0, cut));
      void released.then(() => res.end(manygen.subarray(cut)));
    });
    await new Promise<void>((r) => slow.listen(0, "127.0.0.1", r));
    try {
      const other = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/manygen.trace`;
      const page = await newPage(`?url=${encodeURIComponent(other)}`);
      await page.waitForSelector('.loading[role="status"]');
      // The part sent, as the page words it (whole percents, rounded down).
      const pct = Math.floor((cut / manygen.length) * 100);
      await waitUntil(
        page,
        `/^Reading the trace… ${pct}% /.test(document.querySelector(".loading")?.textContent ?? "")`,
      );
      release();
      await waitForTimelineFrames(page, 1);
      assert.ok(inkPixels(await elementPixels(page, "canvas")) > 1000);
      assert.deepEqual(errors, []);
    } finally {
      release();
      slow.closeAllConnections();
      slow.close();
    }
  });

  it("says a file that is not a trace is not one, as the CLI does", async () => {
    const page = await newPage();
    await page.setInputFiles('[data-testid="file-input"]', {
      name: "notes.txt",
      mimeType: "text/plain",
      buffer: Buffer.from("these are not the bytes of a trace\n"),
    });
    await page.waitForSelector('.page .banner[role="alert"]');
    const text = (await page.locator(".page .banner").textContent()) ?? "";
    assert.match(text, /notes\.txt: bad file format: not a Go execution trace\? at byte offset 0/);
  });

  it("says when an address cannot be fetched", async () => {
    const page = await newPage("?url=traces/missing.trace");
    await page.waitForSelector('.page .banner[role="alert"]');
    assert.match(
      (await page.locator(".page .banner").textContent()) ?? "",
      /missing\.trace: the server answered 404/,
    );
    // Another origin that sends no Access-Control-Allow-Origin: CORS refuses, and the page says so.
    const other = await startStaticServer(new Map([["/x.trace", trace]]));
    try {
      const cors = await newPage(`?url=${encodeURIComponent(`${other.url}x.trace`)}`);
      await cors.waitForSelector('.page .banner[role="alert"]');
      assert.match(
        (await cors.locator(".page .banner").textContent()) ?? "",
        /^x\.trace: the browser could not fetch it: the network refused, or its server does not allow other sites to read it \(CORS\)$/,
      );
    } finally {
      await other.close();
    }
    // A refused connection (a closed port) is the same message: the browser tells no more.
    const refused = await newPage("?url=http://127.0.0.1:9/x.trace");
    await refused.waitForSelector('.page .banner[role="alert"]');
    assert.match((await refused.locator(".page .banner").textContent()) ?? "", /could not fetch it.*CORS/);
    // The browser logs each refused fetch and the 404 itself; those are the point here.
    errors.length = 0;
  });

  it("downloads a profile made in the tab: gotrace view's file for the same question, once inflated", async () => {
    const page = await newPage("?url=traces/annotations.trace#/profiles?type=sync");
    await pageLoaded(page);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.locator('a[download="sync.pb.gz"]').click(),
    ]);
    assert.equal(download.suggestedFilename(), "sync.pb.gz");
    const got = readFileSync((await download.path())!);
    const view = await startView(file);
    try {
      const res = await fetch(new URL("api/analysis/profile.pb.gz?type=sync", view.url));
      assert.equal(res.status, 200);
      const want = Buffer.from(await res.arrayBuffer());
      assert.ok(gunzipSync(want).length > 0);
      assert.ok(gunzipSync(got).equals(gunzipSync(want)));
    } finally {
      await view.close();
    }
    assert.deepEqual(errors, []);
  });

  it("answers the timeline's Why? in the tab: the chain `gotrace why --json` gives", async () => {
    const chain = join(fixturesDir, "whychain-go1.26.trace");
    const cliJson = <T>(...args: string[]): T =>
      JSON.parse(
        spawnSync(process.execPath, [
          join(repoRoot, "dist", "cli", "main.js"),
          ...args,
          "--json",
        ]).stdout.toString(),
      ) as T;
    const A = cliJson<{ goroutine: number }>("why", chain, "--region", "wait").goroutine;
    const expected = cliJson<{ steps: { startNs: number; endNs: number }[] }>(
      "why",
      chain,
      "--goroutine",
      String(A),
    );
    const wait = expected.steps[0]!;
    // The goroutine rows, in the engine's order, from gotrace view on the same file.
    const view = await startView(chain);
    let row: number;
    try {
      const rows = (await (await fetch(new URL("api/rows?view=goroutine", view.url))).json()) as {
        goroutine?: number;
        index: number;
      }[];
      row = rows.find((r) => r.goroutine === A)!.index;
    } finally {
      await view.close();
    }
    const span = wait.endNs - wait.startNs;
    const page = await newPage(
      `?url=traces/whychain.trace#/timeline?view=goroutine&start=${Math.round(wait.startNs - span / 4)}&end=${Math.round(wait.endNs + span / 4)}`,
    );
    await settle(page);
    const box = (await page.locator(canvas).boundingBox())!;
    await page.mouse.click(
      box.x + (await xOf(page, (wait.startNs + wait.endNs) / 2)),
      box.y + (await rowTop(page, row)) + 6,
    );
    await page.locator('[data-testid="why-button"]').click();
    await waitUntil(
      page,
      `document.querySelectorAll('[data-testid="why-step"]').length === ${expected.steps.length}`,
    );
    assert.match((await page.locator('[data-testid="why-root"]').textContent()) ?? "", /Root: a timer/);
    assert.deepEqual(errors, []);
  });

  it("shows the hostile trace's strings as text", async () => {
    const page = await newPage("?url=traces/hostile.trace#/tasks");
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await pageLoaded(page);
    const want = gotraceJson<TaskTypes>("tasks", hostileFile, "--json").types.map((t) =>
      JSON.stringify(t.type),
    );
    const shown = (await taskCounts(page)).map(([t]) => t);
    assert.deepEqual(shown, want);
    assert.ok(shown.some((t) => t.includes("<script>alert(1)</script>")));
    const injected = await page.evaluate(
      `[...document.querySelectorAll("img, svg, iframe, object, embed, script:not([src])")].length + [...document.querySelectorAll("*")].flatMap((e) => [...e.attributes].filter((a) => a.name.startsWith("on"))).length`,
    );
    assert.equal(injected, 0);
    await waitUntil(page, "true");
    assert.deepEqual(dialogs, []);
    assert.deepEqual(errors, []);
  });
});

describe("gotrace serve-web: the static page under the server's headers", { skip: skip() }, () => {
  it("opens a trace from the file input, with no CSP violation or other error", async () => {
    const child = spawn(
      process.execPath,
      [join(repoRoot, "dist", "cli", "main.js"), "serve-web", "--no-open"],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    const browser = await launchChromium();
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout!.on("data", (b: Buffer) => {
          out += b.toString();
          const m = /serving the static page at (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once("exit", (code) => reject(new Error(`gotrace serve-web exited (${code})`)));
      });
      const errors: string[] = [];
      const page = await browser.newPage();
      collectErrors(page, errors);
      await page.goto(url);
      await page.setInputFiles('[data-testid="file-input"]', file);
      await waitForTimelineFrames(page, 1);
      assert.ok(inkPixels(await elementPixels(page, "canvas")) > 1000);
      await page.evaluate(`location.hash = "#/tasks"`);
      await pageLoaded(page);
      assert.deepEqual(
        await taskCounts(page),
        gotraceJson<TaskTypes>("tasks", file, "--json").types.map((t) => [JSON.stringify(t.type), t.count]),
      );
      assert.deepEqual(errors, []);
    } finally {
      await browser.close().catch(() => {});
      child.kill("SIGTERM");
    }
  });
});

describe("gotrace view DIR: the list on the static page", { skip: skip() }, () => {
  it("lists the folder's traces; each opens, the timeline draws, Back returns to the list", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gotrace-list-"));
    writeFileSync(join(dir, "one.trace"), trace);
    writeFileSync(join(dir, "two.trace.gz"), gzipSync(readFileSync(hostileFile)));
    const child = spawn(
      process.execPath,
      [join(repoRoot, "dist", "cli", "main.js"), "view", "--no-open", dir],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    const browser = await launchChromium();
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout!.on("data", (b: Buffer) => {
          out += b.toString();
          const m = /serving 2 traces in .* at (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once("exit", (code) => reject(new Error(`gotrace view DIR exited (${code})`)));
      });
      const errors: string[] = [];
      const page = await browser.newPage();
      collectErrors(page, errors);
      await page.goto(url);
      await page.waitForSelector('[data-testid="trace-list"]');
      const names = await page.locator('[data-testid="trace-list"] tbody a').allTextContents();
      assert.deepEqual(names, ["one.trace", "two.trace.gz"]);
      for (const name of names) {
        await page.locator('[data-testid="trace-list"] tbody a', { hasText: name }).click();
        await waitForTimelineFrames(page, 1);
        assert.ok(inkPixels(await elementPixels(page, "canvas")) > 1000, `${name} drew`);
        // Its analyses answer too (in place: the history keeps the list one step back).
        await page.evaluate(`location.replace("#/overview")`);
        await pageLoaded(page);
        await page.goBack();
        await page.waitForSelector('[data-testid="trace-list"]');
      }
      // Leaving a page ends its workers; a request of theirs that the
      // browser's instrumentation still counted open then is reported
      // aborted, though it had ended: the worker's script ran and the trace
      // was read whole (the timeline is built only once its bytes end, and
      // its answers were shown above). Anything else is an error.
      const leftBehind =
        /^request failed: \S+\/(assets\/(engine|analysis)-worker-\w+\.js|traces\/\d+\/[^/\s]+) net::ERR_ABORTED$/;
      assert.deepEqual(
        errors.filter((e) => !leftBehind.test(e)),
        [],
      );
    } finally {
      await browser.close().catch(() => {});
      child.kill("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
