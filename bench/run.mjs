// The benchmark behind `npm run bench`: how fast gotrace reads a large
// trace, next to Go's own reader, in time and peak memory.
//
//  1. Makes the input traces once (bench/out/, git-ignored): ≥200 MiB with
//     the local Go (1.26 when written), and ≥100 MiB with Go 1.21 for the
//     old-format row (skipped if that toolchain cannot be had).
//  2. Runs each reader as a fresh process, BENCH_RUNS times (default 3),
//     and takes medians: bench/goparse (golang.org/x/exp/trace), go tool
//     trace -d=parsed (a second reference that also formats every event),
//     bench/read.mjs (gotrace's readTrace), bench/timeline.mjs (the read
//     and the timeline built from it) and, once dist/validate exists,
//     read.mjs --validate.
//  3. Prints the table and rewrites its section of BENCHMARKS.md.
//
// The whole run takes about 10 minutes on 2 cores, most of it in go tool
// trace -d=parsed (~150 s a run on 200 MiB). Environment knobs:
// BENCH_RUNS=N, BENCH_OLD=0 (skip the Go 1.21 trace), BENCH_PARSED=0 (skip
// go tool trace -d=parsed), BENCH_ANALYSES=0 (skip the all-analyses rows),
// BENCH_NO_WRITE=1 (print only, keep BENCHMARKS.md), BENCH_VIEW=0 (skip the
// `gotrace view` rows), BENCH_VIEW_GO=0 (skip go tool trace -http there).
//
//  4. Unless BENCH_VIEW=0: the `gotrace view` rows (bench/view.mjs) on the
//     200 MiB trace and a 50 MiB one (which go tool trace -http can finish
//     in memory), in headless chromium, into their own section of
//     BENCHMARKS.md. `node bench/view.mjs` runs only those.
//
//  5. Unless BENCH_ENGINE=0: the engine rows (bench/engine.mjs): gotrace
//     view's URL, first analysis answer, filtered questions and peak RSS,
//     and each CLI analysis, on the 200 MiB trace and a 1 GiB one.
//
//  5a. Unless BENCH_FIRST_QUESTIONS=0: the first question of each analysis
//     page after gotrace view's first answer, on the 200 MiB trace, back to
//     back and at a user's pace (bench/first-questions.mjs).
//
//  5b. Unless BENCH_STATIC=0: the static page (dist/web, engine in a Web
//     Worker) against gotrace view on the 200 MiB trace: file input → first
//     frame, and peak tab memory (bench/static-page.mjs).
//
//  6. Unless BENCH_DUMP=0: `gotrace dump` and go tool trace -d=parsed on a
//     16 MiB trace (BENCH_DUMP_MIB) and on a copy whose strings hold one
//     invalid UTF-8 byte (bench/dump-utf8.mjs), printed, not written.
//
//  7. Unless BENCH_EXPORT=0: the Perfetto export rows (bench/export-perfetto.mjs)
//     on the 200 MiB trace: export time against the reads, peak RSS, and the
//     output's size against go tool trace's JSON, into their own section of
//     BENCHMARKS.md. `node bench/export-perfetto.mjs [FILE]` runs only those.
//
//  7b. Unless BENCH_PROFILES=0: the blocking profiles read from the model
//     against the event-driven analyzer (bench/state-profiles.mjs).
//
//  7c. Unless BENCH_MODEL_ANALYSES=0: the goroutine summaries and scheduler
//     latency read from the model against their analyzers
//     (bench/model-analyses.mjs).
//
//  7d. Unless BENCH_MODEL_ANALYSES_2=0: the overview, tasks and regions, MMU
//     and the cpu profile read from the model against their analyzers
//     (bench/model-analyses-2.mjs).
//
//  8. Unless BENCH_WHY=0: `gotrace why` questions once the model is built,
//     and `gotrace diff` of the 200 MiB trace with itself next to one read
//     (bench/why.mjs), into their own section of BENCHMARKS.md.
//
//  9. Unless BENCH_SQL=0: the tables in SQL and Parquet (bench/sql.mjs): the
//     Parquet export against the read on the 200 MiB trace, and the README's
//     worked examples of `gotrace sql` on 100 small traces at once.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { runDumpUtf8Bench } from "./dump-utf8.mjs";
import { engineEndMarker, engineStartMarker, runEngineBench } from "./engine.mjs";
import { exportEndMarker, exportStartMarker, runExportPerfettoBench } from "./export-perfetto.mjs";
import {
  firstQuestionsEndMarker,
  firstQuestionsStartMarker,
  runFirstQuestionsBench,
} from "./first-questions.mjs";
import { hasGnuTime, measureAll } from "./measure.mjs";
import {
  modelAnalysesEndMarker,
  modelAnalysesStartMarker,
  runModelAnalysesBench,
} from "./model-analyses.mjs";
import {
  modelAnalyses2EndMarker,
  modelAnalyses2StartMarker,
  runModelAnalyses2Bench,
} from "./model-analyses-2.mjs";
import { formatSection, formatTable, writeBenchmarksMd } from "./report.mjs";
import { runSqlBench, sqlEndMarker, sqlStartMarker } from "./sql.mjs";
import { profilesEndMarker, profilesStartMarker, runStateProfilesBench } from "./state-profiles.mjs";
import { runStaticPageBench, staticEndMarker, staticStartMarker } from "./static-page.mjs";
import { ensureBigTrace, resolveGo121, traceOrigin, traceVersion } from "./traces.mjs";
import { runViewBench, viewEndMarker, viewEnv, viewStartMarker, viewTraces } from "./view.mjs";
import { runWhyBench } from "./why.mjs";

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoDir = dirname(benchDir);
const outDir = join(benchDir, "out");
const runs = Number(process.env.BENCH_RUNS ?? 3);
const started = Date.now();

function sh(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { encoding: "utf8", ...opts }).trim();
}

function log(msg) {
  process.stderr.write(`==> ${msg}\n`);
}

mkdirSync(outDir, { recursive: true });
// What `npm run build` just compiled: src/ may change while the run goes on.
const builtFrom = sourceCommit();
if (!existsSync(join(repoDir, "dist", "decode", "reader.js"))) {
  throw new Error("dist/decode/reader.js is missing: run `npm run build` first");
}

// --- Inputs -----------------------------------------------------------------

const notes = [];
const localGo = sh("go", ["env", "GOVERSION"], { env: { ...process.env, GOTOOLCHAIN: "local" } });
const localMinor = /^go1\.(\d+)/.exec(localGo)[1];

function describe(path) {
  const madeBy = `testdata/programs/big, ${traceOrigin(path).goVersion ?? "unknown Go"}`;
  return {
    path,
    file: relative(repoDir, path),
    bytes: statSync(path).size,
    version: traceVersion(path),
    madeBy,
  };
}

log(`trace: testdata/programs/big with ${localGo}, 200 MiB`);
const modern = ensureBigTrace({
  repoDir,
  outDir,
  name: `big-go1.${localMinor}.trace`,
  toolchain: "local",
  sizeMiB: 200,
  timeoutSec: 300,
});
const traces = [describe(modern.path)];

let old;
if (process.env.BENCH_OLD !== "0") {
  const cached = join(outDir, "big-go1.21.trace");
  const toolchain = existsSync(cached) ? "cached" : resolveGo121(repoDir);
  if (toolchain === undefined) {
    notes.push("No Go 1.21 toolchain could be had from the module proxy: the go 1.21 rows are skipped.");
  } else {
    log(
      `trace: testdata/programs/big with ${toolchain === "cached" ? "Go 1.21 (cached)" : toolchain}, 100 MiB`,
    );
    try {
      const made = ensureBigTrace({
        repoDir,
        outDir,
        name: "big-go1.21.trace",
        toolchain,
        sizeMiB: 100,
        timeoutSec: 180,
      });
      old = describe(made.path);
      traces.push(old);
    } catch (e) {
      notes.push(
        `The Go 1.21 trace could not be made (${String(e.message).split("\n")[0]}): its rows are skipped.`,
      );
    }
  }
}
for (const t of traces) t.label = `go 1.${t.version}, ${(t.bytes / 1e6).toFixed(0)} MB`;

// --- Readers ----------------------------------------------------------------

log("building bench/goparse");
const goparse = join(outDir, "goparse");
sh("go", ["build", "-o", goparse, "."], {
  cwd: join(benchDir, "goparse"),
  stdio: ["ignore", "pipe", "inherit"],
});
const goTraceTool = sh("go", ["tool", "-n", "trace"]);
const useGnuTime = hasGnuTime();
const validatorJs = join(repoDir, "dist", "validate", "validator.js");
const readMjs = relative(repoDir, join(benchDir, "read.mjs"));
const analyzeMjs = relative(repoDir, join(benchDir, "analyze.mjs"));
const timelineMjs = relative(repoDir, join(benchDir, "timeline.mjs"));

// One job per (trace, reader); `ref` points at the Go x/exp/trace job of the
// same trace, which the ratios divide by.
const jobs = [];
const pendingRows = [];
function job(trace, reader, cmd, args, extra = {}) {
  const j = { trace, reader, label: `${trace.label}: ${reader}`, cmd, args, stdout: "json", ...extra };
  jobs.push(j);
  return j;
}
for (const t of traces) {
  const isOld = t.version < 22;
  const ref = job(t, "Go x/exp/trace (bench/goparse)", goparse, [t.path]);
  if (process.env.BENCH_PARSED !== "0" && !isOld) {
    job(t, "go tool trace -d=parsed > /dev/null", goTraceTool, ["-d=parsed", t.path], {
      stdout: "discard",
      ref,
    });
  }
  job(t, "gotrace readTrace (bench/read.mjs)", process.execPath, [readMjs, t.path], {
    ref,
    pendingOnFailure: isOld ? "gotrace cannot read Go 1.21 traces yet" : undefined,
  });
  if (isOld) continue;
  job(t, "gotrace timeline build (bench/timeline.mjs)", process.execPath, [timelineMjs, t.path], { ref });
  if (process.env.BENCH_ANALYSES !== "0") {
    // Every gotrace analysis in one pass, next to Go computing one profile
    // (which reads the trace, summarizes goroutines and builds the profile).
    const pprof = job(t, "go tool trace -pprof=sync > /dev/null", goTraceTool, ["-pprof=sync", t.path], {
      stdout: "discard",
      ref,
    });
    job(t, "gotrace all analyses (bench/analyze.mjs)", process.execPath, [analyzeMjs, t.path], {
      ref: pprof,
      refLabel: "go tool trace -pprof=sync",
    });
  }
  if (existsSync(validatorJs)) {
    job(t, "gotrace readTrace + Validator", process.execPath, [readMjs, "--validate", t.path], { ref });
  } else {
    pendingRows.push({ trace: t, reader: "gotrace readTrace + Validator", after: jobs.length });
  }
}
if (process.env.BENCH_PARSED !== "0" && old) {
  notes.push("go tool trace -d=parsed is timed on the newest trace only, to keep the run near 10 minutes.");
}

log(`measuring ${jobs.length} readers, ${runs} runs each, round-robin`);
const loadBefore = os.loadavg()[0];
const results = measureAll(jobs, { runs, useGnuTime });
const loadAfter = os.loadavg()[0];

const rows = [];
jobs.forEach((j, i) => {
  let result = results[i];
  if (!result.ok) {
    const repro = [j.cmd === process.execPath ? "node" : j.cmd, ...j.args]
      .map((a) => (a.startsWith(repoDir) ? relative(repoDir, a) : a))
      .join(" ");
    const what = `${j.reader} on ${j.trace.file}: \`${result.error}\`. Reproduce: \`${repro}\``;
    if (j.pendingOnFailure) {
      result = { ok: false, pending: j.pendingOnFailure };
      notes.push(`Pending, ${what}`);
    } else {
      notes.push(`Failed, ${what}`);
    }
  }
  if (!j.ref) j.trace.events = result.events;
  rows.push({
    trace: j.trace,
    reader: j.reader,
    result,
    ref: j.ref ? results[jobs.indexOf(j.ref)] : result,
    refLabel: j.refLabel,
  });
  for (const p of pendingRows.filter((p) => p.after === i + 1)) {
    rows.push({ ...p, result: { ok: false, pending: "dist/validate/validator.js does not exist yet" } });
  }
});

const analysesRow = rows.find((r) => r.reader.startsWith("gotrace all analyses") && r.result.ok);
const readRow = rows.find(
  (r) => r.trace === analysesRow?.trace && r.reader.startsWith("gotrace readTrace (") && r.result.ok,
);
if (analysesRow) {
  const vsRead = readRow
    ? `, ${(analysesRow.result.wallSec / readRow.result.wallSec).toFixed(2)}× gotrace's plain read`
    : "";
  notes.push(
    `All analyses: ${analysesRow.result.analyzers?.join(", ") ?? "?"} in one pass, the four blocking profiles encoded as pprof${vsRead}.`,
  );
}

// --- Report -----------------------------------------------------------------

function cpuModel() {
  const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"));
  return m ? m[1].trim() : (os.cpus()[0]?.model ?? "unknown CPU");
}

function sourceCommit() {
  const head = sh("git", ["rev-parse", "--short", "HEAD"], { cwd: repoDir });
  const dirty = sh("git", ["status", "--porcelain", "--", "src"], { cwd: repoDir }) !== "";
  return dirty ? `commit ${head} with uncommitted changes in src/` : `commit ${head}`;
}

const goModText = readFileSync(join(benchDir, "goparse", "go.mod"), "utf8");
const env = {
  date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  commit: builtFrom,
  nproc: os.availableParallelism(),
  cpu: cpuModel(),
  memGiB: (os.totalmem() / 2 ** 30).toFixed(1),
  os: `${os.type()} ${os.release()} ${os.arch()}`,
  node: process.version,
  go: sh("go", ["version"]).replace(/^go version go(\S+) (\S+)$/, "Go $1 ($2)"),
  xexp: /golang\.org\/x\/exp (\S+)/.exec(goModText)?.[1] ?? "?",
  load: `${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after`,
  rssSource: useGnuTime
    ? "`/usr/bin/time -v` (Maximum resident set size)"
    : "each reader's own getrusage (no GNU time; go tool trace has no RSS)",
};

const section = formatSection({ env, traces, rows, runs, notes });
writeFileSync(join(outDir, "results.json"), `${JSON.stringify({ env, traces, rows }, null, 2)}\n`);
process.stdout.write(`\n${formatTable(rows)}\n\n`);
for (const n of notes) process.stdout.write(`note: ${n}\n`);
if (process.env.BENCH_NO_WRITE !== "1") {
  writeBenchmarksMd(join(repoDir, "BENCHMARKS.md"), section);
  log("wrote BENCHMARKS.md");
}

// --- gotrace view -------------------------------------------------------------

if (process.env.BENCH_VIEW !== "0") {
  if (!existsSync("/usr/bin/chromium") && !process.env.GOTRACE_CHROMIUM) {
    log("skipping the view rows: no /usr/bin/chromium");
  } else {
    const viewInputs = viewTraces({ ensureBigTrace, traceVersion, statSync, relative, localMinor });
    log(
      `gotrace view vs go tool trace -http on ${viewInputs.map((t) => t.file).join(", ")}, ${runs} runs each`,
    );
    const viewLoadBefore = os.loadavg()[0];
    const view = await runViewBench({
      traces: viewInputs,
      runs,
      goTraceTool,
      log,
      env: () => viewEnv((cmd, args) => sh(cmd, args, { cwd: repoDir }), os, viewLoadBefore),
    });
    const viewSection = view.section();
    process.stdout.write(`\n${viewSection}\n`);
    if (process.env.BENCH_NO_WRITE !== "1") {
      writeBenchmarksMd(join(repoDir, "BENCHMARKS.md"), viewSection, {
        start: viewStartMarker,
        end: viewEndMarker,
      });
      log("wrote the view section of BENCHMARKS.md");
    }
  }
}
// --- The static page against gotrace view (bench/static-page.mjs) ----------

if (process.env.BENCH_STATIC !== "0" && (existsSync("/usr/bin/chromium") || process.env.GOTRACE_CHROMIUM)) {
  const [big] = viewTraces({ ensureBigTrace, traceVersion, statSync, relative, localMinor });
  log(`the static page vs gotrace view on ${big.file}, ${runs} runs`);
  const { section: staticSection } = await runStaticPageBench({ traces: [big], runs, log });
  process.stdout.write(`\n${staticSection}\n`);
  if (process.env.BENCH_NO_WRITE !== "1") {
    writeBenchmarksMd(join(repoDir, "BENCHMARKS.md"), staticSection, {
      start: staticStartMarker,
      end: staticEndMarker,
    });
    log("wrote the static-page section of BENCHMARKS.md");
  }
}

// --- The first question of each page (bench/first-questions.mjs) ----------

if (process.env.BENCH_FIRST_QUESTIONS !== "0") {
  log(`first questions: each analysis page's first question on ${relative(repoDir, modern.path)}`);
  const section = await runFirstQuestionsBench([modern.path]);
  process.stdout.write(`\n${section}\n`);
  if (process.env.BENCH_NO_WRITE !== "1") {
    writeBenchmarksMd(join(repoDir, "BENCHMARKS.md"), section, {
      start: firstQuestionsStartMarker,
      end: firstQuestionsEndMarker,
    });
    log("wrote the first-questions section of BENCHMARKS.md");
  }
}

// --- The engine: one read, analyses as queries (bench/engine.mjs) ----------

if (process.env.BENCH_ENGINE !== "0") {
  const engineFiles = [
    modern.path,
    ensureBigTrace({
      repoDir,
      outDir,
      name: `big-go1.${localMinor}-1GiB.trace`,
      toolchain: "local",
      sizeMiB: 1024,
      timeoutSec: 1200,
    }).path,
  ];
  log(
    `engine: gotrace view and the CLI analyses on ${engineFiles.map((f) => relative(repoDir, f)).join(", ")}`,
  );
  const engineSection = await runEngineBench(engineFiles);
  process.stdout.write(`\n${engineSection}\n`);
  if (process.env.BENCH_NO_WRITE !== "1") {
    writeBenchmarksMd(join(repoDir, "BENCHMARKS.md"), engineSection, {
      start: engineStartMarker,
      end: engineEndMarker,
    });
    log("wrote the engine section of BENCHMARKS.md");
  }
}
// --- Perfetto export (bench/export-perfetto.mjs) -----------------------------

if (process.env.BENCH_EXPORT !== "0") {
  log(`export: gotrace export --format=perfetto on ${relative(repoDir, modern.path)}`);
  const exportSection = await runExportPerfettoBench({ files: [modern.path], runs, goparse, goTraceTool });
  process.stdout.write(`\n${exportSection}\n`);
  if (process.env.BENCH_NO_WRITE !== "1") {
    writeBenchmarksMd(join(repoDir, "BENCHMARKS.md"), exportSection, {
      start: exportStartMarker,
      end: exportEndMarker,
    });
    log("wrote the export-perfetto section of BENCHMARKS.md");
  }
}
// --- Blocking profiles from the model (bench/state-profiles.mjs) ---------------

if (process.env.BENCH_PROFILES !== "0") {
  log(`blocking profiles from the model on ${relative(repoDir, modern.path)}`);
  const section = await runStateProfilesBench(modern.path);
  process.stdout.write(`\n${section}\n`);
  if (process.env.BENCH_NO_WRITE !== "1") {
    writeBenchmarksMd(join(repoDir, "BENCHMARKS.md"), section, {
      start: profilesStartMarker,
      end: profilesEndMarker,
    });
    log("wrote the state-profiles section of BENCHMARKS.md");
  }
}
// --- Goroutine summaries and scheduler latency from the model (bench/model-analyses.mjs)

if (process.env.BENCH_MODEL_ANALYSES !== "0") {
  log(`goroutine summaries and scheduler latency from the model on ${relative(repoDir, modern.path)}`);
  const section = await runModelAnalysesBench(modern.path);
  process.stdout.write(`\n${section}\n`);
  if (process.env.BENCH_NO_WRITE !== "1") {
    writeBenchmarksMd(join(repoDir, "BENCHMARKS.md"), section, {
      start: modelAnalysesStartMarker,
      end: modelAnalysesEndMarker,
    });
    log("wrote the model-analyses section of BENCHMARKS.md");
  }
}
// --- Overview, tasks/regions, MMU and cpu profile from the model (bench/model-analyses-2.mjs)

if (process.env.BENCH_MODEL_ANALYSES_2 !== "0") {
  log(`overview, tasks/regions, MMU and cpu profile from the model on ${relative(repoDir, modern.path)}`);
  const section = await runModelAnalyses2Bench(modern.path);
  process.stdout.write(`\n${section}\n`);
  if (process.env.BENCH_NO_WRITE !== "1") {
    writeBenchmarksMd(join(repoDir, "BENCHMARKS.md"), section, {
      start: modelAnalyses2StartMarker,
      end: modelAnalyses2EndMarker,
    });
    log("wrote the model-analyses-2 section of BENCHMARKS.md");
  }
}
// --- gotrace why and diff (bench/why.mjs) -------------------------------------

if (process.env.BENCH_WHY !== "0") {
  log(`why and diff on ${relative(repoDir, modern.path)}`);
  // Writes its own section of BENCHMARKS.md unless BENCH_NO_WRITE=1.
  await runWhyBench();
}
// --- dump with one invalid UTF-8 byte (bench/dump-utf8.mjs) -------------------

if (process.env.BENCH_DUMP !== "0") {
  const table = runDumpUtf8Bench({
    outDir,
    sizeMiB: Number(process.env.BENCH_DUMP_MIB ?? 16),
    runs,
    localMinor,
    log,
  });
  process.stdout.write(`\n${table}\n`);
}
// --- The tables in SQL and Parquet (bench/sql.mjs) ------------------------------

if (process.env.BENCH_SQL !== "0") {
  const sqlSection = runSqlBench({ bigTrace: modern.path, outDir, runs, log });
  process.stdout.write(`\n${sqlSection}\n`);
  if (process.env.BENCH_NO_WRITE !== "1") {
    writeBenchmarksMd(join(repoDir, "BENCHMARKS.md"), sqlSection, {
      start: sqlStartMarker,
      end: sqlEndMarker,
    });
    log("wrote the sql section of BENCHMARKS.md");
  }
}
log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
