/**
 * The export's output as Perfetto's compressed packets: each chunk the
 * writer passes (whole packets, so a valid `Trace` by itself) is deflated
 * and written as one `TracePacket.compressed_packets` (field 50), a zlib
 * stream the trace processor and ui.perfetto.dev inflate and read in its
 * place. The deflating itself is the caller's (node:zlib on the CLI, off
 * the main thread): several chunks are compressed at once while the next
 * ones are encoded, and written in order.
 */
import { ProtoBuffer } from "./encoder.js";
import type { PerfettoSink } from "./writer.js";

/** TracePacket.compressed_packets. */
const compressedPacketsField = 50;

/** Compresses `data` into a zlib (or gzip) stream; `data` is the caller's to keep. */
export type Deflate = (data: Uint8Array) => Promise<Uint8Array>;

export interface CompressingSink {
  /** Give this to exportPerfetto. */
  readonly sink: PerfettoSink;
  /** Waits for the chunks still being compressed and writes them. */
  finish(): Promise<void>;
  /** Bytes passed to `out` so far. */
  readonly bytes: number;
}

/** `Trace.packet { compressed_packets: deflated }`, encoded. */
export function compressedPacket(deflated: Uint8Array): Uint8Array {
  const inner = new ProtoBuffer(deflated.length + 8);
  inner.tag(compressedPacketsField, 2);
  inner.varint(deflated.length);
  inner.reserve(deflated.length);
  inner.bytes.set(deflated, inner.length);
  inner.length += deflated.length;
  const outer = new ProtoBuffer(inner.length + 8);
  outer.message(1, inner);
  return outer.bytes.subarray(0, outer.length);
}

/**
 * A sink that writes each chunk it is given to `out` compressed, keeping
 * at most `depth` chunks (copies) in compression at a time.
 */
export function compressingSink(out: PerfettoSink, deflate: Deflate, depth = 4): CompressingSink {
  const pending: Promise<Uint8Array>[] = [];
  let bytes = 0;
  const writeOldest = async () => {
    const packet = compressedPacket(await pending.shift()!);
    bytes += packet.length;
    await out(packet);
  };
  return {
    async sink(chunk) {
      const compressing = deflate(chunk.slice());
      // Awaited in turn below; a failure meanwhile must not be an unhandled rejection.
      compressing.catch(() => {});
      pending.push(compressing);
      while (pending.length >= depth) await writeOldest();
    },
    async finish() {
      while (pending.length > 0) await writeOldest();
    },
    get bytes() {
      return bytes;
    },
  };
}
