// `gotrace dump` on a trace whose strings hold one invalid UTF-8 byte,
// next to the same trace without it and to go tool trace -d=parsed on both.
// Go prints the raw byte; so does gotrace, and the one byte must not make
// the whole output take a slow path (a 4 MB trace once took 70× longer).
//
// `node bench/dump-utf8.mjs` after `npm run build`; run.mjs runs it too
// unless BENCH_DUMP=0. BENCH_DUMP_MIB sets the trace's size (default 16),
// BENCH_RUNS the runs per row (default 3).
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { measureAll } from "./measure.mjs";
import { ensureBigTrace } from "./traces.mjs";

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoDir = dirname(benchDir);

/**
 * Writes `dst`, a copy of the trace `src` with one byte of a function name
 * in its first string table set to 0xff, and returns the name it changed.
 * A name that stacks print is picked, so the byte shows up in the output.
 */
export function writeWithBadByte(src, dst) {
  const bytes = readFileSync(src);
  for (const name of ["runtime.gopark", "runtime.chanrecv1", "main.main", "runtime.main"]) {
    const at = bytes.indexOf(name);
    if (at < 0) continue;
    bytes[at + "runtime.".length - 1] = 0xff;
    writeFileSync(dst, bytes);
    return name;
  }
  throw new Error(`${src} names none of the functions looked for`);
}

/** Times both dumps on both traces; returns the rows as a Markdown table. */
export function runDumpUtf8Bench({ outDir, sizeMiB, runs, localMinor, log = () => {} }) {
  const clean = ensureBigTrace({
    repoDir,
    outDir,
    name: `big-go1.${localMinor}-${sizeMiB}MiB.trace`,
    toolchain: "local",
    sizeMiB,
    timeoutSec: 120,
  }).path;
  const bad = clean.replace(/\.trace$/, "-bad-utf8.trace");
  const changed = writeWithBadByte(clean, bad);
  log(`dump: ${relative(repoDir, clean)} and a copy with one invalid byte in ${changed}`);
  const goTraceTool = execFileSync("go", ["tool", "-n", "trace"], { encoding: "utf8" }).trim();
  const mainJs = join(repoDir, "dist", "cli", "main.js");
  const jobs = [];
  for (const [label, file] of [
    ["valid UTF-8", clean],
    ["one invalid byte", bad],
  ]) {
    jobs.push({ label: `gotrace dump, ${label}`, cmd: process.execPath, args: [mainJs, "dump", file] });
    jobs.push({ label: `go tool trace -d=parsed, ${label}`, cmd: goTraceTool, args: ["-d=parsed", file] });
  }
  for (const j of jobs) j.stdout = "discard";
  const results = measureAll(jobs, { runs, useGnuTime: false });
  const lines = [
    `Output to /dev/null, ${sizeMiB} MiB trace, median of ${runs} runs:`,
    "",
    "| command | wall |",
    "|---|---:|",
  ];
  jobs.forEach((j, i) => {
    const r = results[i];
    lines.push(`| ${j.label} | ${r.ok ? `${r.wallSec.toFixed(2)} s` : `failed: ${r.error}`} |`);
  });
  return lines.join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outDir = join(benchDir, "out");
  mkdirSync(outDir, { recursive: true });
  const localMinor = /^go1\.(\d+)/.exec(
    execFileSync("go", ["env", "GOVERSION"], {
      encoding: "utf8",
      env: { ...process.env, GOTOOLCHAIN: "local" },
    }),
  )[1];
  const table = runDumpUtf8Bench({
    outDir,
    sizeMiB: Number(process.env.BENCH_DUMP_MIB ?? 16),
    runs: Number(process.env.BENCH_RUNS ?? 3),
    localMinor,
    log: (m) => process.stderr.write(`==> ${m}\n`),
  });
  process.stdout.write(`${table}\n`);
}
