/**
 * The slices and instants of one track, gathered, then written as begin
 * and end events in time order. Perfetto requires the slices of a track to
 * nest; a slice that would cross the end of the one it started in is cut
 * at that end (and counted, so a test can tell it never happens on real
 * traces). One batch is reused for every track: its typed-array columns
 * grow to the largest track and stay (10 bytes a slice, 12 a flow end).
 */
import type { EventFields } from "./encoder.js";
import { EventType } from "./encoder.js";
import type { PacketWriter } from "./writer.js";

function grown<T extends Float64Array | Int32Array>(a: T, n: number): T {
  if (n <= a.length) return a;
  const next = new (a.constructor as new (n: number) => T)(Math.max(n, a.length * 2));
  next.set(a);
  return next;
}

export class SliceBatch {
  private start = new Float64Array(1024);
  private end = new Float64Array(1024);
  /** Name and callstack iids (0: none), and 1 for an instant. */
  private name = new Int32Array(1024);
  private stack = new Int32Array(1024);
  private instant = new Int32Array(1024);
  /** Flow ends: slice index, flow ID, and 1 if the flow ends there (0 if it leaves). */
  private flowSlice = new Int32Array(256);
  private flowID = new Float64Array(256);
  private flowEnds = new Int32Array(256);
  private flows = 0;
  length = 0;
  private order = new Int32Array(1024);
  /** Slices cut short to nest, over every track written. */
  clipped = 0;

  reset(): void {
    this.length = 0;
    this.flows = 0;
  }

  /** Adds a slice (times in ns, rounded to whole ns as Perfetto stores them); returns its index. */
  slice(startNs: number, endNs: number, nameIID: number, callstackIID: number): number {
    const i = this.length++;
    if (i === this.start.length) {
      this.start = grown(this.start, i + 1);
      this.end = grown(this.end, i + 1);
      this.name = grown(this.name, i + 1);
      this.stack = grown(this.stack, i + 1);
      this.instant = grown(this.instant, i + 1);
    }
    const s = Math.round(startNs);
    this.start[i] = s;
    this.end[i] = Math.max(s, Math.round(endNs));
    this.name[i] = nameIID;
    this.stack[i] = callstackIID;
    this.instant[i] = 0;
    return i;
  }

  instantAt(timeNs: number, nameIID: number, callstackIID: number): number {
    const i = this.slice(timeNs, timeNs, nameIID, callstackIID);
    this.instant[i] = 1;
    return i;
  }

  /** Flow `id` leaves slice `i` (which must not be an instant). */
  flowOut(i: number, id: number): void {
    this.flow(i, id, 0);
  }

  /** Flow `id` ends at slice `i`. */
  flowIn(i: number, id: number): void {
    this.flow(i, id, 1);
  }

  private flow(i: number, id: number, ends: number): void {
    const k = this.flows++;
    if (k === this.flowSlice.length) {
      this.flowSlice = grown(this.flowSlice, k + 1);
      this.flowID = grown(this.flowID, k + 1);
      this.flowEnds = grown(this.flowEnds, k + 1);
    }
    this.flowSlice[k] = i;
    this.flowID[k] = id;
    this.flowEnds[k] = ends;
  }

  endOf(i: number): number {
    return this.end[i]!;
  }

  /** Writes the batch to `track` as nested begin/end events and instants; returns the slices written. */
  async write(w: PacketWriter, track: number, f: EventFields): Promise<number> {
    const n = this.length;
    const { start, end, instant, name, stack } = this;
    // By start, the longer first (it encloses), instants after the slices they sit in.
    const before = (a: number, b: number) =>
      start[a]! - start[b]! || instant[a]! - instant[b]! || end[b]! - end[a]! || a - b;
    // Most tracks come in order already (a P's slices, a goroutine's states): then no order is made.
    let sorted = true;
    for (let i = 1; i < n; i++) {
      const s0 = start[i - 1]!;
      const s1 = start[i]!;
      if (s0 < s1) continue;
      if (
        s0 > s1 ||
        instant[i - 1]! > instant[i]! ||
        (instant[i - 1] === instant[i] && end[i]! > end[i - 1]!)
      ) {
        sorted = false;
        break;
      }
    }
    let order: Int32Array | undefined;
    if (!sorted) {
      this.order = grown(this.order, n);
      order = this.order.subarray(0, n);
      for (let i = 0; i < n; i++) order[i] = i;
      order.sort(before);
    }
    const flowsOf = this.flows > 0 ? this.flowsBySlice() : undefined;
    let open = this.open;
    let depth = 0;
    f.trackUUID = track;
    let slices = 0;
    for (let k = 0; k < n; k++) {
      const i = order ? order[k]! : k;
      const s = start[i]!;
      const isInstant = instant[i] === 1;
      while (depth > 0 && open[depth - 1]! <= s && !(open[depth - 1] === s && isInstant))
        w.simpleEvent(EventType.SliceEnd, open[--depth]!, track, 0, 0);
      const flows = flowsOf?.get(i);
      if (isInstant) {
        if (flows) this.flowEvent(w, f, EventType.Instant, i, s, flows);
        else w.simpleEvent(EventType.Instant, s, track, name[i]!, stack[i]!);
        if (w.full) await w.flush();
        continue;
      }
      let e = end[i]!;
      const top = depth > 0 ? open[depth - 1]! : Number.POSITIVE_INFINITY;
      if (e > top) {
        e = top;
        this.clipped++;
      }
      if (flows) this.flowEvent(w, f, EventType.SliceBegin, i, s, flows);
      else w.simpleEvent(EventType.SliceBegin, s, track, name[i]!, stack[i]!);
      if (depth === open.length) open = this.open = grown(open, depth + 1);
      open[depth++] = e;
      slices++;
      if (w.full) await w.flush();
    }
    while (depth > 0) w.simpleEvent(EventType.SliceEnd, open[--depth]!, track, 0, 0);
    return slices;
  }

  /** The ends of the slices open while a track is written, innermost last. */
  private open = new Float64Array(64);

  /** The flows of each slice that has any: [leaving IDs, ending IDs]. Few slices have flows. */
  private flowsBySlice(): Map<number, [number[], number[]]> {
    const out = new Map<number, [number[], number[]]>();
    for (let k = 0; k < this.flows; k++) {
      const i = this.flowSlice[k]!;
      let lists = out.get(i);
      if (!lists) {
        lists = [[], []];
        out.set(i, lists);
      }
      lists[this.flowEnds[k]!]!.push(this.flowID[k]!);
    }
    return out;
  }

  /** A slice begin or an instant with flows. */
  private flowEvent(
    w: PacketWriter,
    f: EventFields,
    type: EventType,
    i: number,
    s: number,
    flows: [number[], number[]],
  ): void {
    f.type = type;
    f.timestampNs = s;
    f.nameIID = this.name[i]!;
    f.callstackIID = this.stack[i]!;
    f.flowIDs = flows[0];
    f.terminatingFlowIDs = flows[1];
    w.event(f);
  }
}
