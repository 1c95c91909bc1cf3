/**
 * The reader of old traces (Go 1.5–1.21). The format keeps its string and
 * stack tables at the end, so the whole input is buffered; at the end of
 * input it is parsed and converted, and events are served through the same
 * read() interface as modern traces: a Sync 1 ns before the first event, the
 * converted events, and a Sync 1 ns after the last (as Go's reader does).
 */
import { TraceError } from "../errors.js";
import { Event, EvSync } from "../event.js";
import { NeedInput, type ReadResult } from "../v2/reader.js";
import { V1Converter } from "./convert.js";
import { V1Parser } from "./parser.js";
import { RawDecoder } from "./raw.js";

export class ReaderV1 {
  private chunks: Uint8Array[] = [];
  private size = 0;
  private eof = false;
  private conv: V1Converter | undefined;
  private syncs = 0;
  private done = false;
  private failed: TraceError | undefined;
  private parsedOk = false;

  constructor(
    readonly version: number,
    private readonly startOffset: number,
  ) {}

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  end(): void {
    this.eof = true;
  }

  /** Old traces count time from their first event. */
  get originNs(): number {
    return 0;
  }

  /** An old trace is one generation: all of it is valid once read without error, none of it otherwise. */
  get validOffset(): number {
    return this.parsedOk && !this.failed ? this.startOffset + this.size : 0;
  }

  read(): ReadResult {
    if (this.failed) throw this.failed;
    if (this.done) return null;
    if (!this.eof) return NeedInput;
    try {
      return this.step();
    } catch (e) {
      if (!(e instanceof TraceError)) throw e;
      this.failed = e;
      throw e;
    }
  }

  /** Reads events into `onEvent` until more input is needed (NeedInput) or the end (null). */
  drain(onEvent: (ev: Event) => void): typeof NeedInput | null {
    for (;;) {
      const r = this.read();
      if (r === null || r === NeedInput) return r;
      onEvent(r);
    }
  }

  private step(): Event | null {
    if (!this.conv) {
      this.conv = new V1Converter(this.parse());
      this.parsedOk = true;
    }
    const conv = this.conv;
    if (this.syncs === 0) {
      const first = conv.firstTime();
      if (first !== undefined) {
        this.syncs++;
        return new Event(conv.table, EvSync, first - 1, -1, -1, -1, this.syncs);
      }
    }
    const ev = conv.next();
    if (ev) return ev;
    this.done = true;
    this.syncs++;
    return new Event(undefined, EvSync, conv.lastTime + 1, -1, -1, -1, this.syncs);
  }

  private parse() {
    // Offsets in errors are file offsets: the header comes first.
    const data = new Uint8Array(this.startOffset + this.size);
    let off = this.startOffset;
    for (const c of this.chunks) {
      data.set(c, off);
      off += c.length;
    }
    this.chunks = [];
    return new V1Parser(new RawDecoder(data, this.version, this.startOffset)).parse();
  }
}
