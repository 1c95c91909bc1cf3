// The overview, the tasks and regions, mutator utilization (MMU) and the cpu
// profile read from the model (dist/analysis/overview-model.js, dist/stream/{annotations,mmu,cpu}-model.js)
// against the event-driven analyzers that gotrace view's analysis worker runs
// today, on one trace:
//
//  - each analyzer: its own pass over the trace's events (OverviewAnalyzer
//    with OverviewSeriesAnalyzer, TasksAnalyzer, MutatorUtilAnalyzer with the
//    default GC choice beside the MMU event log, BlockingProfileAnalyzer for
//    the cpu profile), then its result;
//  - the model: the timeline built once (as gotrace view already does), then
//    each answer from it: the overview and its series, the annotations, the
//    default MMU series and one other GC choice (per P), the cpu profile and
//    one filtered cpu profile; and how many bytes the replay log takes.
//
// Each side runs in a fresh process. Go's reader (bench/goparse) runs first
// on the same file for the ratio.
// Usage: npm run build && node bench/model-analyses-2.mjs [FILE]
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
export const modelAnalyses2StartMarker =
  "<!-- bench-model-analyses-2:start (written by bench/model-analyses-2.mjs; edits here are overwritten) -->";
export const modelAnalyses2EndMarker = "<!-- bench-model-analyses-2:end -->";

const dist = (p) => new URL(`../dist/${p}`, import.meta.url).href;

function seconds(t0) {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** The default MMU's flags (the MMU page's first curve) and another choice: everything, per P. */
const otherFlags = 1 | 2 | 4 | 8 | 16;

/** Child mode: measure one side in a fresh process and print one JSON line. */
async function child(side, path) {
  const { runAnalyzers } = await import(dist("stream/analyzer.js"));
  const { defaultMMUInclude, mmuUtilFlags } = await import(dist("query/analysis/mmu.js"));
  const defaultFlags = mmuUtilFlags(defaultMMUInclude, false);
  const out = {};
  const stream = () => createReadStream(path, { highWaterMark: 1 << 20 });
  const time = async (name, f) => {
    const t = process.hrtime.bigint();
    const r = await f();
    out[name] = seconds(t);
    return r;
  };
  if (side === "analyzers") {
    const { OverviewAnalyzer } = await import(dist("stream/overview.js"));
    const { OverviewSeriesAnalyzer } = await import(dist("query/analysis/overview.js"));
    const { TasksAnalyzer } = await import(dist("stream/tasks.js"));
    const { MutatorUtilAnalyzer } = await import(dist("stream/mutator-util.js"));
    const { MMUEventLog } = await import(dist("stream/mmu-log.js"));
    const { BlockingProfileAnalyzer } = await import(dist("stream/pprof.js"));
    await time("overviewS", async () => {
      const o = new OverviewAnalyzer();
      const s = new OverviewSeriesAnalyzer();
      await runAnalyzers(stream(), [o, s]);
      const r = o.finalize();
      s.finalize(r.firstNs, r.lastNs);
    });
    await time("annotationsS", async () => {
      const a = new TasksAnalyzer();
      await runAnalyzers(stream(), [a]);
      a.finalize();
    });
    const log = await time("mmuS", async () => {
      const u = new MutatorUtilAnalyzer(defaultFlags);
      const log = new MMUEventLog();
      await runAnalyzers(stream(), [u, log]);
      u.finalize();
      return log.finalize();
    });
    await time("mmuOtherS", () => {
      const u = new MutatorUtilAnalyzer(otherFlags);
      log.replay(u);
      u.finalize();
    });
    const profiles = await time("cpuS", async () => {
      const b = new BlockingProfileAnalyzer({ regions: true });
      await runAnalyzers(stream(), [b]);
      const p = b.finalize();
      p.records("cpu");
      return p;
    });
    await time("cpuRangeS", () => {
      const d = profiles.endNs - profiles.firstNs;
      profiles.records("cpu", {
        range: { startNs: profiles.firstNs + d / 4, endNs: profiles.firstNs + d / 2 },
      });
    });
  } else {
    const { buildTimeline } = await import(dist("query/timeline/build.js"));
    const { overviewFromModel } = await import(dist("analysis/overview-model.js"));
    const { overviewSeriesFromModel } = await import(dist("query/analysis/overview.js"));
    const { annotationsFromModel } = await import(dist("stream/annotations-model.js"));
    const { mutatorUtilFromModel } = await import(dist("stream/mmu-model.js"));
    const { cpuProfileFromModel } = await import(dist("stream/cpu-model.js"));
    const built = await time("timelineS", () => buildTimeline(stream()));
    const tl = built.engine.tl;
    const opts = { damaged: built.error !== undefined };
    out.replayLogMiB = tl.replayLog.bytes / 2 ** 20;
    out.replayLogEvents = tl.replayLog.kept;
    out.events = tl.events;
    await time("overviewS", () => {
      const o = overviewFromModel(tl, opts);
      overviewSeriesFromModel(tl, o.firstNs, o.lastNs);
    });
    await time("annotationsS", () => annotationsFromModel(tl, opts));
    await time("mmuS", () => mutatorUtilFromModel(tl, defaultFlags, opts));
    await time("mmuOtherS", () => mutatorUtilFromModel(tl, otherFlags, opts));
    const cpu = await time("cpuS", () => {
      const c = cpuProfileFromModel(tl, opts);
      c.records();
      return c;
    });
    await time("cpuRangeS", () => {
      const d = tl.durationNs;
      const first = tl.overviewCounts.firstNs;
      cpu.records({ range: { startNs: first + d / 4, endNs: first + d / 2 } });
    });
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

export async function runModelAnalyses2Bench(path) {
  const go = goRead(path);
  const a = run("analyzers", path);
  const m = run("model", path);
  const f = (s) => `${s.toFixed(2)} s`;
  const ratio = (s) => `${(s / go).toFixed(2)}×`;
  const when = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const load = os.loadavg()[0].toFixed(2);
  const row = (what, analyzer, model) => `| ${what} | ${f(analyzer)} (${ratio(analyzer)}) | ${f(model)} |`;
  return [
    "### Overview, tasks and regions, MMU and the cpu profile from the model",
    "",
    `Measured ${when} on ${os.cpus().length} × ${os.cpus()[0]?.model ?? "?"}, Node ${process.version}, one run each, 1-minute load ${load} afterwards; \`${relative(repoDir, path)}\` (${(statSync(path).size / 2 ** 20).toFixed(1)} MiB, ${m.events} events), Go's read (x/exp/trace) ${f(go)}.`,
    "",
    `The model's side builds the timeline once (${f(m.timelineS)}, ${ratio(m.timelineS)} Go's read; its replay log keeps ${m.replayLogEvents} events in ${m.replayLogMiB.toFixed(1)} MiB), then answers each question from it. The analyzers' side reads the trace again for each.`,
    "",
    "| answer | analyzer: its own pass (÷ Go's read) | model, after the timeline |",
    "|---|--:|--:|",
    row("overview and its series", a.overviewS, m.overviewS),
    row("tasks, regions and logs", a.annotationsS, m.annotationsS),
    row("MMU, default GC choice (analyzer: with the MMU event log)", a.mmuS, m.mmuS),
    `| MMU, another GC choice (all GC work, per P) | ${f(a.mmuOtherS)} (replay of the MMU event log) | ${f(m.mmuOtherS)} |`,
    row("cpu profile", a.cpuS, m.cpuS),
    `| cpu profile, a quarter of the trace | ${f(a.cpuRangeS)} | ${f(m.cpuRangeS)} |`,
    `| peak RSS | ${a.maxRssMiB.toFixed(0)} MiB | ${m.maxRssMiB.toFixed(0)} MiB |`,
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
  const section = await runModelAnalyses2Bench(path);
  process.stdout.write(`${section}\n`);
  if (process.env.BENCH_NO_WRITE !== "1") {
    writeBenchmarksMd(join(repoDir, "BENCHMARKS.md"), section, {
      start: modelAnalyses2StartMarker,
      end: modelAnalyses2EndMarker,
    });
  }
}
