import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { type RawEvent, rawSpecOf } from "./raw.js";
import { readRawTrace } from "./raw-reader.js";
import { RawWriter, writeRawTrace } from "./raw-writer.js";
import { Ev } from "./v2/spec.js";
import { specsOf } from "./v2/version.js";

test("writes the header, then type byte, minimal varints, frames and data", () => {
  const bytes = writeRawTrace(22, [
    { type: Ev.Frequency, args: [15625000n] },
    { type: Ev.Stack, args: [5n, 1n, 300n, 1n, 2n, 3n] },
    { type: Ev.String, args: [1n], data: Uint8Array.of(0x61, 0x62) },
    { type: Ev.String, args: [2n] },
  ]);
  assert.deepEqual(
    [...bytes],
    [
      ...new TextEncoder().encode("go 1.22 trace\0\0\0"),
      ...[Ev.Frequency, 0xa8, 0xd6, 0xb9, 0x07],
      ...[Ev.Stack, 5, 1, 0xac, 0x02, 1, 2, 3],
      ...[Ev.String, 1, 2, 0x61, 0x62],
      ...[Ev.String, 2, 0],
    ],
  );
});

test("2^64-1 takes ten bytes; values outside uint64 and types outside the table are refused", () => {
  const bytes = writeRawTrace(23, [{ type: Ev.Frequency, args: [(1n << 64n) - 1n] }]);
  assert.deepEqual([...bytes.subarray(16)], [Ev.Frequency, ...new Array(9).fill(0xff), 0x01]);
  const w = new RawWriter(23);
  assert.throws(() => w.write({ type: Ev.Frequency, args: [1n << 64n] }), RangeError);
  assert.throws(() => w.write({ type: Ev.Frequency, args: [-1n] }), RangeError);
  assert.throws(() => w.write({ type: Ev.Span, args: [] }), RangeError);
  assert.throws(() => new RawWriter(21).write({ type: Ev.Frequency, args: [1n] }), RangeError);
  assert.throws(() => w.write({ type: Ev.GoStart, args: [1n, 2n] }), RangeError);
});

const u64 = fc.oneof(
  fc.bigInt({ min: 0n, max: 300n }),
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  fc.constantFrom(0n, 127n, 128n, (1n << 49n) - 1n, 1n << 49n, (1n << 63n) - 1n, (1n << 64n) - 1n),
);

/** A random event of a version, shaped the way the wire format allows; 1.26's holes included. */
function arbitraryRawEvent(version: number): fc.Arbitrary<RawEvent> {
  // Every byte from 1 to the end of the table: Array.from visits holes, flatMap would not.
  const types = Array.from({ length: specsOf(version).length - 1 }, (_, i) => i + 1);
  return fc.constantFrom(...types).chain((type) => {
    const spec = rawSpecOf(version, type)!;
    const frames = spec.isStack ? fc.array(fc.tuple(u64, u64, u64, u64), { maxLength: 4 }) : fc.constant([]);
    const data = spec.hasData ? fc.uint8Array({ minLength: 1, maxLength: 40 }) : fc.constant(undefined);
    return fc
      .tuple(fc.array(u64, { minLength: spec.args.length, maxLength: spec.args.length }), frames, data)
      .map(([args, fs, d]): RawEvent => {
        const all = spec.isStack ? [args[0]!, BigInt(fs.length), ...fs.flat()] : args;
        return d === undefined ? { type, args: all } : { type, args: all, data: d };
      });
  });
}

test("write then read gives back the events, for every version", () => {
  for (const version of [22, 23, 25, 26]) {
    fc.assert(
      fc.property(fc.array(arbitraryRawEvent(version), { maxLength: 20 }), (events) => {
        const back = readRawTrace(writeRawTrace(version, events));
        assert.equal(back.error, undefined);
        assert.equal(back.version, version);
        assert.deepEqual(back.events, events);
      }),
    );
  }
});
