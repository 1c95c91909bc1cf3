/** Scheduler latency: percentiles by nearest rank, and waits found in a trace written by hand. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import { latencyStats, percentile } from "../analysis/sched-stats.js";
import { buildTrace } from "../testing/build-trace.js";
import { fixturesDir, repoRoot } from "../testing/corpus.js";
import { runAnalyzers } from "./analyzer.js";
import { GoroutineAnalyzer } from "./goroutines.js";
import { SchedLatencyAnalyzer } from "./sched-latency.js";

describe("percentile (nearest rank)", () => {
  it("on hand-made inputs", () => {
    assert.equal(percentile([], 50), 0);
    assert.equal(percentile([7], 50), 7);
    assert.equal(percentile([7], 99), 7);
    const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    assert.equal(percentile(ten, 50), 5);
    assert.equal(percentile(ten, 90), 9);
    assert.equal(percentile(ten, 91), 10);
    assert.equal(percentile(ten, 99), 10);
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(hundred, 50), 50);
    assert.equal(percentile(hundred, 90), 90);
    assert.equal(percentile(hundred, 99), 99);
    assert.equal(percentile([1, 2, 3, 4], 50), 2);
    assert.equal(percentile([10, 20], 90), 20);
  });

  it("latencyStats sorts, totals and picks the percentiles", () => {
    const s = latencyStats(Float64Array.from([40, 10, 30, 20]));
    assert.deepEqual(s, { count: 4, totalNs: 100, p50Ns: 20, p90Ns: 40, p99Ns: 40, maxNs: 40 });
    assert.deepEqual(latencyStats(new Float64Array(0)), {
      count: 0,
      totalNs: 0,
      p50Ns: 0,
      p90Ns: 0,
      p99Ns: 0,
      maxNs: 0,
    });
  });

  it("is the smallest value with at least p% of the values at or below it", () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 1e9 }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 100 }),
        (values, p) => {
          const sorted = [...values].sort((a, b) => a - b);
          const v = percentile(sorted, p);
          const atOrBelow = (x: number) => sorted.filter((y) => y <= x).length;
          assert.ok(atOrBelow(v) * 100 >= p * sorted.length);
          // Any smaller value in the data has fewer than p% at or below it.
          for (const y of sorted) if (y < v) assert.ok(atOrBelow(y) * 100 < p * sorted.length);
        },
      ),
    );
  });
});

describe("SchedLatencyAnalyzer", () => {
  it("finds the waits of a trace written by hand", async () => {
    // G2 created at 110, runs at 160; G1 preempted at 120, runs at 200 and is
    // preempted again at 210 (still waiting at the end); G3 runnable before
    // the trace showed it, runs at 130 (not counted), unblocked at 170, runs at 230.
    const bytes = buildTrace(
      readFileSync(join(repoRoot, "src", "stream", "testdata", "sched-latency.txt"), "utf8"),
    );
    const a = new SchedLatencyAnalyzer(2);
    await runAnalyzers([bytes], [a]);
    const r = a.finalize();
    assert.deepEqual(r.overall, { count: 3, totalNs: 190, p50Ns: 60, p90Ns: 80, p99Ns: 80, maxNs: 80 });
    assert.deepEqual(
      r.groups.map((g) => [g.name, g.count, g.totalNs]),
      [
        ["main.main", 1, 80],
        ["main.reader", 1, 60],
        ["main.worker", 1, 50],
      ],
    );
    assert.deepEqual(r.worst, [
      { startNs: 120, durNs: 80, goroutine: 1, cause: "preempted", name: "main.main" },
      { startNs: 170, durNs: 60, goroutine: 3, cause: "unblocked", name: "main.reader" },
    ]);
    assert.equal(r.unknownStart, 1);
    assert.equal(r.stillWaiting, 1);
  });

  it("agrees with the goroutine analysis on a real trace", async () => {
    // Every counted wait is scheduler wait in Go's accounting, so per group
    // the waits add up to at most the group's sched wait time, and the
    // groups are the same.
    const bytes = readFileSync(join(fixturesDir, "sched-go1.26.trace"));
    const sched = new SchedLatencyAnalyzer(5);
    const goroutines = new GoroutineAnalyzer();
    await runAnalyzers([bytes], [sched, goroutines]);
    const r = sched.finalize();
    const gs = goroutines.finalize().goroutines;
    assert.ok(r.overall.count > 500);
    let sum = 0;
    for (const g of r.groups) {
      const wait = gs.filter((x) => x.name === g.name).reduce((s, x) => s + x.schedWaitNs, 0);
      assert.ok(g.totalNs <= wait, `${g.name}: ${g.totalNs} > ${wait}`);
      assert.ok(g.p50Ns <= g.p90Ns && g.p90Ns <= g.p99Ns && g.p99Ns <= g.maxNs);
      sum += g.count;
    }
    assert.equal(sum, r.overall.count);
    assert.equal(r.worst.length, 5);
    assert.equal(r.worst[0]!.durNs, r.overall.maxNs);
    for (let i = 1; i < r.worst.length; i++) assert.ok(r.worst[i - 1]!.durNs >= r.worst[i]!.durNs);
  });
});
