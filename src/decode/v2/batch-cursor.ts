/**
 * A cursor over one thread's batches in a generation, and the min-heap of
 * cursors (the frontier) the reader merges by time. The heap operations
 * follow Go's exactly: which of two equal-time events goes first depends on
 * them.
 */
import { specs } from "../../format/v2/spec.js";
import { readUvarint, type VarintResult } from "../../format/varint.js";
import type { Batch } from "./batch.js";
import type { BaseEvent, MState } from "./order.js";
import { OrderError } from "./order.js";
import { toGoTime } from "./table.js";

const vr: VarintResult = { value: 0, n: 0 };

/** Arguments after the timestamp per event type, or −1 where a type cannot start a timed event. */
const argCounts = new Int8Array(256).fill(-1);
specs.forEach((spec, t) => {
  if (spec && spec.isTimedEvent && spec.args.length > 0) argCounts[t] = spec.args.length - 1;
});

export class BatchCursor {
  /** Relative ns of the previous event in the current batch; NaN at a batch start. */
  private lastTs = Number.NaN;
  /** Index of the current batch, and the position in its payload. */
  private idx = -1;
  private dataOff = 0;
  private data: Uint8Array = new Uint8Array(0);
  readonly ev: BaseEvent = { type: 0, time: 0, a0: 0, a1: 0, a2: 0, a3: 0 };
  /** The ordering's state of this thread, cached here to save a map lookup per event. */
  mState: MState | undefined;

  constructor(
    readonly m: number,
    private readonly batches: readonly Batch[],
  ) {}

  /** File offset of the batch the current event came from. */
  get batchOffset(): number {
    return this.batches[Math.max(0, Math.min(this.idx, this.batches.length - 1))]?.offset ?? 0;
  }

  /**
   * Reads the next event. `nsPerTick` converts ticks to ns as Go does;
   * `origin` is subtracted from batch base times so that relative times stay exact.
   */
  nextEvent(nsPerTick: number, origin: number): boolean {
    let data = this.data;
    let n = this.dataOff;
    if (n >= data.length) {
      // Move on to the next non-empty batch of this thread.
      do {
        this.idx++;
        if (this.idx >= this.batches.length) {
          this.idx = this.batches.length;
          return false;
        }
        data = this.batches[this.idx]!.data;
      } while (data.length === 0);
      this.data = data;
      n = this.dataOff = 0;
      this.lastTs = Number.NaN;
    }
    // Go treats a last time of 0 as "not started"; a batch based at absolute 0 restarts the same way.
    if (Number.isNaN(this.lastTs) || this.lastTs + origin === 0) {
      this.lastTs = toGoTime(this.batches[this.idx]!.time * nsPerTick) - origin;
    }
    const end = data.length;
    const typ = data[n]!;
    const nargs = argCounts[typ]!;
    if (nargs < 0) {
      if (typ >= specs.length) throw new OrderError(`found invalid event type: ${typ}`);
      throw new OrderError(`found event without a timestamp: type=${typ}`);
    }
    n++;
    // One-byte varints are the common case; longer ones take the general path.
    let tsdiff = data[n]!;
    if (tsdiff < 0x80 && n < end) {
      n++;
    } else {
      readUvarint(data, n, end, vr);
      if (vr.n <= 0) throw new OrderError("found invalid uvarint for timestamp");
      tsdiff = vr.value;
      n += vr.n;
    }
    const ev = this.ev;
    ev.type = typ;
    ev.a0 = ev.a1 = ev.a2 = ev.a3 = 0;
    for (let i = 0; i < nargs; i++) {
      let v = data[n]!;
      if (v < 0x80 && n < end) {
        n++;
      } else {
        readUvarint(data, n, end, vr);
        if (vr.n <= 0) throw new OrderError("found invalid uvarint");
        v = vr.value;
        n += vr.n;
      }
      if (i === 0) ev.a0 = v;
      else if (i === 1) ev.a1 = v;
      else if (i === 2) ev.a2 = v;
      else ev.a3 = v;
    }
    // Go converts each delta on its own (float multiply, truncate) and adds it to the last time.
    ev.time = toGoTime(tsdiff * nsPerTick) + this.lastTs;
    this.lastTs = ev.time;
    this.dataOff = n;
    return true;
  }
}

export function compareCursors(a: BatchCursor, b: BatchCursor): number {
  return a.ev.time < b.ev.time ? -1 : a.ev.time > b.ev.time ? 1 : 0;
}

export function heapInsert(heap: BatchCursor[], bc: BatchCursor): void {
  heap.push(bc);
  heapSiftUp(heap, heap.length - 1);
}

export function heapUpdate(heap: BatchCursor[], i: number): void {
  if (heapSiftUp(heap, i) !== i) return;
  heapSiftDown(heap, i);
}

export function heapRemove(heap: BatchCursor[], i: number): void {
  // Bubble the element to the root unconditionally, then swap it with the last and sift down.
  while (i > 0) {
    const parent = (i - 1) >> 1;
    swap(heap, parent, i);
    i = parent;
  }
  swap(heap, 0, heap.length - 1);
  heap.pop();
  heapSiftDown(heap, 0);
}

function swap(heap: BatchCursor[], i: number, j: number): void {
  const t = heap[i]!;
  heap[i] = heap[j]!;
  heap[j] = t;
}

function heapSiftUp(heap: BatchCursor[], i: number): number {
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!(heap[parent]!.ev.time > heap[i]!.ev.time)) break;
    swap(heap, parent, i);
    i = parent;
  }
  return i;
}

function heapSiftDown(heap: BatchCursor[], i: number): number {
  for (;;) {
    const m = min3(heap, i, 2 * i + 1, 2 * i + 2);
    if (m === i) break;
    swap(heap, i, m);
    i = m;
  }
  return i;
}

function min3(b: BatchCursor[], i0: number, i1: number, i2: number): number {
  let minIdx = i0;
  let minT = Number.POSITIVE_INFINITY;
  if (i0 < b.length) minT = b[i0]!.ev.time;
  if (i1 < b.length && b[i1]!.ev.time < minT) {
    minT = b[i1]!.ev.time;
    minIdx = i1;
  }
  if (i2 < b.length && b[i2]!.ev.time < minT) {
    minIdx = i2;
  }
  return minIdx;
}
