/**
 * What the Overview page and `gotrace stats` count that the timeline's
 * columns do not keep: events by kind, generations, the goroutine, P and
 * thread IDs seen, goroutines created and ended, the largest GOMAXPROCS, the
 * runtime's activity (activity.ts), and the two small series of the
 * Overview's chart (heap in use, goroutines alive). Counted as the builder
 * reads each event, at the cost of a few array writes per event.
 *
 * Like go tool trace, a trace found broken is summarised up to its last
 * Sync: the counts are saved at each Sync, and `committed` gives them.
 */
import { type Event, EventKind, eventKindNames, GoState } from "../decode/event.js";
import { Ev } from "../format/v2/spec.js";
import { ActivityTally } from "./activity.js";
import { F64Column } from "./columns.js";

/** IDs below this are marked in an array, others in a Set. */
const denseIDs = 1 << 22;

/** A set of IDs that only grows: membership and size. */
class IdSet {
  private dense = new Uint8Array(256);
  private readonly sparse = new Set<number>();
  size = 0;
  /** The last ID added: most events repeat their neighbour's goroutine and thread. */
  private last = Number.NaN;

  add(id: number): void {
    if (id === this.last) return;
    this.last = id;
    if (id >= 0 && id < denseIDs && Number.isInteger(id)) {
      if (id >= this.dense.length) {
        const next = new Uint8Array(Math.min(denseIDs, Math.max(id + 1, this.dense.length * 2)));
        next.set(this.dense);
        this.dense = next;
      }
      if (this.dense[id] === 0) {
        this.dense[id] = 1;
        this.size++;
      }
    } else if (!this.sparse.has(id)) {
      this.sparse.add(id);
      this.size++;
    }
  }
}

/** The counts that go back to the last Sync when a trace breaks. */
export class OverviewTotals {
  events = 0;
  byKind = new Float64Array(eventKindNames.length);
  created = 0;
  ended = 0;
  generations = 0;
  lastGeneration = 0;
  lastNs = Number.NaN;
  maxGomaxprocs = 0;
  goroutines = 0;
  procs = 0;
  threads = 0;

  copyFrom(o: OverviewTotals): void {
    this.events = o.events;
    this.byKind.set(o.byKind);
    this.created = o.created;
    this.ended = o.ended;
    this.generations = o.generations;
    this.lastGeneration = o.lastGeneration;
    this.lastNs = o.lastNs;
    this.maxGomaxprocs = o.maxGomaxprocs;
    this.goroutines = o.goroutines;
    this.procs = o.procs;
    this.threads = o.threads;
  }
}

export class OverviewCounts {
  /** The first event's time (the reader's, not the timeline's). */
  firstNs = Number.NaN;
  firstGeneration = 0;
  private readonly live = new OverviewTotals();
  /** The totals as they were at the last Sync (before it). */
  readonly committed = new OverviewTotals();
  private readonly goroutineIDs = new IdSet();
  private readonly procIDs = new IdSet();
  private readonly threadIDs = new IdSet();
  readonly activity = new ActivityTally();
  /** Heap in use at each heap metric, and goroutines alive at each change: (time, value) pairs. */
  readonly heapSeries = new F64Column();
  readonly goroutineSeries = new F64Column();
  private alive = 0;

  /** Every event, before a goroutine's transition goes to `goroutineTransition`. */
  event(ev: Event): void {
    const c = this.live;
    const kind = ev.kind;
    const t = ev.time;
    if (Number.isNaN(this.firstNs)) this.firstNs = t;
    // Most events are transitions and regions, which only count: the rest out of line.
    if (
      kind === EventKind.Sync ||
      kind === EventKind.Metric ||
      (kind >= EventKind.RangeBegin && kind <= EventKind.RangeEnd)
    )
      this.rare(ev, kind, t);
    else this.activity.seen(t);
    c.lastNs = t;
    c.events++;
    c.byKind[kind]!++;
    if (ev.g >= 0) this.goroutineIDs.add(ev.g);
    if (ev.m >= 0) this.threadIDs.add(ev.m);
  }

  /** A Sync, a metric or a range (`event` counts it after). */
  private rare(ev: Event, kind: EventKind, t: number): void {
    const c = this.live;
    if (kind === EventKind.Sync) this.commit();
    this.activity.eventApart(ev);
    if (kind === EventKind.Sync) {
      if (ev.table) {
        c.generations++;
        const gen = ev.table.generation;
        if (this.firstGeneration === 0) this.firstGeneration = gen;
        c.lastGeneration = gen;
      }
    } else if (kind === EventKind.Metric) {
      if (ev.type === Ev.ProcsChange) c.maxGomaxprocs = Math.max(c.maxGomaxprocs, ev.a0);
      else if (ev.type === Ev.HeapAlloc) {
        this.heapSeries.push(t);
        this.heapSeries.push(ev.a0);
      }
    }
  }

  /** A goroutine's state transition (its event went through `event` first). */
  goroutineTransition(t: number, g: number, from: GoState, to: GoState, reason: string): void {
    this.goroutineIDs.add(g);
    if (from === GoState.NotExist) this.live.created++;
    if (to === GoState.NotExist) this.live.ended++;
    this.activity.goroutineTransition(t, g, from, to, reason);
    if (from === to) return;
    const was = from !== GoState.NotExist && from !== GoState.Undetermined;
    const is = to !== GoState.NotExist;
    if (was === is) return;
    this.alive += is ? 1 : -1;
    this.goroutineSeries.push(t);
    this.goroutineSeries.push(this.alive);
  }

  /** A P's state transition. */
  procTransition(p: number): void {
    this.procIDs.add(p);
  }

  private commit(): void {
    this.sizes();
    this.committed.copyFrom(this.live);
  }

  private sizes(): void {
    this.live.goroutines = this.goroutineIDs.size;
    this.live.procs = this.procIDs.size;
    this.live.threads = this.threadIDs.size;
  }

  /** The totals of every event read. */
  get totals(): OverviewTotals {
    this.sizes();
    return this.live;
  }
}
