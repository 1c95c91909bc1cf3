/**
 * Splits the byte stream of a modern trace into batches.
 *
 * Input arrives as chunks of any size; a batch is handed out only when all of
 * it has arrived, so callers never see a partial batch. Batch payloads are
 * views into the input where possible (no copy).
 */
import { Ev, MaxBatchSize } from "../../format/v2/spec.js";
import { readUvarint, readUvarintBig, type VarintResult } from "../../format/varint.js";
import { TraceError } from "../errors.js";

export interface Batch {
  /** Generation number as written (not necessarily starting at 1). */
  readonly gen: number;
  /** Thread ID (an int64 in Go: 2^64−1 is −1, "no thread"). */
  readonly m: number;
  /** Base timestamp in ticks. */
  readonly time: number;
  /** Payload: the events, starting with their type byte. */
  readonly data: Uint8Array;
  /** Experiment ID, 0 for ordinary batches. */
  readonly exp: number;
  /** Byte offset of the batch's first byte in the file. */
  readonly offset: number;
  /** A Go 1.26 end-of-generation marker (a lone byte, not a real batch). */
  readonly endOfGeneration: boolean;
}

/** Converts a uint64 read as a double into Go's int64 view of it. */
export function toInt64(v: number): number {
  if (v < 2 ** 63) return v;
  // 2^64−1 rounds to 2^64 as a double; it is by far the common case ("none").
  return v >= 2 ** 64 ? -1 : v - 2 ** 64;
}

const fieldNames = ["gen", "M ID", "timestamp", "size"];

export class BatchFramer {
  private buf: Uint8Array = new Uint8Array(0);
  private pos = 0;
  /** File offset of buf[0]. */
  private base: number;
  private readonly vr: VarintResult = { value: 0, n: 0 };
  private queue: Uint8Array[] = [];
  private queued = 0;
  /** Bytes from pos that the next batch needs at least (known once its header is read). */
  private need = 1;

  constructor(startOffset: number) {
    this.base = startOffset;
  }

  /** File offset of the next unread byte. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** Bytes received but not yet handed out as batches. */
  get pending(): number {
    return this.buf.length - this.pos + this.queued;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const rest = this.buf.length - this.pos;
    if (rest === 0 && this.queue.length === 0) {
      this.base += this.buf.length;
      this.buf = chunk;
      this.pos = 0;
      return;
    }
    // Small chunks wait in a queue until they complete what the next batch needs,
    // so that joining them costs one copy per batch, not one per chunk.
    this.queue.push(chunk);
    this.queued += chunk.length;
    if (rest + this.queued >= this.need) this.join();
  }

  private join(): void {
    const rest = this.buf.length - this.pos;
    const joined = new Uint8Array(rest + this.queued);
    joined.set(this.buf.subarray(this.pos), 0);
    let off = rest;
    for (const c of this.queue) {
      joined.set(c, off);
      off += c.length;
    }
    this.base += this.pos;
    this.buf = joined;
    this.pos = 0;
    this.queue = [];
    this.queued = 0;
  }

  /**
   * The next complete batch, or undefined if more input is needed. With
   * `atEOF`, an incomplete batch is an error instead (the trace is truncated).
   */
  next(atEOF: boolean): Batch | undefined {
    if (this.queued > 0 && (atEOF || this.buf.length - this.pos + this.queued >= this.need)) this.join();
    const buf = this.buf;
    const end = buf.length;
    let p = this.pos;
    if (p >= end) {
      this.need = 1;
      return undefined;
    }
    const start = this.base + p;
    const typ = buf[p++]!;
    if (typ === Ev.EndOfGeneration) {
      this.pos = p;
      return {
        gen: 0,
        m: -1,
        time: 0,
        data: buf.subarray(p - 1, p),
        exp: 0,
        offset: start,
        endOfGeneration: true,
      };
    }
    if (typ !== Ev.EventBatch && typ !== Ev.ExperimentalBatch) {
      throw new TraceError(`expected batch event, got event ${typ}`, start);
    }
    let exp = 0;
    if (typ === Ev.ExperimentalBatch) {
      if (p >= end) return this.short(atEOF, start, "error reading batch experiment: EOF", p + 1);
      exp = buf[p++]!;
    }
    const fields = [0, 0, 0, 0];
    const vr = this.vr;
    let sizeAt = p;
    for (let i = 0; i < 4; i++) {
      sizeAt = p;
      readUvarint(buf, p, end, vr);
      if (vr.n === 0) {
        const partial = p < end;
        return this.short(
          atEOF,
          start,
          `error reading batch ${fieldNames[i]}: ${partial ? "unexpected EOF" : "EOF"}`,
          end + 1,
        );
      }
      if (vr.n < 0) {
        throw new TraceError(
          `error reading batch ${fieldNames[i]}: binary: varint overflows a 64-bit integer`,
          start,
        );
      }
      fields[i] = vr.value;
      p += vr.n;
    }
    const size = fields[3]!;
    if (size > MaxBatchSize) {
      // Read again exactly: past 2^53 the number above is rounded, and the message names the bytes' value.
      const exact = readUvarintBig(buf, sizeAt, end).value;
      throw new TraceError(`invalid batch size ${exact}, maximum is ${MaxBatchSize}`, start);
    }
    if (end - p < size) {
      return this.short(
        atEOF,
        start,
        `failed to read full batch: read ${end - p} but wanted ${size}`,
        p + size,
      );
    }
    this.pos = p + size;
    this.need = 1;
    return {
      gen: fields[0]!,
      m: toInt64(fields[1]!),
      time: fields[2]!,
      data: buf.subarray(p, p + size),
      exp,
      offset: start,
      endOfGeneration: false,
    };
  }

  /** Not enough bytes yet: an error at EOF, else remember how many the batch needs (up to `needEnd`). */
  private short(atEOF: boolean, start: number, reason: string, needEnd: number): undefined {
    if (atEOF) throw new TraceError(reason, start);
    this.need = needEnd - this.pos;
    return undefined;
  }
}
