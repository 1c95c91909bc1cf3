// The why/diff benchmark: how fast `gotrace why` answers once the model is
// built (the CLI's questions and the UI's "Why?" are the same service
// calls), and how long `gotrace diff A B` takes next to one read of A, with
// Go's own reader (bench/goparse) on A in the same run.
//
// Usage: npm run build && node bench/why.mjs [A [B]]
// Without files: bench/out/big-go1.NN.trace (≥200 MiB, made first if
// missing), diffed with itself. BENCH_RUNS=N runs (default 3). Prints a
// table and rewrites its section of BENCHMARKS.md (between the bench-why
// markers) unless BENCH_NO_WRITE=1.
//
// Child modes (one measurement in a fresh process, one JSON line out):
//   node bench/why.mjs --questions FILE   builds the model, then times why questions
//   node bench/why.mjs --one FILE         one trace's side of a diff (one read and its analyses)
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import os from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { hasGnuTime, median, runOnce } from "./measure.mjs";
import { writeBenchmarksMd } from "./report.mjs";
import { ensureBigTrace } from "./traces.mjs";

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoDir = dirname(benchDir);
const outDir = join(benchDir, "out");
const dist = (p) => join(repoDir, "dist", p);
export const whyStartMarker =
  "<!-- bench-why:start (written by bench/why.mjs; edits here are overwritten) -->";
export const whyEndMarker = "<!-- bench-why:end -->";

function log(msg) {
  process.stderr.write(`==> ${msg}\n`);
}

const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

/** Child: build the model, then ask the questions a user asks, each timed on its own. */
async function questions(file) {
  const { buildTimeline } = await import(dist("query/timeline/build.js"));
  const { WhyService } = await import(dist("query/why/service.js"));
  const { fileChunks } = await import(dist("cli/chunks.js"));
  let t0 = process.hrtime.bigint();
  const { engine } = await buildTimeline(fileChunks(file));
  const buildMs = ms(t0);
  const tl = engine.tl;
  const service = new WhyService(tl);
  const times = {};
  const time = (name, f) => {
    t0 = process.hrtime.bigint();
    const r = f();
    times[name] ??= [];
    times[name].push(ms(t0));
    return r;
  };
  // Goroutines spread over the trace: their longest wait, and a moment in the middle of the trace.
  const n = tl.goroutines.length;
  const picks = [...new Set(Array.from({ length: 20 }, (_, k) => Math.floor((k * n) / 20)))];
  // The UI's question (a moment) first: it is the first to reach the goroutine, and reads only
  // the states around that moment; the longest wait reads the goroutine's whole life.
  for (const g of picks) {
    const id = tl.goroutines.id.get(g);
    time("goroutine at a time", () => service.goroutine(id, tl.durationNs / 2));
    time("goroutine, longest wait", () => service.goroutine(id));
  }
  // The longest task of the most common type, and the longest region of the most common type.
  const count = (names) => {
    const m = new Map();
    for (let i = 0; i < names.length; i++) m.set(names.get(i), (m.get(names.get(i)) ?? 0) + 1);
    return [...m].sort((a, b) => b[1] - a[1])[0]?.[0];
  };
  const taskType = count(tl.tasks.name);
  if (taskType !== undefined) time("task critical path", () => service.taskType(tl.strings.get(taskType)));
  const regionType = count(tl.regions.name);
  if (regionType !== undefined)
    time("region critical path", () => service.region(tl.strings.get(regionType)));
  const out = { buildMs, goroutines: n };
  for (const [k, v] of Object.entries(times))
    out[k] = { medianMs: median(v), maxMs: Math.max(...v), n: v.length };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

/** Child: one trace's side of a diff, as `gotrace diff` reads each. */
async function one(file) {
  const { diffSide } = await import(dist("query/analysis/diff.js"));
  const { fileService } = await import(dist("cli/diff.js"));
  const t0 = process.hrtime.bigint();
  await diffSide(fileService(file).service);
  process.stdout.write(`${JSON.stringify({ seconds: ms(t0) / 1e3 })}\n`);
}

/** The benchmark on `args` ([A [B]]; none: the ≥200 MiB trace with itself); returns its section. */
export async function runWhyBench(args = []) {
  if (!existsSync(dist("cli/main.js"))) throw new Error("dist/ is missing: run `npm run build` first");
  const localGo = execFileSync("go", ["env", "GOVERSION"], { encoding: "utf8" }).trim();
  const localMinor = /^go1\.(\d+)/.exec(localGo)[1];
  const a =
    args[0] ??
    ensureBigTrace({
      repoDir,
      outDir,
      name: `big-go1.${localMinor}.trace`,
      toolchain: "local",
      sizeMiB: 200,
      timeoutSec: 600,
    }).path;
  const b = args[1] ?? a;
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const goparse = join(outDir, "goparse");
  if (!existsSync(goparse)) {
    execFileSync("go", ["build", "-o", goparse, "."], { cwd: join(benchDir, "goparse"), stdio: "inherit" });
  }
  const gnu = hasGnuTime();
  const res = { go: [], one: [], diff: [], questions: [] };
  for (let run = 0; run < runs; run++) {
    log(
      `why/diff on ${relative(repoDir, a)}${b === a ? "" : ` and ${relative(repoDir, b)}`}: run ${run + 1} of ${runs}`,
    );
    const go = runOnce(goparse, [a], { useGnuTime: gnu });
    if (go.ok) res.go.push(go.wallSec);
    const o = runOnce(process.execPath, [join(benchDir, "why.mjs"), "--one", a], { useGnuTime: gnu });
    if (o.ok) res.one.push(o.wallSec);
    else log(`one read failed: ${o.error}`);
    const d = runOnce(process.execPath, [dist("cli/main.js"), "diff", a, b, "--json"], {
      stdout: "discard",
      useGnuTime: gnu,
    });
    if (d.ok) res.diff.push({ sec: d.wallSec, rssKiB: d.maxRssKiB });
    else log(`diff failed: ${d.error}`);
    const q = runOnce(process.execPath, [join(benchDir, "why.mjs"), "--questions", a], { useGnuTime: gnu });
    if (q.ok) res.questions.push(q.report);
    else log(`why failed: ${q.error}`);
  }
  const f = (x, d = 2) => (x === undefined ? "—" : x.toFixed(d));
  const q0 = res.questions[0] ?? {};
  const qRow = (name) => {
    const xs = res.questions.map((q) => q[name]).filter(Boolean);
    if (xs.length === 0) return undefined;
    return `| ${name} | ${f(median(xs.map((x) => x.medianMs)), 1)} ms | ${f(Math.max(...xs.map((x) => x.maxMs)), 1)} ms | ${xs[0].n} |`;
  };
  const goSec = median(res.go);
  const oneSec = median(res.one);
  const diffSec = median(res.diff.map((d) => d.sec));
  const rss = median(res.diff.map((d) => d.rssKiB).filter((x) => x !== undefined));
  const mb = (statSync(a).size / 1e6).toFixed(0);
  const lines = [
    `### gotrace why and diff (${mb} MB${b === a ? ", diffed with itself" : ""}; ${os.cpus().length} cores, ${runs} runs, medians)`,
    "",
    `Model built in ${f(median(res.questions.map((q) => q.buildMs)) / 1e3)} s (${q0.goroutines ?? "?"} goroutines); then each question, as \`gotrace why\` and the UI's "Why?" ask it:`,
    "",
    "| question | median | slowest | asked |",
    "|---|---:|---:|---:|",
    ...["goroutine, longest wait", "goroutine at a time", "task critical path", "region critical path"]
      .map(qRow)
      .filter(Boolean),
    "",
    "| reader | wall s | × Go |",
    "|---|---:|---:|",
    `| Go's reader (bench/goparse), A | ${f(goSec)} | 1.00 |`,
    `| one read of A with the diff's analyses | ${f(oneSec)} | ${f(oneSec / goSec)} |`,
    `| \`gotrace diff A B --json\` | ${f(diffSec)} | ${f(diffSec / goSec)} |`,
    "",
    `diff / one read: ${f(diffSec / oneSec)}× (goal ≤ 2×); diff's peak RSS ${rss === undefined ? "—" : `${(rss / 1024).toFixed(0)} MiB`}.`,
  ];
  const section = lines.join("\n");
  process.stdout.write(`${section}\n`);
  if (process.env.BENCH_NO_WRITE !== "1" && args.length === 0) {
    writeBenchmarksMd(join(repoDir, "BENCHMARKS.md"), section, { start: whyStartMarker, end: whyEndMarker });
    log("wrote the why section of BENCHMARKS.md");
  }
  return section;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args[0] === "--questions") await questions(args[1]);
  else if (args[0] === "--one") await one(args[1]);
  else await runWhyBench(args);
}
