/**
 * Decoded events as columns: what the reader hands out, packed so it can be
 * kept without an object per event, or sent to another thread (transferring
 * its buffers) and read there as the same Event views, with the same
 * tables, without decoding the trace a second time.
 *
 * An event is its wire type (1 byte) and eight numbers: time, g, p, m and
 * four arguments (64 bytes), which is all an Event is (event.ts). Its
 * generation's tables are sent the first time a batch refers to them, and
 * again whenever they have grown since (the reader adds extra strings, a
 * task's type on its end event, and old traces' conversion adds stacks).
 */
import { Event } from "./event.js";
import { EvTable, type PlainTable } from "./v2/table.js";

/** Numbers per event in `EventBatch.fields`. */
const stride = 8;

export interface EventBatch {
  readonly count: number;
  readonly types: Uint8Array;
  /** time, g, p, m, a0, a1, a2, a3 of each event. */
  readonly fields: Float64Array;
  /** The tables of every event in the batch: an index into the tables sent so far, −1 for none. */
  readonly table: number;
  /** Tables this batch is the first to use (or that grew), with their indices. */
  readonly newTables: readonly (readonly [number, PlainTable])[];
}

/** The buffers of a batch, to pass as postMessage's transfer list. */
export function batchBuffers(b: EventBatch): ArrayBuffer[] {
  return [b.types.buffer as ArrayBuffer, b.fields.buffer as ArrayBuffer];
}

/**
 * Packs events into batches of up to `capacity` events. A batch holds the
 * events of one table (one generation), so a new generation starts a new
 * batch.
 */
export class EventBatcher {
  private types: Uint8Array;
  private fields: Float64Array;
  private count = 0;
  private current: EvTable | undefined = undefined;
  private currentIndex = -1;
  private readonly tableIndex = new Map<EvTable, number>();
  /** Sizes of each table as last sent, by index. */
  private readonly sizesSent: string[] = [];
  private pendingTables: [number, PlainTable][] = [];

  constructor(
    private readonly emit: (batch: EventBatch) => void,
    private readonly capacity = 1 << 15,
  ) {
    this.types = new Uint8Array(capacity);
    this.fields = new Float64Array(capacity * stride);
  }

  push(ev: Event): void {
    if (ev.table !== this.current || this.count === 0) this.switchTable(ev.table);
    const i = this.count;
    const f = this.fields;
    const o = i * stride;
    this.types[i] = ev.type;
    f[o] = ev.time;
    f[o + 1] = ev.g;
    f[o + 2] = ev.p;
    f[o + 3] = ev.m;
    f[o + 4] = ev.a0;
    f[o + 5] = ev.a1;
    f[o + 6] = ev.a2;
    f[o + 7] = ev.a3;
    if (++this.count === this.capacity) this.flush();
  }

  private switchTable(table: EvTable | undefined): void {
    if (this.count > 0) this.flush();
    this.current = table;
    if (!table) {
      this.currentIndex = -1;
      return;
    }
    let index = this.tableIndex.get(table);
    if (index === undefined) {
      index = this.tableIndex.size;
      this.tableIndex.set(table, index);
      this.pendingTables.push([index, table.toPlain()]);
      this.sizesSent[index] = sizes(table);
    }
    this.currentIndex = index;
  }

  /** Sends what is buffered (call once more after the last event). */
  flush(): void {
    if (this.count === 0 && this.pendingTables.length === 0) return;
    const n = this.count;
    const table = this.current;
    const i = this.currentIndex;
    if (table && i >= 0 && sizes(table) !== this.sizesSent[i]) {
      // The table grew after it was sent: send it again, whole.
      this.pendingTables.push([i, table.toPlain()]);
      this.sizesSent[i] = sizes(table);
    }
    // The buffers go to the receiver (transferred), so each batch has its own.
    const batch: EventBatch = {
      count: n,
      types: this.types.slice(0, n),
      fields: this.fields.slice(0, n * stride),
      table: this.currentIndex,
      newTables: this.pendingTables,
    };
    this.pendingTables = [];
    this.count = 0;
    this.emit(batch);
  }
}

function sizes(t: EvTable): string {
  return `${t.strings.size} ${t.stacks.size} ${t.pcs.size} ${t.extraStringCount}`;
}

/** Reads batches back as Event views (one reused Event, as the reader does). */
export class EventReplayer {
  private readonly tables: EvTable[] = [];
  private readonly ev = new Event(undefined, 0, 0, 0, 0, 0);

  /** Calls `each` for every event of the batch, in order. The Event is reused: clone() to keep one. */
  replay(b: EventBatch, each: (ev: Event) => void): void {
    for (const [i, plain] of b.newTables) this.tables[i] = EvTable.fromPlain(plain);
    const table = b.table >= 0 ? this.tables[b.table] : undefined;
    const ev = this.ev;
    const f = b.fields;
    const types = b.types;
    for (let i = 0, o = 0; i < b.count; i++, o += stride) {
      ev.set(
        table,
        types[i]!,
        f[o]!,
        f[o + 1]!,
        f[o + 2]!,
        f[o + 3]!,
        f[o + 4]!,
        f[o + 5]!,
        f[o + 6]!,
        f[o + 7]!,
      );
      each(ev);
    }
  }
}
