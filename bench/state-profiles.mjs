// The blocking profiles read from the model (dist/analysis/state-profiles.js)
// against the event-driven analyzer (BlockingProfileAnalyzer, what gotrace
// view's analysis worker runs today), on one trace, in one process:
//
//  - the analyzer: one pass over the trace's events keeping every interval
//    for filters, then the four unfiltered profiles;
//  - the model: the timeline built once (as gotrace view already does), then
//    the first question (which makes the four profiles' interval columns in
//    one walk over the goroutine states), then each unfiltered profile, a
//    time-range, a goroutine-group and a region question.
//
// Go's reader (bench/goparse) runs first on the same file for the ratio.
// Usage: npm run build && node bench/state-profiles.mjs [FILE]
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
export const profilesStartMarker =
  "<!-- bench-state-profiles:start (written by bench/state-profiles.mjs; edits here are overwritten) -->";
export const profilesEndMarker = "<!-- bench-state-profiles:end -->";

const dist = (p) => new URL(`../dist/${p}`, import.meta.url).href;

function seconds(t0) {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** Child mode: measure one side in a fresh process and print one JSON line. */
async function child(side, path) {
  const { runAnalyzers } = await import(dist("stream/analyzer.js"));
  const { BlockingProfileAnalyzer } = await import(dist("stream/pprof.js"));
  const { blockingTypes } = await import(dist("analysis/profile.js"));
  const out = {};
  const stream = () => createReadStream(path, { highWaterMark: 1 << 20 });
  if (side === "analyzer") {
    let t = process.hrtime.bigint();
    const analyzer = new BlockingProfileAnalyzer({ regions: true });
    await runAnalyzers(stream(), [analyzer]);
    const profiles = analyzer.finalize();
    out.passS = seconds(t);
    t = process.hrtime.bigint();
    for (const type of blockingTypes) profiles.records(type);
    out.fourS = seconds(t);
  } else {
    const { buildTimeline } = await import(dist("query/timeline/build.js"));
    const { StateProfiles } = await import(dist("analysis/state-profiles.js"));
    let t = process.hrtime.bigint();
    const built = await buildTimeline(stream());
    out.timelineS = seconds(t);
    const tl = built.engine.tl;
    const model = new StateProfiles(tl, { damaged: built.error !== undefined });
    t = process.hrtime.bigint();
    model.records("sync");
    out.firstS = seconds(t);
    t = process.hrtime.bigint();
    for (const type of blockingTypes) model.records(type);
    out.fourS = seconds(t);
    const d = tl.durationNs;
    t = process.hrtime.bigint();
    model.records("sched", { range: { startNs: Math.floor(d / 4), endNs: Math.floor(d / 2) } });
    out.rangeS = seconds(t);
    const groups = [...model.groups()].sort((a, b) => b[1] - a[1]);
    t = process.hrtime.bigint();
    model.records("sync", { group: groups[0][0] });
    out.groupS = seconds(t);
    const type = tl.regions.length > 0 ? tl.strings.get(tl.regions.name.get(0)) : undefined;
    if (type !== undefined) {
      t = process.hrtime.bigint();
      model.records("sync", { region: { type } });
      out.regionS = seconds(t);
    }
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
    {
      encoding: "utf8",
      maxBuffer: 1 << 20,
    },
  );
  return JSON.parse(out.trim().split("\n").pop());
}

export async function runStateProfilesBench(path) {
  const go = goRead(path);
  const a = run("analyzer", path);
  const m = run("model", path);
  const f = (s) => `${s.toFixed(2)} s`;
  const ratio = (s) => `${(s / go).toFixed(2)}×`;
  const when = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const load = os.loadavg()[0].toFixed(2);
  return [
    "### Blocking profiles from the model",
    "",
    `Measured ${when} on ${os.cpus().length} × ${os.cpus()[0]?.model ?? "?"}, Node ${process.version}, one run each, 1-minute load ${load} afterwards; \`${relative(repoDir, path)}\` (${(statSync(path).size / 2 ** 20).toFixed(1)} MiB), Go's read (x/exp/trace) ${f(go)}.`,
    "",
    "| step | time | ÷ Go's read | peak RSS |",
    "|---|--:|--:|--:|",
    `| analyzer (events): one pass keeping every interval | ${f(a.passS)} | ${ratio(a.passS)} | ${a.maxRssMiB.toFixed(0)} MiB |`,
    `| analyzer: the four unfiltered profiles after it | ${f(a.fourS)} | | |`,
    `| model: timeline built (as gotrace view does anyway) | ${f(m.timelineS)} | ${ratio(m.timelineS)} | ${m.maxRssMiB.toFixed(0)} MiB (with all below) |`,
    `| model: first question (the four profiles' intervals made in one walk) | ${f(m.firstS)} | ${ratio(m.firstS)} | |`,
    `| model: the four unfiltered profiles after it | ${f(m.fourS)} | | |`,
    `| model: sched, a quarter of the trace | ${f(m.rangeS)} | | |`,
    `| model: sync, the largest goroutine group | ${f(m.groupS)} | | |`,
    ...(m.regionS !== undefined ? [`| model: sync, one region type | ${f(m.regionS)} | | |`] : []),
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
  const section = await runStateProfilesBench(path);
  process.stdout.write(`${section}\n`);
  if (process.env.BENCH_NO_WRITE !== "1") {
    writeBenchmarksMd(join(repoDir, "BENCHMARKS.md"), section, {
      start: profilesStartMarker,
      end: profilesEndMarker,
    });
  }
}
