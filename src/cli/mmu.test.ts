/** `gotrace mmu` as a user runs it. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fixturesDir, repoRoot, requirement } from "../testing/corpus.js";
import { parseWindow } from "./mmu.js";

const cli = join(repoRoot, "dist", "cli", "main.js");

function gotrace(...args: string[]): { stdout: string; stderr: string; status: number } {
  const r = spawnSync(process.execPath, [cli, ...args], { maxBuffer: 1 << 28 });
  return { stdout: r.stdout.toString(), stderr: r.stderr.toString(), status: r.status ?? -1 };
}

const gc = join(fixturesDir, "gc-go1.26.trace");

describe("gotrace mmu", { skip: requirement(existsSync(gc), "testdata/traces") }, () => {
  const tmp = mkdtempSync(join(tmpdir(), "gotrace-mmu-"));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it("prints the MMU curve and the worst windows", () => {
    const r = gotrace("mmu", gc);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /^Minimum mutator utilization, system-wide, counting stw, background, assist as GC:\n/,
    );
    assert.match(r.stdout, /\n +1ms +0\.0172\n/);
    assert.match(
      r.stdout,
      /\nWorst 1ms windows \(times from the trace start\):\nStart +End +Mutator utilization\n0\.019436288s +0\.020436288s +0\.0172\n/,
    );

    const json = JSON.parse(
      gotrace("mmu", gc, "--windows", "1ms,2.5ms", "--worst", "2", "--percentiles", "--json").stdout,
    );
    assert.deepEqual(
      json.curve.map((p: { windowNs: number }) => p.windowNs),
      [1e6, 2.5e6],
    );
    assert.equal(json.curve[0].percentiles.length, 3);
    assert.equal(json.worst[1].windows.length, 2);
    const w = json.worst[0].windows[0];
    assert.equal(w.endNs - w.startNs, 1e6);
    assert.ok(w.startAbsNs > w.startNs);

    const perProc = JSON.parse(gotrace("mmu", gc, "--per-proc", "--include", "stw,sweep", "--json").stdout);
    assert.equal(perProc.curve.length, 100);
    assert.deepEqual(perProc.include, ["stw", "sweep"]);
  });

  it("rejects bad flags and traces without GOMAXPROCS with one line", () => {
    for (const args of [
      ["--include", "stw,nap"],
      ["--windows", "1 ms"],
      ["--worst", "-1"],
    ]) {
      const r = gotrace("mmu", gc, ...args);
      assert.equal(r.status, 2, args.join(" "));
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    }
    const old = join(fixturesDir, "annotations-go1.21.trace");
    const r = gotrace("mmu", old);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^gotrace: no mutator utilization: the trace never says what GOMAXPROCS is\n$/);
  });

  it("keeps the complete generations of a truncated trace and says what was lost", () => {
    const bytes = readFileSync(join(fixturesDir, "manygen-go1.26.trace"));
    const cut = join(tmp, "cut.trace");
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const r = gotrace("mmu", cut);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stderr,
      /^gotrace: warning: \S+: damaged at byte offset \d+ \(.+\); analysed the [\d,]+ events before it, lost \d+\.\d% of [\d.]+ KiB\n$/,
    );
    assert.match(r.stdout, /^Minimum mutator utilization/);
  });

  it("reads window sizes as Go durations or nanoseconds", () => {
    assert.equal(parseWindow("1ms"), 1e6);
    assert.equal(parseWindow("2.5µs"), 2500);
    assert.equal(parseWindow("250us"), 250e3);
    assert.equal(parseWindow("1m30s"), 90e9);
    assert.equal(parseWindow("1500"), 1500);
    assert.throws(() => parseWindow("0.1ns"));
    assert.throws(() => parseWindow("ms"));
  });
});
