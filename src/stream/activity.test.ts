/**
 * The overview's GC, pause, heap and blocking numbers: blocking against the
 * goroutine analysis (itself equal to go tool trace's pages), GC, pauses and
 * heap against Go's own event dump, and the rollback of a broken trace.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, it } from "node:test";
import { type Activity, ActivityTally } from "../analysis/activity.js";
import { TraceError } from "../decode/errors.js";
import { EventKind } from "../decode/event.js";
import { readTrace } from "../decode/reader.js";
import {
  fixturesDir,
  goParsed,
  haveGo,
  mapLimit,
  requirement,
  traceFiles,
  wildOnly,
  wildTrace,
  wildTraces,
} from "../testing/corpus.js";
import { runAnalyzers } from "./analyzer.js";
import { GoroutineAnalyzer } from "./goroutines.js";

describe("ActivityTally", () => {
  it("blocked time per reason is the goroutine analysis' block time, summed", async () => {
    // Except where goroutine IDs come back (cgo callbacks on extra Ms): Go's
    // summarizer, and so the goroutine analysis, keeps only the last
    // goroutine of an ID, while the overview counts them all.
    const reused = new Set(["cgocallback"]);
    const files = [
      ...traceFiles(fixturesDir, () => true),
      ...wildTraces((v) => v >= 22).filter((f) => readFileSync(f).length < 500_000),
    ];
    assert.ok(files.length > 80);
    for (const f of files.filter((f) => !reused.has(basename(f).split("-")[0]!))) {
      const activity = new ActivityTally();
      const goroutines = new GoroutineAnalyzer();
      const { error } = await runAnalyzers([readFileSync(f)], [activity, goroutines]);
      if (error) continue;
      const fromGoroutines = new Map<string, number>();
      for (const g of goroutines.finalize().goroutines) {
        for (const [reason, ns] of g.blockNs)
          fromGoroutines.set(reason, (fromGoroutines.get(reason) ?? 0) + ns);
      }
      const nonzero = (m: Iterable<[string, number]>) => new Map([...m].filter(([, ns]) => ns !== 0));
      assert.deepEqual(
        nonzero(activity.finalize().blocking.map((b) => [b.reason, b.totalNs])),
        nonzero(fromGoroutines),
        basename(f),
      );
    }
  });

  it("GC cycles, pauses and heap agree with Go's event dump", {
    skip: requirement(haveGo(), "go"),
  }, async () => {
    const files = [
      ...["gc-go1.22.trace", "gc-go1.26.trace", "gc-go1.21.trace", "manygen-go1.27.trace"].map((f) =>
        join(fixturesDir, f),
      ),
      // The trace starts in the middle of a GC cycle.
      wildTrace("MichaelF102__ciaone__trace.out") ?? [],
    ].flat();
    await mapLimit(files, 2, async (f) => {
      const [go, ours] = await Promise.all([goParsed(f), activityOf(readFileSync(f))]);
      assert.equal(go.status, 0, go.stderr);
      const want = fromGoDump(go.stdout.toString());
      assert.deepEqual(
        {
          gcCycles: ours.gcCycles,
          gcMarkNs: ours.gcMarkNs,
          stwPauses: ours.stwPauses,
          stwTotalNs: ours.stwTotalNs,
          stwMaxNs: ours.stwMaxNs,
          heapPeakBytes: ours.heapPeakBytes,
          heapGoalMaxBytes: ours.heapGoalMaxBytes,
        },
        want,
        basename(f),
      );
    });
  });

  it("counts a GC cycle running across a generation boundary once", { skip: wildOnly() }, async () => {
    // Go's dump of this trace has 93 mark phases begin, and one of them
    // announced again (RangeActive) when generation 11 starts.
    const a = await activityOf(readFileSync(wildTrace("AnhPhix3405__test__trace.out")!));
    assert.equal(a.gcCycles, 93);
  });

  it("keeps exactly what came before the last Sync of a broken trace", async () => {
    const bytes = readFileSync(join(fixturesDir, "manygen-go1.26.trace"));
    for (const fraction of [0.2, 0.45, 0.7, 0.95]) {
      const cut = bytes.subarray(0, Math.floor(bytes.length * fraction));
      const broken = new ActivityTally();
      let syncs = 0;
      try {
        await readTrace([cut], (ev) => {
          if (ev.kind === EventKind.Sync) syncs++;
          broken.event(ev);
        });
        assert.fail("the cut trace should be broken");
      } catch (e) {
        if (!(e instanceof TraceError)) throw e;
      }
      broken.discardPending();
      // The same events from the whole file, up to that last Sync.
      const whole = new ActivityTally();
      let seen = 0;
      await readTrace([bytes], (ev) => {
        if (ev.kind === EventKind.Sync) seen++;
        if (seen < syncs) whole.event(ev);
      });
      assert.ok(syncs > 1);
      assert.deepEqual(broken.finalize(), whole.finalize(), `cut at ${fraction}`);
    }
  });
});

async function activityOf(bytes: Uint8Array): Promise<Activity> {
  const a = new ActivityTally();
  await runAnalyzers([bytes], [a]);
  return a.finalize();
}

/** The same numbers worked out from `go tool trace -d=parsed` text, line by line. */
function fromGoDump(text: string) {
  let gcCycles = 0;
  let gcMarkNs = 0;
  let markSince: bigint | undefined;
  let syncNs = 0n;
  let lastNs = 0n;
  const stwOpen = new Map<string, bigint>();
  const stw: number[] = [];
  let heapPeakBytes: number | undefined;
  let heapGoalMaxBytes: number | undefined;
  for (const line of text.split("\n")) {
    const m = /^M=\S+ P=\S+ G=\S+ (\w+) Time=(\d+)(.*)$/.exec(line);
    if (!m) continue;
    const [, kind, time, rest] = m;
    const t = BigInt(time!);
    lastNs = t;
    if (kind === "Sync") syncNs = t;
    if (rest!.includes('Name="GC concurrent mark phase"')) {
      if (kind === "RangeEnd" && markSince !== undefined) {
        gcMarkNs += Number(t - markSince);
        markSince = undefined;
      } else if (kind !== "RangeEnd" && markSince === undefined) {
        gcCycles++;
        markSince = kind === "RangeActive" ? syncNs : t;
      }
    }
    const s = /Name="stop-the-world \([^"]*\)" Scope=(Goroutine\(\d+\))/.exec(rest!);
    if (s && kind === "RangeBegin") stwOpen.set(s[1]!, t);
    if (s && kind === "RangeEnd" && stwOpen.has(s[1]!)) {
      stw.push(Number(t - stwOpen.get(s[1]!)!));
      stwOpen.delete(s[1]!);
    }
    const v = /Name="([^"]+)" Value=Value\{Uint64\((\d+)\)\}/.exec(rest!);
    if (kind === "Metric" && v) {
      const n = Number(v[2]);
      if (v[1] === "/memory/classes/heap/objects:bytes") heapPeakBytes = Math.max(heapPeakBytes ?? 0, n);
      if (v[1] === "/gc/heap/goal:bytes" && BigInt(v[2]!) < 2n ** 50n)
        heapGoalMaxBytes = Math.max(heapGoalMaxBytes ?? 0, n);
    }
  }
  if (markSince !== undefined) gcMarkNs += Number(lastNs - markSince);
  return {
    gcCycles,
    gcMarkNs,
    stwPauses: stw.length,
    stwTotalNs: stw.reduce((a, b) => a + b, 0),
    stwMaxNs: stw.reduce((a, b) => Math.max(a, b), 0),
    heapPeakBytes,
    heapGoalMaxBytes,
  };
}
