/**
 * `gotrace diff` on the fixture pair with and without an injected mutex
 * regression: it must name the regression first; its numbers are those
 * the other commands (each tested against go tool trace) give each trace.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { DiffResponse, DiffRow } from "../query/analysis/protocol.js";
import { fixturesDir, repoRoot, requirement } from "../testing/corpus.js";

const cli = join(repoRoot, "dist", "cli", "main.js");

function gotrace(...args: string[]): { stdout: string; stderr: string; status: number } {
  const r = spawnSync(process.execPath, [cli, ...args], { maxBuffer: 1 << 28 });
  return { stdout: r.stdout.toString(), stderr: r.stderr.toString(), status: r.status ?? -1 };
}

const good = join(fixturesDir, "whydiff-go1.26.trace");
const slow = join(fixturesDir, "whydiff-slow-go1.26.trace");

function row(d: DiffResponse, table: string, key: string, metric: string): DiffRow | undefined {
  return d.tables.find((t) => t.table === table)?.rows.find((r) => r.key === key && r.metric === metric);
}

describe("gotrace diff", { skip: requirement(existsSync(slow), "testdata/traces") }, () => {
  const tmp = mkdtempSync(join(tmpdir(), "gotrace-diff-"));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it("ranks the injected regression (mutex delay in main.lookup) first", () => {
    const r = gotrace("diff", good, slow, "--json");
    assert.equal(r.status, 0, r.stderr);
    const d = JSON.parse(r.stdout) as DiffResponse;
    const top = d.top[0]!;
    assert.deepEqual([top.table, top.key, top.metric], ["profiles", "main.lookup", "sync delay"]);
    assert.ok(top.delta > 100e6, `lookup's mutex delay grew by ${top.delta} ns`);
    // The requests got slower, by more than the 300 µs lookup now sleeps.
    const p50 = row(d, "tasks", "request", "p50")!;
    assert.ok(p50.b - p50.a > 300e3, `request p50 ${p50.a} → ${p50.b}`);
    // Every table's rows by the size of their change within a unit.
    for (const t of d.tables) {
      const ns = t.rows.filter((x) => x.unit === "ns");
      for (let i = 1; i < ns.length; i++) assert.ok(Math.abs(ns[i - 1]!.delta) >= Math.abs(ns[i]!.delta));
    }
    // The text names it first too.
    const text = gotrace("diff", good, slow);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /Largest changes in time:\n.*\nprofiles +main\.lookup +sync delay /);
  });

  it("compares the numbers gotrace goroutines gives each trace", () => {
    const d = JSON.parse(gotrace("diff", good, slow, "--json").stdout) as DiffResponse;
    for (const [file, side] of [
      [good, "a"],
      [slow, "b"],
    ] as const) {
      const groups = JSON.parse(gotrace("goroutines", file, "--json").stdout).groups as {
        name: string;
        count: number;
        execNs: number;
      }[];
      const w = groups.find((g) => g.name === "main.worker")!;
      assert.equal(row(d, "goroutines", "main.worker", "execution")![side], w.execNs);
      assert.equal(row(d, "goroutines", "main.worker", "count")?.[side] ?? 4, w.count);
    }
  });

  it("writes every row as CSV", () => {
    const d = JSON.parse(gotrace("diff", good, slow, "--json").stdout) as DiffResponse;
    const csv = gotrace("diff", good, slow, "--csv");
    assert.equal(csv.status, 0, csv.stderr);
    const lines = csv.stdout.trimEnd().split("\n");
    assert.equal(lines[0], "table,key,metric,unit,a,b,delta,ratio");
    assert.equal(
      lines.length - 1,
      d.tables.reduce((n, t) => n + t.rows.length, 0),
    );
  });

  it("compares traces of different formats, and follows the damage rule for each", () => {
    const r = gotrace(
      "diff",
      join(fixturesDir, "gc-go1.21.trace"),
      join(fixturesDir, "gc-go1.26.trace"),
      "--json",
    );
    assert.equal(r.status, 0, r.stderr);
    const d = JSON.parse(r.stdout) as DiffResponse;
    assert.ok(row(d, "gc", "GC", "cycles"), "GC cycles compared");
    assert.ok(d.top.length > 0);

    // Many generations: the first ones are whole before the cut.
    const many = join(fixturesDir, "manygen-go1.26.trace");
    const bytes = readFileSync(many);
    const cut = join(tmp, "cut.trace");
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.7)));
    const damaged = gotrace("diff", many, cut);
    assert.equal(damaged.status, 0, damaged.stderr);
    assert.match(damaged.stderr, /^gotrace: warning: .*cut\.trace: damaged at byte offset \d+.*\n$/);

    const notTrace = join(tmp, "not.trace");
    writeFileSync(notTrace, "hello\n");
    const bad = gotrace("diff", good, notTrace);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^gotrace: .*not\.trace: .*byte offset 0\n$/);
    const gone = gotrace("diff", good, join(tmp, "absent.trace"));
    assert.equal(gone.status, 1);
    assert.equal(gone.stderr.split("\n").length, 2);
  });
});
