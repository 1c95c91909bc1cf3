// The analysis pages of `gotrace view` on a big trace (issue 6), measured on
// the view server with only the analysis routes mounted, so the timeline's
// own load does not count:
//
//  - the first analysis pass in the worker (what every page waits for the
//    first time), and the process's peak RSS;
//  - each page opened in headless chromium once that pass is done: time
//    until its content replaces the loading line;
//  - flame graph draw times while zooming by keyboard on the sched profile;
//  - the answers that need a pass of their own: a profile cut to a time
//    range (all samples kept, once) and an MMU with other GC choices.
//
// Run: node bench/analysis-pages.mjs [FILE] (default bench/out/big-go1.26.trace),
// after `npm run build`. Prints a table; BENCHMARKS.md quotes it by hand.
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const { startViewServer } = await import(join(repo, "dist/server/server.js"));
const { analysisRoutes } = await import(join(repo, "dist/server/analysis-routes.js"));
const { launchChromium } = await import(join(repo, "dist/testing/browser.js"));
const { pageLoaded } = await import(join(repo, "dist/testing/pages-browser-support.js"));

const file = process.argv[2] ?? join(repo, "bench/out/big-go1.26.trace");
const seconds = (ms) => (ms / 1000).toFixed(2);
const rows = [];

// The pages ask the engine only for the trace's name line.
const engine = {
  info: () => ({ format: "", durationNs: 1, events: 0, goroutines: 0, procs: 0, threads: 0 }),
};
const routes = analysisRoutes(file);
// A copy of the built UI: a rebuild during the run would rename its assets under the server.
const assetsDir = mkdtempSync(join(tmpdir(), "gotrace-ui-"));
cpSync(join(repo, "dist/ui"), assetsDir, { recursive: true });
const server = await startViewServer({ engine, routes: [routes.route], assetsDir });
const t0 = performance.now();
routes.start();
for (;;) {
  const st = await (await fetch(`${server.url}api/analysis/status`)).json();
  if (st.state === "done" || st.state === "failed") {
    rows.push([
      "first analysis pass",
      `${seconds(performance.now() - t0)} s (${st.state}, ${st.events} events)`,
    ]);
    break;
  }
  await new Promise((r) => setTimeout(r, 250));
}

const browser = await launchChromium();
const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
const errors = [];
for (const hash of [
  "#/overview",
  "#/goroutines",
  "#/profiles?type=sync",
  "#/profiles?type=sched",
  "#/tasks",
  "#/regions",
  "#/mmu",
  "#/mmu?pct=1",
  "#/schedlat",
]) {
  const page = await context.newPage();
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  const t = performance.now();
  await page.goto(server.url + hash);
  await pageLoaded(page);
  rows.push([`page ${hash}`, `${seconds(performance.now() - t)} s`]);
  if (hash === "#/profiles?type=sched") {
    await page.locator(".flame-wrap").focus();
    const ms = [];
    for (const key of [
      "ArrowDown",
      "Enter",
      "ArrowDown",
      "Enter",
      "ArrowDown",
      "Enter",
      "Escape",
      "Escape",
      "Escape",
    ]) {
      await page.keyboard.press(key);
      ms.push(Number(await page.getAttribute(".flame-wrap canvas", "data-draw-ms")));
    }
    rows.push(["flame graph draw, zooming (max of 9)", `${Math.max(...ms).toFixed(1)} ms`]);
  }
  await page.close();
}
await browser.close();

for (const q of [
  "profile?type=sched&startNs=1000000000&endNs=2000000000",
  "profile?type=sync&startNs=0&endNs=500000000",
  "mmu?include=stw,sweep",
]) {
  const t = performance.now();
  const res = await fetch(`${server.url}api/analysis/${q}`);
  await res.text();
  rows.push([`api ${q}`, `${seconds(performance.now() - t)} s (HTTP ${res.status})`]);
}
rows.push(["peak RSS (server + worker)", `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`]);
await routes.close();
await server.close();

console.log(`| ${file} | |\n|---|--:|`);
for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
if (errors.length) console.log("console errors:", errors);
