/** The gotrace command as a user runs it: output, exit status, one-line errors. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fixturesDir, goToolTrace, haveGo, repoRoot, requirement } from "../testing/corpus.js";

const cli = join(repoRoot, "dist", "cli", "main.js");

function gotrace(...args: string[]): { stdout: string; stderr: string; status: number } {
  const r = spawnSync(process.execPath, [cli, ...args], { maxBuffer: 1 << 28 });
  return { stdout: r.stdout.toString(), stderr: r.stderr.toString(), status: r.status ?? -1 };
}

const fixture = join(fixturesDir, "annotations-go1.26.trace");

describe("gotrace CLI", { skip: requirement(existsSync(fixture), "testdata/traces fixtures") }, () => {
  const tmp = mkdtempSync(join(tmpdir(), "gotrace-cli-"));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it("accepts go tool trace's -d=parsed and -d=wire", { skip: requirement(haveGo(), "go") }, () => {
    for (const mode of ["parsed", "wire"]) {
      const ours = gotrace(`-d=${mode}`, fixture);
      const go = goToolTrace([`-d=${mode}`, fixture]);
      assert.equal(ours.status, 0, ours.stderr);
      assert.equal(ours.stdout, go.stdout.toString(), mode);
    }
    assert.equal(gotrace("dump", fixture).stdout, gotrace("-d=parsed", fixture).stdout);
    assert.equal(gotrace("dump", "--wire", fixture).stdout, gotrace("-d=wire", fixture).stdout);
  });

  it("stats gives an overview", () => {
    const r = gotrace("stats", fixture);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Format: +go 1\.26 trace/);
    assert.match(r.stdout, /Generations: +\d+/);
    assert.match(r.stdout, /Goroutines: +\d+/);
    assert.match(r.stdout, /GC cycles: +\d+/);
    assert.match(r.stdout, /TaskBegin +\d+/);
  });

  it("rejects a file that is not a trace with one line and status 1", () => {
    const bad = join(tmp, "bad.out");
    writeFileSync(bad, "hello, world, this is not a trace");
    for (const args of [
      ["dump", bad],
      ["stats", bad],
    ]) {
      const r = gotrace(...args);
      assert.equal(r.status, 1);
      assert.equal(r.stdout, "");
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.match(r.stderr, /^gotrace: bad file format: not a Go execution trace\? at byte offset 0\n$/);
    }
  });

  it("keeps the complete generations of a truncated trace and says what was lost", () => {
    const bytes = readFileSync(join(fixturesDir, "manygen-go1.26.trace"));
    const cut = join(tmp, "cut.out");
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const r = gotrace("stats", cut);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^gotrace: lost \d+\.\d% of [\d.]+ KiB: .* at byte offset \d+/);
    assert.equal(r.stderr.trim().split("\n").length, 1);
    const gens = Number(/Generations: +(\d+)/.exec(r.stdout)?.[1]);
    const full = Number(
      /Generations: +(\d+)/.exec(gotrace("stats", join(fixturesDir, "manygen-go1.26.trace")).stdout)?.[1],
    );
    assert.ok(gens > 0 && gens < full, `kept ${gens} of ${full} generations`);
  });

  it("converts between the binary and text forms without changing an event", () => {
    const text = join(tmp, "a.txt");
    const back = join(tmp, "a.bin");
    assert.equal(gotrace("convert", fixture, text).status, 0);
    assert.match(readFileSync(text, "utf8"), /^Trace Go1\.26\n/);
    assert.equal(gotrace("convert", text, back).status, 0);
    // The runtime pads batch lengths to 10 bytes and the writer does not, so compare events, not bytes.
    assert.equal(gotrace("dump", back).stdout, gotrace("dump", fixture).stdout);
    assert.equal(gotrace("dump", "--wire", back).stdout, gotrace("dump", "--wire", fixture).stdout);
  });

  it("prints invalid UTF-8 in function names as the raw bytes, as Go does", {
    skip: requirement(haveGo(), "go"),
  }, () => {
    // A go 1.23 trace whose only stack frame is named by the lone byte EF (not UTF-8), found by the fuzzer.
    const body = Buffer.from(
      "010100010508a8d6b907010100010504050101ef01010001090203010180200101070101010206300101010101",
      "hex",
    );
    const file = join(tmp, "utf8.trace");
    writeFileSync(file, Buffer.concat([Buffer.from("go 1.23 trace\0\0\0", "latin1"), body]));
    const ours = spawnSync(process.execPath, [cli, "dump", file]);
    const go = goToolTrace(["-d=parsed", file]);
    assert.ok(go.stdout.includes(Buffer.from([0x09, 0xef, 0x20])), "the fixture must hold the invalid bytes");
    assert.deepEqual(ours.stdout, go.stdout);
  });

  it("reports a missing file without a stack trace", () => {
    const r = gotrace("stats", join(tmp, "nope.out"));
    assert.equal(r.status, 1);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});
