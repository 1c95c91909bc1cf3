import assert from "node:assert/strict";
import { test } from "node:test";
import { formatRawEvent, goKnownVersions, isKnownVersion, rawSpecOf } from "./raw.js";
import { Ev } from "./v2/spec.js";

test("formatRawEvent prints name=value in spec order, exact to uint64", () => {
  const ev = { type: Ev.EventBatch, args: [1n, 18446744073709551615n, 28113086279559n, 5n] };
  assert.equal(formatRawEvent(22, ev), "EventBatch gen=1 m=18446744073709551615 time=28113086279559 size=5");
  assert.equal(formatRawEvent(22, { type: Ev.Stacks, args: [] }), "Stacks");
});

test("stack frames go on their own lines, four fields each", () => {
  const ev = { type: Ev.Stack, args: [5n, 2n, 1241251n, 3n, 6n, 124n, 7534345n, 6n, 3n, 64n] };
  assert.equal(
    formatRawEvent(22, ev),
    "Stack id=5 nframes=2\n\tpc=1241251 func=3 file=6 line=124\n\tpc=7534345 func=6 file=3 line=64",
  );
  // Go prints whatever follows the spec's arguments, even a partial frame.
  assert.equal(
    formatRawEvent(22, { type: Ev.Stack, args: [1n, 1n, 9n, 8n] }),
    "Stack id=1 nframes=1\n\tpc=9 func=8",
  );
});

test('data is printed Go-quoted; absent data prints nothing, empty data prints data=""', () => {
  const hello = new TextEncoder().encode("hello world\x00");
  assert.equal(
    formatRawEvent(22, { type: Ev.String, args: [5n], data: hello }),
    'String id=5\n\tdata="hello world\\x00"',
  );
  assert.equal(formatRawEvent(22, { type: Ev.String, args: [5n] }), "String id=5");
  assert.equal(
    formatRawEvent(22, { type: Ev.String, args: [5n], data: new Uint8Array(0) }),
    'String id=5\n\tdata=""',
  );
});

test("holes in the 1.26 table read as Go's zero spec; past the table is an error", () => {
  assert.equal(formatRawEvent(26, { type: 60, args: [] }), "");
  assert.equal(formatRawEvent(26, { type: Ev.SpanFree, args: [1n, 2n] }), "SpanFree dt=1 id=2");
  assert.equal(rawSpecOf(25, Ev.EndOfGeneration), undefined);
  assert.equal(rawSpecOf(26, Ev.EndOfGeneration)?.name, "EndOfGeneration");
  assert.equal(rawSpecOf(21, Ev.EventBatch), undefined, "v1 versions have no raw specs");
  assert.throws(() => formatRawEvent(23, { type: Ev.Span, args: [] }), RangeError);
  assert.throws(() => formatRawEvent(22, { type: Ev.GoStart, args: [1n] }), RangeError);
});

test("known versions are Go 1.26's: 1.5–1.10 are rejected", () => {
  assert.deepEqual(goKnownVersions, [11, 19, 21, 22, 23, 25, 26]);
  assert.ok(!isKnownVersion(10) && !isKnownVersion(24) && isKnownVersion(11));
});
