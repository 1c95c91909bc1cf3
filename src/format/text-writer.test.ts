import assert from "node:assert/strict";
import { test } from "node:test";
import { textTraceHeader, writeTextTrace } from "./text-writer.js";
import { Ev } from "./v2/spec.js";

test("writes the header line, then one event per line with frames and data indented", () => {
  assert.equal(textTraceHeader(25), "Trace Go1.25\n");
  const text = writeTextTrace(22, [
    { type: Ev.EventBatch, args: [1n, 18446744073709551615n, 7n, 5n] },
    { type: Ev.Stack, args: [1n, 1n, 4198400n, 2n, 3n, 40n] },
    { type: Ev.String, args: [2n], data: new TextEncoder().encode('say "hi"\n') },
  ]);
  assert.equal(
    text,
    "Trace Go1.22\n" +
      "EventBatch gen=1 m=18446744073709551615 time=7 size=5\n" +
      "Stack id=1 nframes=1\n\tpc=4198400 func=2 file=3 line=40\n" +
      'String id=2\n\tdata="say \\"hi\\"\\n"\n',
  );
});

test("an empty trace is the header alone", () => {
  assert.equal(writeTextTrace(26, []), "Trace Go1.26\n");
});
