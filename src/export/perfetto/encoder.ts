/**
 * The protobuf wire encoding of the packets written by the million:
 * TrackEvent slice begins and ends, instants and counters, each wrapped as
 * one `Trace.packet` (field 1, length-delimited). Field numbers are those of
 * the vendored schema (proto/perfetto_trace.proto); everything else (track
 * descriptors, interned data, the clock snapshot) is encoded by the
 * generated code in gen/.
 *
 * Why by hand: the generated encoder (create + toBinary of @bufbuild/protobuf
 * v2) costs about 2.5 µs per event packet, measured on 300k slice begins;
 * a 210 MB trace writes ~100M such packets, so it alone would take ~75× the
 * trace's read time (3.3 s); this takes about 0.25 µs a packet. This writes the same bytes (the test decodes them with
 * the generated code) in place into one growing buffer, without an object
 * or a copy per packet.
 *
 * An event's timestamp is a delta on the sequence's incremental clock
 * (writer.ts): the time since the previous event packet of the sequence,
 * negative (two's complement, 10 bytes) where the export goes back in time
 * to start the next track.
 */

/** Wire types. */
const varintWire = 0;
const fixed64Wire = 1;
const lenWire = 2;

/** TracePacket field numbers. */
const packetTimestamp = 8;
const packetTrackEvent = 11;
const packetSequenceID = 10;
const packetInternedData = 12;
const packetSequenceFlags = 13;

/** TrackEvent field numbers. */
const eventNameIID = 10;
const eventType = 9;
const eventTrackUUID = 11;
const eventCounterValue = 30;
const eventDoubleCounterValue = 44;
const eventFlowIDs = 47;
const eventTerminatingFlowIDs = 48;
const eventCallstackIID = 56;

/** TrackEvent.Type. */
export const enum EventType {
  SliceBegin = 1,
  SliceEnd = 2,
  Instant = 3,
  Counter = 4,
}

/** TracePacket.SequenceFlags.SEQ_NEEDS_INCREMENTAL_STATE: the packet uses interned data. */
const needsIncrementalState = 2;

/** A growable byte buffer with protobuf's primitive encodings. */
export class ProtoBuffer {
  bytes: Uint8Array;
  length = 0;
  private readonly f64 = new Float64Array(1);
  private readonly f64Bytes = new Uint8Array(this.f64.buffer);

  constructor(capacity = 256) {
    this.bytes = new Uint8Array(capacity);
  }

  reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }

  /** A non-negative integer up to 2^53. */
  varint(v: number): void {
    this.reserve(10);
    const b = this.bytes;
    let p = this.length;
    while (v >= 0x80000000) {
      b[p++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    while (v >= 0x80) {
      b[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[p++] = v;
    this.length = p;
  }

  /** A signed integer as int64 (two's complement: a negative one takes 10 bytes). */
  int64(v: number): void {
    if (v >= 0) {
      this.varint(v);
      return;
    }
    this.reserve(10);
    let n = BigInt.asUintN(64, BigInt(v));
    while (n >= 0x80n) {
      this.bytes[this.length++] = Number(n & 0x7fn) | 0x80;
      n >>= 7n;
    }
    this.bytes[this.length++] = Number(n);
  }

  tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  /** A non-negative integer up to 2^53, little-endian in 8 bytes. */
  fixed64(v: number): void {
    this.reserve(8);
    const lo = v % 0x100000000;
    const hi = Math.floor(v / 0x100000000);
    const b = this.bytes;
    const p = this.length;
    b[p] = lo & 0xff;
    b[p + 1] = (lo >>> 8) & 0xff;
    b[p + 2] = (lo >>> 16) & 0xff;
    b[p + 3] = lo >>> 24;
    b[p + 4] = hi & 0xff;
    b[p + 5] = (hi >>> 8) & 0xff;
    b[p + 6] = (hi >>> 16) & 0xff;
    b[p + 7] = hi >>> 24;
    this.length = p + 8;
  }

  double(v: number): void {
    this.reserve(8);
    this.f64[0] = v;
    this.bytes.set(this.f64Bytes, this.length);
    this.length += 8;
  }

  /** Field `field` holding `from`'s bytes, length-delimited. */
  message(field: number, from: ProtoBuffer | Uint8Array): void {
    const src = from instanceof ProtoBuffer ? from.bytes.subarray(0, from.length) : from;
    this.tag(field, lenWire);
    this.varint(src.length);
    this.reserve(src.length);
    this.bytes.set(src, this.length);
    this.length += src.length;
  }

  clear(): void {
    this.length = 0;
  }
}

/** One TrackEvent packet's contents; the caller reuses one object. */
export interface EventFields {
  type: EventType;
  timestampNs: number;
  trackUUID: number;
  /** Interned event name (0: none, as for slice ends and counters). */
  nameIID: number;
  /** Interned callstack (0: none). */
  callstackIID: number;
  /** Flows that start or pass here, and flows that end here. */
  flowIDs: readonly number[];
  terminatingFlowIDs: readonly number[];
  /** A counter's value, integer or not. */
  counterValue: number;
}

/** Writes v (a non-negative integer up to 2^53) as a varint at b[p]; returns the position after it. */
function putVarint(b: Uint8Array, p: number, v: number): number {
  while (v >= 0x80000000) {
    b[p++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  while (v >= 0x80) {
    b[p++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  b[p++] = v;
  return p;
}

/**
 * Writes v (an integer, |v| < 2^53) as an int64 varint at b[p]: a negative
 * one as its 64-bit two's complement, 10 bytes. Returns the position after it.
 */
function putInt64(b: Uint8Array, p: number, v: number): number {
  if (v >= 0) return putVarint(b, p, v);
  let n = BigInt.asUintN(64, BigInt(v));
  while (n >= 0x80n) {
    b[p++] = Number(n & 0x7fn) | 0x80;
    n >>= 7n;
  }
  b[p++] = Number(n);
  return p;
}

/**
 * Ends a length-delimited field whose one-byte length placeholder is at
 * b[at]: writes the length of what follows it, moving that right when the
 * length needs more than one byte. Returns the new end.
 */
function closeLength(out: ProtoBuffer, at: number, end: number): number {
  const n = end - at - 1;
  if (n < 0x80) {
    out.bytes[at] = n;
    return end;
  }
  const extra = n < 0x4000 ? 1 : n < 0x200000 ? 2 : 3;
  out.length = end;
  out.reserve(extra);
  out.bytes.copyWithin(at + 1 + extra, at + 1, end);
  putVarint(out.bytes, at, n);
  return end + extra;
}

/**
 * Appends one `Trace.packet` holding a TrackEvent with no flows, no counter
 * value and no interned data: the slice begins and ends and the instants
 * that are nearly every packet of an export. The same bytes as
 * writeEventPacket writes for them, in one pass: each length fits the one
 * byte kept for it (a packet of this kind takes at most 48 bytes).
 */
export function writeSimpleEventPacket(
  out: ProtoBuffer,
  type: EventType,
  trackUUID: number,
  nameIID: number,
  callstackIID: number,
  sequenceID: number,
  deltaNs: number,
): void {
  if (out.length + 64 > out.bytes.length) out.reserve(64);
  const b = out.bytes;
  let p = out.length;
  b[p] = (1 << 3) | lenWire;
  const packetAt = p + 1;
  b[p + 2] = (packetTimestamp << 3) | varintWire;
  p += 3;
  if (deltaNs >= 0 && deltaNs < 0x80) b[p++] = deltaNs;
  else p = putInt64(b, p, deltaNs);
  b[p] = (packetTrackEvent << 3) | lenWire;
  const eventAt = p + 1;
  b[p + 2] = (eventType << 3) | varintWire;
  b[p + 3] = type;
  b[p + 4] = (eventTrackUUID << 3) | varintWire;
  p += 5;
  if (trackUUID < 0x80) b[p++] = trackUUID;
  else p = putVarint(b, p, trackUUID);
  if (nameIID !== 0) {
    b[p++] = (eventNameIID << 3) | varintWire;
    if (nameIID < 0x80) b[p++] = nameIID;
    else p = putVarint(b, p, nameIID);
  }
  if (callstackIID !== 0) {
    // Field 56: a two-byte tag.
    b[p] = ((eventCallstackIID << 3) & 0x7f) | 0x80;
    b[p + 1] = (eventCallstackIID << 3) >>> 7;
    p = putVarint(b, p + 2, callstackIID);
  }
  b[eventAt] = p - eventAt - 1;
  b[p++] = (packetSequenceID << 3) | varintWire;
  p = putVarint(b, p, sequenceID);
  // Only packets that refer to interned data depend on the sequence's incremental state.
  if (nameIID !== 0 || callstackIID !== 0) {
    b[p++] = (packetSequenceFlags << 3) | varintWire;
    b[p++] = needsIncrementalState;
  }
  b[packetAt] = p - packetAt - 1;
  out.length = p;
}

/**
 * Appends one `Trace.packet` holding a counter's TrackEvent of integer
 * value (|value| < 2^53), with no interned data: the same bytes as
 * writeEventPacket writes for it.
 */
export function writeCounterPacket(
  out: ProtoBuffer,
  trackUUID: number,
  value: number,
  sequenceID: number,
  deltaNs: number,
): void {
  if (out.length + 64 > out.bytes.length) out.reserve(64);
  const b = out.bytes;
  let p = out.length;
  b[p] = (1 << 3) | lenWire;
  const packetAt = p + 1;
  b[p + 2] = (packetTimestamp << 3) | varintWire;
  p = putInt64(b, p + 3, deltaNs);
  b[p] = (packetTrackEvent << 3) | lenWire;
  const eventAt = p + 1;
  b[p + 2] = (eventType << 3) | varintWire;
  b[p + 3] = EventType.Counter;
  b[p + 4] = (eventTrackUUID << 3) | varintWire;
  p = putVarint(b, p + 5, trackUUID);
  // Field 30: a two-byte tag.
  b[p] = ((eventCounterValue << 3) & 0x7f) | 0x80;
  b[p + 1] = (eventCounterValue << 3) >>> 7;
  p = putInt64(b, p + 2, value);
  b[eventAt] = p - eventAt - 1;
  b[p++] = (packetSequenceID << 3) | varintWire;
  p = putVarint(b, p, sequenceID);
  b[packetAt] = p - packetAt - 1;
  out.length = p;
}

/** Bytes a packet can take besides its flows and interned data (every varint at its longest). */
const packetMaxBytes = 96;

/**
 * Appends one `Trace.packet` holding a TrackEvent on sequence `sequenceID`,
 * with `interned` (an encoded InternedData, or empty) in the same packet,
 * at `deltaNs` after the sequence's previous event (f.timestampNs is not
 * read). Written in place: one-byte length placeholders, widened when needed.
 */
export function writeEventPacket(
  out: ProtoBuffer,
  f: EventFields,
  sequenceID: number,
  interned: Uint8Array | undefined,
  deltaNs: number,
): void {
  const internedBytes = interned?.length ?? 0;
  out.reserve(packetMaxBytes + 9 * (f.flowIDs.length + f.terminatingFlowIDs.length) + internedBytes + 16);
  let b = out.bytes;
  let p = out.length;
  b[p++] = (1 << 3) | lenWire;
  const packetAt = p++;
  b[p++] = (packetTimestamp << 3) | varintWire;
  p = putInt64(b, p, deltaNs);
  b[p++] = (packetTrackEvent << 3) | lenWire;
  const eventAt = p++;
  b[p++] = (eventType << 3) | varintWire;
  b[p++] = f.type;
  b[p++] = (eventTrackUUID << 3) | varintWire;
  p = putVarint(b, p, f.trackUUID);
  if (f.nameIID !== 0) {
    b[p++] = (eventNameIID << 3) | varintWire;
    p = putVarint(b, p, f.nameIID);
  }
  if (f.type === EventType.Counter) {
    out.length = p;
    if (Number.isSafeInteger(f.counterValue)) {
      out.tag(eventCounterValue, varintWire);
      out.int64(f.counterValue);
    } else {
      out.tag(eventDoubleCounterValue, fixed64Wire);
      out.double(f.counterValue);
    }
    p = out.length;
    b = out.bytes;
  }
  if (f.flowIDs.length + f.terminatingFlowIDs.length > 0) {
    out.length = p;
    for (const id of f.flowIDs) {
      out.tag(eventFlowIDs, fixed64Wire);
      out.fixed64(id);
    }
    for (const id of f.terminatingFlowIDs) {
      out.tag(eventTerminatingFlowIDs, fixed64Wire);
      out.fixed64(id);
    }
    p = out.length;
    b = out.bytes;
  }
  if (f.callstackIID !== 0) {
    // Field 56: a two-byte tag.
    p = putVarint(b, p, (eventCallstackIID << 3) | varintWire);
    p = putVarint(b, p, f.callstackIID);
  }
  p = closeLength(out, eventAt, p);
  const c = out.bytes;
  c[p++] = (packetSequenceID << 3) | varintWire;
  p = putVarint(c, p, sequenceID);
  if (internedBytes > 0) {
    c[p++] = (packetInternedData << 3) | lenWire;
    p = putVarint(c, p, internedBytes);
    c.set(interned!, p);
    p += internedBytes;
  }
  // Only packets that refer to interned data depend on the sequence's incremental state.
  if (f.nameIID !== 0 || f.callstackIID !== 0 || internedBytes > 0) {
    c[p++] = (packetSequenceFlags << 3) | varintWire;
    c[p++] = needsIncrementalState;
  }
  out.length = closeLength(out, packetAt, p);
}
