/**
 * The entry point for reading a trace of any version: sniffs the header and
 * hands the bytes to the reader of that format family.
 */
import { headerSize, readHeader } from "../format/header.js";
import { TraceError } from "./errors.js";
import type { Event } from "./event.js";
import { ReaderV1 } from "./v1/reader.js";
import { NeedInput, ReaderV2, type ReadResult } from "./v2/reader.js";

export { NeedInput, type ReadResult };

export class TraceReader {
  private head: Uint8Array = new Uint8Array(0);
  private inner: ReaderV2 | ReaderV1 | undefined;
  private eof = false;
  private failed: TraceError | undefined;
  /** Version N of the header `go 1.N trace`, once known. */
  version: number | undefined;

  push(chunk: Uint8Array): void {
    if (this.inner) {
      this.inner.push(chunk);
      return;
    }
    const joined = new Uint8Array(this.head.length + chunk.length);
    joined.set(this.head);
    joined.set(chunk, this.head.length);
    this.head = joined;
    if (this.head.length >= headerSize) this.start();
  }

  end(): void {
    this.eof = true;
    this.inner?.end();
  }

  private start(): void {
    const h = readHeader(this.head);
    if (!h.ok) {
      this.failed = new TraceError(h.reason, 0);
      return;
    }
    this.version = h.version;
    // Old traces (Go 1.5–1.21) are read whole and converted.
    this.inner = h.version < 22 ? new ReaderV1(h.version, headerSize) : new ReaderV2(h.version, headerSize);
    this.inner.push(this.head.subarray(headerSize));
    if (this.eof) this.inner.end();
    this.head = new Uint8Array(0);
  }

  /** The next event, NeedInput if more bytes must be pushed first, or null at the end. */
  read(): ReadResult {
    if (this.failed) throw this.failed;
    if (!this.inner) {
      if (!this.eof) return NeedInput;
      this.failed = new TraceError("bad file format: not a Go execution trace?", 0);
      throw this.failed;
    }
    return this.inner.read();
  }

  /** Reads events into `onEvent` until more input is needed (NeedInput) or the end (null). */
  drain(onEvent: (ev: Event) => void): typeof NeedInput | null {
    if (!this.inner) {
      const r = this.read();
      if (r === null || r === NeedInput) return r;
      onEvent(r);
      return this.drain(onEvent);
    }
    return this.inner.drain(onEvent);
  }

  /** Absolute ns that event times count from. */
  get originNs(): number {
    return this.inner?.originNs ?? 0;
  }

  /** Bytes before this offset belong to generations that were read completely. */
  get validOffset(): number {
    return this.inner?.validOffset ?? 0;
  }
}

/**
 * Reads a whole trace from chunks, calling `onEvent` for each event in order.
 * The event object is reused: it is valid during the call (ev.clone() keeps
 * it). Errors are thrown as TraceError.
 */
export async function readTrace(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  onEvent: (ev: Event, reader: TraceReader) => void,
): Promise<TraceReader> {
  const r = new TraceReader();
  const it = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
  const each = (ev: Event) => onEvent(ev, r);
  for (;;) {
    if (r.drain(each) === null) return r;
    const next = await it.next();
    if (next.done) r.end();
    else r.push(next.value);
  }
}

/** The events of a trace as an async iterator (convenient; readTrace is faster for bulk work). */
export async function* events(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): AsyncGenerator<Event> {
  const r = new TraceReader();
  const it = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
  for (;;) {
    const ev = r.read();
    if (ev === null) return;
    if (ev !== NeedInput) {
      // The reader recycles its Event objects; a consumer of an iterator may keep them.
      yield ev.clone();
      continue;
    }
    const next = await it.next();
    if (next.done) r.end();
    else r.push(next.value);
  }
}
