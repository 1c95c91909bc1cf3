/**
 * Running analyzers that follow go tool trace on broken traces by keeping
 * only what came before the last Sync.
 */
import { statSync } from "node:fs";
import { type Analyzer, runAnalyzers } from "../analysis/analyzer.js";
import { TraceError } from "../decode/errors.js";
import { type Event, EventKind } from "../decode/event.js";
import type { TraceReader } from "../decode/reader.js";
import { fileChunks } from "./chunks.js";
import { formatBytes } from "./format.js";

/**
 * Reads a file through analyzers that can drop what followed the last Sync
 * (`discardPending`), doing so when the trace turns out broken, as go tool
 * trace does. Returns the reader (for its originNs), or undefined (after a
 * message) if not one generation could be read.
 */
export async function analyzeWithRollback(
  file: string,
  analyzers: readonly (Analyzer<unknown> & { discardPending(): void })[],
): Promise<TraceReader | undefined> {
  let syncs = 0;
  const counter = {
    event(ev: Event) {
      if (ev.kind === EventKind.Sync) syncs++;
    },
    finalize() {},
  };
  let run: Awaited<ReturnType<typeof runAnalyzers>>;
  try {
    run = await runAnalyzers(fileChunks(file), [counter, ...analyzers]);
  } catch (e) {
    if (!(e instanceof TraceError)) throw e;
    process.stderr.write(`gotrace: ${e.message}\n`);
    return undefined;
  }
  if (!run.error) return run.reader;
  if (syncs === 0) {
    process.stderr.write(`gotrace: failed to parse any useful part of the trace: ${run.error.message}\n`);
    return undefined;
  }
  for (const a of analyzers) a.discardPending();
  const size = statSync(file).size;
  const lost = size - run.reader.validOffset;
  process.stderr.write(
    `gotrace: lost ${((lost / size) * 100).toFixed(1)}% of ${formatBytes(size)}: ${run.error.message}; showing what was read before it\n`,
  );
  return run.reader;
}
