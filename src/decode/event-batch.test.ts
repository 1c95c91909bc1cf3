/**
 * Events packed into batches and read back must print exactly as the
 * reader's own (go tool trace -d=parsed's text), on every fixture and wild
 * trace, damaged ones included: every field, the tables and the extra
 * strings the reader adds while ordering.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { chunksOf, fixturesDir, traceFiles, wildTraces } from "../testing/corpus.js";
import { drive } from "./drive.js";
import { type EventBatch, EventBatcher, EventReplayer } from "./event-batch.js";
import { formatEvent } from "./event-string.js";

async function compare(bytes: Uint8Array): Promise<number> {
  const direct: string[] = [];
  const batches: EventBatch[] = [];
  // Small batches, so tables and extra strings cross many batch boundaries.
  const batcher = new EventBatcher((b) => batches.push(structuredClone(b)), 97);
  const run = await drive(chunksOf(bytes, 1 << 16), (ev) => {
    direct.push(formatEvent(ev, 0));
    batcher.push(ev);
  });
  batcher.flush();
  const replayed: string[] = [];
  const replayer = new EventReplayer();
  for (const b of batches) replayer.replay(b, (ev) => replayed.push(formatEvent(ev, 0)));
  assert.equal(replayed.length, direct.length);
  for (let i = 0; i < direct.length; i++) assert.equal(replayed[i], direct[i], `event ${i}`);
  return run.events;
}

describe("event batches", () => {
  const files = [...traceFiles(fixturesDir, () => true), ...wildTraces()];
  it("replay every event as the reader gave it, whole and cut short", async () => {
    assert.ok(files.length > 20);
    let events = 0;
    for (const file of files) {
      const bytes = new Uint8Array(readFileSync(file));
      events += await compare(bytes);
      await compare(bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    }
    assert.ok(events > 100_000);
  });
});
