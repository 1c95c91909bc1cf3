/**
 * Test support: binary traces from Go's text form written by hand, so a test
 * can build the exact situation it is about. Batch sizes are filled in (the
 * text can say size=0), which is the only tedious part of writing one.
 */
import { headerSize } from "../format/header.js";
import type { RawEvent } from "../format/raw.js";
import { RawWriter, writeRawTrace } from "../format/raw-writer.js";
import { readTextTrace } from "../format/text-reader.js";
import { Ev } from "../format/v2/spec.js";

/** The wire bytes of a text trace ("Trace Go1.22" …), with every EventBatch's size computed. */
export function buildTrace(text: string): Uint8Array {
  const { version, events } = readTextTrace(text);
  return writeRawTrace(version, withBatchSizes(version, events));
}

/** Events that frame batches rather than stand in one: a batch's payload ends at the next of these. */
const framing = new Set<number>([Ev.EventBatch, Ev.ExperimentalBatch, Ev.EndOfGeneration]);

/**
 * The events with each EventBatch's size (its fourth argument) set to the
 * encoded length of the events after it, up to the next batch or Go 1.26's
 * end-of-generation marker.
 */
export function withBatchSizes(version: number, events: readonly RawEvent[]): RawEvent[] {
  const sized: RawEvent[] = [...events];
  for (let i = 0; i < sized.length; i++) {
    const batch = sized[i]!;
    if (batch.type !== Ev.EventBatch) continue;
    // The size is what the writer makes of the payload, less the header it starts with.
    const w = new RawWriter(version);
    for (let j = i + 1; j < sized.length && !framing.has(sized[j]!.type); j++) w.write(sized[j]!);
    const size = w.bytes().length - headerSize;
    sized[i] = { ...batch, args: [...batch.args.slice(0, 3), BigInt(size)] };
  }
  return sized;
}
