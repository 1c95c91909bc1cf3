/**
 * The MMU event log against a full pass: for every trace in the corpus and
 * every choice of GC work (all 32 UtilFlags), the utilization series that a
 * replay of the log gives must equal, point for point, the series of a
 * MutatorUtilAnalyzer that saw every event, damaged traces included.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import type { UtilSeries } from "../analysis/util-series.js";
import { drive } from "../decode/drive.js";
import { chunksOf, fixturesDir, traceFiles, wildTraces } from "../testing/corpus.js";
import { modelCorpus } from "../testing/model-corpus.js";
import { MMUEventLog } from "./mmu-log.js";
import { MutatorUtilAnalyzer } from "./mutator-util.js";

const allFlags = Array.from({ length: 32 }, (_, i) => i);

function points(series: UtilSeries[]): string {
  return JSON.stringify(series.map((s) => s.points()));
}

async function compare(bytes: Uint8Array): Promise<number> {
  const log = new MMUEventLog();
  const direct = allFlags.map((f) => new MutatorUtilAnalyzer(f));
  const run = await drive(chunksOf(bytes, 1 << 16), (ev) => {
    log.event(ev);
    for (const a of direct) a.event(ev);
  });
  log.finalize();
  for (const f of allFlags) {
    const replayed = new MutatorUtilAnalyzer(f);
    log.replay(replayed);
    if (run.error) {
      direct[f]!.discardPending();
      replayed.discardPending();
    }
    assert.equal(points(replayed.finalize()), points(direct[f]!.finalize()), `flags ${f}`);
  }
  return log.kept;
}

describe("MMU event log", () => {
  const files = [...traceFiles(fixturesDir, () => true), ...wildTraces()];
  it("replays to the same utilization as a full pass, for every GC choice", async () => {
    assert.ok(files.length > 20);
    for (const file of files) {
      const bytes = new Uint8Array(readFileSync(file));
      await compare(bytes);
      // The same trace cut short: the series roll back to the last Sync alike.
      await compare(bytes.subarray(0, Math.floor(bytes.length * 0.7)));
    }
  });

  it("replays Go's own traces to the same utilization (an assist active at the start)", async () => {
    for (const t of modelCorpus().filter((t) => t.name.startsWith("go "))) {
      // Traces with nothing readable have no utilization either way.
      await compare(t.bytes()).catch((e: Error) => {
        if (e.name !== "TraceError") throw new Error(`${t.name}: ${e.message}`);
      });
    }
  });
});
