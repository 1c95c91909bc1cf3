// The Perfetto export rows of `npm run bench`: `gotrace export
// --format=perfetto` on a trace, next to what reading it costs (gotrace's
// reader alone, bench/read.mjs; gotrace's reader building the timeline
// the export writes from; Go's reader, bench/goparse), in wall time and
// peak RSS, and the output's size next to the trace's and to the JSON
// `go tool trace` serves for the same file.
//
// Go 1.22+'s `go tool trace` has no command that writes its JSON: its
// trace viewer fetches it from /jsontrace of the -http server. So the JSON
// size is that response's length, streamed and counted (not stored), from
// `go tool trace -http`, which is stopped above BENCH_GO_RSS_CAP_GIB
// (default 60% of memory; it needs >24 GiB to split a 210 MB trace), in
// which case the row says so. BENCH_EXPORT_JSON=0 skips it;
// BENCH_EXPORT_JSON_MAX_MIB=N skips it for traces larger than N MiB.
//
// The export is timed as the CLI writes it by default (its packets deflated
// into Perfetto's compressed packets); the size of the packets themselves
// (what --uncompressed writes) is the sum of the sections.
//
// Usage: npm run build && node bench/export-perfetto.mjs [FILE…]
// Without files: the ≥200 MiB trace (bench/out/big-go1.NN.trace, made if
// missing). BENCH_RUNS=N runs each (default 3, medians). Rewrites its
// section of BENCHMARKS.md unless BENCH_NO_WRITE=1. With --timeline-only
// FILE it only builds the timeline and prints one JSON line (a row of its
// own run); with --sections FILE it prints the bytes of each part of the
// export.
import { execFileSync, spawn } from "node:child_process";
import { createReadStream, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { hasGnuTime, median, runOnce } from "./measure.mjs";
import { writeBenchmarksMd } from "./report.mjs";
import { ensureBigTrace } from "./traces.mjs";

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoDir = dirname(benchDir);
const outDir = join(benchDir, "out");
export const exportStartMarker =
  "<!-- bench-export-perfetto:start (written by bench/export-perfetto.mjs; edits here are overwritten) -->";
export const exportEndMarker = "<!-- bench-export-perfetto:end -->";

function log(msg) {
  process.stderr.write(`==> ${msg}\n`);
}

/** --timeline-only FILE: build the timeline as `gotrace export` does, print {seconds, events, maxRssKiB}. */
async function timelineOnly(path) {
  const { buildTimeline } = await import("../dist/query/timeline/build.js");
  const start = process.hrtime.bigint();
  const built = await buildTimeline(createReadStream(path, { highWaterMark: 1 << 20 }));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const events = built.engine.info().events;
  process.stdout.write(`${JSON.stringify({ events, seconds, maxRssKiB: process.resourceUsage().maxRSS })}\n`);
}

/** --sections FILE: export to nowhere and print the bytes of each section (procs, counters, …). */
async function sections(path) {
  const { buildTimeline } = await import("../dist/query/timeline/build.js");
  const { exportPerfetto } = await import("../dist/export/perfetto/export.js");
  const built = await buildTimeline(createReadStream(path, { highWaterMark: 1 << 20 }));
  const summary = await exportPerfetto(built.engine.tl, () => {});
  process.stdout.write(`${JSON.stringify(summary.sectionBytes)}\n`);
}

const goRssCapKiB = Number(process.env.BENCH_GO_RSS_CAP_GIB ?? (0.6 * os.totalmem()) / 2 ** 30) * 2 ** 20;

/** The length of go tool trace's /jsontrace for `file`, or why there is none. */
async function goJsonBytes(goTraceTool, file) {
  const started = performance.now();
  const child = spawn(goTraceTool, ["-http=127.0.0.1:0", file], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, BROWSER: "true" },
  });
  let capped = false;
  const timer = setInterval(() => {
    try {
      const rss = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1]);
      if (rss > goRssCapKiB && !capped) {
        capped = true;
        child.kill("SIGKILL");
      }
    } catch {
      // Exited between two samples.
    }
  }, 200);
  try {
    const url = await new Promise((resolve, reject) => {
      let out = "";
      const onData = (b) => {
        out += b.toString();
        const m = /listening on (\S+)/.exec(out);
        if (m) resolve(m[1]);
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      child.once("exit", (code, signal) =>
        reject(new Error(capped ? `stopped at the RSS cap` : `exited (${code ?? signal})`)),
      );
    });
    const res = await fetch(`${url.replace(/\/$/, "")}/jsontrace`);
    let bytes = 0;
    for await (const chunk of res.body) bytes += chunk.length;
    return { ok: true, bytes, sec: (performance.now() - started) / 1000 };
  } catch (e) {
    return { ok: false, why: String(e.message ?? e) };
  } finally {
    clearInterval(timer);
    child.kill("SIGKILL");
  }
}

function fmtSec(s) {
  return s === undefined ? "—" : `${s.toFixed(2)} s`;
}
function fmtMiB(kib) {
  return kib === undefined ? "—" : `${(kib / 1024).toFixed(0)} MiB`;
}
function fmtBytes(b) {
  return b >= 2 ** 20 ? `${(b / 2 ** 20).toFixed(1)} MiB` : `${(b / 1024).toFixed(1)} KiB`;
}

/** Measures each file; returns the Markdown section. */
export async function runExportPerfettoBench({ files, runs, goparse, goTraceTool }) {
  const useGnuTime = hasGnuTime();
  const self = fileURLToPath(import.meta.url);
  const main = join(repoDir, "dist", "cli", "main.js");
  const rows = [];
  for (const file of files) {
    const bytes = statSync(file).size;
    const out = join(outDir, "export-bench.pftrace");
    const jobs = {
      go: goparse && [goparse, [file], "json"],
      read: [process.execPath, [join(benchDir, "read.mjs"), file], "json"],
      timeline: [process.execPath, [self, "--timeline-only", file], "json"],
      export: [process.execPath, [main, "export", "--format=perfetto", file, "-o", out], "discard"],
    };
    const results = Object.fromEntries(Object.keys(jobs).map((k) => [k, []]));
    log(`export-perfetto: ${relative(repoDir, file)} (${fmtBytes(bytes)}), ${runs} runs`);
    // Once first, so every reader finds the file in the page cache.
    execFileSync("cat", [file], { stdio: ["ignore", "ignore", "inherit"] });
    for (let r = 0; r < runs; r++) {
      for (const [k, job] of Object.entries(jobs)) {
        if (!job) continue;
        const res = runOnce(job[0], job[1], { stdout: job[2], useGnuTime });
        if (!res.ok) throw new Error(`${k}: ${res.error}`);
        results[k].push(res);
      }
    }
    const outBytes = statSync(out).size;
    const sectionBytes = JSON.parse(
      execFileSync(process.execPath, [self, "--sections", file], { encoding: "utf8", maxBuffer: 1 << 20 }),
    );
    // What go tool trace's JSON also holds: the P tracks, the counters, GC and STW (not threads, goroutines, tasks).
    const likeJson = sectionBytes.descriptors + sectionBytes.procs + sectionBytes.counters + sectionBytes.gc;
    rmSync(out, { force: true });
    const med = (k, f) => (results[k].length ? median(results[k].map(f)) : undefined);
    const packetBytes = Object.values(sectionBytes).reduce((a, b) => a + b, 0);
    const jsonMaxMiB = Number(process.env.BENCH_EXPORT_JSON_MAX_MIB ?? Number.POSITIVE_INFINITY);
    const json =
      process.env.BENCH_EXPORT_JSON === "0" || !goTraceTool
        ? { ok: false, why: "not measured (BENCH_EXPORT_JSON=0)" }
        : bytes > jsonMaxMiB * 2 ** 20
          ? { ok: false, why: `not measured (over BENCH_EXPORT_JSON_MAX_MIB=${jsonMaxMiB})` }
          : await goJsonBytes(goTraceTool, file);
    rows.push({
      file: relative(repoDir, file),
      bytes,
      goSec: med("go", (r) => r.wallSec),
      readSec: med("read", (r) => r.wallSec),
      timelineSec: med("timeline", (r) => r.wallSec),
      exportSec: med("export", (r) => r.wallSec),
      goRss: med("go", (r) => r.maxRssKiB),
      readRss: med("read", (r) => r.maxRssKiB),
      timelineRss: med("timeline", (r) => r.maxRssKiB),
      exportRss: med("export", (r) => r.maxRssKiB),
      outBytes,
      packetBytes,
      likeJson,
      json,
    });
  }
  const env = `${os.cpus().length} × ${os.cpus()[0]?.model ?? "CPU"}, Node ${process.version}`;
  let text = `### Perfetto export\n\n${env}; medians of ${runs} runs; wall time of whole processes.\n\n`;
  text +=
    "| trace | Go read (goparse) | gotrace read | gotrace timeline | export | export ÷ read | peak RSS: timeline / export | .pftrace | its packets uncompressed | go tool trace JSON | .pftrace ÷ JSON | uncompressed ÷ JSON | its P tracks, counters, GC (uncompressed) ÷ JSON |\n";
  text += "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const r of rows) {
    const ratio = r.exportSec / r.readSec;
    const jsonCell = r.json.ok ? fmtBytes(r.json.bytes) : r.json.why;
    const sizeRatio = r.json.ok ? (r.outBytes / r.json.bytes).toFixed(3) : "—";
    const plainRatio = r.json.ok ? (r.packetBytes / r.json.bytes).toFixed(2) : "—";
    const likeRatio = r.json.ok ? (r.likeJson / r.json.bytes).toFixed(2) : "—";
    text += `| ${r.file} (${fmtBytes(r.bytes)}) | ${fmtSec(r.goSec)} | ${fmtSec(r.readSec)} | ${fmtSec(r.timelineSec)} | ${fmtSec(r.exportSec)} | ${ratio.toFixed(2)}× | ${fmtMiB(r.timelineRss)} / ${fmtMiB(r.exportRss)} | ${fmtBytes(r.outBytes)} | ${fmtBytes(r.packetBytes)} | ${jsonCell} | ${sizeRatio} | ${plainRatio} | ${likeRatio} |\n`;
  }
  text +=
    "\nTargets (issue 12): export ≤ 2× gotrace's read time, output ≤ 0.3× the JSON. The .pftrace is what `gotrace export --format=perfetto` writes: its packets deflated 1 MiB at a time into Perfetto's compressed packets; `--uncompressed` writes the packets themselves (timestamps as deltas on an incremental clock). The export writes three views (procs, threads, goroutines with their states) where the JSON has one (procs, with the counters); the last column is the export's part that holds what the JSON holds. The export's peak RSS over the timeline's is what writing costs: the output goes to the file in 1 MiB chunks.\n";
  return text;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === "--timeline-only") {
    await timelineOnly(process.argv[3]);
  } else if (process.argv[2] === "--sections") {
    await sections(process.argv[3]);
  } else {
    mkdirSync(outDir, { recursive: true });
    let files = process.argv.slice(2);
    if (files.length === 0) {
      const minor = /^go1\.(\d+)/.exec(
        execFileSync("go", ["env", "GOVERSION"], {
          encoding: "utf8",
          env: { ...process.env, GOTOOLCHAIN: "local" },
        }),
      )[1];
      files = [
        ensureBigTrace({
          repoDir,
          outDir,
          name: `big-go1.${minor}.trace`,
          toolchain: "local",
          sizeMiB: 200,
          timeoutSec: 600,
        }).path,
      ];
    }
    const goparse = join(outDir, "goparse");
    execFileSync("go", ["build", "-o", goparse, "."], { cwd: join(benchDir, "goparse"), stdio: "inherit" });
    const goTraceTool = execFileSync("go", ["tool", "-n", "trace"], { encoding: "utf8" }).trim();
    const section = await runExportPerfettoBench({
      files,
      runs: Number(process.env.BENCH_RUNS ?? 3),
      goparse,
      goTraceTool,
    });
    process.stdout.write(`\n${section}\n`);
    if (process.env.BENCH_NO_WRITE !== "1") {
      writeBenchmarksMd(join(repoDir, "BENCHMARKS.md"), section, {
        start: exportStartMarker,
        end: exportEndMarker,
      });
      log("wrote the export-perfetto section of BENCHMARKS.md");
    }
  }
}
