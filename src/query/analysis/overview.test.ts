/**
 * The Overview chart's series from the model (overviewSeriesFromModel)
 * against OverviewSeriesAnalyzer over the trace's events: heap in use and
 * goroutines alive, reduced to the chart's points, must be the same on every
 * fixture, Go's traces, cut copies and, when it is there, the wild corpus.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { describe, it } from "node:test";
import { OverviewAnalyzer } from "../../stream/overview.js";
import { wildOnly, wildTraces } from "../../testing/corpus.js";
import { modelAndAnalyzers, modelCorpus } from "../../testing/model-corpus.js";
import { OverviewSeriesAnalyzer, overviewSeriesFromModel } from "./overview.js";

/** Compares both; returns how many points were compared. */
async function compare(bytes: Uint8Array): Promise<number> {
  const overview = new OverviewAnalyzer();
  const series = new OverviewSeriesAnalyzer();
  const built = await modelAndAnalyzers(bytes, [
    overview,
    { event: (ev) => series.event(ev), finalize: () => 0 },
  ]);
  if (!built) return 0;
  const { firstNs, lastNs } = overview.finalize();
  const want = series.finalize(firstNs, lastNs);
  assert.deepEqual(overviewSeriesFromModel(built.tl, firstNs, lastNs), want);
  return want.heap.length + want.goroutineCount.length;
}

describe("overview series from the model", () => {
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
    assert.ok(n > 100, `${n} compared`);
  });

  it("every wild trace", { skip: wildOnly() }, async () => {
    for (const path of wildTraces()) {
      await compare(readFileSync(path)).catch((e: Error) => {
        throw new Error(`${basename(path)}: ${e.message}`);
      });
    }
  });
});
