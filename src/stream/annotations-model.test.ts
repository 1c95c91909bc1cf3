/**
 * Tasks, regions and logs from the model (annotations-model.ts) against
 * TasksAnalyzer over the trace's events, which tasks.test.ts holds to go tool
 * trace's pages: the whole result must be deeply equal (every task with its
 * edges, goroutines, logs and regions, the region table row by row, the
 * regions /userregions counts and every summary), on every fixture, Go's
 * traces, cut copies and, when it is there, the wild corpus.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { describe, it } from "node:test";
import { wildOnly, wildTraces } from "../testing/corpus.js";
import { modelAndAnalyzers, modelCorpus } from "../testing/model-corpus.js";
import { annotationsFromModel } from "./annotations-model.js";
import { TasksAnalyzer } from "./tasks.js";

/** Compares both; returns how many regions and tasks were compared. */
async function compare(bytes: Uint8Array): Promise<number> {
  const analyzer = new TasksAnalyzer();
  const built = await modelAndAnalyzers(bytes, [analyzer]);
  if (!built) return 0;
  const want = analyzer.finalize();
  const got = annotationsFromModel(built.tl, { damaged: built.damaged });
  const rows = (a: typeof want) =>
    Array.from({ length: a.regionTable.length }, (_, i) => a.regionTable.get(i));
  // The rows as objects first, for a readable difference; then everything, tables included.
  assert.deepEqual(rows(got), rows(want));
  assert.deepEqual(got, want);
  return want.regionTable.length + want.tasks.length;
}

describe("tasks and regions from the model", () => {
  for (const t of modelCorpus()) {
    it(t.name, async () => {
      await compare(t.bytes());
    });
  }

  it("has tasks and regions to compare", async () => {
    const n = await compare(
      modelCorpus()
        .find((t) => t.name === "annotations-go1.26.trace")!
        .bytes(),
    );
    assert.ok(n > 10, `${n} compared`);
  });

  it("every wild trace", { skip: wildOnly() }, async () => {
    for (const path of wildTraces()) {
      await compare(readFileSync(path)).catch((e: Error) => {
        throw new Error(`${basename(path)}: ${e.message}`);
      });
    }
  });
});
