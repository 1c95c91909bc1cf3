/**
 * `gotrace export --format=parquet`: the tables of several traces, read
 * back by Spark (its own Parquet reader, in local mode) and by DuckDB, give
 * the answers `gotrace sql` gives over the traces themselves; output is
 * whole or absent.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DuckDBInstance } from "@duckdb/node-api";
import { schema } from "../export/tables/schema.js";
import { fixturesDir, repoRoot } from "../testing/corpus.js";
import { pythonPath, pythonSkip } from "../testing/python.js";

const cli = join(repoRoot, "dist", "cli", "main.js");
const tmp = mkdtempSync(join(tmpdir(), "gotrace-parquet-"));
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

const files = ["sched-go1.26.trace", "io-go1.22.trace", "annotations-go1.25.trace", "gc-go1.21.trace"].map(
  (f) => join(fixturesDir, f),
);
const out = join(tmp, "export");

/** Runnable time by goroutine group across the traces: one of the README's worked examples. */
const runnableByGroup = `
  SELECT g.name, count(DISTINCT s.trace_id) AS traces, count(*) AS intervals, sum(s.end_ns - s.start_ns) AS runnable_ns
  FROM states s JOIN goroutines g ON g.trace_id = s.trace_id AND g.goid = s.goid
  WHERE s.state = 'runnable'
  GROUP BY g.name
  ORDER BY runnable_ns DESC, g.name`;

describe("gotrace export --format=parquet", () => {
  before(() => {
    ok("export", "--format=parquet", ...files, "-o", out);
  });

  it("writes every table, partitioned by the traces' trace_id", () => {
    const ids = (
      JSON.parse(ok("sql", "SELECT trace_id FROM traces ORDER BY 1", ...files, "--json")) as Row[]
    ).map((r) => `trace_id=${r.trace_id}`);
    assert.equal(ids.length, files.length);
    assert.deepEqual(readdirSync(out).sort(), schema.map((t) => t.name).sort());
    for (const t of ["traces", "goroutines", "states", "stacks", "frames", "counters", "ranges"]) {
      assert.deepEqual(readdirSync(join(out, t)).sort(), [...ids].sort(), t);
    }
    assert.deepEqual(
      readdirSync(tmp).filter((f) => f !== "export"),
      [],
    );
  });

  it("reads back in DuckDB as the tables gotrace sql loads, row for row", async () => {
    const db = await DuckDBInstance.create(":memory:");
    const c = await db.connect();
    try {
      for (const t of schema) {
        const counts = JSON.parse(
          ok(
            "sql",
            `SELECT trace_id, count(*) AS n FROM ${t.name} GROUP BY 1 ORDER BY 1`,
            ...files,
            "--json",
          ),
        ) as Row[];
        if (counts.length === 0) {
          assert.deepEqual(readdirSync(join(out, t.name)), [], t.name);
          continue;
        }
        const r = await c.runAndReadAll(
          `SELECT trace_id, count(*) AS n FROM read_parquet('${join(out, t.name)}/*/*.parquet', hive_partitioning = true) GROUP BY 1 ORDER BY 1`,
        );
        const got = r.getRowsJS().map(([id, n]) => ({ trace_id: Number(id), n: Number(n) }));
        assert.deepEqual(got, counts, t.name);
      }
    } finally {
      c.closeSync();
      db.closeSync();
    }
  });

  it("gives Spark the answer gotrace sql gives: runnable time by group across traces", (t) => {
    const skip = pythonSkip("pyspark");
    if (skip) return t.skip(skip);
    const want = JSON.parse(ok("sql", runnableByGroup, ...files, "--json")) as Row[];
    assert.ok(want.length > 10);
    const r = spawnSync(
      pythonPath,
      [join(repoRoot, "src", "testing", "spark-query.py"), out, runnableByGroup],
      {
        maxBuffer: 1 << 26,
        env: { ...process.env, PYSPARK_PYTHON: pythonPath },
      },
    );
    assert.equal(r.status, 0, r.stderr.toString());
    assert.deepEqual(JSON.parse(r.stdout.toString()), want);
  });
});

describe("gotrace export --format=parquet: bad input and output", () => {
  it("exports a damaged trace up to the damage, and says so", () => {
    const bytes = readFileSync(join(fixturesDir, "manygen-go1.26.trace"));
    const damaged = join(tmp, "damaged.trace");
    writeFileSync(damaged, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const dir = join(tmp, "damaged-export");
    const r = gotrace("export", "--format=parquet", damaged, "-o", dir);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stderr,
      /^gotrace: warning: \S+damaged\.trace: damaged at byte offset \d+ [^\n]*exported[^\n]*\n$/,
    );
    assert.ok(readdirSync(join(dir, "goroutines")).length === 1);
    rmSync(damaged);
  });

  it("wants a known format and an output", () => {
    for (const args of [
      [files[0]!, "-o", join(tmp, "x")],
      ["--format=csv", files[0]!, "-o", join(tmp, "x")],
      ["--format=parquet", files[0]!],
    ]) {
      const r = gotrace("export", ...args);
      assert.equal(r.status, 2, args.join(" "));
      assert.match(r.stderr, /^gotrace export: [^\n]+ \(see gotrace help export\)\n$/);
    }
    assert.equal(existsSync(join(tmp, "x")), false);
  });

  it("refuses an output it cannot write, and leaves nothing behind", () => {
    const blocker = join(tmp, "a-file");
    writeFileSync(blocker, "");
    const under = gotrace("export", "--format=parquet", files[0]!, "-o", join(blocker, "out"));
    assert.equal(under.status, 1);
    assert.match(under.stderr, /^gotrace: \S+a-file\/out: cannot write: not a directory\n$/);

    const full = join(tmp, "full");
    mkdirSync(full);
    writeFileSync(join(full, "keep"), "x");
    const taken = gotrace("export", "--format=parquet", files[0]!, "-o", full);
    assert.equal(taken.status, 1);
    assert.match(taken.stderr, /^gotrace: \S+full: exists and is not empty\n$/);
    assert.deepEqual(readdirSync(full), ["keep"]);
    rmSync(blocker);
    rmSync(full, { recursive: true });
  });

  it("writes nothing when one of the traces cannot be read", () => {
    const junk = join(tmp, "junk.trace");
    writeFileSync(junk, "not a trace\n");
    const dir = join(tmp, "never");
    const r = gotrace("export", "--format=parquet", files[0]!, junk, "-o", dir);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^gotrace: \S+junk\.trace: [^\n]*byte offset 0\n$/);
    assert.equal(existsSync(dir), false);
    assert.deepEqual(
      readdirSync(tmp).filter((f) => f.includes("never")),
      [],
    );
    rmSync(junk);
  });
});
