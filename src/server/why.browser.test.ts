/**
 * "Why?" in headless chromium: on whychain, clicking A's channel wait in
 * the goroutine view and pressing "Why?" lists the chain `gotrace why
 * --json` gives and outlines exactly its steps on the goroutines' rows;
 * a task's "Why?" shows its critical path as a stacked bar; the diff page
 * of `gotrace view A B` shows the numbers of `gotrace diff A B --json`.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { DiffResponse, DiffStatus } from "../query/analysis/protocol.js";
import type { Row, TraceInfo } from "../query/timeline/protocol.js";
import type { CriticalPathResponse, WhyChainResponse } from "../query/why/protocol.js";
import { browserSkip, elementPixels, openView, type ViewSession } from "../testing/browser.js";
import { fixturesDir, repoRoot } from "../testing/corpus.js";
import { canvas, highlightXs, rowTop, settle, xOf } from "../testing/timeline-probe.js";

const chain = join(fixturesDir, "whychain-go1.26.trace");
const fanout = join(fixturesDir, "whyfanout-go1.26.trace");

function cliJson<T>(...args: string[]): T {
  const r = spawnSync(process.execPath, [join(repoRoot, "dist", "cli", "main.js"), ...args, "--json"]);
  assert.equal(r.status, 0, r.stderr.toString());
  return JSON.parse(r.stdout.toString()) as T;
}

type ChainProbe = {
  __gotraceTimeline?: {
    chainDrawn(): { step: number; goroutine: number; row: number; x0: number; x1: number }[];
  };
};

describe("Why? on the timeline", { skip: browserSkip() }, () => {
  let s: ViewSession;
  before(async () => {
    s = await openView(chain);
  });
  after(() => s?.close());

  it("outlines the chain of A's wait (A ← B ← C's sleep) and lists its steps", async () => {
    // A is the goroutine of region "wait"; its chain as the command line gives it.
    const region = cliJson<CriticalPathResponse>("why", chain, "--region", "wait");
    const A = region.goroutine;
    const expected = cliJson<WhyChainResponse>("why", chain, "--goroutine", String(A));
    const wait = expected.steps[0]!;
    assert.equal(wait.state, "waiting");
    const rows = await s.api<Row[]>("api/rows?view=goroutine");
    const rowOf = (g: number) => rows.find((r) => r.goroutine === g)!.index;

    const span = wait.endNs - wait.startNs;
    const page = await s.newPage(
      `#/timeline?view=goroutine&start=${Math.round(wait.startNs - span / 4)}&end=${Math.round(wait.endNs + span / 4)}`,
    );
    await settle(page);
    const box = (await page.locator(canvas).boundingBox())!;
    const mid = (wait.startNs + wait.endNs) / 2;
    await page.mouse.click(box.x + (await xOf(page, mid)), box.y + (await rowTop(page, rowOf(A))) + 6);
    await page.locator('[data-testid="why-button"]').click();
    const steps = page.locator('[data-testid="why-step"]');
    await page.waitForFunction(
      (n) =>
        (
          globalThis as unknown as { document: { querySelectorAll(q: string): { length: number } } }
        ).document.querySelectorAll('[data-testid="why-step"]').length === n,
      expected.steps.length,
    );
    assert.equal(await steps.count(), expected.steps.length);
    assert.match((await page.locator('[data-testid="why-root"]').textContent()) ?? "", /Root: a timer/);
    await settle(page);

    // What the canvas outlined: one stretch per step, on that step's goroutine's row.
    const drawn = await page.evaluate(() =>
      (globalThis as unknown as ChainProbe).__gotraceTimeline!.chainDrawn(),
    );
    assert.deepEqual(
      drawn.map((d) => [d.step, d.goroutine, d.row]),
      expected.steps.map((st, i) => [i, st.goroutine, rowOf(st.goroutine)]),
    );
    for (const [i, st] of expected.steps.entries()) {
      assert.ok(
        Math.abs(drawn[i]!.x0 - (await xOf(page, st.startNs))) < 1,
        `step ${i} starts where it should`,
      );
    }
    // And the pixels: the outlines' colour lies on the rows of A, B and C, and on no other row
    // (but for the wake-up arrows, which cross the rows between waker and woken).
    const arrows: number[] = [];
    for (const [i, st] of expected.steps.entries()) {
      const next = expected.steps[i + 1];
      if (next && next.goroutine !== st.goroutine) arrows.push(await xOf(page, st.endNs));
    }
    const px = await elementPixels(page, canvas);
    const lit = new Set<number>();
    for (const r of rows) {
      const top = await rowTop(page, r.index);
      if (Number.isNaN(top) || top < 0 || top > px.height) continue;
      const xs = highlightXs(px, top + 1, top + 16).filter((x) => arrows.every((a) => Math.abs(x - a) > 6));
      if (xs.length > 0) lit.add(r.goroutine ?? -1);
    }
    assert.deepEqual(
      [...lit].sort((a, b) => a - b),
      [...new Set(expected.steps.map((st) => st.goroutine))].sort((a, b) => a - b),
    );
    await s.screenshot(page, "why-whychain-A");
    s.assertNoErrors();
  });
});

describe("Why? on a task", { skip: browserSkip() }, () => {
  let s: ViewSession;
  before(async () => {
    s = await openView(fanout);
  });
  after(() => s?.close());

  it("shows the task's critical path as a bar whose shares are gotrace why's", async () => {
    const path = cliJson<CriticalPathResponse>("why", fanout, "--task-type", "request");
    const page = await s.newPage(`#/timeline?view=goroutine&start=${path.startNs}&end=${path.endNs}`);
    await settle(page);
    // The task's slice in the Tasks row: select it through the engine's own id (the task row's first slice).
    const rows = await s.api<Row[]>("api/rows?view=goroutine");
    const tasksRow = rows.find((r) => /task/i.test(r.label))!;
    assert.ok(tasksRow, "a Tasks row");
    const box = (await page.locator(canvas).boundingBox())!;
    await page.mouse.click(
      box.x + (await xOf(page, (path.startNs + path.endNs) / 2)),
      box.y + (await rowTop(page, tasksRow.index)) + 6,
    );
    await page.locator('[data-testid="why-button"]').click();
    await page.locator('[data-testid="why-bar"]').waitFor();
    const parts = await page
      .locator('[data-testid="why-bar"] .why-bar-part')
      .evaluateAll((els) =>
        els.map((e) => [
          e.getAttribute("data-category"),
          Number.parseFloat((e as unknown as { style: { width: string } }).style.width),
        ]),
      );
    assert.deepEqual(
      parts.map(([c]) => c),
      path.breakdown.filter((b) => b.ns > 0).map((b) => b.category),
    );
    const first = parts[0]![1] as number;
    assert.ok(
      Math.abs(first - path.breakdown[0]!.percent) < 0.01,
      `bar ${first}% vs ${path.breakdown[0]!.percent}%`,
    );
    await settle(page);
    await s.screenshot(page, "why-whyfanout-request");

    // The task's page shows the same bar beside the task.
    const tasks = await s.newPage("#/tasks?type=request");
    const cp = tasks.locator(`[data-testid="task-critical-path"][data-task="${path.task}"]`);
    await cp.waitFor();
    const onPage = await cp
      .locator(".why-bar-part")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-category")));
    assert.deepEqual(
      onPage,
      path.breakdown.filter((b) => b.ns > 0).map((b) => b.category),
    );
    await s.screenshot(tasks, "why-whyfanout-tasks-page");
    s.assertNoErrors();
  });
});

describe("the diff page of gotrace view A B", { skip: browserSkip() }, () => {
  const good = join(fixturesDir, "whydiff-go1.26.trace");
  const slow = join(fixturesDir, "whydiff-slow-go1.26.trace");
  let s: ViewSession;
  before(async () => {
    // startView puts the file last: `view … A B`.
    s = await openView(slow, { extraArgs: [good] });
  });
  after(() => s?.close());

  it("shows exactly the numbers of gotrace diff A B --json, largest change first", async () => {
    const expected = cliJson<DiffResponse>("diff", good, slow);
    const page = await s.newPage("#/diff");
    await page.locator('[data-testid="diff"]').waitFor();
    const shown = await page.locator('[data-testid="diff-row"]').evaluateAll((trs) =>
      trs.map((tr) => {
        const cells = [...tr.querySelectorAll("td[data-value]")].map((td) =>
          Number(td.getAttribute("data-value")),
        );
        return [
          tr.getAttribute("data-table"),
          tr.getAttribute("data-key"),
          tr.getAttribute("data-metric"),
          ...cells,
        ];
      }),
    );
    const want = [
      ...expected.top,
      ...expected.tables.flatMap((t) => t.rows.filter((r) => r.delta !== 0)),
    ].map((r) => [r.table, r.key, r.metric, r.a, r.b, r.delta]);
    assert.deepEqual(shown, want);
    assert.deepEqual(shown[0]!.slice(0, 3), ["profiles", "main.lookup", "sync delay"]);
    // The nav lists the page, and a row links to trace A's page for it.
    assert.equal(await page.locator('nav a:has-text("Diff")').count(), 1);
    assert.equal(
      await page.locator('[data-testid="diff-row"]').first().locator("a").first().getAttribute("href"),
      "#/profiles?type=sync",
    );
    // Trace B is served by its own gotrace view, and the rows link into it too.
    const status = await s.api<DiffStatus>("api/diff");
    assert.equal(status.state, "done");
    const bUrl = (status as Extract<DiffStatus, { state: "done" }>).bUrl!;
    assert.ok(bUrl && bUrl !== s.url, "B has its own server");
    const bInfo = (await (await fetch(new URL("api/info", bUrl))).json()) as TraceInfo;
    const aInfo = await s.api<TraceInfo>("api/info");
    assert.notEqual(bInfo.events, aInfo.events, "B's server shows B");
    assert.equal(
      await page.locator('[data-testid="diff-row"]').first().locator("a.diff-b").getAttribute("href"),
      `${bUrl}#/profiles?type=sync`,
    );
    await s.screenshot(page, "diff-whydiff");
    s.assertNoErrors();
  });
});
