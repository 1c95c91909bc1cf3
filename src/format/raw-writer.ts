/**
 * Raw events back to the wire format, as Go's internal/trace/raw.Writer does:
 * the header, then per event its type byte, the spec's arguments, the stack
 * frames and the data trailer, every varint minimal. The runtime pads batch
 * lengths to 10 bytes, so re-encoding a real trace is not byte-identical;
 * re-encoding a text trace is exactly what Go's test harness feeds its parser.
 */
import { writeHeader } from "./header.js";
import { type RawEvent, rawSpecOf } from "./raw.js";

const maxU64 = (1n << 64n) - 1n;

export class RawWriter {
  private buf: Uint8Array = new Uint8Array(1 << 12);
  private len = 0;
  readonly version: number;

  constructor(version: number) {
    this.version = version;
    this.append(writeHeader(version));
  }

  /** Encodes one event. Throws RangeError for a type outside the version's table or a value outside uint64. */
  write(ev: RawEvent): void {
    const spec = rawSpecOf(this.version, ev.type);
    if (spec === undefined)
      throw new RangeError(`event type ${ev.type} is not in the go 1.${this.version} spec table`);
    if (ev.args.length < spec.args.length) {
      throw new RangeError(`${spec.name} needs ${spec.args.length} arguments, got ${ev.args.length}`);
    }
    this.reserve(1);
    this.buf[this.len++] = ev.type;
    // Go writes the spec's arguments, then, for stacks only, everything after them.
    const n = spec.isStack ? ev.args.length : spec.args.length;
    for (let i = 0; i < n; i++) this.uvarint(ev.args[i]!);
    if (spec.hasData) {
      const data = ev.data ?? new Uint8Array(0);
      this.uvarint(BigInt(data.length));
      this.append(data);
    }
  }

  /** The bytes written so far (a copy). */
  bytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    grown.set(this.buf.subarray(0, this.len));
    this.buf = grown;
  }

  private append(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  private uvarint(v: bigint): void {
    if (v < 0n || v > maxU64) throw new RangeError(`${v} is not a uint64`);
    this.reserve(10);
    while (v >= 0x80n) {
      this.buf[this.len++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.len++] = Number(v);
  }
}

/** Header plus events, as one array. */
export function writeRawTrace(version: number, events: Iterable<RawEvent>): Uint8Array {
  const w = new RawWriter(version);
  for (const ev of events) w.write(ev);
  return w.bytes();
}
