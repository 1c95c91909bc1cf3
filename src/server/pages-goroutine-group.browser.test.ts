/**
 * A goroutine group's page (gc-go1.26, main.main.func1 and the GC's mark
 * workers): the table fits the page with every number on one line, every
 * part of every bar shows however short, the special-ranges table is go
 * tool trace's own for the group, and the group's blocking profiles are
 * one click away and hold the group's delay alone.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { browserSkip, openView, type ViewSession } from "../testing/browser.js";
import { fixturesDir, haveGo, requirement } from "../testing/corpus.js";
import { parseGoroutinePage, startGoTraceServer } from "../testing/go-trace-pages.js";
import { gotraceJson, pageLoaded, testValue, waitForPage } from "../testing/pages-browser-support.js";

const file = join(fixturesDir, "gc-go1.26.trace");
const group = "main.main.func1";

/** The lines each cell of column `col` of table `table` takes, from its text's layout boxes. */
function cellLines(page: Page, table: string, col: string): Promise<number[]> {
  const sel = JSON.stringify(`table[data-testid="${table}"] tbody td[data-col="${col}"]`);
  return page.evaluate(`[...document.querySelectorAll(${sel})].map((td) => {
    const r = document.createRange();
    r.selectNodeContents(td);
    return new Set([...r.getClientRects()].map((b) => Math.round(b.top))).size;
  })`);
}

/** A table's header titles and its rows as goroutine → exact values (data-value) of the other columns. */
async function tableValues(page: Page, table: string) {
  return (await page.evaluate(`(() => {
    const t = document.querySelector('table[data-testid="${table}"]');
    const titles = [...t.tHead.rows[0].cells].map((th) => th.querySelector("button").firstChild.textContent);
    const rows = [...t.tBodies[0].rows].map((tr) => [...tr.cells].map((td) => Number(td.dataset.value)));
    return { titles, rows };
  })()`)) as { titles: string[]; rows: number[][] };
}

describe("analysis pages: a goroutine group", { skip: browserSkip() }, () => {
  let s: ViewSession;
  before(async () => {
    s = await openView(file);
  });
  after(() => s?.close());

  it("fits the page: no sideways overflow, totals on one line, a part of every bar for every non-zero time", async () => {
    for (const [name, width] of [
      [group, 1000],
      ["runtime.gcBgMarkWorker", 800],
    ] as const) {
      const page = await s.newPage(`#/goroutines?group=${encodeURIComponent(name)}`, { width, height: 800 });
      await pageLoaded(page);
      await page.waitForSelector('table[data-testid="group-goroutines"]');
      const [scroll, client] = (await page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]",
      )) as [number, number];
      assert.ok(scroll <= client, `${name}: the page is ${scroll} px wide in a ${client} px window`);
      for (const n of await cellLines(page, "group-goroutines", "Total")) assert.equal(n, 1, "Total wraps");
      // Each non-zero part of a bar is drawn at least 1.5 px wide, however small its share.
      const parts = (await page.evaluate(
        `[...document.querySelectorAll('table[data-testid="group-goroutines"] .bar > span')].map((e) => e.getBoundingClientRect().width)`,
      )) as number[];
      const cli = gotraceJson<{ goroutines: { execNs: number; schedWaitNs: number; totalNs: number }[] }>(
        "goroutines",
        file,
        "--group",
        name,
        "--json",
      );
      const maxNs = Math.max(...cli.goroutines.map((g) => g.totalNs));
      const tiny = cli.goroutines.filter((g) => g.schedWaitNs > 0 && (g.schedWaitNs / maxNs) * 120 < 0.5);
      if (name !== group) assert.ok(tiny.length > 0, "the group has parts too short to draw to scale");
      assert.ok(parts.length >= cli.goroutines.filter((g) => g.execNs > 0).length);
      for (const w of parts) assert.ok(w >= 1.5, `a bar part is ${w} px wide`);
      await s.screenshot(page, `pages-goroutine-group-${name}`);
    }
    s.assertNoErrors();
  });

  it("bars can show each goroutine's own time in full", async () => {
    const page = await s.newPage(`#/goroutines?group=${encodeURIComponent("runtime.gcBgMarkWorker")}`);
    await pageLoaded(page);
    await page.getByLabel("Bars").selectOption("own");
    const widths = (await page.evaluate(
      `[...document.querySelectorAll('table[data-testid="group-goroutines"] .bar')].map((bar) => [bar.clientWidth, [...bar.children].reduce((s, e) => s + e.getBoundingClientRect().width, 0)])`,
    )) as [number, number][];
    for (const [bar, filled] of widths)
      assert.ok(filled >= bar - 1, `a bar is filled ${filled} of ${bar} px`);
    await s.screenshot(page, "pages-goroutine-group-own-scale");
    s.assertNoErrors();
  });

  it("shows go tool trace's special-ranges table for the group", async (t) => {
    const skip = requirement(haveGo(), "go");
    if (skip) return t.skip(skip);
    const page = await s.newPage(`#/goroutines?group=${encodeURIComponent(group)}`);
    await pageLoaded(page);
    await page.waitForSelector('table[data-testid="group-ranges"]');
    const shown = await tableValues(page, "group-ranges");
    const server = await startGoTraceServer(file);
    let go: ReturnType<typeof parseGoroutinePage>["ranges"];
    try {
      go = parseGoroutinePage(await server.get(`/goroutine?name=${encodeURIComponent(group)}`)).ranges;
    } finally {
      server.close();
    }
    assert.ok(go.rows.size > 0, "Go lists goroutines in special ranges");
    assert.deepEqual(shown.titles, ["Goroutine", "Total", ...go.columns]);
    const byId = new Map(shown.rows.map(([id, total, ...ranges]) => [id!, { total, ranges }]));
    assert.deepEqual(
      [...byId.keys()].sort((a, b) => a - b),
      [...go.rows.keys()].sort((a, b) => a - b),
    );
    for (const [id, ranges] of go.rows) {
      assert.deepEqual(byId.get(id), { total: go.totals.get(id), ranges: [...ranges] }, `goroutine ${id}`);
    }
    s.assertNoErrors();
  });

  it("says so when no goroutine of the group was in a special range", async () => {
    const page = await s.newPage(`#/goroutines?group=${encodeURIComponent("runtime.bgsweep")}`);
    await pageLoaded(page);
    await page.waitForSelector('[data-testid="group-ranges-none"]');
    assert.equal(await page.locator('table[data-testid="group-ranges"]').count(), 0);
    s.assertNoErrors();
  });

  it("links to the group's blocking profiles, which hold its delay alone", async () => {
    const page = await s.newPage(`#/goroutines?group=${encodeURIComponent(group)}`);
    await pageLoaded(page);
    const links = page.locator('[data-testid="group-profiles"] a:not([download])');
    assert.equal(await links.count(), 4);
    await page.getByRole("link", { name: "Synchronization blocking", exact: true }).click();
    await waitForPage(page, "profiles");
    await pageLoaded(page);
    const top = gotraceJson<{ flatNs: number }[]>(
      "pprof",
      "--type=sync",
      "--group",
      group,
      "--top",
      "--json",
      file,
    );
    const all = gotraceJson<{ flatNs: number }[]>("pprof", "--type=sync", "--top", "--json", file);
    const groupNs = top.reduce((sum, f) => sum + f.flatNs, 0);
    assert.ok(groupNs > 0 && groupNs < all.reduce((sum, f) => sum + f.flatNs, 0));
    assert.equal(Number(await testValue(page, "profile-total")), groupNs);
    assert.equal(await page.locator("select").nth(1).inputValue(), group);
    // The download beside each link is that profile, gzipped.
    await page.goBack();
    await pageLoaded(page);
    const href = await page
      .locator('[data-testid="group-profiles"] a[download="sched.pb.gz"]')
      .getAttribute("href");
    const res = await fetch(new URL(href!, s.url));
    assert.equal(res.headers.get("content-type"), "application/gzip");
    assert.match(href!, /type=sched&group=main\.main\.func1/);
    s.assertNoErrors();
  });
});
