/**
 * Writes packets of one Perfetto packet sequence to a sink in chunks of
 * about `chunkBytes`: the output is never held whole. Every chunk ends at
 * the end of a packet. The first packet clears the sequence's incremental
 * state and sets its clock: a ClockSnapshot puts the sequence-scoped
 * incremental clock 64 at 0 with BOOTTIME at 0 (the trace's start), and the
 * sequence's TracePacketDefaults make clock 64 every packet's clock, so an
 * event's timestamp is the time since the previous event's (a few bytes, not
 * the whole time since the start). Every TrackEvent packet carries the
 * interned data it is the first to use.
 */
import { create, toBinary } from "@bufbuild/protobuf";
import {
  type EventFields,
  EventType,
  ProtoBuffer,
  writeCounterPacket,
  writeEventPacket,
  writeSimpleEventPacket,
} from "./encoder.js";
import {
  BuiltinClock,
  type CounterDescriptor_Unit,
  TracePacket_SequenceFlags,
  TracePacketSchema,
  TrackDescriptor_ChildTracksOrdering,
  TrackDescriptorSchema,
} from "./gen/perfetto_trace_pb.js";
import type { Interner } from "./interning.js";

/** Receives the output in order; a chunk is valid until the sink returns (or its promise settles): copy it to keep it. */
export type PerfettoSink = (chunk: Uint8Array) => void | Promise<void>;

/** A track, as TrackDescriptor describes it. */
export interface TrackSpec {
  readonly uuid: number;
  readonly parent?: number;
  readonly name?: string;
  readonly process?: { readonly pid: number; readonly name: string };
  readonly thread?: { readonly pid: number; readonly tid: number; readonly name: string };
  /** A counter track, of values in this unit. */
  readonly counter?: CounterDescriptor_Unit;
  /** Its children are ordered by their rank. */
  readonly ranked?: boolean;
  readonly rank?: number;
}

/** The one packet sequence of an export (any non-zero ID). */
const sequenceID = 1;

/** The sequence's incremental clock: sequence-scoped clock IDs are 64–127. */
export const incrementalClockID = 64;

export class PacketWriter {
  private out: ProtoBuffer;
  private first = true;
  /** The time of the last event packet written (the incremental clock's value). */
  private lastNs = 0;
  packets = 0;
  bytes = 0;

  constructor(
    private readonly sink: PerfettoSink,
    private readonly interner: Interner,
    readonly chunkBytes = 1 << 20,
  ) {
    this.out = new ProtoBuffer(chunkBytes + 4096);
  }

  /** Whether the buffered output should go to the sink now (callers await flush() then). */
  get full(): boolean {
    return this.out.length >= this.chunkBytes;
  }

  /** Bytes written so far, buffered or not. */
  get written(): number {
    return this.bytes + this.out.length;
  }

  async flush(): Promise<void> {
    if (this.out.length === 0) return;
    const chunk = this.out.bytes.subarray(0, this.out.length);
    this.bytes += chunk.length;
    await this.sink(chunk);
    // The sink is done with it: the buffer is used again (a new one per chunk
    // left ~170 MiB of dead buffers awaiting the collector on a 200 MB output).
    this.out.length = 0;
  }

  /** The sequence's first packet: incremental state cleared, and the clocks. */
  private start(): void {
    const p = create(TracePacketSchema, {
      data: {
        case: "clockSnapshot",
        value: {
          clocks: [
            { clockId: incrementalClockID, timestamp: 0n, isIncremental: true },
            { clockId: BuiltinClock.BOOTTIME, timestamp: 0n },
          ],
          primaryTraceClock: BuiltinClock.BOOTTIME,
        },
      },
      optionalTrustedPacketSequenceId: { case: "trustedPacketSequenceId", value: sequenceID },
      firstPacketOnSequence: true,
      incrementalStateCleared: true,
      sequenceFlags: TracePacket_SequenceFlags.SEQ_INCREMENTAL_STATE_CLEARED,
      tracePacketDefaults: { timestampClockId: incrementalClockID },
    });
    this.first = false;
    this.out.message(1, toBinary(TracePacketSchema, p));
    this.packets++;
  }

  descriptor(t: TrackSpec): void {
    if (this.first) this.start();
    const track = create(TrackDescriptorSchema, {
      uuid: BigInt(t.uuid),
      ...(t.parent !== undefined && { parentUuid: BigInt(t.parent) }),
      ...(t.name !== undefined && { staticOrDynamicName: { case: "name", value: t.name } }),
      ...(t.process && { process: { pid: t.process.pid, processName: t.process.name } }),
      ...(t.thread && {
        thread: { pid: t.thread.pid, tid: BigInt(t.thread.tid), threadName: t.thread.name },
      }),
      ...(t.counter !== undefined && { counter: { unit: t.counter } }),
      ...(t.ranked && { childOrdering: TrackDescriptor_ChildTracksOrdering.EXPLICIT }),
      ...(t.rank !== undefined && { siblingOrderRank: t.rank }),
    });
    const p = create(TracePacketSchema, {
      data: { case: "trackDescriptor", value: track },
      optionalTrustedPacketSequenceId: { case: "trustedPacketSequenceId", value: sequenceID },
    });
    this.out.message(1, toBinary(TracePacketSchema, p));
    this.packets++;
  }

  private readonly scratch = eventFields();

  /**
   * A slice begin or end, or an instant, with no flows: as event() writes
   * it, without filling an EventFields (nearly every packet is one).
   */
  simpleEvent(
    type: EventType,
    timestampNs: number,
    trackUUID: number,
    nameIID: number,
    callstackIID: number,
  ): void {
    if (this.interner.hasNew || this.first) {
      const f = this.scratch;
      f.type = type;
      f.timestampNs = timestampNs;
      f.trackUUID = trackUUID;
      f.nameIID = nameIID;
      f.callstackIID = callstackIID;
      this.event(f);
      return;
    }
    writeSimpleEventPacket(
      this.out,
      type,
      trackUUID,
      nameIID,
      callstackIID,
      sequenceID,
      timestampNs - this.lastNs,
    );
    this.lastNs = timestampNs;
    this.packets++;
  }

  /** A counter's value at a time: as event() writes it, without an EventFields. */
  counterEvent(timestampNs: number, trackUUID: number, value: number): void {
    if (this.interner.hasNew || this.first || !Number.isSafeInteger(value)) {
      const f = this.scratch;
      f.type = EventType.Counter;
      f.timestampNs = timestampNs;
      f.trackUUID = trackUUID;
      f.nameIID = 0;
      f.callstackIID = 0;
      f.counterValue = value;
      this.event(f);
      return;
    }
    writeCounterPacket(this.out, trackUUID, value, sequenceID, timestampNs - this.lastNs);
    this.lastNs = timestampNs;
    this.packets++;
  }

  event(f: EventFields): void {
    if (this.first) throw new Error("the first packet of a sequence must be a descriptor");
    writeEventPacket(this.out, f, sequenceID, this.interner.take(), f.timestampNs - this.lastNs);
    this.lastNs = f.timestampNs;
    this.packets++;
  }
}

/** A reusable EventFields, reset for each use. */
export function eventFields(): EventFields {
  return {
    type: EventType.SliceBegin,
    timestampNs: 0,
    trackUUID: 0,
    nameIID: 0,
    callstackIID: 0,
    flowIDs: [],
    terminatingFlowIDs: [],
    counterValue: 0,
  };
}
