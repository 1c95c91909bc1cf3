/**
 * Analyzers are small streaming units: they see every event once, in order,
 * and produce a plain result at the end. `runAnalyzers` reads a trace once
 * and feeds all of them.
 */

import { TraceError } from "../decode/errors.js";
import type { Event } from "../decode/event.js";
import { readTrace, type TraceReader } from "../decode/reader.js";

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
  let events = 0;
  let reader: TraceReader | undefined;
  const every = options.progressEvery ?? 1_000_000;
  try {
    reader = await readTrace(source, (ev, r) => {
      reader = r;
      for (const a of analyzers) a.event(ev, r);
      if (++events % every === 0) options.onProgress?.(events);
    });
    return { reader, error: undefined, events };
  } catch (e) {
    if (!(e instanceof TraceError) || !reader) throw e;
    return { reader, error: e, events };
  }
}
