/**
 * The one event loop: reads a trace once, hands every event to a consumer,
 * counts bytes, events and Syncs for progress, and ends with what a caller
 * needs to report damage. The timeline, the analyses and the CLI all read
 * through it, so damage is handled the same way everywhere.
 */
import { headerSize, readHeader } from "../format/header.js";
import { TraceError } from "./errors.js";
import { type Event, EventKind } from "./event.js";
import { readTrace, type TraceReader } from "./reader.js";

export interface DriveOptions {
  /** Called about every `progressEvery` events (default 2^20) with the events and bytes read so far. */
  onProgress?: (events: number, bytes: number) => void;
  progressEvery?: number;
}

/** How a read ended. Plain data: it can be posted to a worker. */
export interface DriveResult {
  /** N of the header's `go 1.N trace`, even when the trace broke before its first event. */
  readonly version: number | undefined;
  /** Absolute ns the events' times count from. */
  readonly originNs: number;
  readonly events: number;
  readonly bytes: number;
  /** Sync events seen: 0 means not even one generation began. */
  readonly syncs: number;
  /** Bytes up to the end of the last whole part read (what a damaged trace keeps). */
  readonly validOffset: number;
  /**
   * Events other than Syncs up to the last Sync: what an analysis of a
   * damaged trace keeps, as go tool trace drops what follows the last Sync.
   * All of them when the trace is whole.
   */
  readonly keptEvents: number;
}

export interface Driven extends DriveResult {
  /** Set when the trace is damaged: every event before it was delivered. */
  readonly error: TraceError | undefined;
  /** The reader, once the header was read (for library callers that want its tables' state). */
  readonly reader: TraceReader | undefined;
}

export async function drive(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  onEvent: (ev: Event, reader: TraceReader) => void,
  options: DriveOptions = {},
): Promise<Driven> {
  let bytes = 0;
  let head = new Uint8Array(0);
  let events = 0;
  let syncs = 0;
  let others = 0;
  let keptEvents = 0;
  let reader: TraceReader | undefined;
  let error: TraceError | undefined;
  const every = options.progressEvery ?? 1 << 20;
  const onProgress = options.onProgress;
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const chunk of source) {
      bytes += chunk.length;
      if (head.length < headerSize) {
        const joined = new Uint8Array(Math.min(headerSize, head.length + chunk.length));
        joined.set(head);
        joined.set(chunk.subarray(0, joined.length - head.length), head.length);
        head = joined;
      }
      yield chunk;
    }
  }
  try {
    reader = await readTrace(counted(), (ev, r) => {
      reader = r;
      if (ev.kind === EventKind.Sync) {
        syncs++;
        keptEvents = others;
      } else others++;
      onEvent(ev, r);
      if (++events % every === 0) onProgress?.(events, bytes);
    });
  } catch (e) {
    if (!(e instanceof TraceError)) throw e;
    error = e;
  }
  const header = readHeader(head);
  return {
    version: header.ok ? header.version : reader?.version,
    originNs: reader?.originNs ?? 0,
    events,
    bytes,
    syncs,
    validOffset: reader?.validOffset ?? 0,
    keptEvents: error ? keptEvents : others,
    error,
    reader,
  };
}
