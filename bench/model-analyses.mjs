// The goroutine summaries and the scheduler latency read from the model
// (dist/analysis/goroutine-summaries.js, dist/analysis/state-sched-latency.js)
// against their event-driven analyzers (GoroutineAnalyzer and
// SchedLatencyAnalyzer, what gotrace view's analysis worker and the
// goroutines and schedlat commands run today), on one trace, each side in
// a fresh process:
//
//  - each analyzer: one pass over the trace's events, then its result;
//  - the model: the timeline built once (as gotrace view already does), then
//    each analysis from it.
//
// Go's reader (bench/goparse) runs first on the same file for the ratio.
// Usage: npm run build && node bench/model-analyses.mjs [FILE]
// (default: the ≥200 MiB trace, made if missing). Prints a Markdown section
// and rewrites its part of BENCHMARKS.md unless BENCH_NO_WRITE=1.
import { execFileSync } from "node:child_process";
import { createReadStream, existsSync, statSync } from "node:fs";
import os from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { writeBenchmarksMd } from "./report.mjs";
import { ensureBigTrace } from "./traces.mjs";

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoDir = dirname(benchDir);
export const modelAnalysesStartMarker =
  "<!-- bench-model-analyses:start (written by bench/model-analyses.mjs; edits here are overwritten) -->";
export const modelAnalysesEndMarker = "<!-- bench-model-analyses:end -->";

/** What the analysis pages ask for: as many longest waits as gotrace view lists. */
const worstCount = 50;

const dist = (p) => new URL(`../dist/${p}`, import.meta.url).href;

function seconds(t0) {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** Child mode: measure one side in a fresh process and print one JSON line. */
async function child(side, path) {
  const out = {};
  const stream = () => createReadStream(path, { highWaterMark: 1 << 20 });
  if (side === "goroutines" || side === "schedlat") {
    const { runAnalyzers } = await import(dist("stream/analyzer.js"));
    const { GoroutineAnalyzer } = await import(dist("stream/goroutines.js"));
    const { SchedLatencyAnalyzer } = await import(dist("stream/sched-latency.js"));
    const t = process.hrtime.bigint();
    const analyzer = side === "goroutines" ? new GoroutineAnalyzer() : new SchedLatencyAnalyzer(worstCount);
    await runAnalyzers(stream(), [analyzer]);
    if (side === "schedlat") out.waits = analyzer.waits().length;
    out.result = analyzer.finalize();
    out.passS = seconds(t);
  } else {
    const { buildTimeline } = await import(dist("query/timeline/build.js"));
    const { goroutineSummaries } = await import(dist("analysis/goroutine-summaries.js"));
    const { schedLatencyFromModel, schedWaitsFromModel } = await import(
      dist("analysis/state-sched-latency.js")
    );
    let t = process.hrtime.bigint();
    const built = await buildTimeline(stream());
    out.timelineS = seconds(t);
    const tl = built.engine.tl;
    t = process.hrtime.bigint();
    out.goroutines = goroutineSummaries(tl).goroutines.length;
    out.goroutinesS = seconds(t);
    t = process.hrtime.bigint();
    out.sched = schedLatencyFromModel(tl, worstCount).overall.count;
    out.waits = schedWaitsFromModel(tl).length;
    out.schedS = seconds(t);
  }
  if (out.result) {
    // Only the size crosses to the parent: the result itself is large.
    out.count = out.result.goroutines?.length ?? out.result.overall.count;
    delete out.result;
  }
  out.maxRssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function goRead(path) {
  const goparse = join(benchDir, "goparse");
  const bin = join(benchDir, "out", "goparse");
  if (!existsSync(bin)) execFileSync("go", ["build", "-o", bin, "."], { cwd: goparse });
  const t = process.hrtime.bigint();
  execFileSync(bin, [path], { stdio: ["ignore", "ignore", "inherit"] });
  return seconds(t);
}

function run(side, path) {
  const out = execFileSync(
    process.execPath,
    ["--max-old-space-size=16000", fileURLToPath(import.meta.url), "--child", side, path],
    { encoding: "utf8", maxBuffer: 1 << 20 },
  );
  return JSON.parse(out.trim().split("\n").pop());
}

export async function runModelAnalysesBench(path) {
  const go = goRead(path);
  const g = run("goroutines", path);
  const s = run("schedlat", path);
  const m = run("model", path);
  if (m.goroutines !== g.count || m.sched !== s.count || m.waits !== s.waits)
    throw new Error(
      `the model's answers differ from the analyzers': ${m.goroutines} vs ${g.count} goroutines, ${m.sched} vs ${s.count} waits`,
    );
  const f = (x) => `${x.toFixed(2)} s`;
  const ratio = (x) => `${(x / go).toFixed(2)}×`;
  const when = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const load = os.loadavg()[0].toFixed(2);
  return [
    "### Goroutine summaries and scheduler latency from the model",
    "",
    `Measured ${when} on ${os.cpus().length} × ${os.cpus()[0]?.model ?? "?"}, Node ${process.version}, one run each, 1-minute load ${load} afterwards; \`${relative(repoDir, path)}\` (${(statSync(path).size / 2 ** 20).toFixed(1)} MiB, ${g.count} goroutines, ${s.count} waits), Go's read (x/exp/trace) ${f(go)}.`,
    "",
    "| step | time | ÷ Go's read | peak RSS |",
    "|---|--:|--:|--:|",
    `| GoroutineAnalyzer: one pass over the events | ${f(g.passS)} | ${ratio(g.passS)} | ${g.maxRssMiB.toFixed(0)} MiB |`,
    `| SchedLatencyAnalyzer: one pass over the events | ${f(s.passS)} | ${ratio(s.passS)} | ${s.maxRssMiB.toFixed(0)} MiB |`,
    `| model: timeline built (as gotrace view does anyway) | ${f(m.timelineS)} | ${ratio(m.timelineS)} | ${m.maxRssMiB.toFixed(0)} MiB (with both below) |`,
    `| model: goroutine summaries after it | ${f(m.goroutinesS)} | ${ratio(m.goroutinesS)} | |`,
    `| model: scheduler latency and its waits after it | ${f(m.schedS)} | ${ratio(m.schedS)} | |`,
  ].join("\n");
}

if (process.argv[2] === "--child") {
  await child(process.argv[3], process.argv[4]);
} else if (import.meta.url === `file://${process.argv[1]}`) {
  const minor = /^go1\.(\d+)/.exec(
    execFileSync("go", ["env", "GOVERSION"], {
      encoding: "utf8",
      env: { ...process.env, GOTOOLCHAIN: "local" },
    }),
  )[1];
  const path =
    process.argv[2] ??
    ensureBigTrace({
      repoDir,
      outDir: join(benchDir, "out"),
      name: `big-go1.${minor}.trace`,
      toolchain: "local",
      sizeMiB: 200,
      timeoutSec: 600,
    }).path;
  const section = await runModelAnalysesBench(path);
  process.stdout.write(`${section}\n`);
  if (process.env.BENCH_NO_WRITE !== "1") {
    writeBenchmarksMd(join(repoDir, "BENCHMARKS.md"), section, {
      start: modelAnalysesStartMarker,
      end: modelAnalysesEndMarker,
    });
  }
}
