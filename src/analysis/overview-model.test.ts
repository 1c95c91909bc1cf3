/**
 * The overview from the model (overview-model.ts) against OverviewAnalyzer
 * over the trace's events, whose numbers `gotrace stats` prints and
 * activity.test.ts holds to Go's summarizer: the whole result must be deeply
 * equal (events by kind, generations, goroutines, Ps and threads seen, GC,
 * pauses, heap, blocked time by reason), on every fixture, Go's traces, cut
 * copies (counted up to their last Sync) and, when it is there, the wild corpus.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { describe, it } from "node:test";
import { OverviewAnalyzer } from "../stream/overview.js";
import { wildOnly, wildTraces } from "../testing/corpus.js";
import { modelAndAnalyzers, modelCorpus } from "../testing/model-corpus.js";
import { overviewFromModel } from "./overview-model.js";

/** Compares both; returns how many events the overview counted. */
async function compare(bytes: Uint8Array): Promise<number> {
  const analyzer = new OverviewAnalyzer();
  const built = await modelAndAnalyzers(bytes, [analyzer]);
  if (!built) return 0;
  const want = analyzer.finalize();
  assert.deepEqual(overviewFromModel(built.tl, built), want);
  return want.events;
}

describe("overview from the model", () => {
  for (const t of modelCorpus()) {
    it(t.name, async () => {
      await compare(t.bytes());
    });
  }

  it("has events to compare", async () => {
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
