// The tables of traces in SQL and Parquet (gotrace sql, gotrace export
// --format=parquet), timed:
//
//  1. On one large trace: gotrace's read (bench/read.mjs, the reference),
//     the Parquet export (wall, peak RSS, output size, and its ratio to the
//     read: the goal is ≤ 2×), and gotrace sql answering one query.
//  2. On BENCH_SQL_TRACES (default 100) distinct small traces at once (the
//     fixtures and Go's test traces, copied into bench/out/sql-traces/):
//     each worked example of the README, loading the traces and querying
//     them, then the same queries on the database `--save` kept, which
//     reads no trace.
//
// `node bench/sql.mjs [BIG_TRACE]` after `npm run build` (BIG_TRACE defaults
// to the ≥ 200 MiB trace of bench/out, made if missing); run.mjs runs it
// too unless BENCH_SQL=0, and writes its section of BENCHMARKS.md.
// BENCH_RUNS sets the runs per row (default 3).
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { measureAll } from "./measure.mjs";

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoDir = dirname(benchDir);
const mainJs = join(repoDir, "dist", "cli", "main.js");

export const sqlStartMarker =
  "<!-- bench-sql:start (written by bench/run.mjs; edits here are overwritten) -->";
export const sqlEndMarker = "<!-- bench-sql:end -->";

/** The README's worked examples (kept the same there). */
export const workedExamples = [
  {
    name: "top blocking stacks",
    sql: `WITH stack_text AS (
  SELECT trace_id, stack_id, string_agg(f.func, ' < ' ORDER BY k.depth) AS stack
  FROM stacks k JOIN frames f USING (trace_id, frame_id) GROUP BY ALL)
SELECT st.stack, count(*) AS waits, round(sum(s.end_ns - s.start_ns) / 1e6, 3) AS blocked_ms
FROM states s JOIN stack_text st USING (trace_id, stack_id)
WHERE s.state = 'waiting' AND NOT s.at_trace_end
  AND (s.reason LIKE '%chan%' OR s.reason LIKE '%sync%' OR s.reason LIKE '%select%')
GROUP BY st.stack ORDER BY blocked_ms DESC LIMIT 10`,
  },
  {
    name: "slowest tasks by type",
    sql: `SELECT type, count(*) AS tasks,
  round(quantile_cont(end_ns - start_ns, 0.99) / 1e6, 3) AS p99_ms,
  round(max(end_ns - start_ns) / 1e6, 3) AS max_ms
FROM tasks WHERE start_goid IS NOT NULL AND end_goid IS NOT NULL
GROUP BY type ORDER BY max_ms DESC LIMIT 10`,
  },
  {
    name: "runnable time by group across files",
    sql: `SELECT g.name, count(DISTINCT s.trace_id) AS traces,
  round(sum(s.end_ns - s.start_ns) / 1e6, 3) AS runnable_ms
FROM states s JOIN goroutines g USING (trace_id, goid)
WHERE s.state = 'runnable'
GROUP BY g.name ORDER BY runnable_ms DESC LIMIT 10`,
  },
];

/** Every trace file under `dir` (by its header), sorted. */
function traceFilesUnder(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...traceFilesUnder(p));
    else if (e.isFile() && /^go 1\.\d+ trace\0/.test(readFileSync(p).subarray(0, 16).toString("latin1")))
      out.push(p);
  }
  return out.sort();
}

/** `n` distinct traces copied into `dir` (the fixtures first, then Go's test traces). */
function smallTraces(dir, n) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const pool = [
    ...traceFilesUnder(join(repoDir, "testdata", "traces")),
    ...traceFilesUnder(join(repoDir, "testdata", "go-traces")),
  ];
  // Identical files are one trace to gotrace (same hash): keep the first of each.
  const seen = new Set();
  let k = 0;
  for (const f of pool) {
    if (k === n) break;
    const key = readFileSync(f).toString("base64");
    if (seen.has(key)) continue;
    seen.add(key);
    copyFileSync(f, join(dir, `${String(k).padStart(3, "0")}.trace`));
    k++;
  }
  return k;
}

function duSize(dir) {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? duSize(p) : statSync(p).size;
  }
  return n;
}

const mib = (b) => `${(b / 2 ** 20).toFixed(1)} MiB`;
const cell = (r, f) => (r.ok ? f(r) : `failed: ${r.error}`);

/** Runs both parts; returns the section for BENCHMARKS.md. */
export function runSqlBench({ bigTrace, outDir, runs, traces = 100, log = () => {} }) {
  const exportDir = join(outDir, "sql-parquet");
  const node = process.execPath;
  const sqlOne = "SELECT state, count(*) AS n, sum(end_ns - start_ns) AS ns FROM states GROUP BY ALL";
  log(`sql: Parquet export and one query on ${relative(repoDir, bigTrace)}`);
  const bigJobs = [
    { label: "read (bench/read.mjs)", cmd: node, args: [join(benchDir, "read.mjs"), bigTrace] },
    {
      label: "gotrace export --format=parquet",
      cmd: "/bin/sh",
      args: [
        "-c",
        `rm -rf "$1" && exec "$2" "$3" export --format=parquet "$4" -o "$1"`,
        "sh",
        exportDir,
        node,
        mainJs,
        bigTrace,
      ],
      stdout: "discard",
    },
    {
      label: "gotrace sql (states by state)",
      cmd: node,
      args: [mainJs, "sql", sqlOne, bigTrace],
      stdout: "discard",
    },
  ];
  const big = measureAll(bigJobs, { runs, useGnuTime: true });
  const readSec = big[0].ok ? big[0].wallSec : undefined;
  const rss = (r) => (r.maxRssKiB === undefined ? "" : mib(r.maxRssKiB * 1024));
  const lines = [
    `One trace: ${relative(repoDir, bigTrace)} (${mib(statSync(bigTrace).size)}), median of ${runs} runs.`,
    "",
    "| what | wall | × read | peak RSS | output |",
    "|---|---:|---:|---:|---:|",
  ];
  bigJobs.forEach((j, i) => {
    const r = big[i];
    const ratio = r.ok && readSec ? `${(r.wallSec / readSec).toFixed(2)}×` : "";
    const output = i === 1 && r.ok ? mib(duSize(exportDir)) : "";
    lines.push(
      `| ${j.label} | ${cell(r, (x) => `${x.wallSec.toFixed(2)} s`)} | ${ratio} | ${rss(r)} | ${output} |`,
    );
  });
  rmSync(exportDir, { recursive: true, force: true });

  const dir = join(outDir, "sql-traces");
  const got = smallTraces(dir, traces);
  const db = join(outDir, "sql-traces.duckdb");
  rmSync(db, { force: true });
  log(`sql: the worked examples on ${got} traces in ${relative(repoDir, dir)}`);
  const save = measureAll(
    [{ label: "save", cmd: node, args: [mainJs, "sql", "", dir, "--save", db], stdout: "discard" }],
    {
      runs: 1,
      useGnuTime: true,
    },
  )[0];
  const smallJobs = workedExamples.flatMap((q) => [
    { label: `${q.name}: traces`, cmd: node, args: [mainJs, "sql", q.sql, dir], stdout: "discard" },
    { label: `${q.name}: saved database`, cmd: node, args: [mainJs, "sql", q.sql, db], stdout: "discard" },
  ]);
  const small = measureAll(smallJobs, { runs, useGnuTime: true });
  lines.push(
    "",
    `${got} traces at once (${mib(duSize(dir))}, the fixtures and Go's test traces): each README example, loading the traces then querying them, and querying the database \`--save\` wrote (${cell(save, (x) => `${x.wallSec.toFixed(2)} s`)} to write, ${save.ok ? mib(statSync(db).size) : "?"}).`,
    "",
    "| query | from | wall | peak RSS |",
    "|---|---|---:|---:|",
  );
  smallJobs.forEach((j, i) => {
    const [name, from] = j.label.split(": ");
    lines.push(
      `| ${name} | ${from} | ${cell(small[i], (x) => `${x.wallSec.toFixed(2)} s`)} | ${rss(small[i])} |`,
    );
  });
  rmSync(db, { force: true });
  return lines.join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outDir = join(benchDir, "out");
  mkdirSync(outDir, { recursive: true });
  let bigTrace = process.argv[2];
  if (bigTrace === undefined) {
    const { ensureBigTrace } = await import("./traces.mjs");
    const { execFileSync } = await import("node:child_process");
    const localMinor = /^go1\.(\d+)/.exec(
      execFileSync("go", ["env", "GOVERSION"], {
        encoding: "utf8",
        env: { ...process.env, GOTOOLCHAIN: "local" },
      }),
    )[1];
    bigTrace = ensureBigTrace({
      repoDir,
      outDir,
      name: `big-go1.${localMinor}.trace`,
      toolchain: "local",
      sizeMiB: 200,
      timeoutSec: 300,
    }).path;
  }
  const section = runSqlBench({
    bigTrace,
    outDir,
    runs: Number(process.env.BENCH_RUNS ?? 3),
    traces: Number(process.env.BENCH_SQL_TRACES ?? 100),
    log: (m) => process.stderr.write(`==> ${m}\n`),
  });
  process.stdout.write(`${section}\n`);
}
