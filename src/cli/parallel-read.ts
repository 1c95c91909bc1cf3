/**
 * Reads a modern trace file (Go 1.22+) with several worker threads: the
 * file is cut into parts of whole generations, each part is read on its own
 * by a worker, and the parts are stitched back in order here
 * (decode/v2/stitch.ts) into exactly the events a sequential read gives.
 * When a part does not fit what came before, or the file is damaged, the
 * file is read again sequentially from the start, skipping the events
 * already delivered, so output and errors stay those of the sequential read.
 *
 * Memory: at most one part per worker is read and not yet delivered, each
 * held as event columns (65 bytes an event: about 200 MB for a part of
 * 16 MiB of a busy program's trace), whatever the file's size.
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { type Driven, drive } from "../decode/drive.js";
import { type Event, EventKind } from "../decode/event.js";
import type { TraceReader } from "../decode/reader.js";
import { type GenerationGroup, groupGenerations, scanGenerations } from "../decode/v2/split.js";
import { PartMismatch, type PartRead, Stitcher } from "../decode/v2/stitch.js";
import { headerSize } from "../format/header.js";
import { fileChunks } from "./chunks.js";
import type { PartJob } from "./part-worker.js";

/** How a read in parts went: for tests and diagnostics. */
export interface ReadReport {
  parts?: number;
  /** Why the parts gave way to a sequential read, if they did. */
  fellBack?: string;
}

/**
 * Parts of about this many bytes of trace: each is held decoded (about 12
 * bytes for each byte of trace) until it is handed on, so their size, not
 * the file's, bounds the memory; but each costs a message and a boundary.
 */
const partBytes = 16 << 20;

/** The file's bytes after the header, in fresh chunks (the framer keeps views of them). */
function* fileBytes(path: string): Generator<Uint8Array> {
  const fd = openSync(path, "r");
  try {
    let pos = headerSize;
    for (;;) {
      const chunk = new Uint8Array(8 << 20);
      const n = readSync(fd, chunk, 0, chunk.length, pos);
      if (n === 0) return;
      pos += n;
      yield chunk.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

/** The parts to read `path` in, or undefined when a sequential read is the better (or only) way. */
export function planParts(
  path: string,
  version: number,
  workers: number,
  parts?: number,
): GenerationGroup[] | undefined {
  if (version < 22 || workers < 2) return undefined;
  const size = statSync(path).size;
  const { spans, end } = scanGenerations(fileBytes(path), version, headerSize);
  // Damage in the framing: the sequential read says where, as it must.
  if (end !== size || spans.length < 2) return undefined;
  const count = parts ?? Math.max(2 * workers, Math.ceil(size / partBytes));
  const groups = groupGenerations(spans, count);
  return groups.length >= 2 ? groups : undefined;
}

/**
 * Reads `path` in `parts` on `workers` threads, calling `onEvent` with every
 * event in order. The reader argument is undefined (analyses do not use it).
 */
export async function driveInParts(
  path: string,
  version: number,
  parts: readonly GenerationGroup[],
  workers: number,
  onEvent: (ev: Event, reader: TraceReader) => void,
  /** Told why, when the parts gave way to a sequential read. */
  report: ReadReport = {},
): Promise<Driven> {
  report.parts = parts.length;
  const noReader = undefined as unknown as TraceReader;
  let syncs = 0;
  let others = 0;
  const stitcher = new Stitcher((ev) => {
    if (ev.kind === EventKind.Sync) syncs++;
    else others++;
    onEvent(ev, noReader);
  });
  const pool: Worker[] = [];
  for (let i = 0; i < Math.min(workers, parts.length); i++) {
    pool.push(new Worker(new URL("./part-worker.js", import.meta.url), { workerData: { path, version } }));
  }
  try {
    await new Promise<void>((resolve, reject) => {
      const done = new Map<number, PartRead>();
      const idle = [...pool];
      let next = 0; // the next part to hand out
      let wanted = 0; // the next part to stitch
      const dispatch = () => {
        // At most one part per worker is read and not yet delivered.
        while (idle.length > 0 && next < parts.length && next - wanted < pool.length) {
          const p = parts[next]!;
          const job: PartJob = { index: next, offset: p.offset, end: p.end, first: next === 0 };
          idle.pop()!.postMessage(job);
          next++;
        }
      };
      for (const w of pool) {
        w.on("message", (msg: { index: number; part: PartRead }) => {
          idle.push(w);
          done.set(msg.index, msg.part);
          try {
            while (done.has(wanted)) {
              const part = done.get(wanted)!;
              done.delete(wanted);
              stitcher.add(part, wanted === parts.length - 1);
              wanted++;
            }
          } catch (e) {
            reject(e);
            return;
          }
          if (wanted === parts.length) resolve();
          else dispatch();
        });
        w.on("error", reject);
      }
      dispatch();
    });
  } catch (e) {
    if (!(e instanceof PartMismatch)) throw e;
    report.fellBack = e.message;
    return sequentialAfter(path, stitcher.delivered, onEvent);
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  const size = statSync(path).size;
  return {
    version,
    originNs: stitcher.originNs,
    events: stitcher.delivered,
    bytes: size,
    syncs,
    validOffset: size,
    // Whole: every event other than a Sync is kept.
    keptEvents: others,
    error: undefined,
    reader: undefined,
  };
}

/** The sequential read, delivering only the events after the first `skip`. */
async function sequentialAfter(
  path: string,
  skip: number,
  onEvent: (ev: Event, reader: TraceReader) => void,
): Promise<Driven> {
  let seen = 0;
  return drive(fileChunks(path), (ev, r) => {
    if (seen++ >= skip) onEvent(ev, r);
  });
}
