/**
 * CPU samples in the view, on a trace recorded with the CPU profiler
 * (testdata/traces/cpuhot-go1.26.trace): the flame graph of a range
 * selected on the timeline is `gotrace pprof --type=cpu --from --to`'s
 * profile; a goroutine's details show its samples beside its execution
 * time and open its own CPU profile, `gotrace pprof --goroutine`'s; the
 * goroutine pages show what `gotrace goroutines --json` says.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { GoroutineDetails, Row, SliceDetails, WindowResponse } from "../query/timeline/protocol.js";
import { browserSkip, openView, type ViewSession } from "../testing/browser.js";
import { fixturesDir } from "../testing/corpus.js";
import { columnCells, gotraceJson, pageLoaded, testValue } from "../testing/pages-browser-support.js";

interface Top {
  function: string;
  flatNs: number;
  flatCount: number;
}

const file = join(fixturesDir, "cpuhot-go1.26.trace");

/** The Profiles page's top table as [function, flat ns] pairs, and its total. */
async function shownProfile(
  page: import("playwright-core").Page,
): Promise<{ top: string[]; totalNs: number }> {
  await pageLoaded(page);
  const funcs = await columnCells(page, "top", "Function");
  const flat = await columnCells(page, "top", "Flat");
  return {
    top: funcs.map((f, i) => `${f.value} ${flat[i]!.value}`).sort(),
    totalNs: Number(await testValue(page, "profile-total")),
  };
}

function cliProfile(...args: string[]): { top: string[]; totalNs: number } {
  const top = gotraceJson<Top[]>("pprof", "--type=cpu", "--top", "--json", ...args, file);
  return {
    top: top.map((f) => `${f.function} ${f.flatNs}`).sort(),
    totalNs: top.reduce((s, f) => s + f.flatNs, 0),
  };
}

describe("CPU samples in the view: cpuhot-go1.26", { skip: browserSkip() }, () => {
  let s: ViewSession;
  before(async () => {
    s = await openView(file);
  });
  after(() => s?.close());

  it("a range selected on the timeline opens its CPU flame graph, gotrace pprof --type=cpu --from --to's", async () => {
    const { durationNs } = await s.api<{ durationNs: number }>("api/info");
    const rs = Math.floor(durationNs * 0.3);
    const re = Math.floor(durationNs * 0.6);
    const page = await s.newPage(
      `#/timeline?view=proc&start=0&end=${Math.ceil(durationNs)}&rs=${rs}&re=${re}`,
    );
    await page.locator('[data-testid="range-summary"]').waitFor();
    const cpu = page.locator('[data-testid="range-profiles"] a', { hasText: "CPU" });
    assert.equal(await cpu.getAttribute("href"), `#/profiles?type=cpu&start=${rs}&end=${re}`);
    await cpu.click();
    await page.locator('[data-testid="range"]').waitFor();
    const shown = await shownProfile(page);
    const want = cliProfile("--from", `${rs}ns`, "--to", `${re}ns`);
    const whole = cliProfile();
    assert.ok(want.totalNs > 0 && want.totalNs < whole.totalNs, "the range holds some of the samples");
    assert.deepEqual(shown, want);
    assert.match(
      (await page.locator('[data-testid="profile-total"]').textContent()) ?? "",
      /of CPU time in \d+ samples/,
    );
    assert.match(
      (await page.locator('[data-testid="flame-status"]').textContent()) ?? "",
      /, [\d,]+ samples?$/,
      "the flame graph counts samples, not intervals",
    );
    await s.screenshot(page, "pages-profiles-cpu-range-cpuhot");
    s.assertNoErrors();
    await page.close();
  });

  it("a goroutine's details show its samples beside execution time and open its CPU flame graph", async () => {
    const { durationNs } = await s.api<{ durationNs: number }>("api/info");
    const rows = await s.api<Row[]>("api/rows?view=goroutine");
    const groups = gotraceJson<{ goroutines: { id: number; execNs: number; cpuSamples: number }[] }>(
      "goroutines",
      file,
      "--group",
      "main.main.func1",
      "--json",
    );
    const g = groups.goroutines[0]!;
    assert.ok(g.cpuSamples > 0);
    const row = rows.find((r) => r.goroutine === g.id)!;
    const w = await s.api<WindowResponse>(
      `api/window?view=goroutine&startNs=0&endNs=${Math.ceil(durationNs)}&widthPx=1000&rowFrom=${row.index}&rowTo=${row.index + 1}`,
    );
    const id = w.slices.flatMap((c) => c.id).find((x) => x >= 0)!;
    const d = await s.api<SliceDetails>(`api/slice?view=goroutine&id=${id}`);
    assert.equal(d.goroutine, g.id);
    const details = await s.api<GoroutineDetails>(`api/goroutine?id=${g.id}`);
    assert.equal(details.execNs, g.execNs, "execution time as gotrace goroutines counts it");
    assert.equal(details.cpuSamples, g.cpuSamples, "CPU samples as gotrace goroutines counts them");

    const page = await s.newPage(`#/timeline?view=goroutine&start=0&end=${Math.ceil(durationNs)}&sel=${id}`);
    const panel = page.locator('[data-testid="goroutine-cpu"]');
    await panel.waitFor();
    assert.equal(
      await panel.locator("td[data-value]").nth(1).getAttribute("data-value"),
      String(g.cpuSamples),
    );
    await s.screenshot(page, "timeline-goroutine-cpu-cpuhot");
    const link = page.locator('[data-testid="goroutine-profiles"] a', { hasText: "CPU" }).first();
    assert.equal(await link.getAttribute("href"), `#/profiles?type=cpu&goroutine=${g.id}`);
    await link.click();
    await page.locator('[data-testid="goroutine"]').waitFor();
    const shown = await shownProfile(page);
    assert.deepEqual(shown, cliProfile("--goroutine", String(g.id)));
    assert.equal(shown.totalNs, g.cpuSamples * 10_000_000);
    s.assertNoErrors();
    await page.close();
  });

  it("the goroutine pages show each group's and goroutine's samples and estimated CPU time", async () => {
    const json = gotraceJson<{ groups: { name: string; cpuSamples: number; cpuNs: number }[] }>(
      "goroutines",
      file,
      "--json",
    );
    const page = await s.newPage("#/goroutines");
    await pageLoaded(page);
    const names = await columnCells(page, "groups", "Start location");
    const samples = await columnCells(page, "groups", "CPU samples");
    const shown = new Map(names.map((n, i) => [n.value, Number(samples[i]!.value)]));
    for (const g of json.groups) assert.equal(shown.get(g.name), g.cpuSamples, g.name);

    const group = await s.newPage("#/goroutines?group=main.main.func1");
    await pageLoaded(group);
    const cpu = json.groups.find((g) => g.name === "main.main.func1")!;
    assert.equal(await testValue(group, "group-cpu"), String(cpu.cpuSamples));
    const est = await columnCells(group, "group-goroutines", "Est. CPU time");
    assert.equal(
      est.reduce((s, c) => s + Number(c.value), 0),
      cpu.cpuNs,
    );
    await s.screenshot(group, "pages-goroutine-group-cpu-cpuhot");
    await group.locator('[data-testid="group-cpu"] a', { hasText: "wall" }).click();
    const wall = await shownProfile(group);
    const want = gotraceJson<Top[]>(
      "pprof",
      "--type=wall",
      "--top",
      "--json",
      "--group",
      "main.main.func1",
      file,
    );
    assert.equal(
      wall.totalNs,
      want.reduce((s, f) => s + f.flatNs, 0),
    );
    s.assertNoErrors();
  });
});
