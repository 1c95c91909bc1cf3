/**
 * The goroutine analysis against go tool trace's own pages: for each trace,
 * the groups on /goroutines and, for every group, the breakdown and special
 * ranges on /goroutine?name=…, number for number (Go prints exact
 * nanoseconds), plus its "% of total program execution time".
 *
 * Each trace needs a Go server, so `npm test` checks a fixed sample of
 * traces of every kind; GOTRACE_ALL_TRACES=1 checks the whole corpus that Go
 * reads (our fixtures, and the wild traces from Go 1.11 on).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, describe, it } from "node:test";
import {
  compareStatNames,
  type GoroutineSummary,
  goroutineGroups,
  nonOverlappingStats,
} from "../analysis/goroutine-stats.js";
import { formatGoPercent } from "../cli/go-format.js";
import { TraceError } from "../decode/errors.js";
import { buildTrace } from "../testing/build-trace.js";
import {
  fixturesDir,
  haveGo,
  mapLimit,
  repoRoot,
  requirement,
  traceFiles,
  wildNamed,
  wildTraces,
} from "../testing/corpus.js";
import {
  type GoGroupPage,
  type GoTable,
  parseGoroutinePage,
  parseGoroutinesPage,
  startGoTraceServer,
} from "../testing/go-trace-pages.js";
import { runAnalyzers } from "./analyzer.js";
import { GoroutineAnalyzer } from "./goroutines.js";

export async function analyzeGoroutines(bytes: Uint8Array): Promise<readonly GoroutineSummary[]> {
  const analyzer = new GoroutineAnalyzer();
  await runAnalyzers([bytes], [analyzer]);
  return analyzer.finalize().goroutines;
}

/** What go tool trace's /goroutine?name=… page should show, from our analysis. */
function expectedGroupPage(all: readonly GoroutineSummary[], name: string): GoGroupPage {
  const members = all.filter((g) => g.name === name);
  const totalExecNs = all.reduce((s, g) => s + g.execNs, 0);
  const execNs = members.reduce((s, g) => s + g.execNs, 0);
  const stats = members.map(nonOverlappingStats);
  const statCols = [...new Set(stats.flatMap((s) => [...s.keys()]))].sort(compareStatNames);
  const rangeCols = [...new Set(members.flatMap((g) => [...g.rangeNs.keys()]))].sort();
  const table = (
    gs: readonly GoroutineSummary[],
    columns: string[],
    value: (g: GoroutineSummary, c: string) => number,
  ) =>
    ({
      columns,
      rows: new Map(gs.map((g) => [g.id, columns.map((c) => value(g, c))])),
      totals: new Map(gs.map((g) => [g.id, g.totalNs])),
    }) satisfies GoTable;
  const ranged = members.filter((g) => [...g.rangeNs.values()].reduce((s, ns) => s + ns, 0) !== 0);
  return {
    count: members.length,
    execPercent: totalExecNs > 0 ? `${formatGoPercent((execNs / totalExecNs) * 100)}%` : "",
    breakdown: table(members, statCols, (g, c) => stats[members.indexOf(g)]!.get(c) ?? 0),
    ranges: table(ranged, rangeCols, (g, c) => g.rangeNs.get(c) ?? 0),
  };
}

const byName = <T extends { name: string }>(xs: readonly T[]) =>
  [...xs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

/** Compares one trace with Go's pages; returns how many groups and goroutines matched. */
export async function compareGoroutinesWithGo(file: string): Promise<{ groups: number; goroutines: number }> {
  let goroutines: readonly GoroutineSummary[];
  try {
    goroutines = await analyzeGoroutines(readFileSync(file));
  } catch (e) {
    // Nothing readable: go tool trace must give up too.
    if (!(e instanceof TraceError)) throw e;
    await assert.rejects(startGoTraceServer(file), /exited/, `${basename(file)}: Go read what we could not`);
    return { groups: 0, goroutines: 0 };
  }
  const groups = goroutineGroups(goroutines);
  const server = await startGoTraceServer(file);
  try {
    const goGroups = parseGoroutinesPage(await server.get("/goroutines"));
    assert.deepEqual(
      byName(goGroups),
      byName(groups.map(({ name, count, execNs }) => ({ name, count, execNs }))),
      `${basename(file)}: /goroutines`,
    );
    await mapLimit(groups, 4, async ({ name }) => {
      const page = parseGoroutinePage(await server.get(`/goroutine?name=${encodeURIComponent(name)}`));
      assert.deepEqual(
        page,
        expectedGroupPage(goroutines, name),
        `${basename(file)}: /goroutine?name=${name}`,
      );
    });
  } finally {
    server.close();
  }
  return { groups: groups.length, goroutines: goroutines.length };
}

/**
 * One trace of most fixture programs, across toolchains, and a few
 * real-world traces of different sizes and versions: 15 Go servers, two at
 * a time.
 */
const sample = [
  "sched-go1.22.trace",
  "gc-go1.23.trace",
  "io-go1.24.trace",
  "annotations-go1.25.trace",
  "cgocallback-go1.26.trace",
  "iterpull-go1.27.trace",
  "manygen-go1.25.trace",
  "flightrecorder-go1.26.trace",
  "hostile-go1.27.trace",
  // Old-format traces, converted by the reader: no special case in the analysis.
  "sched-go1.21.trace",
  "annotations-go1.21.trace",
].map((f) => join(fixturesDir, f));
const wildSample = wildNamed([
  "IPampurin__pprofSimpleService__trace_before.out",
  "MustafaevAlim__l4.5__trace.out",
  "Zhodaran__metrick__trace.out",
  // Has goroutines blocked "forever".
  "TumCucTom__gameoflife__trace.out",
]);

describe("goroutine analysis equals go tool trace's /goroutines and /goroutine pages", () => {
  const noGo = requirement(haveGo(), "the go command");
  const all = process.env.GOTRACE_ALL_TRACES === "1";

  it("on a sample of fixtures and wild traces", { skip: noGo, timeout: 300_000 }, async () => {
    const files = all
      ? [...traceFiles(fixturesDir, () => true), ...wildTraces((v) => v >= 11)]
      : [...sample, ...wildSample];
    const results = await mapLimit(files, 2, async (f) => ({ f, ...(await compareGoroutinesWithGo(f)) }));
    const goroutines = results.reduce((s, r) => s + r.goroutines, 0);
    const groups = results.reduce((s, r) => s + r.groups, 0);
    console.log(
      `goroutine analysis: ${results.length} traces, ${groups} groups, ${goroutines} goroutines equal to Go's`,
    );
  });
});

/**
 * Traces written by hand (testdata/README.md says what each shows): the
 * numbers worked out by hand, and Go's pages showing the same.
 */
describe("goroutine analysis in the corners of Go's summarizer", () => {
  const tmp = mkdtempSync(join(tmpdir(), "gotrace-goroutines-"));
  after(() => rmSync(tmp, { recursive: true, force: true }));
  const noGo = requirement(haveGo(), "the go command");

  async function built(name: string): Promise<{ file: string; byId: Map<number, GoroutineSummary> }> {
    const bytes = buildTrace(readFileSync(join(repoRoot, "src", "stream", "testdata", name), "utf8"));
    const file = join(tmp, name.replace(/\.txt$/, ".trace"));
    writeFileSync(file, bytes);
    const gs = await analyzeGoroutines(bytes);
    return { file, byId: new Map(gs.map((g) => [g.id, g])) };
  }

  it("a P stolen during a syscall, and Go forgetting a P's syscall", async () => {
    const { file, byId } = await built("syscall-steal.txt");
    const g1 = byId.get(1)!;
    const g3 = byId.get(3)!;
    // G1: syscall 110–400, its P stolen at 200.
    assert.equal(g1.syscallNs, 90);
    assert.equal(g1.syscallBlockNs, 200);
    // Running since the generation's Sync (time 1): 1–110.
    assert.equal(g1.execNs, 109);
    assert.equal(g1.name, "main.worker");
    // G3: syscall 300–700 on the same P, stolen at 500, but G1's return at
    // 400 dropped the P's record: Go sees no blocking.
    assert.equal(g3.syscallNs, 400);
    assert.equal(g3.syscallBlockNs, 0);
    if (!noGo) await compareGoroutinesWithGo(file);
  });

  it("goroutines before the trace, forever, open syscalls, ranges across goroutines and generations", async () => {
    const { file, byId } = await built("corners.txt");
    const [g1, g2, g4, g5, g6] = [1, 2, 4, 5, 6].map((id) => byId.get(id)!);
    // In a syscall without a P at the first Sync (1), seen at 108: blocked since the Sync.
    assert.equal(g4!.creationNs, 1);
    assert.equal(g4!.syscallBlockNs, 107);
    assert.equal(g4!.syscallNs, 1300 - 108);
    // Blocked "forever" at 180: ended there, as if it had exited.
    assert.equal(g5!.endNs, 180);
    assert.equal(g5!.totalNs, 179);
    // Syscall from 200, P stolen at 300, still in it at the end (1301): all
    // of it is syscall time and, since the steal, also scheduler wait.
    assert.equal(g6!.syscallNs, 1301 - 200);
    assert.equal(g6!.schedWaitNs, 1301 - 300);
    assert.equal(g6!.syscallBlockNs, 0);
    // The sweep that began under G2 (120) ended under G5: not G5's, and G2's
    // stays open to the end; G5's own sweep (160–170) is its.
    assert.equal(g2!.rangeNs.get("GC incremental sweep"), 1301 - 120);
    assert.equal(g5!.rangeNs.get("GC incremental sweep"), 10);
    // Mark assist 110–1100 across the generation boundary (Sync at 1000).
    assert.equal(g1!.rangeNs.get("GC mark assist"), 990);
    assert.equal(g1!.name, "");
    assert.equal(g5!.name, "main.forever");
    if (!noGo) await compareGoroutinesWithGo(file);
  });
});
