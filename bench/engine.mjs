// The engine benchmark: how soon `gotrace view` serves a big trace and
// answers its analysis pages, how fast filtered questions are answered
// after that, how much memory it all takes, and how long each CLI analysis
// takes, each next to Go's own reader (bench/goparse, golang.org/x/exp/trace)
// on the same file in the same run.
//
// Usage: npm run build && node bench/engine.mjs [FILE…]
// Without files: bench/out/big-go1.NN.trace (≥200 MiB) and
// bench/out/big-go1.NN-1GiB.trace, made first if missing (testdata/programs/big).
// Rewrites its section of BENCHMARKS.md (between the bench-engine markers)
// unless BENCH_NO_WRITE=1. BENCH_RUNS=N runs per trace (default 3), and
// BENCH_RUNS_LARGE=N for traces over 500 MB (default 1: a run on 1 GiB takes
// about ten minutes); BENCH_CLI=0 skips the CLI rows. Each file is read once
// before it is measured, so every reader finds it in the page cache.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import os from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { hasGnuTime, median, runOnce } from "./measure.mjs";
import { writeBenchmarksMd } from "./report.mjs";
import { ensureBigTrace } from "./traces.mjs";

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoDir = dirname(benchDir);
const outDir = join(benchDir, "out");
const smallRuns = Number(process.env.BENCH_RUNS ?? 3);
const largeRuns = Number(process.env.BENCH_RUNS_LARGE ?? 1);
export const engineStartMarker =
  "<!-- bench-engine:start (written by bench/engine.mjs; edits here are overwritten) -->";
export const engineEndMarker = "<!-- bench-engine:end -->";

function log(msg) {
  process.stderr.write(`==> ${msg}\n`);
}

/** VmHWM (peak RSS) of a live process in KiB, from /proc; worker threads share it. */
function vmHWM(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The filtered questions a user asks once the pages have loaded (half the trace, a region, other GC work). */
function filteredQueries(durationNs, regionType) {
  const half = Math.round(durationNs / 2);
  const q = [
    ["sync profile, second half of the trace", `profile?type=sync&startNs=${half}&endNs=${durationNs}`],
    [
      "sched profile, first 10% of the trace",
      `profile?type=sched&startNs=0&endNs=${Math.round(durationNs / 10)}`,
    ],
    ["MMU, stop-the-world and sweeping only", "mmu?include=stw,sweep"],
    ["MMU per P, all GC work", "mmu?include=stw,background,assist,sweep&perProc=1"],
    ["goroutine group list", "goroutines"],
  ];
  if (regionType !== undefined) {
    q.push([
      `sync profile, regions "${regionType}"`,
      `profile?type=sync&region=${encodeURIComponent(regionType)}`,
    ]);
  }
  return q;
}

/**
 * One `gotrace view` run: time to the URL, to the first analysis answer
 * (overview, asked as soon as the URL is printed), each filtered question
 * after that, and the peak RSS of the whole process at the end.
 */
async function viewRun(file) {
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    ["dist/cli/main.js", "view", "--no-open", "--http", "127.0.0.1:0", file],
    {
      cwd: repoDir,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let url;
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += String(d);
  });
  const exited = new Promise((resolve) => child.on("exit", resolve));
  const urlSec = await new Promise((resolve, reject) => {
    child.stdout.on("data", (d) => {
      const m = /at (http:\S+)/.exec(String(d));
      if (m && !url) {
        url = m[1];
        resolve((performance.now() - t0) / 1000);
      }
    });
    exited.then((code) =>
      reject(new Error(`gotrace view exited (${code}): ${stderr.trim().split("\n").pop()}`)),
    );
  });
  const get = async (path) => {
    const res = await fetch(new URL(path, url));
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
    return res.json();
  };
  const overview = await get("api/analysis/overview");
  if (overview.unavailable) throw new Error(overview.unavailable);
  const analysisSec = (performance.now() - t0) / 1000;
  const info = await get("api/info");
  const regions = await get("api/analysis/regions");
  const regionType = regions.groups?.map((g) => g.type).find((t) => t !== "");
  const queries = [];
  for (const [what, path] of filteredQueries(info.durationNs, regionType)) {
    const t = performance.now();
    const answer = await get(`api/analysis/${path}`);
    if (answer.unavailable || answer.error) throw new Error(`${what}: ${answer.unavailable ?? answer.error}`);
    queries.push({ what, sec: (performance.now() - t) / 1000 });
  }
  const peakKiB = vmHWM(child.pid);
  child.kill();
  await exited;
  return { urlSec, analysisSec, queries, peakKiB, events: info.events };
}

function goRead(goparse, file) {
  const r = runOnce(goparse, [file], { useGnuTime: hasGnuTime() });
  if (!r.ok) throw new Error(`goparse: ${r.error}`);
  return r;
}

const cliAnalyses = [
  ["stats", []],
  ["goroutines", []],
  ["pprof", ["--type=sync", "-o", "/dev/null"]],
  ["schedlat", []],
  ["tasks", []],
  ["regions", []],
  ["mmu", []],
];

/** Decode worker counts to measure: 0 (main thread), 1, 2 and the machine's cores. */
function decodeWorkerCounts() {
  const cores = os.availableParallelism();
  return [...new Set([0, 1, 2, Math.min(8, cores)])].sort((a, b) => a - b);
}

function fmt(x, d = 2) {
  return x === undefined ? "–" : x.toFixed(d);
}

function verdict(ok) {
  return ok ? "met" : "not met";
}

export async function runEngineBench(files) {
  const goparse = join(outDir, "goparse");
  if (!existsSync(goparse)) {
    execFileSync("go", ["build", "-o", goparse, "."], { cwd: join(benchDir, "goparse"), stdio: "inherit" });
  }
  const sections = [];
  const runsBy = [];
  for (const file of files) {
    const bytes = statSync(file).size;
    const mb = (bytes / 1e6).toFixed(0);
    const runs = bytes > 500e6 ? largeRuns : smallRuns;
    runsBy.push(`${runs} on ${mb} MB`);
    execFileSync("cat", [file], { stdio: ["ignore", "ignore", "inherit"] }); // into the page cache
    const rows = [];
    const goSecs = [];
    const readSecs = [];
    const views = [];
    const cli = new Map();
    const decode = new Map(decodeWorkerCounts().map((w) => [w, []]));
    for (let run = 0; run < runs; run++) {
      log(`${relative(repoDir, file)}: run ${run + 1} of ${runs}`);
      goSecs.push(goRead(goparse, file).wallSec);
      const rd = runOnce(process.execPath, [join(benchDir, "read.mjs"), file], { useGnuTime: hasGnuTime() });
      if (rd.ok) readSecs.push(rd.wallSec);
      for (const [w, results] of decode) {
        const r = runOnce(process.execPath, [join(benchDir, "decode-workers.mjs"), String(w), file], {
          useGnuTime: hasGnuTime(),
        });
        results.push(r.ok ? { sec: r.wallSec, rssKiB: r.maxRssKiB, ...r.report } : { error: r.error });
      }
      views.push(await viewRun(file));
      if (process.env.BENCH_CLI !== "0") {
        for (const [cmd, args] of cliAnalyses) {
          const r = runOnce(process.execPath, [join(repoDir, "dist/cli/main.js"), cmd, ...args, file], {
            stdout: "discard",
            useGnuTime: hasGnuTime(),
          });
          if (!cli.has(cmd)) cli.set(cmd, []);
          if (r.ok) cli.get(cmd).push({ sec: r.wallSec, rssKiB: r.maxRssKiB });
          else cli.get(cmd).push({ error: r.error });
        }
      }
    }
    const go = median(goSecs);
    const read = median(readSecs);
    const url = median(views.map((v) => v.urlSec));
    const analysis = median(views.map((v) => v.analysisSec));
    const peakMiB = median(views.map((v) => v.peakKiB ?? Number.NaN)) / 1024;
    const ratio = (x) => (x === undefined ? undefined : x / go);
    rows.push(`| Go x/exp/trace reads every event (the reference) | ${fmt(go)} s | 1.00 | | |`);
    rows.push(
      `| gotrace readTrace (bench/read.mjs) | ${fmt(read)} s | ${fmt(ratio(read))} | ≥ 1.0× Go's speed (ratio ≤ 1) | ${verdict(read <= go)} |`,
    );
    const sequentialDecode = median(
      decode
        .get(0)
        .filter((r) => r.sec !== undefined)
        .map((r) => r.sec),
    );
    for (const [w, results] of decode) {
      const ok = results.filter((r) => r.sec !== undefined);
      if (ok.length === 0) {
        rows.push(`| read as the CLI does, ${w} decode workers | failed: ${results[0].error} | | | |`);
        continue;
      }
      const s = median(ok.map((r) => r.sec));
      const rss = median(ok.map((r) => r.rssKiB ?? Number.NaN)) / 1024;
      const how =
        w === 0
          ? "in the main thread"
          : w === 1
            ? "1 decode worker"
            : `${w} decode workers, ${ok[0].parts} parts${ok.some((r) => r.fellBack) ? ", fell back to sequential" : ""}`;
      rows.push(
        `| read as the CLI does: ${how} (${fmt(rss, 0)} MiB peak; ${fmt(sequentialDecode / s)}× the main-thread read) | ${fmt(s)} s | ${fmt(ratio(s))} | | |`,
      );
    }
    rows.push(
      `| \`gotrace view\`: URL printed | ${fmt(url)} s | ${fmt(ratio(url))} | ≤ 1.5 | ${verdict(url <= 1.5 * go)} |`,
    );
    rows.push(
      `| \`gotrace view\`: first analysis answer (overview, asked when the URL is printed) | ${fmt(analysis)} s | ${fmt(ratio(analysis))} | ≤ 2 | ${verdict(analysis <= 2 * go)} |`,
    );
    const names = views[0].queries.map((q) => q.what);
    for (const [i, what] of names.entries()) {
      const s = median(views.map((v) => v.queries[i]?.sec ?? Number.NaN));
      rows.push(`| then: ${what} | ${fmt(s, 3)} s | | ≤ 1 s | ${verdict(s <= 1)} |`);
    }
    rows.push(
      `| \`gotrace view\` peak RSS, engine and analysis worker (VmHWM) | ${fmt(peakMiB, 0)} MiB | ${fmt((peakMiB * 2 ** 20) / bytes)}× the file | ≤ 4× the file | ${verdict(peakMiB * 2 ** 20 <= 4 * bytes)} |`,
    );
    for (const [cmd, results] of cli) {
      const ok = results.filter((r) => r.sec !== undefined);
      if (ok.length === 0) {
        rows.push(`| \`gotrace ${cmd}\` | failed: ${results[0].error} | | ≤ 1.5 | not met |`);
        continue;
      }
      const s = median(ok.map((r) => r.sec));
      const rss = median(ok.map((r) => r.rssKiB ?? Number.NaN)) / 1024;
      rows.push(
        `| \`gotrace ${cmd}\` (${fmt(rss, 0)} MiB peak) | ${fmt(s)} s | ${fmt(ratio(s))} | ≤ 1.5 | ${verdict(s <= 1.5 * go)} |`,
      );
    }
    sections.push(
      [
        `### \`${relative(repoDir, file)}\`, ${mb} MB, ${views[0].events.toLocaleString("en-US")} events`,
        "",
        "| what | measured | ÷ Go's read | target | |",
        "|---|--:|--:|---|---|",
        ...rows,
      ].join("\n"),
    );
  }
  const cpus = os.cpus();
  const header = [
    `Measured ${new Date().toISOString().replace(/\.\d+Z$/, "Z")} on commit ${execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: repoDir, encoding: "utf8" }).trim()}.`,
    "",
    `- Machine: ${cpus.length} cores, ${cpus[0]?.model ?? "unknown CPU"}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}; Node ${process.version}; ${execFileSync("go", ["version"], { encoding: "utf8" }).trim()}.`,
    `- 1-minute load average at the end: ${os.loadavg()[0].toFixed(2)}. Each figure is the median of the runs (${runsBy.join(", ")}), the commands taken in turn, every one a fresh process, the file already in the page cache.`,
    "",
  ].join("\n");
  return `${header}\n${sections.join("\n\n")}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let files = process.argv.slice(2);
  if (files.length === 0) {
    const minor = /^go1\.(\d+)/.exec(execFileSync("go", ["env", "GOVERSION"], { encoding: "utf8" }))[1];
    files = [
      { name: `big-go1.${minor}.trace`, sizeMiB: 200 },
      { name: `big-go1.${minor}-1GiB.trace`, sizeMiB: 1024 },
    ].map(
      ({ name, sizeMiB }) =>
        ensureBigTrace({ repoDir, outDir, name, toolchain: "local", sizeMiB, timeoutSec: 1200 }).path,
    );
  }
  const section = await runEngineBench(files);
  process.stdout.write(`${section}\n`);
  if (process.env.BENCH_NO_WRITE !== "1") {
    writeBenchmarksMd(join(repoDir, "BENCHMARKS.md"), section, {
      start: engineStartMarker,
      end: engineEndMarker,
    });
  }
}
