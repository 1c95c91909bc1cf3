/** `gotrace dump --wire FILE`: the raw wire events, as `go tool trace -d=wire` prints them. */
import { formatRawEvent } from "../format/raw.js";
import { RawFormatError, RawReader } from "../format/raw-reader.js";
import { fileChunks } from "./chunks.js";
import { OutputBuffer } from "./output.js";

export async function dumpWireEvents(file: string): Promise<number> {
  const out = new OutputBuffer();
  const r = new RawReader();
  const it = fileChunks(file)[Symbol.asyncIterator]();
  try {
    for (;;) {
      const ev = r.next();
      if (ev === "end") break;
      if (ev === "more") {
        const next = await it.next();
        if (next.done) r.close();
        else r.push(next.value);
        continue;
      }
      out.line(formatRawEvent(r.version!, ev));
    }
  } catch (e) {
    out.flush();
    if (!(e instanceof RawFormatError)) throw e;
    process.stderr.write(`gotrace: ${file}: ${e.message}\n`);
    return 1;
  }
  out.flush();
  return 0;
}
