/**
 * Mutator utilization from the model (mmu-model.ts) against
 * MutatorUtilAnalyzer over the trace's events, which mmu.test.ts holds to
 * go tool trace's MMU: for every choice of GC work (each of the 16 sets of
 * STW, background, assist and sweep, system-wide and per P) the series
 * must be the same point for point, on every fixture, Go's traces, cut
 * copies and, when it is there, the wild corpus; and the service's way (an
 * MMUEventLog replayed into a new analyzer) gives the same.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { describe, it } from "node:test";
import type { UtilSeries } from "../analysis/util-series.js";
import { wildOnly, wildTraces } from "../testing/corpus.js";
import { modelAndAnalyzers, modelCorpus } from "../testing/model-corpus.js";
import { mmuLogFromModel, mutatorUtilFromModel } from "./mmu-model.js";
import { MutatorUtilAnalyzer } from "./mutator-util.js";

const choices = Array.from({ length: 32 }, (_, flags) => flags);

function points(series: readonly UtilSeries[]): [number, number][][] {
  return series.map((s) => s.points());
}

/** Compares every choice; returns how many points were compared. */
async function compare(bytes: Uint8Array): Promise<number> {
  const analyzers = choices.map((f) => new MutatorUtilAnalyzer(f));
  const built = await modelAndAnalyzers(bytes, analyzers);
  if (!built) return 0;
  const log = mmuLogFromModel(built.tl);
  let compared = 0;
  for (const flags of choices) {
    const want = points(analyzers[flags]!.finalize());
    assert.deepEqual(points(mutatorUtilFromModel(built.tl, flags, built)), want, `flags ${flags}`);
    const replayed = new MutatorUtilAnalyzer(flags);
    log.replay(replayed);
    if (built.damaged) replayed.discardPending();
    assert.deepEqual(points(replayed.finalize()), want, `flags ${flags}, replayed`);
    for (const s of want) compared += s.length;
  }
  return compared;
}

describe("mutator utilization from the model", () => {
  for (const t of modelCorpus()) {
    it(t.name, async () => {
      await compare(t.bytes());
    });
  }

  it("has points to compare", async () => {
    const n = await compare(
      modelCorpus()
        .find((t) => t.name === "gc-go1.26.trace")!
        .bytes(),
    );
    assert.ok(n > 1000, `${n} compared`);
  });

  it("every wild trace", { skip: wildOnly() }, async () => {
    for (const path of wildTraces()) {
      await compare(readFileSync(path)).catch((e: Error) => {
        throw new Error(`${basename(path)}: ${e.message}`);
      });
    }
  });
});
