/**
 * The analysis pages in Chromium against `gotrace view`, on fixtures: the
 * numbers on each page equal the CLI's --json for the same trace, links lead
 * to the right place on the timeline, each page works with the keyboard
 * alone, and nothing logs an error. Screenshots go to test-output/screenshots/.
 * (Hostile strings: pages-hostile.browser.test.ts.)
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { browserSkip, elementPixels, inkPixels, openView, type ViewSession } from "../testing/browser.js";
import { fixturesDir } from "../testing/corpus.js";
import {
  columnCells,
  currentRoute,
  gotraceJson,
  gotraceText,
  pageLoaded,
  tabTo,
  testValue,
  waitForPage,
  waitUntil,
} from "../testing/pages-browser-support.js";

interface Groups {
  groups: { name: string; count: number; execNs: number }[];
}
interface Group {
  goroutines: { id: number; execNs: number; totalNs: number }[];
}
interface Top {
  function: string;
  flatNs: number;
  cumNs: number;
}

describe("analysis pages: annotations-go1.26", { skip: browserSkip() }, () => {
  const file = join(fixturesDir, "annotations-go1.26.trace");
  let s: ViewSession;
  before(async () => {
    s = await openView(file);
  });
  after(() => s?.close());

  it("Overview shows what gotrace stats says, and draws its charts", async () => {
    const page = await s.newPage("#/overview");
    await pageLoaded(page);
    const stats = gotraceText("stats", file);
    const count = (label: string) =>
      /^(?:\S.*?):\s+([\d,]+)/m
        .exec(stats.split("\n").find((l) => l.startsWith(label))!)![1]!
        .replace(/,/g, "");
    assert.equal(await testValue(page, "events"), count("Events:"));
    assert.equal(await testValue(page, "goroutines"), count("Goroutines:"));
    assert.equal(await testValue(page, "threads"), count("Threads:"));
    assert.ok(inkPixels(await elementPixels(page, ".chart canvas")) > 300, "the heap chart is drawn");
    await s.screenshot(page, "pages-overview-annotations");
    await tabTo(page, `el.textContent === "Open the whole trace on the timeline"`);
    await page.keyboard.press("Enter");
    await waitForPage(page, "timeline");
    const r = await currentRoute(page);
    assert.equal(r.params.get("start"), "0");
    assert.equal(
      Number(r.params.get("end")),
      Number(await s.api<{ durationNs: number }>("api/analysis/overview").then((o) => o.durationNs)),
    );
    s.assertNoErrors();
  });

  it("Goroutines: the groups table is gotrace goroutines --json, sortable by any column", async () => {
    const page = await s.newPage("#/goroutines");
    await pageLoaded(page);
    const cli = gotraceJson<Groups>("goroutines", file, "--json");
    const names = await columnCells(page, "groups", "Start location");
    assert.deepEqual(
      names.map((c) => c.value),
      cli.groups.map((g) => g.name),
    );
    const exec = await columnCells(page, "groups", "Total execution time");
    assert.deepEqual(
      exec.map((c) => Number(c.value)),
      cli.groups.map((g) => g.execNs),
    );
    await page.getByRole("button", { name: "Count" }).click();
    const byCount = gotraceJson<Groups>("goroutines", file, "--json", "--sort", "count");
    assert.deepEqual(
      (await columnCells(page, "groups", "Start location")).map((c) => c.value),
      byCount.groups.map((g) => g.name),
    );
    await s.screenshot(page, "pages-goroutines-annotations");
    s.assertNoErrors();
  });

  it("Goroutines by keyboard: a group, then a goroutine opens on the timeline", async () => {
    const page = await s.newPage("#/goroutines");
    await pageLoaded(page);
    await tabTo(page, `el.textContent === "main.main.func3"`);
    await page.keyboard.press("Enter");
    await page.waitForSelector('table[data-testid="group-goroutines"]');
    const cli = gotraceJson<Group>("goroutines", file, "--group", "main.main.func3", "--json");
    const ids = await columnCells(page, "group-goroutines", "Goroutine");
    assert.deepEqual(
      ids.map((c) => Number(c.value)),
      cli.goroutines.map((g) => g.id),
    );
    const execs = await columnCells(page, "group-goroutines", "Execution");
    assert.deepEqual(
      execs.map((c) => Number(c.value)),
      cli.goroutines.map((g) => g.execNs),
    );
    assert.ok(inkPixels(await elementPixels(page, ".bar")) > 50, "stacked bars are drawn");
    await s.screenshot(page, "pages-goroutine-group-annotations");
    const first = cli.goroutines[0]!.id;
    await tabTo(page, `el.getAttribute("aria-label") === "Goroutine ${first} on the timeline"`);
    await page.keyboard.press("Enter");
    await waitForPage(page, "timeline");
    const r = await currentRoute(page);
    assert.equal(r.params.get("view"), "goroutine");
    assert.equal(r.params.get("g"), String(first));
    s.assertNoErrors();
  });

  it("Profiles: top functions are gotrace pprof --top --json; the flame graph zooms by keyboard", async () => {
    const page = await s.newPage("#/profiles?type=sync");
    await pageLoaded(page);
    const top = gotraceJson<Top[]>("pprof", "--type=sync", "--top", "--json", file);
    const funcs = await columnCells(page, "top", "Function");
    assert.deepEqual(
      funcs.map((c) => c.value),
      top.map((f) => f.function),
    );
    const flat = await columnCells(page, "top", "Flat");
    assert.deepEqual(
      flat.map((c) => Number(c.value)),
      top.map((f) => f.flatNs),
    );
    assert.equal(
      Number(await testValue(page, "profile-total")),
      top.reduce((sum, f) => sum + f.flatNs, 0),
    );
    assert.ok(inkPixels(await elementPixels(page, ".flame-wrap canvas")) > 1000, "the flame graph is drawn");

    await tabTo(page, `el.classList.contains("flame-wrap")`);
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    const cursor = await page.getAttribute(".flame-wrap", "data-cursor");
    assert.ok(cursor && cursor !== "", "the cursor moved to a function");
    await page.keyboard.press("Enter");
    assert.equal(await page.getAttribute(".flame-wrap", "data-focus"), cursor);
    const ms = Number(await page.getAttribute(".flame-wrap canvas", "data-draw-ms"));
    assert.ok(ms <= 16, `a frame took ${ms} ms`);
    await page.keyboard.press("Escape");
    await page.keyboard.press("Escape");
    assert.equal(await page.getAttribute(".flame-wrap", "data-focus"), "");

    // Hover names the frame; search highlights (the status line says how much matched).
    const box = (await page.locator(".flame-wrap canvas").boundingBox())!;
    await page.mouse.move(box.x + 20, box.y + 18 + 9);
    assert.match((await page.locator(".flame-tip").textContent()) ?? "", /main\.main/);
    await page.getByLabel("Search functions").fill("WaitGroup");
    assert.match(
      (await page.locator('[data-testid="flame-status"]').textContent()) ?? "",
      /search “WaitGroup”: [\d.]+ ms/,
    );
    await s.screenshot(page, "pages-profiles-sync-annotations");
    const res = await fetch(new URL("api/analysis/profile.pb.gz?type=sync", s.url));
    assert.equal(res.headers.get("content-type"), "application/gzip");
    assert.deepEqual([...new Uint8Array(await res.arrayBuffer()).subarray(0, 2)], [0x1f, 0x8b]);
    s.assertNoErrors();
  });

  it("Profiles: a time range from the timeline cuts the profile", async () => {
    const page = await s.newPage("#/profiles?type=sched&start=0&end=1000");
    await pageLoaded(page);
    const whole = gotraceJson<Top[]>("pprof", "--type=sched", "--top", "--json", file);
    const total = Number(await testValue(page, "profile-total"));
    assert.ok(
      total < whole.reduce((sum, f) => sum + f.flatNs, 0),
      "a 1 µs range holds less delay than the trace",
    );
    assert.match(
      (await page.locator('[data-testid="range"]').textContent()) ?? "",
      /0\.000000000 s – 0\.000001000 s/,
    );
    // Typed by keyboard: 0 to 2 ms, the service's answer for that range.
    await tabTo(page, `el.tagName === "INPUT" && el.parentElement.textContent.startsWith("From")`);
    await page.keyboard.press("Control+A");
    await page.keyboard.type("0");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Control+A");
    await page.keyboard.type("2");
    await page.keyboard.press("Enter");
    await waitUntil(page, "location.hash.includes('end=2000000')");
    await pageLoaded(page);
    const cut = await s.api<{ totalNs: number }>("api/analysis/profile?type=sched&startNs=0&endNs=2000000");
    assert.equal(Number(await testValue(page, "profile-total")), cut.totalNs);
    s.assertNoErrors();
  });

  it("Tasks: counts per type, a histogram bucket lists its tasks, a task opens the timeline", async () => {
    const page = await s.newPage("#/tasks");
    await pageLoaded(page);
    const cli = gotraceJson<{
      types: { type: string; count: number }[];
      tasks: { id: number; type: string; startNs: number; endNs: number }[];
    }>("tasks", file, "--json");
    const counts = await page.evaluate(
      `[...document.querySelectorAll('table[data-testid="task-types"] tbody tr')].map((tr) => [tr.cells[0].textContent, Number(tr.cells[1].dataset.value)])`,
    );
    assert.deepEqual(
      counts,
      cli.types.map((t) => [JSON.stringify(t.type), t.count]),
    );
    await s.screenshot(page, "pages-tasks-annotations");
    // Keyboard: Tab to the "db" type's bucket and open it.
    await tabTo(page, `el.closest(".hist") && el.getAttribute("href").includes("type=db")`);
    await page.keyboard.press("Enter");
    await page.waitForSelector('table[data-testid="tasks"]');
    const db = cli.tasks.find((t) => t.type === "db")!;
    assert.equal(await testValue(page, "instance-count"), "1");
    const ids = await columnCells(page, "tasks", "Task");
    assert.deepEqual(
      ids.map((c) => Number(c.value)),
      [db.id],
    );
    await tabTo(page, `el.getAttribute("aria-label") === "Task ${db.id} on the timeline"`);
    await page.keyboard.press("Enter");
    await waitForPage(page, "timeline");
    const r = await currentRoute(page);
    assert.equal(r.params.get("view"), "goroutine");
    const start = Number(r.params.get("start"));
    const end = Number(r.params.get("end"));
    assert.ok(
      start <= db.startNs && end >= db.endNs && start >= db.startNs - (db.endNs - db.startNs),
      "the window holds the task",
    );
    s.assertNoErrors();
  });

  it("Regions: groups are gotrace regions --json; an instance opens the timeline on it", async () => {
    const page = await s.newPage("#/regions");
    await pageLoaded(page);
    const cli = gotraceJson<{ groups: { type: string; count: number }[] }>("regions", file, "--json");
    const counts = await page.evaluate(
      `[...document.querySelectorAll('table[data-testid="region-types"] tbody tr')].map((tr) => Number(tr.cells[2].dataset.value))`,
    );
    assert.deepEqual(
      counts,
      cli.groups.map((g) => g.count),
    );
    await s.screenshot(page, "pages-regions-annotations");
    // Keyboard: the first type, then its longest region on the timeline.
    await tabTo(page, `el.closest('table[data-testid="region-types"] tbody') !== null`);
    await page.keyboard.press("Enter");
    await page.waitForSelector('table[data-testid="regions"]');
    assert.equal(Number(await testValue(page, "instance-count")), cli.groups[0]!.count);
    await tabTo(page, `(el.getAttribute("aria-label") ?? "").startsWith("Region on goroutine")`);
    await page.keyboard.press("Enter");
    await waitForPage(page, "timeline");
    assert.equal((await currentRoute(page)).params.get("view"), "goroutine");
    s.assertNoErrors();
  });

  it("Sched latency: the numbers of gotrace schedlat --json, worst waits link to the timeline", async () => {
    const page = await s.newPage("#/schedlat");
    await pageLoaded(page);
    const cli = gotraceJson<{
      overall: Record<string, number>;
      worst: { startNs: number; durNs: number; goroutine: number }[];
    }>("schedlat", file, "--json", "--top", "50");
    assert.equal(Number(await testValue(page, "sched-count")), cli.overall.count);
    assert.equal(Number(await testValue(page, "sched-p99")), cli.overall.p99Ns);
    assert.equal(Number(await testValue(page, "sched-max")), cli.overall.maxNs);
    const waits = await columnCells(page, "sched-worst", "Wait");
    assert.deepEqual(
      waits.map((c) => Number(c.value)),
      cli.worst.map((w) => w.durNs),
    );
    await s.screenshot(page, "pages-schedlat-annotations");
    await tabTo(page, `el.closest('table[data-testid="sched-worst"] tbody') !== null`);
    await page.keyboard.press("Enter");
    await waitForPage(page, "timeline");
    const r = await currentRoute(page);
    assert.equal(r.params.get("g"), String(cli.worst[0]!.goroutine));
    s.assertNoErrors();
  });
});
