/** `gotrace goroutines` and `gotrace schedlat` as a user runs them. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fixturesDir, repoRoot } from "../testing/corpus.js";

const cli = join(repoRoot, "dist", "cli", "main.js");
const fixture = join(fixturesDir, "sched-go1.26.trace");

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

describe("gotrace goroutines", () => {
  it("lists the groups, most execution first, as go tool trace's /goroutines does", () => {
    const lines = ok("goroutines", fixture).trimEnd().split("\n");
    assert.match(lines[0]!, /^Start location +Count +Total execution time +Share of execution$/);
    // Numbers of go tool trace's page for this file.
    assert.match(lines[1]!, /^main\.main\.func7 +4 +395\.2µs +42\.37%$/);
    assert.match(lines[2]!, /^main\.main +1 +254\.401µs +27\.27%$/);
  });

  it("prints JSON and CSV, and sorts by any column", () => {
    const json = JSON.parse(ok("goroutines", fixture, "--json"));
    assert.equal(json.groups[0].name, "main.main.func7");
    assert.equal(json.groups[0].execNs, 395200);
    const total = json.groups.reduce((s: number, g: { execNs: number }) => s + g.execNs, 0);
    assert.equal(json.totalExecNs, total);
    const csv = ok("goroutines", "--csv", fixture).split("\n");
    assert.equal(csv[0], "Start location,Count,Total execution time (ns),Share of execution");
    assert.match(csv[1]!, /^main\.main\.func7,4,395200,42\.36\d+$/);
    const byCount = ok("goroutines", fixture, "--sort", "count", "--json");
    const counts = JSON.parse(byCount).groups.map((g: { count: number }) => g.count);
    assert.deepEqual(
      counts,
      [...counts].sort((a: number, b: number) => b - a),
    );
    const byName = JSON.parse(ok("goroutines", fixture, "--sort=start", "--json")).groups.map(
      (g: { name: string }) => g.name,
    );
    assert.deepEqual(byName, [...byName].sort());
  });

  it("shows one group's breakdown, as /goroutine?name= does", () => {
    const out = ok("goroutines", fixture, "--group", "main.main");
    assert.match(out, /^Goroutine start location: main\.main\nCount: 1\n/);
    assert.match(out, /Execution time: 27\.27% of total program execution time/);
    assert.match(out, /Block time \(sleep\)/);
    assert.match(out, /\n +1 +38\.281409ms +254\.401µs /);
    assert.match(
      out,
      /Special ranges[^\n]*\n[^\n]*stop-the-world \(start trace\)\n +1 +38\.281409ms +9\.408µs\n/,
    );
    const json = JSON.parse(ok("goroutines", "--group=main.main.func7", fixture, "--json"));
    assert.equal(json.count, 4);
    for (const g of json.goroutines) {
      const blocked = Object.values(g.blockNs as Record<string, number>).reduce((s, n) => s + n, 0);
      const sum = g.execNs + g.schedWaitNs + g.syscallNs + g.syscallBlockNs + g.unknownNs + blocked;
      assert.ok(sum >= g.totalNs, `goroutine ${g.id}`);
      assert.equal(typeof g.creationNs, "number");
    }
    // Longest total first by default; --sort by a stat, matched loosely.
    const totals = json.goroutines.map((g: { totalNs: number }) => g.totalNs);
    assert.deepEqual(
      totals,
      [...totals].sort((a: number, b: number) => b - a),
    );
    const sched = JSON.parse(
      ok("goroutines", fixture, "--group", "main.main.func7", "--sort", "sched", "--json"),
    );
    const waits = sched.goroutines.map((g: { schedWaitNs: number }) => g.schedWaitNs);
    assert.deepEqual(
      waits,
      [...waits].sort((a: number, b: number) => b - a),
    );
    const csv = ok("goroutines", fixture, "--group", "main.main.func7", "--csv").split("\n");
    assert.match(
      csv[0]!,
      /^Goroutine,Total \(ns\),Execution time \(ns\),.*,Created \(ns\),Started \(ns\),Ended \(ns\)$/,
    );
    assert.equal(csv.length, 4 + 2);
  });

  it("says what is wrong in one line", () => {
    // A group that is not in the trace is a failure (1); a bad flag value is a usage error (2).
    for (const [status, ...args] of [
      [1, "goroutines", fixture, "--group", "main.nothing"],
      [2, "goroutines", fixture, "--sort", "bogus"],
      [2, "goroutines", fixture, "--sort", "ti"],
      [2, "schedlat", fixture, "--top", "x"],
    ] as const) {
      const r = gotrace(...args);
      assert.equal(r.status, status, args.join(" "));
      assert.equal(r.stdout, "");
      assert.match(r.stderr, /^gotrace( \w+)?: [^\n]+\n$/, args.join(" "));
    }
  });
});

describe("gotrace goroutines with CPU samples", () => {
  const cpuTrace = join(fixturesDir, "cpuprofile-go1.26.trace");
  const samplesOf = (file: string, group?: string) => {
    const r = spawnSync(process.execPath, [
      cli,
      "pprof",
      "--type=cpu",
      "--top",
      "--json",
      "--limit=0",
      ...(group === undefined ? [] : ["--group", group]),
      file,
    ]);
    assert.equal(r.status, 0, r.stderr.toString());
    const top: { flatCount: number }[] = JSON.parse(r.stdout.toString());
    return top.reduce((s, f) => s + f.flatCount, 0);
  };

  it("adds each group's CPU samples and estimated CPU time, the samples gotrace pprof --type=cpu --group counts", () => {
    const lines = ok("goroutines", cpuTrace).trimEnd().split("\n");
    assert.match(lines[0]!, /Share of execution +CPU samples +Est\. CPU time$/);
    const json = JSON.parse(ok("goroutines", cpuTrace, "--json"));
    let sum = 0;
    for (const g of json.groups) {
      assert.equal(g.cpuNs, g.cpuSamples * 10_000_000);
      if (g.cpuSamples > 0) assert.equal(g.cpuSamples, samplesOf(cpuTrace, g.name), g.name);
      sum += g.cpuSamples;
    }
    assert.equal(json.cpuSamples, sum);
    assert.ok(sum > 10 && sum <= samplesOf(cpuTrace));
  });

  it("puts them beside execution time in a group's breakdown", () => {
    const group = JSON.parse(ok("goroutines", cpuTrace, "--json")).groups[0].name;
    const out = ok("goroutines", cpuTrace, "--group", group);
    assert.match(out, /\nGoroutine +Total +Execution time +CPU samples +Est\. CPU time +/);
    const json = JSON.parse(ok("goroutines", cpuTrace, "--group", group, "--json"));
    assert.equal(
      json.cpuSamples,
      json.goroutines.reduce((s: number, g: { cpuSamples: number }) => s + g.cpuSamples, 0),
    );
  });

  it("leaves the columns out when the trace has no samples", () => {
    assert.doesNotMatch(ok("goroutines", fixture), /CPU samples/);
    assert.doesNotMatch(ok("goroutines", fixture, "--group", "main.main"), /CPU samples/);
  });
});

describe("gotrace schedlat", () => {
  it("prints the distribution and the longest waits", () => {
    const out = ok("schedlat", fixture, "--top", "3");
    assert.match(out, /^Scheduler latency: from runnable to running, [\d,]+ waits/);
    assert.match(out, /\nGoroutines +Waits +Total +p50 +p90 +p99 +Max\n\(all goroutines\) +[\d,]+ /);
    const worst = out.split("Longest waits")[1]!.trimEnd().split("\n");
    assert.equal(worst.length, 2 + 3);
    const json = JSON.parse(ok("schedlat", fixture, "--json"));
    assert.equal(json.worst.length, 10);
    assert.equal(json.worst[0].durNs, json.overall.maxNs);
    assert.equal(
      json.groups.reduce((s: number, g: { count: number }) => s + g.count, 0),
      json.overall.count,
    );
    const csv = ok("schedlat", fixture, "--csv").split("\n");
    assert.equal(csv[0], "Goroutines,Waits,Total (ns),p50 (ns),p90 (ns),p99 (ns),Max (ns)");
    assert.match(csv[1]!, new RegExp(`^\\(all goroutines\\),${json.overall.count},${json.overall.totalNs},`));
    const worstCsv = ok("schedlat", fixture, "--csv", "--worst").split("\n");
    assert.equal(worstCsv[0], "When (ns),Wait (ns),Goroutine,Start location,Runnable after");
    assert.equal(
      worstCsv[1],
      `${json.worst[0].startNs},${json.worst[0].durNs},${json.worst[0].goroutine},${json.worst[0].name},${json.worst[0].cause}`,
    );
  });
});

describe("on broken input", () => {
  const tmp = mkdtempSync(join(tmpdir(), "gotrace-goroutines-cli-"));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it("analyses what comes before the damage and says what was lost", () => {
    const bytes = readFileSync(join(fixturesDir, "manygen-go1.26.trace"));
    const cut = join(tmp, "cut.trace");
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    for (const cmd of ["goroutines", "schedlat"]) {
      const r = gotrace(cmd, cut);
      assert.equal(r.status, 0, r.stderr);
      assert.ok(r.stdout.length > 0);
      assert.match(
        r.stderr,
        /^gotrace: warning: \S+: damaged at byte offset \d+ \(.+\); analysed the [\d,]+ events before it, lost \d+\.\d% of [\d.]+ KiB\n$/,
      );
    }
  });

  it("rejects a file that is not a trace with one line and status 1", () => {
    const bad = join(tmp, "bad.out");
    writeFileSync(bad, "hello, world, this is not a trace");
    for (const cmd of ["goroutines", "schedlat"]) {
      const r = gotrace(cmd, bad);
      assert.equal(r.status, 1);
      assert.equal(r.stdout, "");
      assert.match(
        r.stderr,
        /^gotrace: \S+: bad file format: not a Go execution trace\? at byte offset 0\n$/,
      );
    }
  });
});
