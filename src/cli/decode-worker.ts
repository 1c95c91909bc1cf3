/**
 * The decode worker of decode-thread.ts: reads the file through drive() and
 * posts the events in transferred batches, at most `maxInFlight` ahead of
 * what the main thread has replayed, so memory stays bounded.
 */
import { parentPort, workerData } from "node:worker_threads";
import { drive } from "../decode/drive.js";
import { batchBuffers, EventBatcher } from "../decode/event-batch.js";
import { fileChunks } from "./chunks.js";
import type { DecodeMessage } from "./decode-thread.js";

const maxInFlight = 16;
const port = parentPort!;
const { path } = workerData as { path: string };

let inFlight = 0;
let wake: (() => void) | undefined;
port.on("message", () => {
  inFlight--;
  const w = wake;
  wake = undefined;
  w?.();
});

function post(msg: DecodeMessage, transfer: ArrayBuffer[] = []): void {
  port.postMessage(msg, transfer);
}

/** Bytes of the file read so far, sent with each batch for progress. */
let bytesRead = 0;

const batcher = new EventBatcher((batch) => {
  inFlight++;
  post({ batch, bytes: bytesRead }, batchBuffers(batch));
});

/** The file's chunks, each one only once the main thread has room for more. */
async function* paced(): AsyncGenerator<Uint8Array> {
  for await (const chunk of fileChunks(path)) {
    if (inFlight > maxInFlight) await new Promise<void>((resolve) => (wake = resolve));
    bytesRead += chunk.length;
    yield chunk as Uint8Array;
  }
}

try {
  const run = await drive(paced(), (ev) => batcher.push(ev));
  batcher.flush();
  const { version, originNs, events, bytes, syncs, validOffset, keptEvents, error } = run;
  post({
    end: { version, originNs, events, bytes, syncs, validOffset, keptEvents },
    ...(error && {
      error: {
        reason: error.reason,
        offset: error.offset,
        generation: error.generation,
        endsTrace: error.endsTrace,
      },
    }),
  });
} catch (e) {
  // A failed read (EIO) keeps its code, so the command words it as a file error.
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  post({
    crash: e instanceof Error ? (e.stack ?? e.message) : String(e),
    ...(typeof code === "string" && { code }),
  });
}
