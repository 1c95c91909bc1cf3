// The `gotrace view` rows of `npm run bench`, on the big trace:
//
//  - first frame: from starting `gotrace view` to the first timeline frame
//    drawn with data in headless chromium (the browser is started before
//    the clock, as a user's would already be running), next to the time
//    `go tool trace` takes to print its URL on the same file;
//  - peak RSS of both (VmHWM from /proc, read while each still runs:
//    gotrace's after the whole zoom-and-pan session, Go's when it prints
//    its URL, since neither exits on its own);
//  - frame times (the UI's window.__gotraceFrameTimes, ms spent in each
//    render) while W is held from the whole trace down to a 1 µs window,
//    while D is held to pan there, while S is held back out to 2% of the
//    trace and while D pans there; p95 per phase and, zooming in, per
//    decade of the window's span.
//
// Run alone: node bench/view.mjs [FILE…] (rewrites the view section of
// BENCHMARKS.md unless BENCH_NO_WRITE=1, and keeps the measurements in
// bench/out/view-results.json; BENCH_VIEW_FROM_JSON=1 only reformats
// those), or through run.mjs.
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoDir = dirname(benchDir);
const chromiumPath = process.env.GOTRACE_CHROMIUM ?? "/usr/bin/chromium";
/** The gotrace command measured; BENCH_GOTRACE_MAIN points at another build (say, a patched copy). */
const gotraceMain = process.env.BENCH_GOTRACE_MAIN ?? join(repoDir, "dist", "cli", "main.js");
const chromiumArgs = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"];

/** Peak resident set size of a running process, in KiB. */
function peakRssKiB(pid) {
  const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : undefined;
}

/** Spawns a server and resolves when a line of its output matches `pattern`. */
function startUntil(cmd, args, pattern, { env, timeoutMs }) {
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${cmd}: no URL within ${timeoutMs / 1000} s:\n${out.slice(-2000)}`));
    }, timeoutMs);
    const onData = (b) => {
      out += b.toString();
      const m = pattern.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1], output: () => out });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} exited (${code ?? signal}) before serving:\n${out.slice(-2000)}`));
    });
  });
}

function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

function percentile(xs, p) {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

/**
 * Above this resident size go tool trace is stopped and reported as not
 * having finished: on the 210 MB trace it grew past 24 GiB while splitting
 * and the kernel's OOM killer ended it (and could as well have ended other
 * work on a shared machine). BENCH_GO_RSS_CAP_GIB overrides; default 60% of
 * memory.
 */
const goRssCapKiB = Number(process.env.BENCH_GO_RSS_CAP_GIB ?? (0.6 * totalmem()) / 2 ** 30) * 2 ** 20;

/**
 * go tool trace -http: seconds until it prints its URL, and its peak RSS
 * then; or, if it passes the RSS cap or dies first, how long it ran, how
 * far it got ("… processed" lines, then "Splitting trace") and its peak RSS.
 */
export async function measureGoToolTrace(goTraceTool, file) {
  const started = performance.now();
  const child = spawn(goTraceTool, ["-http=127.0.0.1:0", file], {
    stdio: ["ignore", "pipe", "pipe"],
    // Its browser.Open tries $BROWSER first: make that a no-op.
    env: { ...process.env, BROWSER: "true" },
  });
  let out = "";
  let peakKiB = 0;
  let capped = false;
  const sample = () => {
    try {
      peakKiB = Math.max(peakKiB, peakRssKiB(child.pid) ?? 0);
      const rss = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1]);
      if (rss > goRssCapKiB && !capped) {
        capped = true;
        child.kill("SIGKILL");
      }
    } catch {
      // Exited between two samples.
    }
  };
  const timer = setInterval(sample, 200);
  const result = await new Promise((resolve) => {
    const onData = (b) => {
      out += b.toString();
      if (/listening on (\S+)/.test(out)) {
        sample();
        resolve({ ok: true, urlSec: (performance.now() - started) / 1000, rssKiB: peakKiB });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code, signal) => {
      const lines = out.trim().split("\n");
      resolve({
        ok: false,
        sec: (performance.now() - started) / 1000,
        rssKiB: peakKiB,
        why: capped
          ? `stopped at the ${(goRssCapKiB / 2 ** 20).toFixed(1)} GiB RSS cap`
          : `exited (${code ?? signal}${signal === "SIGKILL" ? ", the OOM killer?" : ""})`,
        lastLine: (lines[lines.length - 1] ?? "").replace(/^\S+ \S+ /, ""),
      });
    });
  });
  clearInterval(timer);
  await stop(child);
  return result;
}

/** gotrace view in headless chromium: first frame, frame times while zooming and panning, peak RSS. */
export async function measureGotraceView(file, { zoomToNs = 1000, panMs = 4000, keepBrowser } = {}) {
  const browser =
    keepBrowser ?? (await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs }));
  const page = await browser.newPage({ viewport: { width: 1600, height: 900 }, deviceScaleFactor: 1 });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.addInitScript(`
    window.__benchFrames = [];
    // Intervals between animation frames: the page's real frame rate,
    // including what blocks the main thread between renders (JSON parsing).
    window.__benchIntervals = [];
    let lastRaf = 0;
    const raf = (t) => {
      if (lastRaf) window.__benchIntervals.push(t - lastRaf);
      if (window.__benchIntervals.length > 5000) window.__benchIntervals.splice(0, 4000);
      lastRaf = t;
      requestAnimationFrame(raf);
    };
    requestAnimationFrame(raf);
    new MutationObserver(() => window.__benchFrames.push(performance.now())).observe(document, {
      subtree: true,
      attributes: true,
      attributeFilter: ["data-timeline-frames"],
    });`);
  const started = performance.now();
  const view = await startUntil(
    process.execPath,
    [gotraceMain, "view", "--no-open", "--http", "127.0.0.1:0", file],
    /^gotrace: serving .* at (http:\/\/\S+)$/m,
    { timeoutMs: 10 * 60_000 },
  );
  const servedSec = (performance.now() - started) / 1000;
  try {
    // The first frame with data: the first frame drawn after the first
    // window answer arrived, both timed inside the page (frames by watching
    // the counter the timeline keeps on <html>).
    const navigatedMs = performance.now() - started;
    await page.goto(`${view.url}#/timeline`);
    // A function, not a string: the page's CSP forbids eval, which
    // playwright uses for string predicates.
    const firstDataFrameMs = await page.waitForFunction(
      () => {
        const w = performance.getEntriesByType("resource").find((e) => e.name.includes("/api/window"));
        const f = w && window.__benchFrames.find((t) => t > w.responseEnd);
        return f === undefined ? false : f;
      },
      undefined,
      { timeout: 10 * 60_000 },
    );
    const firstFrameSec = (navigatedMs + Number(await firstDataFrameMs.jsonValue())) / 1000;

    // Hold keys with the mouse over the tracks, polling every 50 ms for the
    // window (the timeline's probe) and the frames drawn since the last poll.
    const box = await page.locator("canvas").first().boundingBox();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
    const poll = () =>
      page.evaluate(`(() => {
        const w = window.__gotraceTimeline?.window();
        return {
          span: w ? w.endNs - w.startNs : NaN,
          n: Number(document.documentElement.dataset.timelineFrames || 0),
          times: window.__gotraceFrameTimes.slice(),
          intervals: window.__benchIntervals.splice(0),
        };
      })()`);
    let last = await poll();
    const durationNs = last.span;
    const byDecade = new Map();
    /** Holds `key` until `done(span)` or `maxMs`; returns the frame times of the phase. */
    const hold = async (key, done, maxMs) => {
      const frames = [];
      const intervals = [];
      const t0 = performance.now();
      await page.keyboard.down(key);
      while (!done(last.span) && performance.now() - t0 < maxMs) {
        await page.waitForTimeout(50);
        const now = await poll();
        // The array keeps the last ~1000 frames: the new ones are at its end.
        const fresh = now.times.slice(Math.max(0, now.times.length - (now.n - last.n)));
        frames.push(...fresh);
        intervals.push(...now.intervals);
        const decade = Math.floor(Math.log10(Math.max(now.span, 1)));
        if (key === "w" && Number.isFinite(decade)) {
          if (!byDecade.has(decade)) byDecade.set(decade, []);
          byDecade.get(decade).push(...fresh);
        }
        last = now;
      }
      await page.keyboard.up(key);
      return { frames, intervals, sec: (performance.now() - t0) / 1000 };
    };
    const zoomIn = await hold("w", (span) => span <= zoomToNs, 120_000);
    const reachedNs = last.span;
    const panFine = await hold("d", () => false, panMs);
    // Back out to 2% of the trace, where a window holds the most merged
    // items and panning keeps fetching, and pan there too.
    const zoomOut = await hold("s", (span) => span >= durationNs / 50, 120_000);
    const panWide = await hold("d", () => false, panMs);

    const rssKiB = peakRssKiB(view.child.pid);
    const decades = [...byDecade.entries()]
      .sort((a, b) => b[0] - a[0])
      .map(([decade, xs]) => ({ decade, frames: xs.length, p95Ms: percentile(xs, 95) }));
    const phase = (p) => ({
      sec: p.sec,
      frames: p.frames.length,
      p95Ms: percentile(p.frames, 95),
      intervalP95Ms: percentile(p.intervals, 95),
    });
    const all = [zoomIn, panFine, zoomOut, panWide].flatMap((p) => p.frames);
    return {
      servedSec,
      firstFrameSec,
      rssKiB,
      durationNs,
      zoom: { ...phase(zoomIn), reachedNs },
      pan: phase(panFine),
      zoomOut: phase(zoomOut),
      panWide: phase(panWide),
      all: { p95Ms: percentile(all, 95), maxMs: Math.max(...all) },
      decades,
      errors,
    };
  } finally {
    await page.close().catch(() => {});
    if (!keepBrowser) await browser.close().catch(() => {});
    await stop(view.child);
  }
}

export const viewStartMarker =
  "<!-- bench-view:start (written by bench/run.mjs or bench/view.mjs; edits here are overwritten) -->";
export const viewEndMarker = "<!-- bench-view:end -->";

function median(xs) {
  const s = xs.filter((x) => x !== undefined).sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? undefined : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

const fixed = (x, d) => (x === undefined || Number.isNaN(x) ? "–" : x.toFixed(d));
const mib = (kib) => (kib === undefined ? undefined : kib / 1024);

function spanName(decade) {
  const units = [
    [9, "s"],
    [6, "ms"],
    [3, "µs"],
    [0, "ns"],
  ];
  const [exp, unit] = units.find(([e]) => decade >= e) ?? [0, "ns"];
  return `${10 ** (decade - exp)} ${unit}`;
}

/** The rows of one trace: the comparison with go tool trace, frame times, per-decade p95. */
function formatViewTrace({ trace, gotrace, go, notes }) {
  const out = [`### \`${trace.file}\`, ${(trace.bytes / 1e6).toFixed(1)} MB`, ""];
  const g = (f) => median(gotrace.map(f));
  const firstFrame = g((r) => r.firstFrameSec);
  const served = g((r) => r.servedSec);
  const rss = g((r) => r.rssKiB);
  // Go either printed its URL (ok) or did not finish: then its time and
  // memory are lower bounds, and the ratios upper bounds.
  const goDone = go.filter((r) => r.ok);
  const goFailed = go.find((r) => !r.ok);
  const goUrl = goDone.length ? median(goDone.map((r) => r.urlSec)) : goFailed?.sec;
  const goRss = median((goDone.length ? goDone : go).map((r) => r.rssKiB));
  const bound = !goDone.length && goFailed ? "> " : "";
  const under = !goDone.length && goFailed ? "< " : "";
  const ratio = (a, b) => (a !== undefined && b !== undefined ? `${under}${fixed(a / b, 2)}` : "–");
  const met = (ok) => (ok === undefined ? "–" : ok ? "yes" : "no");
  // With Go stopped early its time is a lower bound: a ratio bound above
  // the target says nothing either way.
  const firstRatio = firstFrame !== undefined && goUrl !== undefined ? firstFrame / goUrl : undefined;
  const firstFrameMet =
    firstRatio === undefined
      ? "–"
      : firstRatio < 1 / 3
        ? "yes"
        : bound
          ? "not shown (Go did not finish)"
          : "no";
  const row = (what, phaseOf) => {
    const p95 = g((r) => phaseOf(r).p95Ms);
    const frames = fixed(
      g((r) => phaseOf(r).frames),
      0,
    );
    const sec = fixed(
      g((r) => phaseOf(r).sec),
      1,
    );
    const interval = fixed(
      g((r) => phaseOf(r).intervalP95Ms),
      1,
    );
    return (
      `| frame time p95 ${what} (${frames} frames in ${sec} s; p95 interval between frames ${interval}), ms | ` +
      `${fixed(p95, 1)} | – | | ≤ 16 | ${met(p95 === undefined ? undefined : p95 <= 16)} |`
    );
  };
  out.push(
    "| measure | gotrace view | go tool trace | gotrace ÷ Go | target | met? |",
    "|---|--:|--:|--:|---|---|",
    `| start → first timeline frame with data (gotrace) / URL printed (Go), s | ${fixed(firstFrame, 2)} | ` +
      `${bound}${fixed(goUrl, 2)} | ${ratio(firstFrame, goUrl)} | < 0.33 | ` +
      `${firstFrameMet} |`,
    `| start → URL printed, s | ${fixed(served, 2)} | ${bound}${fixed(goUrl, 2)} | ${ratio(served, goUrl)} | | |`,
    `| peak RSS, MiB | ${fixed(mib(rss), 0)} | ${bound}${fixed(mib(goRss), 0)} | ${ratio(rss, goRss)} | < 1 | ` +
      `${met(rss !== undefined && goRss !== undefined ? rss < goRss : undefined)} |`,
    row(
      `zooming from the whole trace to ${fixed(
        g((r) => r.zoom.reachedNs),
        0,
      )} ns`,
      (r) => r.zoom,
    ),
    row("panning at that zoom", (r) => r.pan),
    row("zooming back out to 2% of the trace", (r) => r.zoomOut),
    row("panning at 2% of the trace", (r) => r.panWide),
    `| slowest frame of the session, ms | ${fixed(
      g((r) => r.all.maxMs),
      1,
    )} | – | | | |`,
    "",
  );
  // Per decade of the window's span, from the first run (a median of p95s
  // over runs with different frame counts would mean little).
  const decades = gotrace[0]?.decades ?? [];
  if (decades.length) {
    out.push(
      "Frame time p95 while zooming, by the window's span (first run):",
      "",
      `| span ≥ | ${decades.map((d) => spanName(d.decade)).join(" | ")} |`,
      `|---|${decades.map(() => "--:").join("|")}|`,
      `| frames | ${decades.map((d) => d.frames).join(" | ")} |`,
      `| p95 ms | ${decades.map((d) => fixed(d.p95Ms, 1)).join(" | ")} |`,
      "",
    );
  }
  const allNotes = [...notes];
  if (goFailed && !goDone.length) {
    allNotes.push(
      `go tool trace did not print its URL: ${goFailed.why} after ${goFailed.sec.toFixed(0)} s, ` +
        `at ${(goFailed.rssKiB / 2 ** 20).toFixed(1)} GiB; its last line: "${goFailed.lastLine}". ` +
        "Its figures are lower bounds.",
    );
  }
  if (allNotes.length) out.push(...allNotes.map((n) => `- ${n}`), "");
  return out;
}

/** The Markdown of the view section: where it was measured, then each trace's rows. */
export function formatViewSection({ env, results, runs }) {
  const out = [`Measured ${env.date} on ${env.commit}.`, ""];
  out.push(
    `- Machine: ${env.machine}; Node ${env.node}; ${env.go}; ${env.chromium}, headless, ` +
      "software rendering (--disable-gpu), a 1600×900 page.",
    `- 1-minute load average: ${env.load} the measurements (above ${env.nproc} means other work shared the cores).`,
    `- Each figure is the median of ${runs} run(s), gotrace and Go taken in turn; a Go run that did not finish is not repeated.`,
    "",
  );
  for (const r of results) out.push(...formatViewTrace(r));
  out.push(
    "gotrace's first frame counts from starting `node dist/cli/main.js view --no-open` (chromium already " +
      "running, as a user's browser would be) to the first frame the timeline draws after the first " +
      "`/api/window` answer arrived, timed in the page. go tool trace counts from its start to printing " +
      "`Trace viewer is listening on`, after which a browser would still have to load a split of its JSON. " +
      "Peak RSS is VmHWM from /proc: gotrace's after the whole zoom-and-pan session (server and analysis " +
      "worker together), Go's when it prints its URL (or stops). Frame times are what the timeline reports " +
      "in `window.__gotraceFrameTimes`: the synchronous render of one frame. The interval between frames is " +
      "measured by the benchmark's own requestAnimationFrame loop, so it also counts what held the main " +
      "thread between renders (parsing window answers); 16.7 ms is every frame at 60 Hz.",
  );
  return out.join("\n");
}

/**
 * The traces the view rows use, made once and cached in bench/out/: the
 * ≥200 MiB one the issue names, and a 50 MiB one from the same program,
 * small enough for go tool trace to finish in this machine's memory.
 */
export function viewTraces({ ensureBigTrace, traceVersion, statSync, relative, localMinor }) {
  const outDir = join(benchDir, "out");
  return [
    { name: `big-go1.${localMinor}.trace`, sizeMiB: 200 },
    { name: `big-go1.${localMinor}-50MiB.trace`, sizeMiB: 50 },
  ].map(({ name, sizeMiB }) => {
    const { path } = ensureBigTrace({ repoDir, outDir, name, toolchain: "local", sizeMiB, timeoutSec: 300 });
    const bytes = statSync(path).size;
    return { path, file: relative(repoDir, path), bytes, version: traceVersion(path) };
  });
}

/**
 * Measures each trace `runs` times (gotrace and Go in turn); returns the
 * results and the section. Used by run.mjs and by this file run alone.
 */
export async function runViewBench({ traces, runs, env, goTraceTool, log }) {
  const results = [];
  for (const trace of traces) {
    const notes = [];
    const gotrace = [];
    const go = [];
    for (let run = 1; run <= runs; run++) {
      const where = `[run ${run}/${runs}] ${trace.file}`;
      try {
        const r = await measureGotraceView(trace.path);
        gotrace.push(r);
        log(
          `  ${where} gotrace view: URL ${r.servedSec.toFixed(2)} s, first frame ${r.firstFrameSec.toFixed(2)} s, ${(r.rssKiB / 1024).toFixed(0)} MiB, ` +
            `p95 zoom ${fixed(r.zoom.p95Ms, 1)} ms, pan ${fixed(r.pan.p95Ms, 1)} ms`,
        );
        if (r.errors.length)
          notes.push(`Errors in the page (run ${run}): ${r.errors.slice(0, 3).join("; ")}`);
      } catch (e) {
        notes.push(`gotrace view failed (run ${run}): ${String(e.message).split("\n")[0]}`);
        log(`  ${where} gotrace view failed: ${e.message}`);
      }
      // A Go run that did not finish would not finish again: once is enough.
      if (process.env.BENCH_VIEW_GO === "0" || go.some((r) => !r.ok)) continue;
      const r = await measureGoToolTrace(goTraceTool, trace.path);
      go.push(r);
      log(
        r.ok
          ? `  ${where} go tool trace: URL after ${r.urlSec.toFixed(2)} s, ${(r.rssKiB / 1024).toFixed(0)} MiB`
          : `  ${where} go tool trace: ${r.why} after ${r.sec.toFixed(0)} s, ${(r.rssKiB / 1024).toFixed(0)} MiB; ${r.lastLine}`,
      );
    }
    results.push({ trace, gotrace, go, notes });
  }
  return { results, section: () => formatViewSection({ env: env(), results, runs }) };
}

/** Where and on what the view rows were measured. */
export function viewEnv(sh, os, loadBefore) {
  const head = sh("git", ["rev-parse", "--short", "HEAD"]);
  const dirty = sh("git", ["status", "--porcelain", "--", "src"]) !== "";
  const cpu =
    /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1]?.trim() ?? "unknown CPU";
  let chromiumVersion = "chromium";
  try {
    chromiumVersion = sh(chromiumPath, ["--version"])
      .split("\n")
      .pop()
      .replace(/ built on.*/, "");
  } catch {}
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    commit: dirty ? `commit ${head} with uncommitted changes in src/` : `commit ${head}`,
    machine: `${os.availableParallelism()} cores, ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}`,
    nproc: os.availableParallelism(),
    node: process.version,
    go: sh("go", ["version"]).replace(/^go version go(\S+) (\S+)$/, "Go $1 ($2)"),
    chromium: chromiumVersion,
    load: `${loadBefore.toFixed(2)} before, ${os.loadavg()[0].toFixed(2)} after`,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // Alone: node bench/view.mjs [FILE…] measures and rewrites the view section of BENCHMARKS.md.
  const { execFileSync } = await import("node:child_process");
  const { statSync } = await import("node:fs");
  const { relative } = await import("node:path");
  const os = await import("node:os");
  const { writeBenchmarksMd } = await import("./report.mjs");
  const { ensureBigTrace, traceVersion } = await import("./traces.mjs");
  const sh = (cmd, args) => execFileSync(cmd, args, { encoding: "utf8", cwd: repoDir }).trim();
  const localMinor = /^go1\.(\d+)/.exec(sh("go", ["env", "GOVERSION"]))[1];
  const traces =
    process.argv.length > 2
      ? process.argv
          .slice(2)
          .map((path) => ({ path, file: relative(repoDir, path), bytes: statSync(path).size }))
      : viewTraces({ ensureBigTrace, traceVersion, statSync, relative, localMinor });
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const log = (m) => process.stderr.write(`${m}\n`);
  const saved = join(benchDir, "out", "view-results.json");
  let text;
  if (process.env.BENCH_VIEW_FROM_JSON === "1") {
    // Only reformat the last run's saved measurements.
    text = formatViewSection(JSON.parse(readFileSync(saved, "utf8")));
  } else {
    const loadBefore = os.loadavg()[0];
    const { results } = await runViewBench({
      traces,
      runs,
      goTraceTool: sh("go", ["tool", "-n", "trace"]),
      log,
      env: () => viewEnv(sh, os, loadBefore),
    });
    const measured = { env: viewEnv(sh, os, loadBefore), results, runs };
    writeFileSync(saved, `${JSON.stringify(measured, null, 2)}\n`);
    text = formatViewSection(measured);
  }
  process.stdout.write(`${text}\n`);
  if (process.env.BENCH_NO_WRITE !== "1") {
    writeBenchmarksMd(join(repoDir, "BENCHMARKS.md"), text, { start: viewStartMarker, end: viewEndMarker });
    log("wrote the view section of BENCHMARKS.md");
  }
}
