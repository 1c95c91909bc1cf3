/**
 * Gzipped traces (`trace.out.gz`): chunks that begin with gzip's magic
 * bytes (1f 8b) are inflated as they stream; anything else passes through
 * untouched. A trace itself begins with "go 1.", so the two never clash.
 * Runs anywhere (fflate is plain JavaScript).
 */
import { Gunzip } from "fflate";
import { TraceError } from "./errors.js";

/** Whether `head` (a file's first bytes) starts as a gzip stream does. */
export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/**
 * The trace's bytes from `chunks`, inflated if they are gzipped. A gzip
 * stream cut short, or corrupt part-way, ends with what could be inflated
 * before, so the reader then reports the damage at the trace's own offset;
 * one from which nothing can be inflated is a TraceError at offset 0.
 */
export async function* maybeGunzip(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  let gunzip: Gunzip | undefined;
  let decided = false;
  let out: Uint8Array[] = [];
  let failed = false;
  let inflated = 0;
  /** A first chunk too short to tell (one byte), held until the next. */
  let held: Uint8Array | undefined;
  for await (let chunk of chunks) {
    if (chunk.length === 0) continue;
    if (!decided) {
      if (held) {
        const joined = new Uint8Array(held.length + chunk.length);
        joined.set(held);
        joined.set(chunk, held.length);
        chunk = joined;
        held = undefined;
      }
      if (chunk.length < 2) {
        held = chunk;
        continue;
      }
      decided = true;
      if (isGzip(chunk)) gunzip = new Gunzip((data) => out.push(data));
    }
    if (!gunzip) {
      yield chunk;
      continue;
    }
    if (failed) continue;
    try {
      gunzip.push(chunk);
    } catch (e) {
      // Corrupt compressed data: what was inflated before it is the trace.
      failed = true;
      if (inflated === 0 && out.length === 0) throw notInflatable(e);
    }
    for (const o of out) inflated += o.length;
    const ready = out;
    out = [];
    yield* ready;
  }
  if (held) yield held;
  if (gunzip && !failed) {
    try {
      gunzip.push(new Uint8Array(0), true);
    } catch (e) {
      // Cut short: the trace ends where the inflated bytes end.
      if (inflated === 0 && out.length === 0) throw notInflatable(e);
    }
    yield* out;
  }
}

function notInflatable(e: unknown): TraceError {
  const why = e instanceof Error ? e.message : String(e);
  return new TraceError(`gzip: nothing could be inflated (${why})`, 0);
}
