/**
 * Analyzers are small streaming units: they see every event once, in order,
 * and produce a plain result at the end. `runAnalyzers` reads a trace once
 * and feeds all of them.
 */

import { drive } from "../decode/drive.js";
import type { TraceError } from "../decode/errors.js";
import type { Event } from "../decode/event.js";
import type { TraceReader } from "../decode/reader.js";

export interface Analyzer<R> {
  /** Called for every event in order. The event object is reused: copy what you keep. */
  event(ev: Event, reader: TraceReader): void;
  /** Called once after the last event (or after the last complete generation of a broken trace). */
  finalize(): R;
}

export interface RunResult {
  reader: TraceReader;
  /** Set when the trace is broken: analyses cover what came before it. */
  error: TraceError | undefined;
  events: number;
}

export interface RunOptions {
  /** Called about every `progressEvery` events with the events read so far. */
  onProgress?: (events: number) => void;
  progressEvery?: number;
}

/**
 * Reads a trace once and feeds every analyzer. A TraceError ends the run
 * early but is returned, not thrown, so callers can show partial results.
 */
export async function runAnalyzers(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  analyzers: readonly Analyzer<unknown>[],
  options: RunOptions = {},
): Promise<RunResult> {
  const run = await drive(
    source,
    (ev, r) => {
      for (const a of analyzers) a.event(ev, r);
    },
    { onProgress: options.onProgress, progressEvery: options.progressEvery ?? 1_000_000 },
  );
  // Broken before the first event: nothing to return but the error.
  if (run.error && run.events === 0) throw run.error;
  return { reader: run.reader!, error: run.error, events: run.events };
}
