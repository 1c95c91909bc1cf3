/**
 * Per-goroutine execution time from the timeline equals the goroutine
 * analysis (src/stream/goroutines.ts, itself checked equal to go tool
 * trace's /goroutines): time executing (the goroutine view's running
 * segments) minus time in syscalls, on every fixture, old and new.
 * Goroutine IDs used for several lives (cgo callbacks on extra Ms) are
 * left out: the analysis, like Go's summarizer, keeps only the last life.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { it } from "node:test";
import { runAnalyzers } from "../../stream/analyzer.js";
import { GoroutineAnalyzer } from "../../stream/goroutines.js";
import { fixturesDir, requirement, traceFiles } from "../../testing/corpus.js";
import { buildTimeline } from "./build.js";
import { forEachSegment, Part } from "./goroutine-lanes.js";
import { groupRows } from "./rows.js";

it("execution time per goroutine equals the goroutine analysis on every fixture", async (t) => {
  const files = traceFiles(fixturesDir, () => true);
  if (requirement(files.length > 0, "testdata/traces")) return t.skip();
  let compared = 0;
  for (const file of files) {
    const bytes = readFileSync(file);
    const analyzer = new GoroutineAnalyzer();
    const run = await runAnalyzers([bytes], [analyzer]);
    if (run.error) continue;
    const want = new Map(analyzer.finalize().goroutines.map((g) => [g.id, g.execNs]));
    const { engine } = await buildTimeline([bytes]);
    const tl = engine.tl;
    const s = tl.syscalls;
    const got = new Map<number, number>();
    const ended = tl.strings.intern("ended");
    const reused = new Set<number>();
    for (let g = 0; g < tl.goroutines.length; g++) {
      let ns = 0;
      let lives = 1;
      forEachSegment(tl, g, (start, end, part, exec) => {
        if (part !== Part.Running) return;
        ns += end - start;
        if (tl.exec.endState.get(exec) === ended) lives++;
      });
      if (lives > 2 || (lives === 2 && Number.isNaN(tl.goroutines.endNs.get(g)))) {
        reused.add(tl.goroutines.id.get(g));
        continue;
      }
      for (const i of groupRows(tl.syscallsByG, g))
        ns -= (s.threadEndNs.get(i) ?? s.endNs.get(i)) - s.startNs.get(i);
      got.set(tl.goroutines.id.get(g), ns);
    }
    for (const [id, ns] of want) {
      if (reused.has(id)) continue;
      assert.equal(got.get(id), ns, `${basename(file)}: G${id} execution time`);
      compared++;
    }
  }
  assert.ok(compared > 500, `only ${compared} goroutines compared`);
});
