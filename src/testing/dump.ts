/** Test support: a trace's -d=parsed text as gotrace prints it. */
import { TraceError } from "../decode/errors.js";
import { formatEvent } from "../decode/event-string.js";
import { readTrace } from "../decode/reader.js";
import { chunksOf } from "./corpus.js";

/** Our -d=parsed output for a trace, plus the error (if any) that ended it. */
export async function dumpParsed(
  bytes: Uint8Array,
  chunkSize = 1 << 16,
): Promise<{ text: string; error: TraceError | undefined }> {
  const parts: string[] = [];
  try {
    await readTrace(chunksOf(bytes, chunkSize), (ev, r) => {
      parts.push(formatEvent(ev, r.originNs), "\n");
    });
    return { text: parts.join(""), error: undefined };
  } catch (e) {
    if (!(e instanceof TraceError)) throw e;
    return { text: parts.join(""), error: e };
  }
}
