/**
 * Test support: binary traces from Go's text form written by hand, so a test
 * can build the exact situation it is about. Batch sizes are filled in (the
 * text can say size=0), which is the only tedious part of writing one.
 */
import type { RawEvent } from "../format/raw.js";
import { RawWriter, writeRawTrace } from "../format/raw-writer.js";
import { readTextTrace } from "../format/text-reader.js";
import { Ev } from "../format/v2/spec.js";

/** The wire bytes of a text trace ("Trace Go1.22" …), with every EventBatch's size computed. */
export function buildTrace(text: string): Uint8Array {
  const { version, events } = readTextTrace(text);
  const sized: RawEvent[] = [...events];
  const encodedSize = (ev: RawEvent) => {
    const w = new RawWriter(version);
    const header = w.bytes().length;
    w.write(ev);
    return w.bytes().length - header;
  };
  for (let i = 0; i < sized.length; i++) {
    const batch = sized[i]!;
    if (batch.type !== Ev.EventBatch) continue;
    let size = 0;
    for (let j = i + 1; j < sized.length && sized[j]!.type !== Ev.EventBatch; j++)
      size += encodedSize(sized[j]!);
    sized[i] = { ...batch, args: [...batch.args.slice(0, 3), BigInt(size)] };
  }
  return writeRawTrace(version, sized);
}
