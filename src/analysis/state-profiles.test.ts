/**
 * The blocking profiles read from the model's goroutine states
 * (state-profiles.ts) against BlockingProfileAnalyzer, which stream/pprof.test.ts
 * holds to go tool trace's own profiles and filter pages: on every fixture
 * (every format), on cut copies (damaged traces profile up to their last
 * Sync) and, when the wild corpus is there, on every wild trace, the records
 * of each profile must be the same (every frame's PC, function, file and
 * line, the count and the delay) without a filter, for every goroutine
 * group, for one goroutine, for two time ranges, and for every region type
 * with and without a time range.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { describe, it } from "node:test";
import { drive } from "../decode/drive.js";
import { TraceError } from "../decode/errors.js";
import { TimelineBuilder } from "../model/builder.js";
import { runAnalyzers } from "../stream/analyzer.js";
import { BlockingProfileAnalyzer } from "../stream/pprof.js";
import { fixturesDir, traceFiles, wildOnly, wildTraces } from "../testing/corpus.js";
import { modelCorpus } from "../testing/model-corpus.js";
import { blockingTypes, type ProfileFilter, type ProfileRecord } from "./profile.js";
import { StateProfiles } from "./state-profiles.js";

/** The records in their order: records of equal delay and count too, as a pprof file lists them. */
function lines(records: readonly ProfileRecord[]): string[] {
  return records.map(
    (r) =>
      `${r.stack.map((f) => `${f.pc} ${f.func} ${f.file}:${f.line}`).join(";")} => ${r.count} ${r.delayNs}`,
  );
}

function outcome(records: () => readonly ProfileRecord[]): string[] | string {
  try {
    return lines(records());
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
}

/** Compares every profile under every filter; returns how many records were compared. */
async function compare(bytes: Uint8Array): Promise<number> {
  const builder = new TimelineBuilder();
  let origin = Number.NaN;
  let run: Awaited<ReturnType<typeof drive>>;
  try {
    run = await drive([bytes], (ev, r) => {
      if (Number.isNaN(origin)) origin = ev.time;
      builder.event(ev, r);
    });
  } catch (e) {
    // Nothing readable (an old-format trace is read whole before its first event): no profile either way.
    if (!(e instanceof TraceError)) throw e;
    await assert.rejects(runAnalyzers([bytes], [new BlockingProfileAnalyzer()]), TraceError);
    return 0;
  }
  const tl = builder.finalize();
  const analyzer = new BlockingProfileAnalyzer({ regions: true });
  let events: Awaited<ReturnType<typeof runAnalyzers>>;
  try {
    events = await runAnalyzers([bytes], [analyzer]);
  } catch (e) {
    // Nothing readable before the damage: the model has nothing either.
    if (!(e instanceof TraceError)) throw e;
    assert.equal(tl.events, 0);
    return 0;
  }
  if (events.error) analyzer.discardPending();
  const oracle = analyzer.finalize();
  const model = new StateProfiles(tl, { damaged: run.error !== undefined });

  const d = tl.durationNs;
  const filters: (ProfileFilter | undefined)[] = [undefined];
  for (const group of oracle.groups().keys()) filters.push({ group });
  if (tl.goroutines.length > 0) filters.push({ goroutine: tl.goroutines.id.get(tl.goroutines.length - 1) });
  filters.push(
    { range: { startNs: Math.floor(d / 4), endNs: Math.floor((3 * d) / 4) } },
    { range: { startNs: 0, endNs: Math.floor(d / 10) } },
  );
  const types = new Set<string>();
  for (let i = 0; i < tl.regions.length; i++) types.add(tl.strings.get(tl.regions.name.get(i)));
  for (const type of types)
    filters.push({ region: { type } }, { region: { type }, range: { startNs: Math.floor(d / 3), endNs: d } });
  if (types.size > 0) filters.push({ region: {} });

  let compared = 0;
  for (const type of blockingTypes) {
    for (const filter of filters) {
      // The analyzer's times are the trace's own; the model's count from its first event.
      const shifted =
        filter?.range !== undefined
          ? {
              ...filter,
              range: { startNs: filter.range.startNs + origin, endNs: filter.range.endNs + origin },
            }
          : filter;
      const want = outcome(() => oracle.records(type, shifted));
      const got = outcome(() => model.records(type, filter));
      assert.deepEqual(got, want, `${type} ${JSON.stringify(filter)}`);
      compared += typeof want === "string" ? 0 : want.length;
    }
  }
  return compared;
}

describe("blocking profiles from goroutine states", () => {
  for (const path of traceFiles(fixturesDir, () => true)) {
    it(basename(path), async () => {
      const bytes = readFileSync(path);
      await compare(bytes);
    });
  }

  // Go's own binary and text test traces (the text ones hold the odd corners, such as a goroutine first seen in a syscall).
  for (const t of modelCorpus().filter((t) => t.name.startsWith("go "))) {
    it(t.name, async () => {
      await compare(t.bytes());
    });
  }

  it("has records to compare", async () => {
    assert.ok((await compare(readFileSync(`${fixturesDir}/io-go1.26.trace`))) > 100);
  });

  for (const name of [
    "annotations-go1.26.trace",
    "cgocallback-go1.26.trace",
    "io-go1.22.trace",
    "gc-go1.26.trace",
  ]) {
    it(`${name} cut at 60%`, async () => {
      const bytes = readFileSync(`${fixturesDir}/${name}`);
      await compare(bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    });
  }

  it("every wild trace", { skip: wildOnly() }, async () => {
    for (const path of wildTraces()) {
      const bytes = readFileSync(path);
      await compare(bytes).catch((e: Error) => {
        throw new Error(`${basename(path)}: ${e.message}`);
      });
    }
  });
});
