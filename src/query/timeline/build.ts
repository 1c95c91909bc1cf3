/**
 * Builds a timeline engine from a trace's bytes (chunks, sync or async):
 * one pass of the reader through the timeline builder. A damaged trace
 * keeps everything read before the damage; the engine's info says what
 * was lost. Runs anywhere (no node:*, no DOM).
 */
import { TraceError } from "../../decode/errors.js";
import { readTrace, type TraceReader } from "../../decode/reader.js";
import { headerSize, readHeader } from "../../format/header.js";
import { TimelineBuilder } from "../../model/builder.js";
import { Engine } from "./engine.js";
import type { TraceInfo } from "./protocol.js";

export interface BuildOptions {
  /** Called about every million events with the events and bytes read so far. */
  onProgress?: (events: number, bytes: number) => void;
  /** The trace's size in bytes, if known: lets damage say how much was lost. */
  totalBytes?: number;
}

export interface BuildResult {
  readonly engine: Engine;
  /** Set when the trace is damaged: the engine shows what came before it. */
  readonly error?: TraceError;
}

export async function buildTimeline(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: BuildOptions = {},
): Promise<BuildResult> {
  const builder = new TimelineBuilder();
  let bytes = 0;
  let head = new Uint8Array(0);
  let reader: TraceReader | undefined;
  let error: TraceError | undefined;
  const counted = countBytes(source, (chunk) => {
    bytes += chunk.length;
    if (head.length < headerSize) {
      const joined = new Uint8Array(Math.min(headerSize, head.length + chunk.length));
      joined.set(head);
      joined.set(chunk.subarray(0, joined.length - head.length), head.length);
      head = joined;
    }
  });
  const every = 1 << 20;
  try {
    reader = await readTrace(counted, (ev, r) => {
      reader = r;
      builder.event(ev, r);
      if (builder.events % every === 0) options.onProgress?.(builder.events, bytes);
    });
  } catch (e) {
    if (!(e instanceof TraceError)) throw e;
    error = e;
  }
  // What is needed of the reader is kept, and the reader let go before the
  // timeline is finished: an old-format reader holds the whole trace
  // (1.2 GB for a 105 MB Go 1.21 trace), which need not sit beside the sort.
  const validOffset = reader?.validOffset ?? 0;
  const readerVersion = reader?.version;
  reader = undefined;
  const tl = builder.finalize();
  const total = options.totalBytes ?? bytes;
  // The header's version, even when the trace broke before its first event.
  const header = readHeader(head);
  const version = header.ok ? header.version : (readerVersion ?? tl.version);
  const info: TraceInfo = {
    format: version ? `go 1.${version} trace` : "unknown",
    durationNs: tl.durationNs,
    events: tl.events,
    goroutines: tl.goroutines.length,
    procs: tl.procs,
    threads: tl.threadIDs.length,
    ...(error && {
      damage: {
        message: error.message,
        offset: error.offset ?? validOffset,
        lostBytes: Math.max(0, total - validOffset),
      },
    }),
  };
  return { engine: new Engine(tl, info), ...(error && { error }) };
}

/** Passes chunks through, counting their bytes. */
async function* countBytes(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  count: (chunk: Uint8Array) => void,
): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    count(chunk);
    yield chunk;
  }
}
