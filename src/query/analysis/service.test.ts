/**
 * The analysis service answers with the CLI's numbers: for fixtures of old
 * and new formats, each page's JSON equals what `gotrace … --json` prints
 * for the same trace (the CLI is run as a separate process, from dist/).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createReadStream } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fixturesDir, repoRoot } from "../../testing/corpus.js";
import { AnalysisService, bytesFeed, schedWorstCount } from "./service.js";

const cli = join(repoRoot, "dist", "cli", "main.js");

function gotrace(...args: string[]): unknown {
  return JSON.parse(execFileSync(process.execPath, [cli, ...args], { encoding: "utf8", maxBuffer: 1 << 28 }));
}

/** JSON round trip: what the server sends (Maps and undefined dropped the same way). */
function wire<T>(v: T): unknown {
  return JSON.parse(JSON.stringify(v));
}

const fixtures = [
  "annotations-go1.26.trace",
  "sched-go1.26.trace",
  "gc-go1.26.trace",
  "sched-go1.21.trace",
  "cpuhot-go1.26.trace",
];

describe("analysis service = CLI --json", () => {
  for (const name of fixtures) {
    const file = join(fixturesDir, name);
    const service = new AnalysisService(bytesFeed(() => createReadStream(file)));

    it(`${name}: goroutines`, async () => {
      const groups = await service.goroutineGroups();
      assert.deepEqual(wire(groups), gotrace("goroutines", file, "--json"));
      const first = groups.groups[0]!;
      assert.deepEqual(
        wire(await service.goroutineGroup(first.name)),
        gotrace("goroutines", file, "--group", first.name, "--json"),
      );
    });

    it(`${name}: profiles' top functions`, async () => {
      for (const type of ["sync", "sched"] as const) {
        const p = await service.profile({ type }, 100_000);
        assert.deepEqual(wire(p.top), gotrace("pprof", `--type=${type}`, "--top", "--json", file));
        assert.equal(
          p.root.totalNs,
          p.top.reduce((s, f) => s + f.flatNs, 0),
        );
      }
    });

    it(`${name}: tasks and regions`, async () => {
      const tasks = gotrace("tasks", file, "--json") as { types: unknown; traceEndNs: number };
      const mine = await service.tasks();
      assert.deepEqual(wire(mine.types), tasks.types);
      assert.equal(mine.traceEndNs, tasks.traceEndNs);
      const regions = gotrace("regions", file, "--json") as { groups: unknown };
      assert.deepEqual(wire((await service.regions()).groups), regions.groups);
    });

    it(`${name}: scheduler latency`, async () => {
      const { histogram, ...rest } = await service.schedLatency();
      assert.deepEqual(wire(rest), gotrace("schedlat", file, "--json", "--top", String(schedWorstCount)));
      assert.equal(histogram.count, rest.overall.count);
    });

    it(`${name}: MMU`, async () => {
      const mine = await service.mmu({
        include: ["stw", "background", "assist"],
        perProc: false,
        percentiles: false,
      });
      if (name.includes("go1.21")) {
        // Old traces never say what GOMAXPROCS is: the CLI refuses, the page says why.
        assert.match(mine.error ?? "", /GOMAXPROCS/);
        return;
      }
      const cliMMU = gotrace("mmu", file, "--json");
      const { error, ...rest } = mine;
      assert.equal(error, null);
      assert.deepEqual(wire(rest), cliMMU);
      const sweep = await service.mmu({
        include: ["stw", "sweep"],
        perProc: true,
        percentiles: true,
      });
      const { error: e2, ...rest2 } = sweep;
      assert.equal(e2, null);
      assert.deepEqual(
        wire(rest2),
        gotrace("mmu", file, "--json", "--include", "stw,sweep", "--per-proc", "--percentiles"),
      );
    });
  }

  it("cpuhot-go1.26.trace: the cpu and wall profiles, whole, of one goroutine and of a time range", async () => {
    const file = join(fixturesDir, "cpuhot-go1.26.trace");
    const service = new AnalysisService(bytesFeed(() => createReadStream(file)));
    const { firstNs } = await service.overview();
    const queries: [Parameters<AnalysisService["profile"]>[0], string[]][] = [
      [{ type: "cpu" }, []],
      [{ type: "wall" }, []],
      [{ type: "cpu", goroutine: 10 }, ["--goroutine", "10"]],
      [
        { type: "cpu", startNs: firstNs + 200e6, endNs: firstNs + 700e6 },
        ["--from", "200ms", "--to", "700ms"],
      ],
      [{ type: "wall", group: "main.main.func1" }, ["--group", "main.main.func1"]],
    ];
    for (const [q, args] of queries) {
      const p = await service.profile(q, 100_000);
      assert.equal(p.error, null);
      assert.ok(p.count > 0, JSON.stringify(q));
      assert.deepEqual(
        wire(p.top),
        gotrace("pprof", `--type=${q.type}`, "--top", "--json", ...args, file),
        JSON.stringify(q),
      );
    }
  });

  it("a trace without CPU samples: the cpu profile says how to record them", async () => {
    const file = join(fixturesDir, "sched-go1.26.trace");
    const p = await new AnalysisService(bytesFeed(() => createReadStream(file))).profile({ type: "cpu" });
    assert.match(p.error ?? "", /no CPU samples.*StartCPUProfile/);
    assert.equal(p.count, 0);
  });
});
