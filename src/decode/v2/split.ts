/**
 * Where the generations of a modern trace (Go 1.22+) begin, from the batch
 * headers alone, and how to cut the trace into groups of whole generations
 * that can be decoded on their own (each generation restates the status of
 * every goroutine and proc, so a reader can start at any of them).
 */
import { Ev } from "../../format/v2/spec.js";
import { BatchFramer } from "./batch.js";

export interface GenerationSpan {
  /** Generation number as written. */
  readonly gen: number;
  /** Offset of its first batch, and of the first byte after it (its end-of-generation marker included). */
  readonly offset: number;
  readonly end: number;
}

/**
 * Frames the batches of `chunks` (the trace after its header, which starts at
 * `startOffset`) and returns the spans of its generations, and the offset
 * where framing stopped: the end of the input, or the first thing that is
 * not a whole batch (the reader reports that damage; this only plans).
 */
export function scanGenerations(
  chunks: Iterable<Uint8Array>,
  version: number,
  startOffset: number,
): { spans: GenerationSpan[]; end: number } {
  const framer = new BatchFramer(startOffset);
  const spans: { gen: number; offset: number; end: number }[] = [];
  let current: { gen: number; offset: number; end: number } | undefined;
  const take = (atEOF: boolean): boolean => {
    for (;;) {
      let b: ReturnType<BatchFramer["next"]>;
      try {
        b = framer.next(atEOF);
      } catch {
        return false;
      }
      if (!b) return true;
      const end = framer.offset;
      // Go 1.26+ ends a generation with a marker, as the reader decides it.
      if (version >= 26 && (b.endOfGeneration || (b.exp === 0 && b.data[0] === Ev.EndOfGeneration))) {
        if (current) current.end = end;
        current = undefined;
        continue;
      }
      if (!current || b.gen !== current.gen) {
        current = { gen: b.gen, offset: b.offset, end };
        spans.push(current);
      }
      current.end = end;
    }
  };
  for (const c of chunks) {
    framer.push(c);
    if (!take(false)) return { spans, end: framer.offset };
  }
  take(true);
  return { spans, end: framer.offset };
}

/** A run of consecutive generations: bytes [offset, end) of the file. */
export interface GenerationGroup {
  readonly offset: number;
  readonly end: number;
  readonly generations: number;
}

/**
 * Cuts the generations into at most `count` groups of about equal bytes,
 * keeping each generation whole and the groups in file order.
 */
export function groupGenerations(spans: readonly GenerationSpan[], count: number): GenerationGroup[] {
  if (spans.length === 0) return [];
  const first = spans[0]!.offset;
  const total = spans[spans.length - 1]!.end - first;
  const groups: GenerationGroup[] = [];
  let start = 0;
  for (let i = 0; i < spans.length; i++) {
    const last = i === spans.length - 1;
    const target = first + (total * (groups.length + 1)) / count;
    if (!last && spans[i]!.end < target) continue;
    // The group ends where the next generation begins (or at the last one's end).
    const end = last ? spans[i]!.end : spans[i + 1]!.offset;
    groups.push({ offset: spans[start]!.offset, end, generations: i + 1 - start });
    start = i + 1;
  }
  return groups;
}
