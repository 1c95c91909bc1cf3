/**
 * Builds a timeline engine from a trace's bytes (chunks, sync or async):
 * one pass of the reader through the timeline builder. A damaged trace
 * keeps everything read before the damage; the engine's info says what
 * was lost. Runs anywhere (no node:*, no DOM).
 */
import { type Driven, drive } from "../../decode/drive.js";
import type { TraceError } from "../../decode/errors.js";
import type { Event } from "../../decode/event.js";
import type { TraceReader } from "../../decode/reader.js";
import { TimelineBuilder } from "../../model/builder.js";
import { Engine } from "./engine.js";
import type { TraceInfo } from "./protocol.js";

export interface BuildOptions {
  /** Called about every million events with the events and bytes read so far. */
  onProgress?: (events: number, bytes: number) => void;
  /** The trace's size in bytes, if known: lets damage say how much was lost. */
  totalBytes?: number;
  /** Also called with every event, after the timeline has seen it (the Event is reused). */
  onEvent?: (ev: Event) => void;
}

export interface BuildResult {
  readonly engine: Engine;
  /** How the read ended (events, Syncs, the trace's origin). */
  readonly run: Driven;
  /** Set when the trace is damaged: the engine shows what came before it. */
  readonly error?: TraceError;
  /** The first event's time, ns from the trace's origin (the timeline's zero; NaN without events). */
  readonly firstNs: number;
}

export async function buildTimeline(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: BuildOptions = {},
): Promise<BuildResult> {
  return buildTimelineFrom((each) => drive(source, each, { onProgress: options.onProgress }), options);
}

/**
 * Builds a timeline engine from events read by `read` (drive() in this
 * thread, or events decoded on another one and replayed here), which calls
 * `each` for every event in order and resolves with how the read ended.
 */
export async function buildTimelineFrom(
  read: (each: (ev: Event, r: TraceReader) => void) => Promise<Driven>,
  options: BuildOptions = {},
): Promise<BuildResult> {
  const builder = new TimelineBuilder();
  const also = options.onEvent;
  let firstNs = Number.NaN;
  // The reader is not kept: an old-format reader holds the whole trace
  // (1.2 GB for a 105 MB Go 1.21 trace), which need not sit beside the sort.
  const run = await read(
    also
      ? (ev, r) => {
          if (builder.events === 0) firstNs = ev.time;
          builder.event(ev, r);
          also(ev);
        }
      : (ev, r) => {
          if (builder.events === 0) firstNs = ev.time;
          builder.event(ev, r);
        },
  );
  const { error, validOffset, bytes } = run;
  const tl = builder.finalize();
  const total = options.totalBytes ?? bytes;
  // The header's version, even when the trace broke before its first event.
  const version = run.version ?? tl.version;
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
  return { engine: new Engine(tl, info), run, firstNs, ...(error && { error }) };
}
