/**
 * The MMU page on a trace with GC (gc-go1.26) and the pages on an old trace
 * (sched-go1.21): the curve and worst windows equal `gotrace mmu --json`
 * for each choice of GC work, toggled from the keyboard; a worst window
 * opens the timeline on exactly that window; the curve reaches the trace's
 * length and no empty legend sits under it; old traces show the CLI's
 * numbers and say why they have no MMU.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  browserSkip,
  elementPixels,
  inkPixels,
  openView,
  type ViewSession,
  waitForTimelineFrames,
} from "../testing/browser.js";
import { fixturesDir } from "../testing/corpus.js";
import {
  columnCells,
  currentRoute,
  gotraceJson,
  pageLoaded,
  tabTo,
  testValue,
  waitForPage,
  waitUntil,
} from "../testing/pages-browser-support.js";

interface MMU {
  curve: { windowNs: number; mmu: number }[];
  worst: { windowNs: number; windows: { startNs: number; endNs: number; util: number }[] }[];
}

/** The worst-window table's starts, ends and utilizations. */
function worstRows(page: import("playwright-core").Page) {
  return page.evaluate(
    `[...document.querySelectorAll('table[data-testid="worst-windows"] tbody tr')].map((tr) => [...tr.cells].filter((c) => c.dataset.value !== undefined).map((c) => Number(c.dataset.value)))`,
  ) as Promise<number[][]>;
}

describe("analysis pages: MMU on gc-go1.26", { skip: browserSkip() }, () => {
  const file = join(fixturesDir, "gc-go1.26.trace");
  let s: ViewSession;
  before(async () => {
    s = await openView(file);
  });
  after(() => s?.close());

  it("shows gotrace mmu --json's worst windows, for each toggle, and links to exactly that window", async () => {
    const page = await s.newPage("#/mmu");
    await pageLoaded(page);
    await page.waitForSelector('table[data-testid="worst-windows"]');
    const cli = gotraceJson<MMU>("mmu", file, "--json");
    assert.deepEqual(
      await worstRows(page),
      cli.worst[0]!.windows.map((w) => [w.startNs, w.endNs, w.util]),
    );
    const mmu = await s.api<MMU>("api/analysis/mmu");
    assert.deepEqual(mmu.curve, cli.curve);
    assert.ok(inkPixels(await elementPixels(page, ".chart canvas")) > 500, "the curve is drawn");
    // No legend of empty values under the chart; pointing at the curve reads a window and its MMU.
    assert.equal(await page.locator(".u-legend").count(), 0);
    assert.doesNotMatch((await page.locator('[data-testid="mmu-legend"]').textContent()) ?? "", /Window|:/);
    const plot = (await page.locator(".chart .u-over").boundingBox())!;
    await page.mouse.move(plot.x + plot.width / 2, plot.y + plot.height / 2);
    await page.waitForSelector('[data-testid="mmu-readout-window"]');
    assert.match(
      (await page.locator('[data-testid="mmu-legend"]').textContent()) ?? "",
      /^Window [\d.]+ [nµm]?s:MMU 0\.\d{4}$/,
    );
    await s.screenshot(page, "pages-mmu-gc");

    // Keyboard: count sweeping too.
    await tabTo(page, `el.type === "checkbox" && el.parentElement.textContent.includes("Sweeping")`);
    await page.keyboard.press("Space");
    await waitUntil(page, "location.hash.includes('sweep')");
    await pageLoaded(page);
    await page.waitForSelector('table[data-testid="worst-windows"]');
    const sweep = gotraceJson<MMU>("mmu", file, "--json", "--include", "stw,background,assist,sweep");
    assert.deepEqual(
      await worstRows(page),
      sweep.worst[0]!.windows.map((w) => [w.startNs, w.endNs, w.util]),
    );

    // Percentile bands.
    await tabTo(page, `el.type === "checkbox" && el.parentElement.textContent.includes("Percentile lines")`);
    await page.keyboard.press("Space");
    await waitUntil(page, "location.hash.includes('pct=1')");
    await pageLoaded(page);
    await waitUntil(
      page,
      `document.querySelector('[data-testid="mmu-legend"]')?.textContent.includes("p99 MU")`,
    );
    await s.screenshot(page, "pages-mmu-gc-percentiles");

    // The worst window on the timeline: exactly its start and end.
    const w = sweep.worst[0]!.windows[0]!;
    await page.locator('table[data-testid="worst-windows"] tbody a').first().click();
    await waitForPage(page, "timeline");
    await waitForTimelineFrames(page, 1);
    const r = await currentRoute(page);
    assert.equal(r.params.get("view"), "proc");
    assert.equal(Number(r.params.get("start")), w.startNs);
    assert.equal(Number(r.params.get("end")), w.endNs);
    s.assertNoErrors();
  });

  it("picks the worst windows' size from the keyboard", async () => {
    const page = await s.newPage("#/mmu");
    await pageLoaded(page);
    await page.waitForSelector('table[data-testid="worst-windows"]');
    await tabTo(page, `el.tagName === "SELECT"`);
    await page.keyboard.press("ArrowDown");
    await waitUntil(page, "location.hash.includes('window=')");
    await pageLoaded(page);
    const r = await currentRoute(page);
    const windowNs = r.params.get("window")!;
    await page.waitForSelector(`table[data-testid="worst-windows"][data-window="${windowNs}"]`);
    const cli = gotraceJson<MMU>("mmu", file, "--json", "--windows", windowNs);
    assert.deepEqual(
      await worstRows(page),
      cli.worst[0]!.windows.map((x) => [x.startNs, x.endNs, x.util]),
    );
    s.assertNoErrors();
  });
});

describe("analysis pages: the MMU's windows reach the trace's length (sched-go1.26)", {
  skip: browserSkip(),
}, () => {
  const file = join(fixturesDir, "sched-go1.26.trace");
  let s: ViewSession;
  before(async () => {
    s = await openView(file);
  });
  after(() => s?.close());

  it("plots windows up to the whole trace, not go tool trace's six decades, with the CLI's values", async () => {
    const page = await s.newPage("#/mmu");
    await pageLoaded(page);
    await page.waitForSelector('table[data-testid="worst-windows"]');
    // The page's own question: what the chart draws.
    const shown = await s.api<MMU & { xMaxNs: number }>(
      "api/analysis/mmu?include=stw,background,assist&toTraceLength=1",
    );
    const go = gotraceJson<MMU & { xMaxNs: number }>("mmu", file, "--json");
    const traceNs = (await s.api<{ durationNs: number }>("api/analysis/overview")).durationNs;
    assert.ok(go.xMaxNs < traceNs / 10, "Go's plot stops well short of this trace's length");
    // The utilization's span (first to last event that sets it, as Go measures windows) is the trace's length within a hair.
    const last = shown.curve.at(-1)!.windowNs;
    assert.ok(Math.abs(last - traceNs) <= traceNs * 0.01, `the last window is ${last} ns of ${traceNs}`);
    assert.ok(Math.abs(shown.xMaxNs - last) <= 1);
    // Each window's MMU is what the CLI measures for it.
    const windows = [...new Set(shown.curve.map((p) => p.windowNs))];
    const cli = gotraceJson<MMU>("mmu", file, "--json", "--windows", windows.join(","));
    assert.deepEqual(
      new Map(shown.curve.map((p) => [p.windowNs, p.mmu])),
      new Map(cli.curve.map((p) => [p.windowNs, p.mmu])),
    );
    // The longest window is offered for the worst-windows table.
    const options = (await page.evaluate(
      `[...document.querySelectorAll(".apage select option")].map((o) => Number(o.value))`,
    )) as number[];
    assert.equal(Math.max(...options), shown.xMaxNs);
    await s.screenshot(page, "pages-mmu-to-trace-length");
    s.assertNoErrors();
  });
});

describe("analysis pages: an old trace (sched-go1.21)", { skip: browserSkip() }, () => {
  const file = join(fixturesDir, "sched-go1.21.trace");
  let s: ViewSession;
  before(async () => {
    s = await openView(file);
  });
  after(() => s?.close());

  it("shows the CLI's goroutine and scheduler numbers, and why there is no MMU", async () => {
    const page = await s.newPage("#/goroutines");
    await pageLoaded(page);
    const groups = gotraceJson<{ groups: { name: string; execNs: number }[] }>("goroutines", file, "--json");
    assert.deepEqual(
      (await columnCells(page, "groups", "Total execution time")).map((c) => Number(c.value)),
      groups.groups.map((g) => g.execNs),
    );
    await s.screenshot(page, "pages-goroutines-sched-go1.21");

    await page.goto(`${s.url}#/schedlat`);
    await pageLoaded(page);
    const sched = gotraceJson<{
      overall: { count: number; p50Ns: number };
      worst: { startNs: number; goroutine: number }[];
    }>("schedlat", file, "--json", "--top", "50");
    assert.equal(Number(await testValue(page, "sched-count")), sched.overall.count);
    assert.equal(Number(await testValue(page, "sched-p50")), sched.overall.p50Ns);
    // Old traces start at −1 ns; the timeline counts from the first event, so links shift by 1 ns.
    const href = await page.locator('table[data-testid="sched-worst"] tbody a').first().getAttribute("href");
    const params = new URLSearchParams(href!.slice(href!.indexOf("?") + 1));
    const w = sched.worst[0]!;
    assert.equal(params.get("g"), String(w.goroutine));
    assert.ok(Number(params.get("start")) <= w.startNs + 1);

    await page.goto(`${s.url}#/mmu`);
    await pageLoaded(page);
    assert.match((await page.locator(".aerror").textContent()) ?? "", /GOMAXPROCS/);
    await s.screenshot(page, "pages-mmu-sched-go1.21");
    s.assertNoErrors();
  });
});
