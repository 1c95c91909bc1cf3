/**
 * `gotrace sql` as a user runs it: its answers equal the analysis commands'
 * on the fixtures (goroutine groups, blocking profiles, tasks), its inputs
 * (files, directories, globs, a saved DuckDB file) and its errors.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, describe, it } from "node:test";
import { type ColumnSpec, schema, sqlTypes, traceIdColumn } from "../export/tables/schema.js";
import { fixturesDir, goToolTrace, haveGo, repoRoot, requirement } from "../testing/corpus.js";

const cli = join(repoRoot, "dist", "cli", "main.js");
const fixture = (name: string) => join(fixturesDir, name);
const tmp = mkdtempSync(join(tmpdir(), "gotrace-sql-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

function gotrace(...args: string[]): { stdout: string; stderr: string; status: number } {
  const r = spawnSync(process.execPath, [cli, ...args], { maxBuffer: 1 << 28 });
  return { stdout: r.stdout.toString(), stderr: r.stderr.toString(), status: r.status ?? -1 };
}

function ok(...args: string[]): string {
  const r = gotrace(...args);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, "");
  return r.stdout;
}

// biome-ignore lint/suspicious/noExplicitAny: rows of JSON answers.
type Row = Record<string, any>;

function sql(query: string, ...files: string[]): Row[] {
  return JSON.parse(ok("sql", query, ...files, "--json"));
}

/**
 * Every program's fixture in the old format (Go 1.21) and a new one. Not
 * cgocallback's: its goroutine IDs live several lives (cgo callbacks on
 * extra Ms), which the tables keep apart and the analyses, as Go's, fold
 * into the last.
 */
const fixtures = readdirSync(fixturesDir)
  .filter((f) => /-go1\.(21|26)\.trace$/.test(f) && !f.startsWith("cgocallback"))
  .map(fixture);

const groupsQuery = `
  SELECT t.path, g.name, count(*) AS count, sum(coalesce(r.ns, 0)) AS exec_ns
  FROM goroutines g
  JOIN traces t USING (trace_id)
  LEFT JOIN (SELECT trace_id, goid, sum(end_ns - start_ns) AS ns FROM states WHERE state = 'running' GROUP BY ALL) r
    USING (trace_id, goid)
  GROUP BY ALL`;

/** Leaf function of the stack, delay and count of the intervals a blocking profile counts. */
function profileQuery(where: string): string {
  return `
  SELECT t.path, f.func, sum(s.end_ns - s.start_ns) AS ns, count(*) AS n
  FROM states s
  JOIN traces t USING (trace_id)
  JOIN stacks k ON k.trace_id = s.trace_id AND k.stack_id = s.stack_id AND k.depth = 0
  JOIN frames f ON f.trace_id = k.trace_id AND f.frame_id = k.frame_id
  WHERE NOT s.at_trace_end AND ${where}
  GROUP BY ALL`;
}

describe("gotrace sql", () => {
  it("counts goroutines and sums their execution time per group as gotrace goroutines does", () => {
    const rows = sql(groupsQuery, ...fixtures);
    let compared = 0;
    for (const file of fixtures) {
      const want = JSON.parse(ok("goroutines", file, "--json")).groups as Row[];
      const got = new Map(rows.filter((r) => r.path === file).map((r) => [r.name, r]));
      for (const g of want) {
        const r = got.get(g.name);
        assert.ok(r, `${basename(file)}: group ${g.name}`);
        assert.equal(r.count, g.count, `${basename(file)}: ${g.name} count`);
        assert.equal(r.exec_ns, g.execNs, `${basename(file)}: ${g.name} execution time`);
        compared++;
      }
      assert.equal(got.size, want.length, `${basename(file)}: groups`);
    }
    assert.ok(compared > 100, `only ${compared} groups compared`);
  });

  const profiles: [string, string][] = [
    [
      "sync",
      "s.state = 'waiting' AND (s.reason LIKE '%chan%' OR s.reason LIKE '%sync%' OR s.reason LIKE '%select%')",
    ],
    ["net", "s.state = 'waiting' AND s.reason = 'network'"],
    ["syscall", "s.state = 'syscall'"],
  ];
  for (const [type, where] of profiles) {
    it(`finds the top blocking functions of gotrace pprof --type=${type} --top`, () => {
      const rows = sql(profileQuery(where), ...fixtures);
      let compared = 0;
      for (const file of fixtures) {
        const want = (JSON.parse(ok("pprof", `--type=${type}`, "--top", "--json", file)) as Row[]).filter(
          (f) => f.flatCount > 0,
        );
        const got = new Map(rows.filter((r) => r.path === file).map((r) => [r.func, r]));
        for (const f of want) {
          const r = got.get(f.function);
          assert.ok(r, `${basename(file)}: ${f.function}`);
          assert.equal(r.ns, f.flatNs, `${basename(file)}: ${f.function} delay`);
          assert.equal(r.n, f.flatCount, `${basename(file)}: ${f.function} count`);
          compared++;
        }
        assert.equal(got.size, want.length, `${basename(file)}: functions`);
      }
      assert.ok(compared > 5, `only ${compared} functions compared`);
    });
  }
});

describe("gotrace sql: tasks, logs and traces", () => {
  const annotations = readdirSync(fixturesDir)
    .filter((f) => f.startsWith("annotations-"))
    .map(fixture);

  it("gives every complete task's type and latency, and its logs, as gotrace tasks --json", () => {
    const tasks = sql(
      `SELECT t.path, k.task_id, k.type, k.end_ns - k.start_ns AS dur_ns
       FROM tasks k JOIN traces t USING (trace_id)
       WHERE k.start_goid IS NOT NULL AND k.end_goid IS NOT NULL`,
      ...annotations,
    );
    const logs = sql(
      `SELECT t.path, l.time_ns, l.goid, l.category, l.message FROM logs l JOIN traces t USING (trace_id)`,
      ...annotations,
    );
    let compared = 0;
    for (const file of annotations) {
      const lines = ok("tasks", file, "--json").trim().split("\n");
      const answer = JSON.parse(lines.join(""));
      const want = answer.tasks as Row[];
      const got = new Map(tasks.filter((r) => r.path === file).map((r) => [r.task_id, r]));
      const complete = want.filter((t) => t.complete);
      for (const t of complete) {
        const r = got.get(t.id);
        assert.ok(r, `${basename(file)}: task ${t.id}`);
        assert.equal(r.type, t.type, `${basename(file)}: task ${t.id} type`);
        assert.equal(r.dur_ns, t.durNs, `${basename(file)}: task ${t.id} latency`);
        compared++;
      }
      assert.equal(got.size, complete.length, `${basename(file)}: complete tasks`);
      // The analysis counts time from its own origin (traceStartNs: −1 in Go 1.21's format), the tables from the first event.
      const key = (ns: number, g: number, l: Row) => `${ns} G${g} [${l.category}] ${l.message}`;
      const wantLogs = want
        .flatMap((t) => t.logs as Row[])
        .map((l) => key(l.timeNs - answer.traceStartNs, l.g, l))
        .sort();
      const gotLogs = logs
        .filter((l) => l.path === file)
        .map((l) => key(l.time_ns, l.goid, l))
        .sort();
      assert.deepEqual(gotLogs, wantLogs, `${basename(file)}: logs`);
    }
    assert.ok(compared >= 40, `only ${compared} tasks compared`);
  });

  it("places time 0 on the wall clock as go tool trace's clock snapshot does (Go 1.25+)", (t) => {
    const skip = requirement(haveGo(), "the go command");
    if (skip) return t.skip(skip);
    const files = readdirSync(fixturesDir)
      .filter((f) => /-go1\.2[5-9]\.trace$/.test(f))
      .map(fixture);
    const rows = sql("SELECT path, epoch_us(start_time) AS us FROM traces", ...files);
    assert.equal(rows.length, files.length);
    for (const r of rows) {
      // The first Sync's snapshot: wall time W at trace time T; the first event at time F; time 0 is W − (T − F).
      const lines = goToolTrace(["-d=parsed", r.path]).stdout.toString().split("\n", 2);
      const sync = /Sync Time=\d+ N=\d+ Trace=(\d+) .*Wall=(\S+)T(\d+):(\d+):(\d+)(?:\.(\d+))?Z/.exec(
        lines[0]!,
      );
      const first = /Time=(\d+)/.exec(lines[0]!);
      assert.ok(sync && first, `${r.path}: ${lines[0]}`);
      const [, trace, day, h, m, sec, ns] = sync;
      const wallNs =
        BigInt(Date.parse(`${day}T00:00:00Z`)) * 1_000_000n +
        BigInt(((Number(h) * 60 + Number(m)) * 60 + Number(sec)) * 1e9) +
        BigInt((ns ?? "").padEnd(9, "0"));
      const want = Number(wallNs - (BigInt(trace!) - BigInt(first[1]!))) / 1e3;
      assert.ok(Math.abs(r.us - want) <= 1, `${basename(r.path)}: ${r.us} µs, go tool trace says ${want}`);
    }
  });

  it("has one traces row per file, with its format version, and a start time for Go 1.25+", () => {
    const rows = sql("SELECT path, go_version, start_time, damage FROM traces ORDER BY path", ...annotations);
    assert.deepEqual(
      rows.map((r) => r.path),
      [...annotations].sort(),
    );
    for (const r of rows) {
      // The header's version: Go 1.24 and 1.27 write their predecessors' formats.
      const head = readFileSync(r.path).subarray(0, 16).toString("latin1");
      assert.equal(`go ${r.go_version} trace`, head.slice(0, head.indexOf(" trace") + 6));
      const minor = Number(r.go_version.split(".")[1]);
      assert.equal(r.start_time !== null, minor >= 25, `${r.path}: start_time ${r.start_time}`);
      if (r.start_time !== null) {
        const t = Date.parse(r.start_time);
        assert.ok(t > Date.UTC(2024, 0) && t < Date.now(), r.start_time);
      }
      assert.equal(r.damage, null);
    }
  });
});

describe("gotrace sql: the schema", () => {
  it("loads every table of docs/tables.md with its columns and types, trace_id first", () => {
    const rows = sql(
      `SELECT table_name, column_name, data_type FROM information_schema.columns
       WHERE table_schema = 'main' ORDER BY table_name, ordinal_position`,
      fixture("sched-go1.26.trace"),
    );
    const want = schema.flatMap((t) =>
      [traceIdColumn, ...(t.columns as readonly ColumnSpec[])].map((c) => ({
        table_name: t.name,
        column_name: c.name,
        data_type: sqlTypes[c.kind],
      })),
    );
    const byTable = (a: Row, b: Row) =>
      a.table_name < b.table_name ? -1 : a.table_name > b.table_name ? 1 : 0;
    assert.deepEqual(rows, [...want].sort(byTable));
  });

  it("names each trace by the first 52 bits of its file's SHA-256", () => {
    const files = [fixture("sched-go1.26.trace"), fixture("gc-go1.21.trace")];
    const rows = sql("SELECT path, trace_id, sha256 FROM traces ORDER BY path", ...files);
    for (const r of rows) {
      const sha = createHash("sha256").update(readFileSync(r.path)).digest("hex");
      assert.equal(r.sha256, sha);
      assert.equal(BigInt(r.trace_id), BigInt(`0x${sha}`) >> 204n);
    }
  });
});

describe("gotrace sql: inputs and output", () => {
  it("reads a directory and a quoted glob as their files, and a trace given twice once", () => {
    const dir = join(tmp, "dir");
    mkdirSync(join(dir, "sub"), { recursive: true });
    const files = ["sched-go1.26.trace", "io-go1.26.trace", "gc-go1.22.trace"];
    copyFileSync(fixture(files[0]!), join(dir, files[0]!));
    copyFileSync(fixture(files[1]!), join(dir, "sub", files[1]!));
    copyFileSync(fixture(files[2]!), join(dir, "sub", "gc.bin"));
    writeFileSync(join(dir, "notes.txt"), "not a trace\n");
    const q = "SELECT sha256 FROM traces ORDER BY sha256";
    const want = sql(q, ...files.map(fixture));
    assert.equal(want.length, 3);
    assert.deepEqual(sql(q, dir), want);
    assert.deepEqual(sql(q, `${dir}/**`), want);
    assert.deepEqual(sql(q, `${dir}/*.trace`), sql(q, fixture(files[0]!)));
    const twice = gotrace("sql", q, fixture(files[0]!), join(dir, files[0]!), "--json");
    assert.equal(twice.status, 0);
    assert.match(twice.stderr, /is a trace already given \(same bytes\); loaded once\n$/);
    assert.equal(JSON.parse(twice.stdout).length, 1);
  });

  it("prints an aligned table, CSV and JSON of the same answer", () => {
    const q = "SELECT name, count(*) AS n FROM goroutines GROUP BY name ORDER BY n DESC, name LIMIT 3";
    const f = fixture("sched-go1.26.trace");
    const json = sql(q, f);
    const table = ok("sql", q, f).trimEnd().split("\n");
    assert.match(table[0]!, /^name +n$/);
    json.forEach((r, i) => {
      assert.match(table[i + 1]!, new RegExp(`^${r.name.replace(/[.*()[\]]/g, "\\$&")} +${r.n}$`));
    });
    const csv = ok("sql", q, f, "--csv").trimEnd().split("\n");
    assert.deepEqual(csv, ["name,n", ...json.map((r) => `${r.name},${r.n}`)]);
  });

  it("saves the tables with --save and answers the same from the saved file", () => {
    const db = join(tmp, "saved.duckdb");
    const q =
      "SELECT state, count(*) AS n, sum(end_ns - start_ns) AS ns FROM states GROUP BY ALL ORDER BY ALL";
    const files = [fixture("sched-go1.26.trace"), fixture("io-go1.21.trace")];
    const direct = ok("sql", q, ...files, "--json");
    assert.equal(ok("sql", q, ...files, "--json", "--save", db), direct);
    assert.deepEqual(
      readdirSync(tmp).filter((f) => f.startsWith("saved")),
      ["saved.duckdb"],
    );
    assert.equal(ok("sql", q, db, "--json"), direct);
    // Saved again over it: replaced whole.
    ok("sql", "", files[0]!, "--save", db);
    assert.deepEqual(sql("SELECT count(*) AS n FROM traces", db), [{ n: 1 }]);
  });
});

describe("gotrace sql: bad input", () => {
  it("gives DuckDB's message on one line and exit status 1 for a bad query", () => {
    for (const q of ["SELEC 1", "SELECT nope FROM goroutines", "SELECT * FROM no_such_table"]) {
      const r = gotrace("sql", q, fixture("sched-go1.26.trace"));
      assert.equal(r.status, 1, q);
      assert.equal(r.stdout, "");
      assert.match(r.stderr, /^gotrace: sql: [A-Z][a-z]+ Error: [^\n]+\n$/, q);
    }
  });

  it("loads a damaged trace up to the damage, with one warning; a file with nothing readable is an error", () => {
    const whole = fixture("manygen-go1.26.trace");
    const bytes = readFileSync(whole);
    const damaged = join(tmp, "damaged.trace");
    writeFileSync(damaged, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const r = gotrace(
      "sql",
      "SELECT damage, (SELECT count(*) FROM goroutines) AS n FROM traces",
      damaged,
      "--json",
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stderr,
      /^gotrace: warning: \S+damaged\.trace: damaged at byte offset \d+ [^\n]*loaded[^\n]*\n$/,
    );
    const [row] = JSON.parse(r.stdout) as Row[];
    assert.match(row!.damage, /^damaged at byte offset \d+/);
    assert.ok(row!.n > 0);
    const [all] = sql("SELECT count(*) AS n FROM goroutines", whole);
    assert.ok(row!.n <= all!.n);

    const junk = join(tmp, "junk.trace");
    writeFileSync(junk, "not a trace at all\n");
    const bad = gotrace("sql", "SELECT 1", junk);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^gotrace: \S+junk\.trace: [^\n]*byte offset 0\n$/);
  });

  it("says why a --save path cannot be written, and leaves no file behind", () => {
    const blocker = join(tmp, "a-file");
    writeFileSync(blocker, "");
    const db = join(blocker, "x.duckdb");
    const r = gotrace("sql", "SELECT 1", fixture("sched-go1.26.trace"), "--save", db);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^gotrace: \S+a-file\/x\.duckdb: [^\n]+\n$/);
    assert.equal(existsSync(db), false);
  });
});
