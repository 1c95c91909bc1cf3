import { createReadStream } from "node:fs";

/** A file as a stream of 1 MiB chunks. */
export function fileChunks(path: string): AsyncIterable<Uint8Array> {
  return createReadStream(path, { highWaterMark: 1 << 20 });
}
