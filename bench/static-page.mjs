// The static page's rows of `npm run bench` (issue "Open any trace from
// anywhere"): on the same file, in headless chromium,
//
//  - the static page (dist/web, served by a plain static file server on
//    loopback): from choosing the file in the file input to the first
//    timeline frame drawn after the first window answer came from the
//    engine's Web Worker, timed in the page; and the tab's peak memory: the
//    VmHWM of the renderer process, which holds the page and its worker;
//  - `gotrace view`: from starting the command to the first timeline frame
//    drawn after the first /api/window answer (as bench/view.mjs times it),
//    the server's peak RSS and the renderer's.
//
// Target: the static page's first frame within 1.5× of gotrace view's.
//
// Run alone: npm run build && node bench/static-page.mjs [FILE…] (the
// ≥200 MiB trace by default; rewrites the static-page section of
// BENCHMARKS.md unless BENCH_NO_WRITE=1), or through run.mjs
// (BENCH_STATIC=0 skips it). BENCH_RUNS=N runs each N times (default 3).
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoDir = dirname(benchDir);
const chromiumPath = process.env.GOTRACE_CHROMIUM ?? "/usr/bin/chromium";
const chromiumArgs = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"];
const gotraceMain = join(repoDir, "dist", "cli", "main.js");

export const staticStartMarker =
  "<!-- bench-static:start (written by bench/run.mjs or bench/static-page.mjs; edits here are overwritten) -->";
export const staticEndMarker = "<!-- bench-static:end -->";

function status(pid) {
  try {
    return readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return "";
  }
}

function hwmKiB(pid) {
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status(pid))?.[1] ?? 0);
}

/** The chromium renderer processes under `rootPid`. */
function renderers(rootPid) {
  const children = new Map();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const ppid = Number(/^PPid:\s+(\d+)/m.exec(status(name))?.[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(Number(name));
  }
  const out = [];
  const walk = (pid) => {
    for (const c of children.get(pid) ?? []) {
      try {
        if (readFileSync(`/proc/${c}/cmdline`, "utf8").includes("--type=renderer")) out.push(c);
      } catch {}
      walk(c);
    }
  };
  walk(rootPid);
  return out;
}

/** The largest peak RSS among the browser's renderers: the tab's process. */
function tabPeakKiB(browserPid) {
  return Math.max(0, ...renderers(browserPid).map(hwmKiB));
}

/** Records, in the page, when the first window answer arrived (HTTP or from the worker) and each frame. */
const initScript = `
  window.__benchFrames = [];
  new MutationObserver(() => window.__benchFrames.push(performance.now())).observe(document, {
    subtree: true, attributes: true, attributeFilter: ["data-timeline-frames"],
  });
  addEventListener("change", () => { window.__benchPicked ??= performance.now(); }, true);
  const NativeWorker = window.Worker;
  window.Worker = function (...args) {
    const w = new NativeWorker(...args);
    w.addEventListener("message", (e) => {
      const r = e.data && e.data.result;
      if (r && Array.isArray(r.slices)) window.__benchWindowAt ??= performance.now();
    });
    return w;
  };
  window.Worker.prototype = NativeWorker.prototype;`;

async function launch() {
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  // playwright launches chromium under this process, one browser at a time here.
  return { browser, pid: process.pid };
}

/** A plain static server for dist/web (the test's), on loopback. */
async function staticServer() {
  const { startStaticServer } = await import("../dist/testing/static-server.js");
  return startStaticServer();
}

/** The static page: file input → first frame with data, and the tab's peak memory. */
export async function measureStaticPage(file) {
  const server = await staticServer();
  const { browser, pid } = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 900 }, deviceScaleFactor: 1 });
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await page.addInitScript(initScript);
    await page.goto(server.url);
    await page.setInputFiles('[data-testid="file-input"]', file);
    const handle = await page.waitForFunction(
      () => {
        const w = window.__benchWindowAt;
        const f = w === undefined ? undefined : window.__benchFrames.find((t) => t > w);
        return f === undefined ? false : f - window.__benchPicked;
      },
      undefined,
      { timeout: 15 * 60_000, polling: 50 },
    );
    const firstFrameSec = Number(await handle.jsonValue()) / 1000;
    const tabKiB = pid ? tabPeakKiB(pid) : undefined;
    return { firstFrameSec, tabKiB, errors };
  } finally {
    await browser.close();
    await server.close();
  }
}

/** gotrace view: command start → first frame with data; the server's and the tab's peak memory. */
export async function measureView(file) {
  const { browser, pid } = await launch();
  const page = await browser.newPage({ viewport: { width: 1600, height: 900 }, deviceScaleFactor: 1 });
  await page.addInitScript(initScript);
  const started = performance.now();
  const child = spawn(process.execPath, [gotraceMain, "view", "--no-open", "--http", "127.0.0.1:0", file], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  try {
    const url = await new Promise((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (b) => {
        out += b;
        const m = /^gotrace: serving .* at (http:\/\/\S+)$/m.exec(out);
        if (m) resolve(m[1]);
      });
      child.once("exit", (code) => reject(new Error(`gotrace view exited (${code})`)));
    });
    const navigatedMs = performance.now() - started;
    await page.goto(`${url}#/timeline`);
    const handle = await page.waitForFunction(
      () => {
        const w = performance.getEntriesByType("resource").find((e) => e.name.includes("/api/window"));
        const f = w && window.__benchFrames.find((t) => t > w.responseEnd);
        return f === undefined ? false : f;
      },
      undefined,
      { timeout: 15 * 60_000, polling: 50 },
    );
    const firstFrameSec = (navigatedMs + Number(await handle.jsonValue())) / 1000;
    return { firstFrameSec, serverKiB: hwmKiB(child.pid), tabKiB: pid ? tabPeakKiB(pid) : undefined };
  } finally {
    child.kill("SIGKILL");
    await browser.close();
  }
}

const median = (xs) => {
  const s = xs.filter((x) => x !== undefined).sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : undefined;
};
const mib = (kib) => (kib === undefined ? "?" : `${(kib / 1024).toFixed(0)} MiB`);

/** Measures each trace `runs` times (the two in turn); returns the results and the section's text. */
export async function runStaticPageBench({ traces, runs, log }) {
  const results = [];
  for (const trace of traces) {
    const page = [];
    const view = [];
    const notes = [];
    for (let run = 1; run <= runs; run++) {
      const where = `[run ${run}/${runs}] ${trace.file}`;
      try {
        const r = await measureStaticPage(trace.path);
        page.push(r);
        log(`  ${where} static page: first frame ${r.firstFrameSec.toFixed(2)} s, tab ${mib(r.tabKiB)}`);
        if (r.errors.length)
          notes.push(`Errors in the static page (run ${run}): ${r.errors.slice(0, 3).join("; ")}`);
      } catch (e) {
        notes.push(`The static page failed (run ${run}): ${String(e.message).split("\n")[0]}`);
        log(`  ${where} static page failed: ${e.message}`);
      }
      try {
        const r = await measureView(trace.path);
        view.push(r);
        log(
          `  ${where} gotrace view: first frame ${r.firstFrameSec.toFixed(2)} s, server ${mib(r.serverKiB)}, tab ${mib(r.tabKiB)}`,
        );
      } catch (e) {
        notes.push(`gotrace view failed (run ${run}): ${String(e.message).split("\n")[0]}`);
      }
    }
    results.push({ trace, page, view, notes });
  }
  return { results, section: formatStaticSection(results, runs) };
}

export function formatStaticSection(results, runs) {
  const out = [
    `Measured ${new Date().toISOString().replace(/\.\d+Z$/, "Z")}; each figure the median of ${runs} run(s).`,
    "",
  ];
  for (const { trace, page, view, notes } of results) {
    const p = median(page.map((r) => r.firstFrameSec));
    const v = median(view.map((r) => r.firstFrameSec));
    const ratio = p !== undefined && v !== undefined ? p / v : undefined;
    out.push(
      `### \`${trace.file}\`, ${(trace.bytes / 1e6).toFixed(trace.bytes < 1e7 ? 2 : 0)} MB`,
      "",
      "| what | first frame | peak memory | |",
      "|---|--:|--:|---|",
      `| static page (file input → first frame) | ${p === undefined ? "failed" : `${p.toFixed(2)} s`} | tab ${mib(median(page.map((r) => r.tabKiB)))} | ${ratio === undefined ? "" : `${ratio.toFixed(2)}× gotrace view: target ≤ 1.5×, ${ratio <= 1.5 ? "met" : "not met"}`} |`,
      `| \`gotrace view\` (command start → first frame) | ${v === undefined ? "failed" : `${v.toFixed(2)} s`} | server ${mib(median(view.map((r) => r.serverKiB)))}, tab ${mib(median(view.map((r) => r.tabKiB)))} | |`,
      "",
      ...notes.map((n) => `- ${n}`),
      ...(notes.length ? [""] : []),
    );
  }
  out.push(
    "The static page's clock starts when the file input reports the file and stops at the first frame the " +
      "timeline draws after the first window answer from the engine's Web Worker, both in the page. " +
      "Peak memory is VmHWM from /proc: the tab's is the chromium renderer process's (the page and its worker), " +
      "the server's is `gotrace view`'s process (reader, engine and analysis worker thread).",
  );
  return out.join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { execFileSync } = await import("node:child_process");
  const { writeBenchmarksMd } = await import("./report.mjs");
  const { ensureBigTrace, traceVersion } = await import("./traces.mjs");
  const { viewTraces } = await import("./view.mjs");
  const sh = (cmd, args) => execFileSync(cmd, args, { encoding: "utf8", cwd: repoDir }).trim();
  const localMinor = /^go1\.(\d+)/.exec(sh("go", ["env", "GOVERSION"]))[1];
  const traces =
    process.argv.length > 2
      ? process.argv
          .slice(2)
          .map((path) => ({ path, file: relative(repoDir, path), bytes: statSync(path).size }))
      : viewTraces({ ensureBigTrace, traceVersion, statSync, relative, localMinor }).slice(0, 1);
  const log = (m) => process.stderr.write(`${m}\n`);
  const { section } = await runStaticPageBench({ traces, runs: Number(process.env.BENCH_RUNS ?? 3), log });
  process.stdout.write(`${section}\n`);
  if (process.env.BENCH_NO_WRITE !== "1") {
    writeBenchmarksMd(join(repoDir, "BENCHMARKS.md"), section, {
      start: staticStartMarker,
      end: staticEndMarker,
    });
    log("wrote the static-page section of BENCHMARKS.md");
  }
}
