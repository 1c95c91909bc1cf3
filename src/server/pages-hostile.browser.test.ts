/**
 * Trace-controlled strings on every analysis page (hostile-go1.26: task,
 * region and log texts with <script>, <img onerror>, quotes, bidi
 * overrides…): each shows as literal text, no dialog opens, no element or
 * event-handler attribute comes from the trace, and nothing logs an error.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { browserSkip, openView, type ViewSession } from "../testing/browser.js";
import { fixturesDir } from "../testing/corpus.js";
import { gotraceJson, pageLoaded, texts } from "../testing/pages-browser-support.js";

interface Tasks {
  types: { type: string }[];
  tasks: { type: string; logs: { category: string; message: string }[] }[];
}

/** Elements a payload would have made: images, SVGs (uPlot draws on canvas), iframes, handler attributes. */
async function injected(page: Page): Promise<string[]> {
  return page.evaluate(`[...document.querySelectorAll("img, svg, iframe, object, embed, script:not([src])")]
    .map((e) => e.outerHTML.slice(0, 80))
    .concat([...document.querySelectorAll("*")].flatMap((e) =>
      [...e.attributes].filter((a) => a.name.startsWith("on")).map((a) => e.tagName + " " + a.name)))`);
}

describe("analysis pages: hostile strings (hostile-go1.26)", { skip: browserSkip() }, () => {
  const file = join(fixturesDir, "hostile-go1.26.trace");
  let s: ViewSession;
  const dialogs: string[] = [];
  before(async () => {
    s = await openView(file);
  });
  after(() => s?.close());

  async function open(hash: string): Promise<Page> {
    const page = await s.newPage(hash);
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await pageLoaded(page);
    return page;
  }

  it("task types, logs and region types are shown literally on the Tasks and Regions pages", async () => {
    const cli = gotraceJson<Tasks>("tasks", file, "--json");
    let page = await open("#/tasks");
    const shown = await texts(page, 'table[data-testid="task-types"] tbody tr td:first-child');
    assert.deepEqual(
      shown,
      cli.types.map((t) => JSON.stringify(t.type)),
    );
    assert.ok(shown.some((t) => t.includes("<script>alert(1)</script>")));
    await s.screenshot(page, "pages-hostile-tasks");
    assert.deepEqual(await injected(page), []);

    // Every type's task list, with its logs.
    for (const { type } of cli.types) {
      await page.close();
      page = await open(`#/tasks?type=${encodeURIComponent(type)}`);
      await page.waitForSelector('table[data-testid="tasks"]');
      const logs = await texts(page, 'table[data-testid="tasks"] .logs li:not(.muted)');
      const want = cli.tasks
        .filter((t) => t.type === type)
        .flatMap((t) =>
          t.logs.slice(0, 5).map((l) => (l.category === "" ? l.message : `[${l.category}] ${l.message}`)),
        );
      assert.deepEqual(logs.sort(), want.sort(), type);
      assert.deepEqual(await injected(page), [], type);
      if (type === "<script>alert(1)</script>") await s.screenshot(page, "pages-hostile-task-list");
    }
    await page.close();

    const regions = gotraceJson<{ groups: { type: string }[] }>("regions", file, "--json");
    page = await open("#/regions");
    assert.deepEqual(
      await texts(page, 'table[data-testid="region-types"] tbody tr td:first-child'),
      regions.groups.map((g) => JSON.stringify(g.type)),
    );
    await s.screenshot(page, "pages-hostile-regions");
    assert.deepEqual(await injected(page), []);
    await page.close();
    assert.deepEqual(dialogs, []);
    s.assertNoErrors();
  });

  it("every other page, and a profile searched for a payload, stay inert", async () => {
    for (const hash of [
      "#/overview",
      "#/goroutines",
      "#/goroutines?group=main.main.func1",
      "#/profiles?type=sync",
      "#/profiles?type=sched&region=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
      "#/mmu",
      "#/schedlat",
    ]) {
      const page = await open(hash);
      if (hash.startsWith("#/profiles")) {
        const search = page.getByLabel("Search functions");
        if (await search.count()) await search.fill("<img src=x onerror=alert(9)>");
        await s.screenshot(page, `pages-hostile-${hash.includes("region") ? "profile-region" : "profile"}`);
      }
      assert.deepEqual(await injected(page), [], hash);
      await page.close();
    }
    assert.deepEqual(dialogs, []);
    s.assertNoErrors();
  });
});
