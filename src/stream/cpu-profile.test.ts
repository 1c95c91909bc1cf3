/**
 * The cpu and wall profiles:
 *
 * - against runtime/pprof: testdata/programs/cpuhot wrote a trace and, in
 *   the same run, runtime/pprof's CPU profile; go tool pprof must rank the
 *   same top functions in both, with shares within a sampling tolerance;
 * - every CPU sample is counted once: the profile's samples equal the
 *   StackSample events of the trace, counted by us and by go tool trace
 *   -d=parsed, on every fixture recorded with the CPU profiler;
 * - filters partition the samples: goroutine groups, time ranges;
 * - wall is cpu plus the four blocking profiles, each under its kind.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { Profile } from "pprof-format";
import { cpuSamplePeriodNs } from "../analysis/cpu-samples.js";
import { encodePprof, pprofLayout } from "../analysis/pprof-encode.js";
import { blockingTypes, type ProfileRecord } from "../analysis/profile.js";
import { type Event, EventKind } from "../decode/event.js";
import {
  fixturesDir,
  goToolTrace,
  haveGo,
  mapLimit,
  repoRoot,
  requirement,
  traceFiles,
  wildDir,
} from "../testing/corpus.js";
import { runAnalyzers } from "./analyzer.js";
import { BlockingProfileAnalyzer, type BlockingProfiles } from "./pprof.js";

const cpuFixtures = [21, 22, 23, 24, 25, 26, 27].map((v) => `cpuprofile-go1.${v}`).concat("cpuhot-go1.26");
const tracePath = (name: string) => join(fixturesDir, `${name}.trace`);

/** The profiles of a trace, with the number of StackSample events it delivered. */
async function read(name: string): Promise<{ profiles: BlockingProfiles; stackSamples: number }> {
  return readPath(tracePath(name));
}

async function readPath(path: string): Promise<{ profiles: BlockingProfiles; stackSamples: number }> {
  const analyzer = new BlockingProfileAnalyzer({ regions: true });
  let stackSamples = 0;
  const counter = {
    event(ev: Event) {
      if (ev.kind === EventKind.StackSample) stackSamples++;
    },
    finalize() {},
  };
  const run = await runAnalyzers([readFileSync(path)], [analyzer, counter]);
  assert.equal(run.error, undefined);
  return { profiles: analyzer.finalize(), stackSamples };
}

const samples = (records: readonly ProfileRecord[]) => records.reduce((s, r) => s + r.count, 0);

describe("cpu profile: every CPU sample once", () => {
  for (const name of cpuFixtures) {
    it(name, async () => {
      const { profiles, stackSamples } = await read(name);
      const records = profiles.records("cpu");
      assert.ok(stackSamples > 10, `${stackSamples} samples`);
      assert.equal(samples(records), stackSamples);
      assert.equal(profiles.cpuSamples, stackSamples);
      for (const r of records) assert.equal(r.delayNs, r.count * cpuSamplePeriodNs);
    });
  }

  it("as many as go tool trace -d=parsed shows", { skip: requirement(haveGo(), "go") }, async () => {
    for (const name of cpuFixtures) {
      const r = goToolTrace(["-d=parsed", tracePath(name)]);
      assert.equal(r.status, 0, r.stderr);
      const goSamples = r.stdout.toString().match(/ StackSample /g)?.length ?? 0;
      assert.equal(samples((await read(name)).profiles.records("cpu")), goSamples, name);
    }
  });

  it("as many as go tool trace -d=parsed shows, on every whole wild trace of Go 1.19+", {
    skip: requirement(haveGo(), "go"),
  }, async (t) => {
    const wild = traceFiles(wildDir, (v) => v >= 19);
    if (requirement(wild.length > 0, "the wild traces") !== undefined) return t.skip();
    let withSamples = 0;
    await mapLimit(wild, 2, async (path) => {
      const go = goToolTrace(["-d=parsed", path]);
      // A broken trace: Go prints what it read, the profile keeps up to the last Sync.
      if (go.status !== 0) return;
      const goSamples = go.stdout.toString().match(/ StackSample /g)?.length ?? 0;
      const { profiles } = await readPath(path);
      assert.equal(samples(profiles.records("cpu")), goSamples, path);
      if (goSamples > 0) withSamples++;
    });
    assert.ok(withSamples >= 2, `only ${withSamples} wild traces with CPU samples`);
  });
});

describe("cpu profile filters", () => {
  it("goroutine groups: each group's samples are its goroutines' share, and the groups add up", async () => {
    for (const name of cpuFixtures) {
      const { profiles } = await read(name);
      const all = profiles.records("cpu");
      const byStart = new Map<string, number>();
      let noGoroutine = 0;
      for (const r of all) {
        if (r.labels?.goroutine === undefined) noGoroutine += r.count;
        else {
          const start = r.labels.startFunction ?? "";
          byStart.set(start, (byStart.get(start) ?? 0) + r.count);
        }
      }
      let sum = noGoroutine;
      for (const group of profiles.groups().keys()) {
        const n = samples(profiles.records("cpu", { group }));
        assert.equal(n, byStart.get(group) ?? 0, `${name} ${group}`);
        sum += n;
      }
      assert.equal(sum, samples(all), name);
      // The busy goroutines of both programs share a start function (main.main.func1, func3 in Go 1.21's naming).
      assert.ok(Math.max(...byStart.values()) > samples(all) / 2, name);
    }
  });

  it("time ranges: the two halves add up to the whole, and a range outside the trace is empty", async () => {
    for (const name of cpuFixtures) {
      const { profiles } = await read(name);
      const total = samples(profiles.records("cpu"));
      const mid = (profiles.firstNs + profiles.endNs) / 2;
      const first = samples(profiles.records("cpu", { range: { startNs: -Infinity, endNs: mid } }));
      const second = samples(profiles.records("cpu", { range: { startNs: mid, endNs: Infinity } }));
      assert.ok(first > 0 && second > 0, `${name}: ${first} + ${second}`);
      assert.equal(first + second, total, name);
      const after = { startNs: profiles.endNs + 1, endNs: profiles.endNs + 2 };
      assert.equal(profiles.records("cpu", { range: after }).length, 0);
    }
  });

  it("goroutines: each goroutine's samples are its labelled ones, for cpu, wall and the blocking profiles", async () => {
    for (const name of ["cpuprofile-go1.26", "cpuhot-go1.26", "cpuprofile-go1.22"]) {
      const { profiles } = await read(name);
      const ids = new Set(profiles.scope.goroutines.keys());
      for (const type of ["cpu", "wall", "sync", "sched"] as const) {
        const all = profiles.records(type);
        const byG = new Map<number, number>();
        for (const r of all) {
          const g = r.labels?.goroutine;
          if (g !== undefined) byG.set(g, (byG.get(g) ?? 0) + r.count);
        }
        let sum = 0;
        for (const id of ids) {
          const n = samples(profiles.records(type, { goroutine: id }));
          if (type === "cpu" || type === "wall") assert.equal(n, byG.get(id) ?? 0, `${name} ${type} G${id}`);
          sum += n;
        }
        // Every sample of the blocking profiles has a goroutine; CPU samples may hit none.
        if (type === "sync" || type === "sched") assert.equal(sum, samples(all), `${name} ${type}`);
        else
          assert.equal(
            sum,
            [...byG.values()].reduce((s, n) => s + n, 0),
            `${name} ${type}`,
          );
      }
    }
    const { profiles } = await read("cpuhot-go1.26");
    assert.throws(() => profiles.records("cpu", { goroutine: 123456 }), /no goroutine 123456/);
  });

  it("regions: cpuhot calls each crunch function in a region of its name, so a region holds exactly its function's samples", async () => {
    const { profiles } = await read("cpuhot-go1.26");
    const all = profiles.records("cpu");
    let inRegions = 0;
    for (const fn of ["crunchA", "crunchB", "crunchC"]) {
      const region = profiles.records("cpu", { region: { type: fn } });
      const onStack = all.filter((r) => r.stack.some((f) => f.func === `main.${fn}`));
      assert.ok(samples(region) > 5, fn);
      assert.equal(samples(region), samples(onStack), fn);
      for (const r of region)
        assert.ok(
          r.stack.some((f) => f.func === `main.${fn}`),
          fn,
        );
      inRegions += samples(region);
    }
    assert.ok(inRegions <= samples(all));
  });

  it("a group nobody started at is refused, as for the blocking profiles", async () => {
    const { profiles } = await read("cpuhot-go1.26");
    assert.throws(() => profiles.records("cpu", { group: "no.such" }), /no goroutines found/);
  });
});

describe("wall profile", () => {
  it("is the cpu profile plus the four blocking profiles, each under its kind", async () => {
    const kinds = ["net", "sync", "syscall", "runnable"];
    for (const name of ["cpuprofile-go1.26", "cpuprofile-go1.21", "cpuhot-go1.26"]) {
      const { profiles } = await read(name);
      const wall = profiles.records("wall");
      const byKind = new Map<string, { count: number; ns: number }>();
      for (const r of wall) {
        const k = r.labels?.kind ?? "?";
        const t = byKind.get(k) ?? { count: 0, ns: 0 };
        t.count += r.count;
        t.ns += r.delayNs;
        byKind.set(k, t);
      }
      const cpu = profiles.records("cpu");
      assert.deepEqual(
        byKind.get("cpu"),
        { count: samples(cpu), ns: samples(cpu) * cpuSamplePeriodNs },
        name,
      );
      blockingTypes.forEach((type, k) => {
        const recs = profiles.records(type);
        const want = { count: samples(recs), ns: recs.reduce((s, r) => s + r.delayNs, 0) };
        assert.deepEqual(byKind.get(kinds[k]!) ?? { count: 0, ns: 0 }, want, `${name} ${type}`);
      });
      assert.ok((byKind.get("sync")?.count ?? 0) > 0, `${name}: the workers wait on a mutex or WaitGroup`);
    }
  });

  it("a goroutine group's wall profile holds only that group's goroutines", async () => {
    const { profiles } = await read("cpuprofile-go1.26");
    const group = "main.main.func1";
    const wall = profiles.records("wall", { group });
    assert.ok(wall.length > 0);
    for (const r of wall) assert.equal(r.labels?.startFunction, group);
  });
});

const skipPprof = requirement(haveGo(), "go");

/** go tool pprof -top's rows: function → flat and cum percent. */
function goTop(file: string): Map<string, { flat: number; cum: number }> {
  const r = spawnSync("go", ["tool", "pprof", "-top", "-nodecount=1000", "-unit=ms", file], {
    encoding: "utf8",
  });
  assert.equal(r.status, 0, r.stderr);
  const rows = new Map<string, { flat: number; cum: number }>();
  for (const line of r.stdout.split("\n")) {
    const m = /^\s*\S+\s+([\d.]+)%\s+[\d.]+%\s+\S+\s+([\d.]+)%\s+(.+)$/.exec(line);
    if (m) rows.set(m[3]!.trim(), { flat: Number(m[1]), cum: Number(m[2]) });
  }
  return rows;
}

describe("cpu profile agrees with runtime/pprof's CPU profile of the same run", { skip: skipPprof }, () => {
  it("cpuhot-go1.26: same top functions, shares within 3 points", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gotrace-cpu-"));
    try {
      const cli = join(repoRoot, "dist", "cli", "main.js");
      const ours = join(dir, "cpu.pb.gz");
      const r = spawnSync(process.execPath, [
        cli,
        "pprof",
        "--type=cpu",
        tracePath("cpuhot-go1.26"),
        "-o",
        ours,
      ]);
      assert.equal(r.status, 0, r.stderr.toString());
      const mine = goTop(ours);
      const go = goTop(join(repoRoot, "testdata", "pprof", "cpuhot-go1.26.cpu.pprof"));
      // Both have the samples of the same profiler; only the edges of the
      // trace (the profiler starts before it and stops after) may differ.
      const top = (m: Map<string, { flat: number }>) =>
        [...m]
          .filter(([, v]) => v.flat >= 5)
          .map(([f]) => f)
          .sort();
      assert.deepEqual(top(mine), top(go));
      assert.ok(top(go).includes("main.crunchA"), "crunchA is the hottest function");
      for (const fn of ["main.crunchA", "main.crunchB", "main.crunchC", "main.worker"]) {
        const a = mine.get(fn);
        const b = go.get(fn);
        assert.ok(a && b, fn);
        assert.ok(Math.abs(a.flat - b.flat) <= 3, `${fn} flat ${a.flat}% vs Go's ${b.flat}%`);
        assert.ok(Math.abs(a.cum - b.cum) <= 3, `${fn} cum ${a.cum}% vs Go's ${b.cum}%`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the pprof files", () => {
  it("carry the CPU sample types, the 10ms period and the labels", async () => {
    const { profiles } = await read("cpuprofile-go1.26");
    const p = Profile.decode(encodePprof(profiles.records("wall"), pprofLayout("wall")));
    const str = (i: number | bigint) => p.stringTable.strings[Number(i)]!;
    assert.deepEqual(
      p.sampleType.map((t) => `${str(t.type)}/${str(t.unit)}`),
      ["samples/count", "wall/nanoseconds"],
    );
    assert.equal(Number(p.period), cpuSamplePeriodNs);
    const keys = new Set(p.sample.flatMap((s) => s.label.map((l) => str(l.key))));
    assert.deepEqual([...keys].sort(), ["goroutine", "kind", "start_function"]);
    const cpu = Profile.decode(encodePprof(profiles.records("cpu"), pprofLayout("cpu")));
    assert.deepEqual(
      cpu.sampleType.map((t) => `${cpu.stringTable.strings[Number(t.type)]}`),
      ["samples", "cpu"],
    );
  });

  it("go tool pprof reads -tagfocus on our goroutine label", { skip: skipPprof }, () => {
    const dir = mkdtempSync(join(tmpdir(), "gotrace-cpu-"));
    try {
      const cli = join(repoRoot, "dist", "cli", "main.js");
      const out = join(dir, "wall.pb.gz");
      const r = spawnSync(process.execPath, [
        cli,
        "pprof",
        "--type=wall",
        tracePath("cpuhot-go1.26"),
        "-o",
        out,
      ]);
      assert.equal(r.status, 0, r.stderr.toString());
      const tags = spawnSync("go", ["tool", "pprof", "-tags", out], { encoding: "utf8" });
      assert.equal(tags.status, 0, tags.stderr);
      assert.match(tags.stdout, /kind: .*cpu/s);
      assert.match(tags.stdout, /start_function: .*main\.main\.func1/s);
      assert.ok(gunzipSync(readFileSync(out)).length > 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
