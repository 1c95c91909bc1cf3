/**
 * Test support for analyses computed from the model: the traces to hold
 * them to their event-driven analyzers (our fixtures, Go's binary traces and
 * its text traces, cut copies), and one helper that builds the timeline and,
 * separately, runs the analyzers over the same bytes, as go tool trace
 * would read them (a broken trace: up to the damage, then discardPending).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { drive } from "../decode/drive.js";
import { TraceError } from "../decode/errors.js";
import { parseTestTrace } from "../format/test-trace.js";
import { TimelineBuilder } from "../model/builder.js";
import type { Timeline } from "../model/timeline.js";
import { type Analyzer, runAnalyzers } from "../stream/analyzer.js";
import { fixturesDir, goTracesDir, traceFiles } from "./corpus.js";

export interface CorpusTrace {
  readonly name: string;
  readonly bytes: () => Uint8Array;
}

/** Fixtures cut short (damaged traces keep what came before the cut). */
const cutFixtures = [
  "annotations-go1.26.trace",
  "cgocallback-go1.26.trace",
  "io-go1.22.trace",
  "gc-go1.26.trace",
];

/** Our fixtures, Go's binary and text test traces, and cut copies of four fixtures at 60%. */
export function modelCorpus(): CorpusTrace[] {
  const out: CorpusTrace[] = [];
  for (const path of traceFiles(fixturesDir, () => true))
    out.push({ name: basename(path), bytes: () => readFileSync(path) });
  const goDir = join(goTracesDir, "src/internal/trace/testdata");
  for (const f of readdirSync(goDir, { withFileTypes: true })
    .filter((f) => f.isFile())
    .map((f) => f.name)
    .sort())
    out.push({ name: `go ${f}`, bytes: () => readFileSync(join(goDir, f)) });
  const tests = join(goTracesDir, "src/internal/trace/testdata/tests");
  for (const f of readdirSync(tests)
    .filter((f) => f.endsWith(".test"))
    .sort())
    out.push({
      name: `go tests/${f}`,
      bytes: () => parseTestTrace(readFileSync(join(tests, f), "utf8"), f).traceBytes,
    });
  for (const name of cutFixtures)
    out.push({
      name: `${name} cut at 60%`,
      bytes: () => {
        const b = readFileSync(join(fixturesDir, name));
        return b.subarray(0, Math.floor(b.length * 0.6));
      },
    });
  return out;
}

interface Rollback {
  discardPending?: () => void;
}

/**
 * The timeline of `bytes`, and the analyzers fed the same trace (rolled back
 * to the last Sync if it is broken). Undefined when nothing is readable:
 * then the analyzers' run fails too, which this checks.
 */
export async function modelAndAnalyzers(
  bytes: Uint8Array,
  analyzers: readonly (Analyzer<unknown> & Rollback)[],
): Promise<{ tl: Timeline; damaged: boolean } | undefined> {
  const builder = new TimelineBuilder();
  let damaged: boolean;
  try {
    const run = await drive([bytes], (ev, r) => builder.event(ev, r));
    damaged = run.error !== undefined;
  } catch (e) {
    // Nothing readable (an old-format trace is read whole before its first event).
    if (!(e instanceof TraceError)) throw e;
    await assert.rejects(runAnalyzers([bytes], analyzers), TraceError);
    return undefined;
  }
  const tl = builder.finalize();
  try {
    const run = await runAnalyzers([bytes], analyzers);
    if (run.error) for (const a of analyzers) a.discardPending?.();
  } catch (e) {
    if (!(e instanceof TraceError)) throw e;
    assert.equal(tl.events, 0);
    return undefined;
  }
  return { tl, damaged };
}
