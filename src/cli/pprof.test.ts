/** `gotrace pprof --type=cpu|wall` and `--from/--to` as a user runs them. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { Profile } from "pprof-format";
import { runAnalyzers } from "../stream/analyzer.js";
import { BlockingProfileAnalyzer } from "../stream/pprof.js";
import { fixturesDir, repoRoot } from "../testing/corpus.js";

const cli = join(repoRoot, "dist", "cli", "main.js");
const cpuTrace = join(fixturesDir, "cpuprofile-go1.26.trace");

function gotrace(...args: string[]): { stdout: Buffer; stderr: string; status: number } {
  const r = spawnSync(process.execPath, [cli, ...args], { maxBuffer: 1 << 28 });
  return { stdout: r.stdout, stderr: r.stderr.toString(), status: r.status ?? -1 };
}

/** Sample count and value total of a gzipped pprof file, and its sample types. */
function totals(gz: Buffer): { samples: number; ns: number; types: string[] } {
  const p = Profile.decode(gunzipSync(gz));
  const str = (i: number | bigint) => p.stringTable.strings[Number(i)]!;
  return {
    samples: p.sample.reduce((s, x) => s + Number(x.value[0]), 0),
    ns: p.sample.reduce((s, x) => s + Number(x.value[1]), 0),
    types: p.sampleType.map((t) => `${str(t.type)}/${str(t.unit)}`),
  };
}

describe("gotrace pprof --type=cpu|wall", () => {
  it("writes the CPU profile of the samples", () => {
    const r = gotrace("pprof", "--type=cpu", cpuTrace);
    assert.equal(r.status, 0, r.stderr);
    const t = totals(r.stdout);
    assert.deepEqual(t.types, ["samples/count", "cpu/nanoseconds"]);
    assert.ok(t.samples > 10);
    assert.equal(t.ns, t.samples * 10_000_000);
  });

  it("says in one line how to record samples when the trace has none, exit 1", () => {
    const r = gotrace("pprof", "--type=cpu", join(fixturesDir, "sched-go1.26.trace"));
    assert.equal(r.status, 1);
    assert.equal(r.stdout.length, 0);
    assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, /no CPU samples.*pprof\.StartCPUProfile.*trace\.Start.*-cpuprofile/);
  });

  it("wall has the samples and the waits", () => {
    const r = gotrace("pprof", "--type=wall", cpuTrace);
    assert.equal(r.status, 0, r.stderr);
    const wall = totals(r.stdout);
    const cpu = totals(gotrace("pprof", "--type=cpu", cpuTrace).stdout);
    const sync = totals(gotrace("pprof", "--type=sync", cpuTrace).stdout);
    assert.deepEqual(wall.types, ["samples/count", "wall/nanoseconds"]);
    assert.ok(wall.ns >= cpu.ns + sync.ns && wall.samples >= cpu.samples + sync.samples);
  });

  it("--top names the unit", () => {
    const r = gotrace("pprof", "--type=cpu", "--top", cpuTrace);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout.toString(), /^Total CPU time \S+ in \d+ samples\n/);
  });
});

describe("gotrace pprof --from/--to", () => {
  it("keeps the samples in the range, as the range filter does", async () => {
    const analyzer = new BlockingProfileAnalyzer({ regions: true });
    await runAnalyzers([readFileSync(cpuTrace)], [analyzer]);
    const profiles = analyzer.finalize();
    for (const type of ["cpu", "sync", "sched"] as const) {
      // Durations count from the first event, the timeline's 0.
      const range = { startNs: profiles.firstNs + 100e6, endNs: profiles.firstNs + 300e6 };
      const want = profiles.records(type, { range });
      const r = gotrace("pprof", `--type=${type}`, "--from", "100ms", "--to=0.3s", cpuTrace);
      assert.equal(r.status, 0, r.stderr);
      const got = totals(r.stdout);
      assert.equal(
        got.samples,
        want.reduce((s, x) => s + x.count, 0),
        type,
      );
      assert.equal(
        got.ns,
        want.reduce((s, x) => s + x.delayNs, 0),
        type,
      );
    }
    const whole = totals(gotrace("pprof", "--type=cpu", cpuTrace).stdout).samples;
    const part = totals(gotrace("pprof", "--type=cpu", "--to", "300ms", cpuTrace).stdout).samples;
    const rest = totals(gotrace("pprof", "--type=cpu", "--from", "300ms", cpuTrace).stdout).samples;
    assert.ok(part > 0 && rest > 0);
    assert.equal(part + rest, whole);
  });

  it("refuses what is not a range", () => {
    for (const args of [
      ["--from", "soon"],
      ["--from", "2s", "--to", "1s"],
      ["--to", "-1s"],
    ]) {
      const r = gotrace("pprof", "--type=cpu", ...args, cpuTrace);
      // A mistake in the command line: exit status 2, one line naming the flag.
      assert.equal(r.status, 2, args.join(" "));
      assert.match(r.stderr, /^gotrace[^\n]*--(from|to)/);
    }
  });
});
