/**
 * The raw event decoder of old traces: one type byte whose top two bits say
 * how many varints follow, or (value 3) that a byte length and then the
 * varints follow. Strings, batch headers and the user-log message have their
 * own layouts. Error texts are Go's (internal/trace/internal/tracev1).
 */
import { readUvarint, readUvarintBig, type VarintResult } from "../../format/varint.js";
import { TraceError } from "../errors.js";
import { decodeGoString } from "../v2/generation.js";
import { knownV1Event, V1 } from "./spec.js";

export const errMalformedVarint = "malformatted base-128 varint";

/** Don't decode the arguments of ordinary events (CPU samples are decoded anyway). */
export const skipArgs = 1;
/** Don't decode strings, just step over them. */
export const skipStrings = 2;

/** Go's length-prefixed arguments are at most this long (a guard against garbage; Go 1.11+). */
const maxArgBytes = 2048;

const maxUint64 = 2 ** 64;
const maxInt32 = 2 ** 31 - 1;

export interface RawEvent {
  /** Event type, or V1.None for events that only fill tables (strings). */
  typ: number;
  /** Values read; only the first `n` are this event's (the arrays are reused). */
  args: number[];
  /** File offset of each argument's varint, to re-read absolute ticks exactly. */
  argPos: number[];
  n: number;
  /** The user log's message. */
  message: string;
  /** For batches: the P (−1 for none) and the batch's offset. */
  batchPid: number;
  /** File offset of the event's type byte. */
  off: number;
}

export function newRawEvent(): RawEvent {
  return { typ: 0, args: [], argPos: [], n: 0, message: "", batchPid: 0, off: 0 };
}

export class RawDecoder {
  off: number;
  data: Uint8Array;
  readonly strings = new Map<number, string>();
  private readonly vr: VarintResult = { value: 0, n: 0 };

  constructor(
    data: Uint8Array,
    readonly version: number,
    start: number,
  ) {
    this.data = data;
    this.off = start;
  }

  /** Drops the raw bytes once every event is decoded (an old trace is held whole). */
  release(): void {
    this.data = new Uint8Array(0);
    this.off = 0;
  }

  fail(reason: string, off = this.off): never {
    throw new TraceError(reason, off);
  }

  /** A varint at the cursor, or undefined if malformed or cut off (Go's readVal). */
  private readVal(): number | undefined {
    readUvarint(this.data, this.off, this.data.length, this.vr);
    if (this.vr.n <= 0) return undefined;
    this.off += this.vr.n;
    return this.vr.value;
  }

  private discard(n: number): boolean {
    if (this.off + n > this.data.length) return false;
    this.off += n;
    return true;
  }

  /** The exact value of the varint at `pos` (for ticks past 2^53). */
  bigAt(pos: number): bigint {
    return readUvarintBig(this.data, pos, this.data.length).value;
  }

  /**
   * Reads the next raw event into `ev`. Returns false at the end of the
   * data; throws TraceError on malformed input.
   */
  read(flags: number, ev: RawEvent): boolean {
    const data = this.data;
    if (this.off >= data.length) return false;
    const off0 = this.off;
    const b = data[this.off++]!;
    const typ = b & 0x3f;
    // The timestamp counts as an argument; so does 1.5's sequence number.
    const narg = (b >> 6) + (this.version < 7 ? 2 : 1);
    const lengthPrefixed = b >> 6 === 3;
    ev.off = off0;
    ev.message = "";
    ev.n = 0;
    if (!knownV1Event(typ, this.version)) this.fail(`unknown event type ${typ}`, off0);

    if (typ === V1.String) {
      this.readString(flags);
      ev.typ = V1.None;
      return true;
    }
    ev.typ = typ;
    if (typ === V1.Batch) {
      const want = this.version < 7 ? 3 : 2;
      if (narg !== want) this.fail(`EvBatch has wrong number of arguments: got ${narg}, want ${want}`, off0);
      for (let i = 0; i < want; i++) {
        const pos = this.off;
        const v = this.readVal();
        if (v === undefined) this.fail(errMalformedVarint, off0);
        if (i === 0 && v < maxUint64 && v > maxInt32) {
          // Go names the wrong maximum here (MaxUint); its words are kept.
          this.fail(`processor ID ${this.bigAt(pos)} is larger than maximum of 18446744073709551615`, off0);
        }
        ev.args[ev.n] = v;
        ev.argPos[ev.n++] = pos;
      }
      ev.batchPid = ev.args[0]! >= maxUint64 ? -1 : ev.args[0]!;
      return true;
    }

    if (!lengthPrefixed) {
      for (let i = 0; i < narg; i++) {
        const pos = this.off;
        const v = this.readVal();
        if (v === undefined) this.fail(`failed to read event ${typ} argument: ${errMalformedVarint}`, off0);
        if ((flags & skipArgs) === 0) {
          ev.args[ev.n] = v;
          ev.argPos[ev.n++] = pos;
        }
      }
      return true;
    }
    // More than three values: a byte length, then the values.
    const lenAt = this.off;
    const len = this.readVal();
    if (len === undefined) this.fail(`failed to read event ${typ} argument: ${errMalformedVarint}`, off0);
    if (this.version >= 11 && len > maxArgBytes) {
      this.fail(
        `failed to read event ${typ} argument: length-prefixed argument too big: ${this.bigAt(lenAt)} bytes, limit is ${maxArgBytes}`,
        off0,
      );
    }
    if ((flags & skipArgs) === 0 || typ === V1.CPUSample) {
      // Go's readFull fails at the end of the data even for zero bytes.
      if (this.off >= data.length || this.off + len > data.length)
        this.fail("failed to read trace: unexpected EOF", off0);
      const end = this.off + len;
      while (this.off < end) {
        const pos = this.off;
        readUvarint(data, this.off, end, this.vr);
        if (this.vr.n <= 0) this.fail(errMalformedVarint, off0);
        this.off += this.vr.n;
        ev.args[ev.n] = this.vr.value;
        ev.argPos[ev.n++] = pos;
      }
    } else if (!this.discard(len)) {
      this.fail("failed to read trace: EOF", off0);
    }
    if (typ === V1.UserLog) {
      if ((flags & skipArgs) === 0) {
        ev.message = this.readMessage(off0);
      } else {
        const n = this.readVal();
        if (n === undefined) this.fail(errMalformedVarint, off0);
        // Go reports io.EOF here, which its first pass takes for the end of the trace.
        if (!this.discard(n)) return false;
      }
    }
    return true;
  }

  /** A string table entry [id, len, bytes]. */
  private readString(flags: number): void {
    const off0 = this.off - 1;
    if ((flags & skipStrings) !== 0) {
      if (this.readVal() === undefined) this.fail(errMalformedVarint, off0);
      const n = this.readVal();
      if (n === undefined) this.fail(errMalformedVarint, off0);
      if (!this.discard(n)) this.fail("failed to read trace: EOF", off0);
      return;
    }
    const id = this.readVal();
    if (id === undefined) this.fail(errMalformedVarint, off0);
    if (id === 0) this.fail("string has invalid id 0", off0);
    // Go checks for a non-empty value, and empty strings cannot be stored.
    if (this.strings.has(id)) this.fail(`string has duplicate id ${id}`, off0);
    const nAt = this.off;
    const n = this.readVal();
    if (n === undefined) this.fail(errMalformedVarint, off0);
    if (n === 0) this.fail("string has invalid length 0", off0);
    if (n > 1e6) this.fail(`string has too large length ${this.bigAt(nAt)}`, off0);
    if (this.off + n > this.data.length) this.fail("failed to read trace: unexpected EOF", off0);
    this.strings.set(id, decodeGoString(this.data.subarray(this.off, this.off + n)));
    this.off += n;
  }

  /** The user log's message [len, bytes]. */
  private readMessage(off0: number): string {
    const n = this.readVal();
    if (n === undefined) this.fail(errMalformedVarint, off0);
    if (n === 0) return "";
    if (n > 1e6) this.fail(`string is too large (len=${n})`, off0);
    if (this.off + n > this.data.length) this.fail("failed to read trace: unexpected EOF", off0);
    const s = decodeGoString(this.data.subarray(this.off, this.off + n));
    this.off += n;
    return s;
  }
}
