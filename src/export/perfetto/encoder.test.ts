/**
 * The hand encoder writes what the generated code (from Perfetto's schema)
 * reads back: every field of the event packets, at the edges of each
 * encoding (varints across 7-bit boundaries and past 2^32, timestamp deltas
 * negative as well as positive, fixed64 flow IDs past 2^32, negative and fractional counter values, lengths past 127
 * bytes), and the interned data passed along.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import fc from "fast-check";
import { type EventFields, EventType, ProtoBuffer, writeEventPacket } from "./encoder.js";
import { InternedDataSchema, TraceSchema, type TrackEvent_Type } from "./gen/perfetto_trace_pb.js";

const types = [EventType.SliceBegin, EventType.SliceEnd, EventType.Instant, EventType.Counter];
const u53 = fc.oneof(
  fc.integer({ min: 0, max: 300 }),
  fc.integer({ min: 0, max: 2 ** 32 + 5 }),
  fc.maxSafeInteger().map((n) => Math.abs(n)),
);

it("event packets decode, with the generated code, to the fields written", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          type: fc.constantFrom(...types),
          timestampNs: u53,
          trackUUID: u53,
          nameIID: u53,
          callstackIID: u53,
          flowIDs: fc.array(u53, { maxLength: 12 }),
          terminatingFlowIDs: fc.array(u53, { maxLength: 3 }),
          counterValue: fc.oneof(fc.maxSafeInteger(), fc.double({ noNaN: true, noDefaultInfinity: true })),
        }),
        { minLength: 1, maxLength: 5 },
      ),
      fc.array(fc.string({ maxLength: 80 }), { maxLength: 3 }),
      fc.array(
        fc.oneof(
          u53,
          u53.map((n) => -n),
        ),
        { minLength: 5, maxLength: 5 },
      ),
      (events: EventFields[], names, deltas) => {
        const interned = toBinary(
          InternedDataSchema,
          create(InternedDataSchema, { eventNames: names.map((name, k) => ({ iid: BigInt(k + 1), name })) }),
        );
        const out = new ProtoBuffer(1);
        events.forEach((e, k) => {
          writeEventPacket(out, e, 7, interned, deltas[k]!);
        });
        const trace = fromBinary(TraceSchema, out.bytes.subarray(0, out.length));
        assert.equal(trace.packet.length, events.length);
        trace.packet.forEach((p, k) => {
          const e = events[k]!;
          // A negative delta is its 64-bit two's complement.
          assert.equal(p.timestamp, BigInt.asUintN(64, BigInt(deltas[k]!)));
          assert.equal(p.optionalTrustedPacketSequenceId.value, 7);
          assert.equal(p.sequenceFlags, e.nameIID || e.callstackIID || names.length ? 2 : 0);
          assert.deepEqual(p.internedData?.eventNames.map((n) => n.name) ?? [], names);
          assert.equal(p.data.case, "trackEvent");
          if (p.data.case !== "trackEvent") return;
          const t = p.data.value;
          assert.equal(t.type, e.type as number as TrackEvent_Type);
          assert.equal(t.trackUuid, BigInt(e.trackUUID));
          assert.deepEqual(
            t.nameField,
            e.nameIID ? { case: "nameIid", value: BigInt(e.nameIID) } : { case: undefined },
          );
          assert.deepEqual(
            t.callstackField,
            e.callstackIID ? { case: "callstackIid", value: BigInt(e.callstackIID) } : { case: undefined },
          );
          assert.deepEqual(t.flowIds, e.flowIDs.map(BigInt));
          assert.deepEqual(t.terminatingFlowIds, e.terminatingFlowIDs.map(BigInt));
          if (e.type !== EventType.Counter) assert.equal(t.counterValueField.case, undefined);
          else if (Number.isSafeInteger(e.counterValue))
            assert.deepEqual(t.counterValueField, { case: "counterValue", value: BigInt(e.counterValue) });
          else assert.deepEqual(t.counterValueField, { case: "doubleCounterValue", value: e.counterValue });
        });
      },
    ),
  );
});
