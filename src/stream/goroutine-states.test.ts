/**
 * The model's goroutine states (model/states.ts) against the goroutine
 * analysis, which goroutines.test.ts holds to go tool trace's own pages:
 * per goroutine, time running equals Go's execution time, time waiting per
 * reason equals its block time by reason, and time runnable equals its
 * scheduler wait, on every fixture. Go counts part of a syscall (once its
 * P was taken) as scheduler wait too, so runnable time is compared for
 * goroutines that made no syscall; Go also sums a reused goroutine ID
 * (cgo callbacks) over its first life only, so those goroutines are
 * compared on running and waiting time alone. The intervals of each
 * goroutine must also be contiguous and inside its life.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { describe, it } from "node:test";
import { drive } from "../decode/drive.js";
import { TimelineBuilder } from "../model/builder.js";
import { StateKind, StateWalker } from "../model/states.js";
import { fixturesDir, traceFiles } from "../testing/corpus.js";
import { runAnalyzers } from "./analyzer.js";
import { GoroutineAnalyzer } from "./goroutines.js";

describe("goroutine states", () => {
  for (const path of traceFiles(fixturesDir, (v) => v >= 11)) {
    it(basename(path), async () => {
      const bytes = readFileSync(path);
      const builder = new TimelineBuilder();
      await drive([bytes], (ev, r) => builder.event(ev, r));
      const tl = builder.finalize();
      const analyzer = new GoroutineAnalyzer();
      await runAnalyzers([bytes], [analyzer]);
      const summaries = analyzer.finalize().goroutines;
      const index = new Map<number, number>();
      for (let g = 0; g < tl.goroutines.length; g++) index.set(tl.goroutines.id.get(g), g);
      const walker = new StateWalker(tl);
      let compared = 0;
      for (const s of summaries) {
        const g = index.get(s.id);
        assert.ok(g !== undefined, `G${s.id} is in the model`);
        const sum = [0, 0, 0, 0];
        const blocked = new Map<string, number>();
        let lives = 1;
        let last = Number.NaN;
        walker.each(g, (r) => {
          const what = `G${s.id} ${r.startNs}..${r.endNs}`;
          assert.ok(r.endNs > r.startNs, `${what}: not empty`);
          assert.ok(
            r.startNs >= tl.goroutines.createdNs.get(g) && r.endNs <= tl.durationNs,
            `${what}: inside the trace`,
          );
          if (!Number.isNaN(last) && r.startNs !== last) lives++;
          last = r.endNs;
          sum[r.state]! += r.endNs - r.startNs;
          if (r.state === StateKind.Waiting) {
            const reason = tl.strings.get(r.reason);
            blocked.set(reason, (blocked.get(reason) ?? 0) + r.endNs - r.startNs);
          }
        });
        if (lives > 1) continue;
        compared++;
        assert.equal(sum[StateKind.Running], s.execNs, `G${s.id} running`);
        assert.deepEqual(
          [...blocked].filter(([, ns]) => ns > 0).sort(),
          [...s.blockNs].filter(([, ns]) => ns > 0).sort(),
          `G${s.id} waiting by reason`,
        );
        if (s.syscallNs === 0 && s.syscallBlockNs === 0)
          assert.equal(sum[StateKind.Runnable], s.schedWaitNs, `G${s.id} runnable`);
      }
      assert.ok(compared > 0, "some goroutines compared");
    });
  }
});
