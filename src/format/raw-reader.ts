/**
 * Streaming reader of raw events: the header, then one record after another
 * framed only by the version's spec table, as Go's internal/trace/raw.Reader
 * reads them for `go tool trace -d=wire`. Nothing is validated beyond framing.
 *
 * Chunks are pushed in as they arrive and events pulled out; `next()` says
 * "more" while the buffered bytes end inside an event. End of input is
 * handled as Go handles it, quirks included (see `next`).
 */
import { decodeRune, isGoSpace, type RuneResult } from "./go-quote.js";
import { isKnownVersion, type RawEvent, rawSpecOf } from "./raw.js";
import type { EventSpec } from "./v2/spec.js";
import { maxVarintLen64 } from "./varint.js";

/** A malformed raw trace: Go's reason, and the byte offset where it was found. */
export class RawFormatError extends Error {
  /** The reason alone, worded as Go words it. */
  readonly reason: string;
  /** Byte offset in the input of the byte at fault (0 for the header). */
  readonly offset: number;

  constructor(reason: string, offset: number) {
    super(`${reason} at byte offset ${offset}`);
    this.name = "RawFormatError";
    this.reason = reason;
    this.offset = offset;
  }
}

const badHeader = "bad file format: not a Go execution trace?";

export type HeaderScan =
  | { readonly kind: "ok"; readonly version: number; readonly length: number }
  | { readonly kind: "error"; readonly reason: string }
  | { readonly kind: "more" };

/**
 * Matches the header as Go does, with fmt.Fscanf(r, "go 1.%d trace\0\0\0"):
 * "go", one or more spaces, "1.", optional spaces, decimal digits fitting a
 * uint32, one or more spaces, "trace", three NULs. Spaces are Unicode spaces
 * other than newline. So Go also takes "go  1.022\ttrace\0\0\0" (version 22,
 * 19 bytes); a single-digit version leaves its fourth NUL unread. Returns
 * "more" when the bytes end before the answer is known and `final` is false.
 */
export function scanHeader(buf: Uint8Array, final: boolean): HeaderScan {
  const end = buf.length;
  const rr: RuneResult = { rune: 0, size: 0 };
  const more: HeaderScan = final ? { kind: "error", reason: badHeader } : { kind: "more" };
  const bad: HeaderScan = { kind: "error", reason: badHeader };
  let i = 0;
  // Returns false on a mismatch, undefined when out of bytes.
  const literal = (text: string): boolean | undefined => {
    for (let k = 0; k < text.length; k++, i++) {
      if (i >= end) return undefined;
      if (buf[i] !== text.charCodeAt(k)) return false;
    }
    return true;
  };
  // Skips spaces; returns how many, or undefined when a rune may be cut off.
  const spaces = (): number | undefined => {
    let n = 0;
    for (;;) {
      if (i >= end || (!final && end - i < 4 && buf[i]! >= 0x80)) return final ? n : undefined;
      decodeRune(buf, i, end, rr);
      if (rr.rune === 0x0a || !isGoSpace(rr.rune)) return n;
      i += rr.size;
      n++;
    }
  };
  let ok = literal("go");
  if (ok !== true) return ok === false ? bad : more;
  let n = spaces();
  if (n === undefined) return more;
  if (n === 0) return bad;
  ok = literal("1.");
  if (ok !== true) return ok === false ? bad : more;
  if (spaces() === undefined) return more;
  let version = 0;
  let digits = 0;
  for (; i < end && buf[i]! >= 0x30 && buf[i]! <= 0x39; i++, digits++) {
    version = version * 10 + (buf[i]! - 0x30);
    if (version > 0xffffffff) return bad; // "unsigned integer overflow"
  }
  if (i >= end && !final) return more;
  if (digits === 0) return bad;
  n = spaces();
  if (n === undefined) return more;
  if (n === 0) return bad;
  ok = literal("trace\0\0\0");
  if (ok !== true) return ok === false ? bad : more;
  if (!isKnownVersion(version)) {
    return { kind: "error", reason: `unknown or unsupported trace version go 1.${version}` };
  }
  return { kind: "ok", version, length: i };
}

/** The event being read; kept across calls so a large event is never re-parsed. */
interface PendingEvent {
  readonly type: number;
  readonly spec: EventSpec;
  /** File offset of the type byte. */
  readonly offset: number;
  readonly args: bigint[];
  /** Varints to read: the spec's arguments, then four per stack frame once known. */
  want: number;
  /** Trailer length once read; -1 before. */
  dataLen: number;
}

/** Go's int(uint64) on a 64-bit machine is negative from 2^63; its loops then run zero times. */
function goIntCount(v: bigint): number {
  return v >= 1n << 63n ? 0 : Number(v);
}

export type RawNext = RawEvent | "more" | "end";

export class RawReader {
  private buf: Uint8Array = new Uint8Array(0);
  /** Next unread byte in buf, and end of the valid bytes. */
  private pos = 0;
  private end = 0;
  /** File offset of buf[0]. */
  private base = 0;
  /** buf is the caller's array: never write into it. */
  private borrowed = false;
  private closed = false;
  private failure: RawFormatError | undefined;
  private headerTriedAt = 0;
  private cur: PendingEvent | undefined;
  private lostBytes = 0;
  private value = 0n;
  private ver: number | undefined;

  /** The header's version, once read. */
  get version(): number | undefined {
    return this.ver;
  }

  /** File offset of the next byte not yet consumed. */
  get offset(): number {
    return this.base + this.pos;
  }

  /**
   * Bytes of an event cut off by the end of input that Go drops without an
   * error (see `next`); 0 until the end is reached.
   */
  get ignoredTailBytes(): number {
    return this.lostBytes;
  }

  /** Adds the next piece of the trace. The reader keeps it until consumed and never writes to it. */
  push(chunk: Uint8Array): void {
    if (this.closed) throw new Error("RawReader: push after close");
    if (chunk.length === 0) return;
    const unread = this.end - this.pos;
    if (unread === 0) {
      this.base += this.end;
      this.buf = chunk;
      this.pos = 0;
      this.end = chunk.length;
      this.borrowed = true;
      return;
    }
    if (!this.borrowed && this.end + chunk.length <= this.buf.length) {
      this.buf.set(chunk, this.end);
      this.end += chunk.length;
      return;
    }
    // Compact only while at most half full, else grow ×2: each byte is then
    // copied O(1) times on average, so a huge event arriving in small chunks
    // stays linear.
    const need = unread + chunk.length;
    if (!this.borrowed && need * 2 <= this.buf.length) {
      this.buf.copyWithin(0, this.pos, this.end);
    } else {
      const grown = new Uint8Array(Math.max(need * 2, 1 << 16));
      grown.set(this.buf.subarray(this.pos, this.end));
      this.buf = grown;
      this.borrowed = false;
    }
    this.base += this.pos;
    this.pos = 0;
    this.end = unread;
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }

  /** Marks the end of input. */
  close(): void {
    this.closed = true;
  }

  /**
   * The next event, "more" if the buffered bytes end inside it and input is
   * still open, or "end". Throws RawFormatError, and again on every later call.
   *
   * At the end of input Go's reader (bufio + binary.ReadUvarint) reports io.EOF,
   * which `-d=wire` takes as a clean end, whenever the input stops exactly
   * before a varint or anywhere inside a data trailer: such a cut-off last
   * event vanishes silently (counted in ignoredTailBytes). Only a cut inside a
   * varint is an error, "unexpected EOF".
   */
  next(): RawNext {
    if (this.failure) throw this.failure;
    try {
      return this.step();
    } catch (e) {
      if (e instanceof RawFormatError) this.failure = e;
      throw e;
    }
  }

  private step(): RawNext {
    if (this.ver === undefined && !this.readHeader()) return "more";
    if (this.cur === undefined) {
      if (this.pos >= this.end) return this.closed ? "end" : "more";
      const type = this.buf[this.pos]!;
      // Type 0 is never valid; past the version's table is invalid too, and v1
      // headers have an empty table, so any byte after them is invalid.
      const spec = type === 0 ? undefined : rawSpecOf(this.ver!, type);
      if (spec === undefined) throw new RawFormatError(`invalid event type: ${type}`, this.offset);
      this.cur = { type, spec, offset: this.offset, args: [], want: spec.args.length, dataLen: -1 };
      this.pos++;
    }
    const cur = this.cur;
    while (cur.args.length < cur.want) {
      if (!this.readVarint()) return this.stopInEvent(cur);
      cur.args.push(this.value);
      if (cur.spec.isStack && cur.args.length === cur.spec.args.length) {
        cur.want += 4 * goIntCount(cur.args[1]!);
      }
    }
    let data: Uint8Array | undefined;
    if (cur.spec.hasData) {
      if (cur.dataLen < 0) {
        if (!this.readVarint()) return this.stopInEvent(cur);
        cur.dataLen = goIntCount(this.value);
      }
      if (cur.dataLen > 0) {
        if (this.end - this.pos < cur.dataLen) {
          if (!this.closed) return "more";
          return this.dropTail(cur); // ReadByte hit io.EOF
        }
        data = this.buf.slice(this.pos, this.pos + cur.dataLen);
        this.pos += cur.dataLen;
      }
    }
    this.cur = undefined;
    return data === undefined ? { type: cur.type, args: cur.args } : { type: cur.type, args: cur.args, data };
  }

  private readHeader(): boolean {
    const buffered = this.end - this.pos;
    // Retry only once the buffer has doubled so an absurd header stays linear.
    if (!this.closed && (buffered < 16 || buffered < 2 * this.headerTriedAt)) return false;
    this.headerTriedAt = buffered;
    const h = scanHeader(this.buf.subarray(this.pos, this.end), this.closed);
    if (h.kind === "more") return false;
    if (h.kind === "error") throw new RawFormatError(h.reason, 0);
    this.ver = h.version;
    this.pos += h.length;
    return true;
  }

  /**
   * Reads one varint into this.value; false if the buffer ends inside it.
   * Throws Go's overflow error.
   */
  private readVarint(): boolean {
    const buf = this.buf;
    const start = this.pos;
    const limit = Math.min(this.end, start + maxVarintLen64);
    // Up to 7 bytes (49 bits) add up exactly in a double; only longer ones need bigint.
    let small = 0;
    let scale = 1;
    for (let i = start; i < limit; i++) {
      const b = buf[i]!;
      if (b < 0x80) {
        const len = i - start + 1;
        if (len <= 7) {
          this.value = BigInt(small + b * scale);
        } else {
          if (len === maxVarintLen64 && b > 1) {
            throw new RawFormatError("binary: varint overflows a 64-bit integer", this.base + start);
          }
          let v = 0n;
          for (let k = i; k >= start; k--) v = (v << 7n) | BigInt(buf[k]! & 0x7f);
          this.value = v;
        }
        this.pos = i + 1;
        return true;
      }
      small += (b & 0x7f) * scale;
      scale *= 128;
    }
    if (limit - start === maxVarintLen64) {
      throw new RawFormatError("binary: varint overflows a 64-bit integer", this.base + start);
    }
    return false;
  }

  /** The buffer ended inside an event's varints. */
  private stopInEvent(cur: PendingEvent): RawNext {
    if (!this.closed) return "more";
    if (this.pos < this.end) throw new RawFormatError("unexpected EOF", this.base + this.end);
    return this.dropTail(cur);
  }

  private dropTail(cur: PendingEvent): RawNext {
    this.lostBytes = this.base + this.end - cur.offset;
    this.pos = this.end;
    this.cur = undefined;
    return "end";
  }
}

export interface RawTrace {
  /** Undefined when the header itself is bad. */
  readonly version: number | undefined;
  /** Every event read before the end or the error. */
  readonly events: RawEvent[];
  readonly error?: RawFormatError;
  /** See RawReader.ignoredTailBytes. */
  readonly ignoredTailBytes: number;
}

/** Reads a whole trace held in memory (without copying it), keeping the events read before any error. */
export function readRawTrace(bytes: Uint8Array): RawTrace {
  const r = new RawReader();
  r.push(bytes);
  r.close();
  const events: RawEvent[] = [];
  try {
    for (let ev = r.next(); ev !== "end"; ev = r.next()) {
      if (ev === "more") throw new Error("unreachable: input is closed");
      events.push(ev);
    }
  } catch (e) {
    if (!(e instanceof RawFormatError)) throw e;
    return { version: r.version, events, error: e, ignoredTailBytes: 0 };
  }
  return { version: r.version, events, ignoredTailBytes: r.ignoredTailBytes };
}
