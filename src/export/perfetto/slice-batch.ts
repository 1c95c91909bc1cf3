/**
 * The slices and instants of one track, gathered, then written as begin
 * and end events in time order. Perfetto requires the slices of a track to
 * nest; a slice that would cross the end of the one it started in is cut
 * at that end (and counted, so a test can tell it never happens on real
 * traces).
 */
import type { EventFields } from "./encoder.js";
import { EventType } from "./encoder.js";
import type { PacketWriter } from "./writer.js";

const none: readonly number[] = [];

export class SliceBatch {
  private start: number[] = [];
  private end: number[] = [];
  private name: number[] = [];
  private stack: number[] = [];
  /** 1 for an instant. */
  private instant: number[] = [];
  private readonly flowsOut = new Map<number, number[]>();
  private readonly flowsIn = new Map<number, number[]>();
  length = 0;
  private order = new Int32Array(1024);
  /** Slices cut short to nest, over every track written. */
  clipped = 0;

  reset(): void {
    this.start.length = 0;
    this.end.length = 0;
    this.name.length = 0;
    this.stack.length = 0;
    this.instant.length = 0;
    this.flowsOut.clear();
    this.flowsIn.clear();
    this.length = 0;
  }

  /** Adds a slice (times in ns, rounded to whole ns as Perfetto stores them); returns its index. */
  slice(startNs: number, endNs: number, nameIID: number, callstackIID: number): number {
    const s = Math.round(startNs);
    this.start.push(s);
    this.end.push(Math.max(s, Math.round(endNs)));
    this.name.push(nameIID);
    this.stack.push(callstackIID);
    this.instant.push(0);
    return this.length++;
  }

  instantAt(timeNs: number, nameIID: number, callstackIID: number): number {
    const i = this.slice(timeNs, timeNs, nameIID, callstackIID);
    this.instant[i] = 1;
    return i;
  }

  /** Flow `id` leaves slice `i` (which must not be an instant). */
  flowOut(i: number, id: number): void {
    const l = this.flowsOut.get(i);
    if (l) l.push(id);
    else this.flowsOut.set(i, [id]);
  }

  /** Flow `id` ends at slice `i`. */
  flowIn(i: number, id: number): void {
    const l = this.flowsIn.get(i);
    if (l) l.push(id);
    else this.flowsIn.set(i, [id]);
  }

  endOf(i: number): number {
    return this.end[i]!;
  }

  /** Writes the batch to `track` as nested begin/end events and instants; returns the slices written. */
  async write(w: PacketWriter, track: number, f: EventFields): Promise<number> {
    const n = this.length;
    const { start, end, instant } = this;
    // By start, the longer first (it encloses), instants after the slices they sit in.
    const before = (a: number, b: number) =>
      start[a]! - start[b]! || instant[a]! - instant[b]! || end[b]! - end[a]! || a - b;
    if (this.order.length < n) this.order = new Int32Array(Math.max(n, 2 * this.order.length));
    const order = this.order;
    let sorted = true;
    for (let i = 0; i < n; i++) {
      order[i] = i;
      if (i > 0 && sorted && before(i - 1, i) > 0) sorted = false;
    }
    // Most tracks come in order already (a P's slices, a goroutine's states).
    if (!sorted) order.subarray(0, n).sort(before);
    const open: number[] = [];
    f.trackUUID = track;
    let slices = 0;
    for (let k = 0; k < n; k++) {
      const i = order[k]!;
      const s = start[i]!;
      while (open.length > 0 && open[open.length - 1]! <= s && !(open[open.length - 1]! === s && instant[i]))
        this.endEvent(w, f, open.pop()!);
      if (instant[i]) {
        this.beginEvent(w, f, EventType.Instant, i, s);
        if (w.full) await w.flush();
        continue;
      }
      let e = end[i]!;
      const top = open.length > 0 ? open[open.length - 1]! : Number.POSITIVE_INFINITY;
      if (e > top) {
        e = top;
        this.clipped++;
      }
      this.beginEvent(w, f, EventType.SliceBegin, i, s);
      open.push(e);
      slices++;
      if (w.full) await w.flush();
    }
    while (open.length > 0) this.endEvent(w, f, open.pop()!);
    return slices;
  }

  private beginEvent(w: PacketWriter, f: EventFields, type: EventType, i: number, s: number): void {
    f.type = type;
    f.timestampNs = s;
    f.nameIID = this.name[i]!;
    f.callstackIID = this.stack[i]!;
    f.flowIDs = this.flowsOut.get(i) ?? none;
    f.terminatingFlowIDs = this.flowsIn.get(i) ?? none;
    w.event(f);
  }

  private endEvent(w: PacketWriter, f: EventFields, e: number): void {
    f.type = EventType.SliceEnd;
    f.timestampNs = e;
    f.nameIID = 0;
    f.callstackIID = 0;
    f.flowIDs = none;
    f.terminatingFlowIDs = none;
    w.event(f);
  }
}
