/**
 * Tasks, regions and the MMU against go tool trace's own web server: start
 * `go tool trace -http=127.0.0.1:0 FILE` on fixtures and wild traces, fetch
 * /mmu?mode=plot, /mmu?mode=details, /usertasks, /usertask, /userregions
 * and /userregion, and compare the numbers with ours (MMU values within
 * 1e-9, worst-window times exactly, counts and histograms exactly).
 *
 * Where Go is wrong (see analysis/mmu.ts: windows past the end of the trace, the MUD
 * it never fills) ours is checked in Go's mode against Go, and our default
 * against the right answer.
 *
 * `npm test` starts twelve Go servers (eleven traces and one built here);
 * GOTRACE_ALL_TRACES=1 checks every trace Go reads (fixtures, and the wild
 * traces from Go 1.11 on).
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, describe, it } from "node:test";
import { MMUCurve, mmuPlot, plotQuantiles } from "../analysis/mmu.js";
import type { TimeHistogramResult } from "../analysis/time-histogram.js";
import { parseUtilFlags, type UtilSeries } from "../analysis/util-series.js";
import { TraceError } from "../decode/errors.js";
import { quoteGo } from "../format/go-quote.js";
import { annotatedTraceText } from "../testing/annotated-trace.js";
import { buildTrace } from "../testing/build-trace.js";
import { fixturesDir, haveGo, requirement, traceFiles, wildNamed, wildTraces } from "../testing/corpus.js";
import { type GoTraceServer, startGoTraceServer } from "../testing/go-trace-pages.js";
import {
  type GoBucket,
  parseUserRegionPage,
  parseUserRegionsPage,
  parseUserTaskPage,
  parseUserTasksPage,
} from "../testing/go-user-pages.js";
import { type RunResult, runAnalyzers } from "./analyzer.js";
import { MutatorUtilAnalyzer } from "./mutator-util.js";
import { type Annotations, TasksAnalyzer } from "./tasks.js";

/** A trace cut short: analyses keep what came before its last Sync, as go tool trace does. */
const cutDir = mkdtempSync(join(tmpdir(), "gotrace-go-server-"));
const cut = join(cutDir, "manygen-go1.26-cut.trace");
const whole = join(fixturesDir, "manygen-go1.26.trace");
if (existsSync(whole)) {
  const bytes = readFileSync(whole);
  writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
}

const all = process.env.GOTRACE_ALL_TRACES === "1";

/** Eleven traces and the built one (annotated-trace.ts): twelve Go servers, two at a time. */
const sample = [
  ...[
    "annotations-go1.22",
    "annotations-go1.27",
    "gc-go1.21",
    "gc-go1.22",
    "gc-go1.26",
    "manygen-go1.26",
  ].map((f) => join(fixturesDir, `${f}.trace`)),
  cut,
  ...wildNamed([
    "IcaroSilvaFK__developer_academy_mvc__trace.out",
    "shft1__service-courier__profiles_trace.out",
    "IPampurin__pprofSimpleService__trace_before.out",
    "horitomoyuki__go-scripts__goroutine_trace.out",
  ]),
];
const traces = all ? [...traceFiles(fixturesDir, () => true), ...wildTraces((v) => v >= 11)] : sample;

/** The /mmu page's default, per P, with sweeping, sweeping alone, and nothing. */
const flagSets = [
  "stw|background|assist",
  "perProc|stw|background|assist",
  "stw|background|assist|sweep",
  "perProc|sweep",
  "",
];

interface Ours {
  run: RunResult;
  annotations: Annotations;
  /** Per flag set: the series, Go's mode (windows past the end) and ours. */
  curves: Map<string, { series: UtilSeries[]; asGo: MMUCurve; fixed: MMUCurve }>;
}

async function analyze(bytes: Uint8Array): Promise<Ours> {
  const tasks = new TasksAnalyzer();
  const utils = flagSets.map((f) => new MutatorUtilAnalyzer(parseUtilFlags(f)));
  const run = await runAnalyzers([bytes], [tasks, ...utils]);
  if (run.error) for (const a of [tasks, ...utils]) a.discardPending();
  const curves = new Map<string, { series: UtilSeries[]; asGo: MMUCurve; fixed: MMUCurve }>();
  flagSets.forEach((f, i) => {
    const series = utils[i]!.finalize();
    curves.set(f, {
      series,
      asGo: new MMUCurve(series, { windowsPastEnd: true }),
      fixed: new MMUCurve(series),
    });
  });
  return { run, annotations: tasks.finalize(), curves };
}

function near(a: number, b: number, what: string): void {
  assert.ok(Math.abs(a - b) <= 1e-9, `${what}: ours ${a}, Go's ${b}`);
}

interface GoPlot {
  xMin: number;
  xMax: number;
  quantiles: number[] | null;
  curve: number[][];
}

interface GoWindow {
  Time: number;
  MutatorUtil: number;
}

async function checkMMU(go: GoTraceServer, ours: Ours, flags: string): Promise<void> {
  const { series, asGo, fixed } = ours.curves.get(flags)!;
  const q = encodeURIComponent(flags);
  if (asGo.empty) {
    // No GOMAXPROCS in the trace (old traces can lack it): Go's handler panics.
    await assert.rejects(go.get(`/mmu?mode=plot&flags=${q}`));
    return;
  }
  const goPlot = JSON.parse(await go.get(`/mmu?mode=plot&flags=${q}`)) as GoPlot;
  const plot = mmuPlot(asGo);
  assert.equal(plot.xMinNs, goPlot.xMin, "xMin");
  assert.equal(plot.xMaxNs, goPlot.xMax, "xMax");
  assert.equal(goPlot.curve.length, plot.curve.length);
  /** Whether a window runs past the end of a series it starts in (window clamped as Go does). */
  const pastEnd = (startNs: number, w: number) =>
    series.some((s) => {
      const first = s.timesNs[0]!;
      const last = s.timesNs[s.length - 1]!;
      return startNs >= first && startNs + Math.min(w, last - first) > last;
    });
  goPlot.curve.forEach(([w, mmu], i) => {
    // Same float steps to the window size; were Go's exp a hair off ours, compare at Go's window.
    assert.ok(Math.abs(plot.curve[i]![0]! - w!) <= 1, `window ${i}: ${plot.curve[i]![0]} vs ${w}`);
    near(asGo.mmu(w!), mmu!, `${flags} MMU(${w})`);
    // Ours measures a subset of Go's windows, so its MMU is never lower, and
    // differs only where Go's lowest window runs past the end of its series.
    const m = fixed.mmu(w!);
    assert.ok(m >= mmu! - 1e-9, `${flags} MMU(${w}): ours ${m} below Go's ${mmu}`);
    if (m - mmu! > 1e-9) {
      const worst = asGo.examples(w!, 1)[0]!;
      assert.ok(pastEnd(worst.startNs, w!), `${flags} MMU(${w}): ours ${m}, Go's ${mmu} at ${worst.startNs}`);
    }
  });

  // "Show percentiles": Go fills every column with the MMU (its MUD is never fed).
  const mut = JSON.parse(await go.get(`/mmu?mode=plot&flags=${q}${flags ? "|" : ""}mut`)) as GoPlot;
  assert.deepEqual(mut.quantiles, plotQuantiles);
  for (const [w, q0] of mut.curve.filter((_, i) => i % 9 === 0))
    near(asGo.mmu(w!), q0!, `${flags} MUD 0 at ${w}`);

  const windows = [...new Set([1e6, ...[40, 70, 99].map((i) => goPlot.curve[i]![0]!)])];
  for (const w of windows) {
    const goWorst = JSON.parse(await go.get(`/mmu?mode=details&window=${w}&flags=${q}`)) as GoWindow[] | null;
    const worst = asGo.examples(w, 10);
    assert.equal(worst.length, goWorst?.length ?? 0, `${flags} worst ${w}ns windows`);
    worst.forEach((x, i) => {
      // Go reports absolute trace time; ours is relative to the trace start.
      assert.equal(x.startNs + ours.run.reader.originNs, goWorst![i]!.Time, `${flags} worst ${w}ns #${i}`);
      near(x.util, goWorst![i]!.MutatorUtil, `${flags} worst ${w}ns #${i} utilization`);
    });
  }
}

/** Go's histogram rows against ours. Go hides bucket 0 when a later sample was higher (map order); so do we, then. */
function sameBuckets(go: readonly GoBucket[], ours: TimeHistogramResult, what: string): void {
  let mine = ours.buckets.map((b) => ({ minNs: b.minNs, count: b.count }));
  if (go.length > 0 && mine.length > 0 && mine[0]!.minNs < go[0]!.minNs)
    mine = mine.filter((b) => b.minNs >= go[0]!.minNs);
  assert.deepEqual(mine, [...go], what);
}

/** Seconds with 9 decimals, as the "When" column of /usertask. */
function seconds(ns: number): string {
  return (ns / 1e9).toFixed(9);
}

async function checkTasksAndRegions(go: GoTraceServer, a: Annotations): Promise<void> {
  const goTypes = parseUserTasksPage(await go.get("/usertasks"));
  assert.deepEqual(
    goTypes.map((t) => [t.type, t.count]),
    a.taskTypes.map((t) => [t.type, t.count]),
    "task types and counts",
  );
  for (const [i, t] of goTypes.entries())
    sameBuckets(t.buckets, a.taskTypes[i]!.histogram, `task type ${t.type}`);

  for (const type of a.taskTypes.map((t) => t.type)) {
    const goTasks = parseUserTaskPage(await go.get(`/usertask?type=${encodeURIComponent(type)}`));
    const ours = a.tasks.filter((t) => t.type === type);
    // Go sorts by duration with an unstable sort: compare by id.
    assert.deepEqual(
      goTasks.map((t) => t.id).sort((x, y) => x - y),
      ours.map((t) => t.id),
    );
    for (const gt of goTasks) {
      const t = ours.find((o) => o.id === gt.id)!;
      assert.equal(gt.when, `${seconds(t.startNs - a.traceStartNs)}s`, `task ${t.id} start`);
      assert.equal(gt.durNs, t.durNs, `task ${t.id} duration`);
      assert.equal(gt.complete, t.complete, `task ${t.id} complete`);
      const edges = [
        ...(t.start ? [t.start] : []),
        ...(t.end ? [t.end] : []),
        ...t.logs,
        ...Array.from(t.regions).flatMap((row) => {
          const r = a.regionTable.get(row);
          return [r.start, r.end].filter((e) => e !== undefined);
        }),
      ].sort((x, y) => x.timeNs - y.timeNs);
      assert.deepEqual(
        gt.events.map((e) => [e.when, e.g]),
        edges.map((e) => [seconds(e.timeNs - a.traceStartNs), e.g]),
        `task ${t.id} events`,
      );
    }
  }

  const goGroups = parseUserRegionsPage(await go.get("/userregions"));
  assert.deepEqual(
    goGroups.map((g) => [g.quotedType, g.func, g.pc, g.file, g.line, g.count]),
    a.regionGroups.map((g) => [
      quoteGo(g.type),
      g.frame.func,
      g.frame.pc,
      g.frame.file,
      g.frame.line,
      g.count,
    ]),
    "region groups",
  );
  for (const [i, g] of a.regionGroups.entries()) {
    sameBuckets(goGroups[i]!.buckets, g.histogram, `region group ${g.type}`);
    const html = await go.get(`/userregion?type=${encodeURIComponent(g.type)}&pc=${g.frame.pc.toString(16)}`);
    const key = (r: { g: number; task: number; totalNs: number }) => `${r.g}/${r.task}/${r.totalNs}`;
    const ours = [...a.regions]
      .map((row) => a.regionTable.get(row))
      .filter((r) => r.type === g.type && (r.frame?.pc ?? 0) === g.frame.pc)
      .map((r) => key({ g: r.g, task: r.task, totalNs: r.durNs }));
    assert.deepEqual(parseUserRegionPage(html).map(key).sort(), ours.sort(), `regions of ${g.type}`);
  }
}

describe("tasks, regions and the MMU against go tool trace", { concurrency: 2 }, () => {
  after(() => rmSync(cutDir, { recursive: true, force: true }));
  for (const file of traces) {
    const skip = requirement(haveGo(), "go") ?? requirement(existsSync(file), basename(file));
    it(basename(file), { skip }, async () => {
      let ours: Ours;
      try {
        ours = await analyze(readFileSync(file));
      } catch (e) {
        // Unreadable before its first event: go tool trace must give up too.
        if (!(e instanceof TraceError)) throw e;
        await assert.rejects(startGoTraceServer(file));
        return;
      }
      const go = await startGoTraceServer(file);
      try {
        for (const flags of flagSets) await checkMMU(go, ours, flags);
        await checkTasksAndRegions(go, ours.annotations);
      } finally {
        go.close();
      }
    });
  }

  it("a trace built to show the summary's corner cases and Go's MMU quirks", {
    skip: requirement(haveGo(), "go"),
  }, async (t) => {
    const bytes = buildTrace(annotatedTraceText);
    const ours = await analyze(bytes);
    const { fixed } = ours.curves.get("stw|background|assist")!;
    // The pause is 50 ms after the trace start.
    assert.deepEqual(fixed.examples(1e6, 1), [{ startNs: 50_000_000, util: 0 }]);
    // Window positions: about 100 ms minus the 1 ms window; the windowed mean
    // falls linearly to 0 and back over 2 ms of them, evenly over [0, 1].
    const positions = fixed.bounds.endNs - fixed.bounds.startNs - 1e6;
    const got = fixed.mud(1e6, plotQuantiles);
    const want = [0, (0.001 * positions) / 2e6, (0.01 * positions) / 2e6, 1];
    for (const [i, x] of got.entries()) near(x, want[i]!, `MUD quantile ${i}`);

    const path = join(cutDir, "annotated.trace");
    writeFileSync(path, bytes);
    const go = await startGoTraceServer(path);
    try {
      for (const flags of flagSets) await checkMMU(go, ours, flags);
      await checkTasksAndRegions(go, ours.annotations);
      const goWorst = JSON.parse(
        await go.get("/mmu?mode=details&window=1000000&flags=stw|background|assist"),
      ) as (GoWindow & { URL: string })[];
      // Go gives the absolute time, and its link to the timeline points at
      // 1000050 ms, when the timeline (relative, like ours) spans 0–100 ms.
      assert.equal(goWorst[0]!.Time, 1_000_050_000_000);
      assert.equal(Number(/#([^:]+):/.exec(goWorst[0]!.URL)?.[1]), 1_000_050);
      const mut = JSON.parse(await go.get("/mmu?mode=plot&flags=stw|background|assist|mut")) as GoPlot;
      const row = mut.curve.find(([w]) => w! >= 1e6)!;
      t.diagnostic(
        `Go's percentiles at ${row[0]} ns: ${row.slice(1).join(", ")}; ours: ${fixed.mud(row[0]!, plotQuantiles).join(", ")}`,
      );
    } finally {
      go.close();
    }
  });
});
