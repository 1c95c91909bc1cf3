/**
 * The goroutine summaries and the scheduler latency read from the model
 * (goroutine-summaries.ts, state-sched-latency.ts) against the analyzers
 * that read events (GoroutineAnalyzer, which goroutines.test.ts holds to go
 * tool trace's own pages, and SchedLatencyAnalyzer): the whole result must
 * be deeply equal on every fixture (every format), on Go's own test traces,
 * on cut copies (a damaged trace is analysed up to its damage) and, when the
 * wild corpus is there, on every wild trace.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, it } from "node:test";
import { drive } from "../decode/drive.js";
import { TraceError } from "../decode/errors.js";
import { parseTestTrace } from "../format/test-trace.js";
import { TimelineBuilder } from "../model/builder.js";
import { runAnalyzers } from "../stream/analyzer.js";
import { GoroutineAnalyzer } from "../stream/goroutines.js";
import { SchedLatencyAnalyzer } from "../stream/sched-latency.js";
import { buildTrace } from "../testing/build-trace.js";
import {
  fixturesDir,
  goTracesDir,
  headerVersion,
  repoRoot,
  traceFiles,
  wildOnly,
  wildTraces,
} from "../testing/corpus.js";
import { goroutineSummaries } from "./goroutine-summaries.js";
import { schedLatencyFromModel, schedWaitsFromModel } from "./state-sched-latency.js";

/** Compares both analyses; returns how many goroutines were compared. */
async function compare(bytes: Uint8Array): Promise<number> {
  const builder = new TimelineBuilder();
  try {
    await drive([bytes], (ev, r) => builder.event(ev, r));
  } catch (e) {
    // Nothing readable (an old-format trace is read whole before its first event): no analysis either way.
    if (!(e instanceof TraceError)) throw e;
    await assert.rejects(runAnalyzers([bytes], [new GoroutineAnalyzer()]), TraceError);
    return 0;
  }
  const tl = builder.finalize();
  const goroutines = new GoroutineAnalyzer();
  const sched = new SchedLatencyAnalyzer(20);
  try {
    await runAnalyzers([bytes], [goroutines, sched]);
  } catch (e) {
    if (!(e instanceof TraceError)) throw e;
    assert.equal(tl.events, 0);
    return 0;
  }
  const want = goroutines.finalize();
  assert.deepStrictEqual(goroutineSummaries(tl), want, "goroutine summaries");
  const waits = (a: Float64Array) => Float64Array.from(a).sort();
  assert.deepStrictEqual(waits(schedWaitsFromModel(tl)), waits(sched.waits()), "scheduler waits");
  assert.deepStrictEqual(schedLatencyFromModel(tl, 20), sched.finalize(), "scheduler latency");
  return want.goroutines.length;
}

/** Go's test traces: its binary ones at any depth, and the wire form of its text ones. */
function goTraces(): { name: string; bytes: Uint8Array }[] {
  const out: { name: string; bytes: Uint8Array }[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith(".test")) {
        try {
          out.push({ name: e.name, bytes: parseTestTrace(readFileSync(p, "utf8"), e.name).traceBytes });
        } catch {
          // go122.test is a bare trace without an expectation; the other tests read it.
        }
      } else if (statSync(p).size >= 16 && headerVersion(p) !== undefined)
        out.push({ name: e.name, bytes: readFileSync(p) });
    }
  };
  if (existsSync(goTracesDir)) walk(goTracesDir);
  return out;
}

describe("goroutine summaries and scheduler latency from the model", () => {
  for (const path of traceFiles(fixturesDir, () => true)) {
    it(basename(path), async () => {
      await compare(readFileSync(path));
    });
  }

  it("has goroutines to compare", async () => {
    assert.ok((await compare(readFileSync(`${fixturesDir}/io-go1.26.trace`))) > 10);
  });

  // Traces written by hand for the analyzers' corners (a P stolen during a
  // syscall, goroutines in a syscall without a P at the start, "forever").
  for (const dir of ["stream", "server"]) {
    const d = join(repoRoot, "src", dir, "testdata");
    for (const name of readdirSync(d).filter((n) => n.endsWith(".txt")))
      it(`${dir}/testdata/${name}`, async () => {
        assert.ok((await compare(buildTrace(readFileSync(join(d, name), "utf8")))) > 0);
      });
  }

  it("Go's test traces", async () => {
    const traces = goTraces();
    assert.ok(traces.length > 20, `found only ${traces.length} of Go's traces`);
    for (const { name, bytes } of traces)
      await compare(bytes).catch((e: Error) => {
        throw new Error(`${name}: ${e.message}`);
      });
  });

  for (const name of [
    "annotations-go1.26.trace",
    "cgocallback-go1.26.trace",
    "io-go1.22.trace",
    "gc-go1.26.trace",
    "sched-go1.21.trace",
    "hostile-go1.26.trace",
  ]) {
    for (const part of [0.3, 0.6, 0.9]) {
      it(`${name} cut at ${part * 100}%`, async () => {
        const bytes = readFileSync(`${fixturesDir}/${name}`);
        await compare(bytes.subarray(0, Math.floor(bytes.length * part)));
      });
    }
  }

  it("every wild trace", { skip: wildOnly() }, async () => {
    for (const path of wildTraces()) {
      await compare(readFileSync(path)).catch((e: Error) => {
        throw new Error(`${basename(path)}: ${e.message}`);
      });
    }
  });
});
