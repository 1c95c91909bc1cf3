/**
 * The cpu and wall profiles from the model (cpu-model.ts, the wall one with
 * analysis/state-profiles.ts's intervals) against BlockingProfiles' over the trace's events (cpu-profile.test.ts holds that one to
 * the samples Go's parser reads): the records (every frame, count, time and
 * label) must be the same without a filter, for every goroutine group, for
 * one goroutine, for two time ranges and for every region type with and
 * without a range, on every fixture, Go's traces, cut copies and, when it is
 * there, the wild corpus.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { describe, it } from "node:test";
import type { ProfileFilter, ProfileRecord } from "../analysis/profile.js";
import { StateProfiles } from "../analysis/state-profiles.js";
import { wildOnly, wildTraces } from "../testing/corpus.js";
import { modelAndAnalyzers, modelCorpus } from "../testing/model-corpus.js";
import { cpuProfileFromModel } from "./cpu-model.js";
import { BlockingProfileAnalyzer } from "./pprof.js";

function lines(records: readonly ProfileRecord[]): string[] {
  return records
    .map(
      (r) =>
        `${r.stack.map((f) => `${f.pc} ${f.func} ${f.file}:${f.line}`).join(";")} => ${r.count} ${r.delayNs} ${JSON.stringify(r.labels)}`,
    )
    .sort();
}

function outcome(records: () => readonly ProfileRecord[]): string[] | string {
  try {
    return lines(records());
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
}

/** Compares the cpu profile under every filter; returns how many samples the unfiltered one holds. */
async function compare(bytes: Uint8Array): Promise<number> {
  const analyzer = new BlockingProfileAnalyzer({ regions: true });
  const built = await modelAndAnalyzers(bytes, [analyzer]);
  if (!built) return 0;
  const oracle = analyzer.finalize();
  const model = cpuProfileFromModel(built.tl, built);
  assert.equal(model.cpuSamples, oracle.cpuSamples);
  // Times here are the reader's, as the analyzer's are.
  const first = oracle.firstNs;
  const d = oracle.endNs - first;
  const filters: (ProfileFilter | undefined)[] = [undefined];
  for (const group of oracle.groups().keys()) filters.push({ group });
  const ids = [...oracle.scope.goroutines.keys()];
  if (ids.length > 0) filters.push({ goroutine: ids[ids.length - 1]! }, { goroutine: ids[0]! });
  filters.push(
    { range: { startNs: first + Math.floor(d / 4), endNs: first + Math.floor((3 * d) / 4) } },
    { range: { startNs: first, endNs: first + Math.floor(d / 10) } },
  );
  for (const type of new Set(oracle.scope.regions.types))
    filters.push(
      { region: { type } },
      { region: { type }, range: { startNs: first + Math.floor(d / 3), endNs: first + d } },
    );
  filters.push({ region: {} });
  const states = new StateProfiles(built.tl, built);
  // The timeline's clock starts at the first event, the analyzer's at the reader's origin.
  const shift = built.tl.overviewCounts.firstNs;
  for (const filter of filters) {
    const want = outcome(() => oracle.records("cpu", filter));
    assert.deepEqual(
      outcome(() => model.records(filter)),
      want,
      JSON.stringify(filter),
    );
    const wantWall = outcome(() => oracle.records("wall", filter));
    assert.deepEqual(
      outcome(() => model.wallRecords(states, filter, shift)),
      wantWall,
      `wall ${JSON.stringify(filter)}`,
    );
  }
  return oracle.cpuSamples;
}

describe("cpu and wall profiles from the model", () => {
  for (const t of modelCorpus()) {
    it(t.name, async () => {
      await compare(t.bytes());
    });
  }

  it("has samples to compare", async () => {
    const n = await compare(
      modelCorpus()
        .find((t) => t.name === "cpuprofile-go1.26.trace")!
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
