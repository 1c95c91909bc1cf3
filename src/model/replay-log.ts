/**
 * The few events whose meaning the model's columns do not keep, in the
 * order they came, so that analyses which follow Go's own bookkeeping event
 * by event (the tasks and regions of Go's summarizer, mutator utilization for
 * any choice of GC work) are a replay of this log, not another read of the
 * trace. It is the union of what these analyses need:
 *
 * - tasks and regions (stream/tasks.ts): Syncs, every task, region and log
 *   event, and each goroutine's transitions from its creation (or first
 *   sight) until one carries a stack that names it, plus the one that ends
 *   it (to NotExist, or blocked "forever");
 * - mutator utilization (stream/mutator-util.ts, the selection of
 *   stream/mmu-log.ts): GOMAXPROCS changes, GC ranges, GC worker labels,
 *   the transitions of goroutines that are GC workers or assisting, the
 *   first event after each of those with a later time (Go records every P's
 *   value at every event, and one that could not be recorded at its own
 *   time is recorded then), and, for an assist already running when the
 *   trace starts, whether its goroutine was executing (a status event made
 *   up just before the range).
 *
 * - the CPU profile's samples (stream/cpu-model.ts), which it charges to
 *   the goroutine incarnations and regions the events above make.
 *
 * The first event is kept, and a neutral event at the last event's time ends
 * the replay, so both analyses see the trace's bounds. A replay gives each
 * analysis a subsequence of the trace's events that holds every event that
 * changes its state; every other event only repeats what it already holds.
 * About 1 event in 50 of a busy program's trace, more with many regions.
 */
import { Event, EventKind, EvSync, GoState, goStatusToState } from "../decode/event.js";
import type { EvTable } from "../decode/v2/table.js";
import { Ev } from "../format/v2/spec.js";
import { F64Column, I32List, IntColumn } from "./columns.js";
import type { StackTable } from "./stacks.js";
import type { Transition } from "./transitions.js";

/** Wire statuses that stand for "executing" and "not executing" in a made-up status event. */
const wireRunning = goStatusToState.indexOf(GoState.Running);
const wireWaiting = goStatusToState.indexOf(GoState.Waiting);

const assistName = "GC mark assist";

/** Per goroutine index: what the log follows it for. */
const enum Follow {
  /** Not named since its creation (or first sight): every transition until one names it. */
  Unnamed = 1,
  /** Labelled a GC worker ("GC …") at some point. */
  GCWorker = 2,
  /** In a mark assist (begun or found active, not yet ended). */
  Assisting = 4,
}

/**
 * Kept events as columns. Region events, nearly all of a log where programs
 * use regions, take about 17 bytes each: their goroutine as the model's
 * index, their task, type and stack in columns as narrow as the values
 * allow. Every other event takes all of an Event's numbers (65 bytes).
 * Events keep their generation's tables by reference, one per run.
 */
class EventColumns {
  /** Per event: its wire type, or a narrow region event's code (regionCodes). */
  readonly code = new IntColumn();
  readonly narrowTimeNs = new F64Column();
  readonly narrowG = new IntColumn();
  readonly narrowTask = new IntColumn();
  readonly narrowType = new IntColumn();
  readonly narrowStack = new IntColumn();
  /** time, g, p, m, a0, a1, a2, a3 of every other event. */
  readonly wide = new F64Column();
  /**
   * The events mutator utilization needs (the others only repeat its
   * state), as pairs: the event's index, and its row (narrow: k ≥ 0; wide:
   * −1 − its wide row), so its replay reads only those.
   */
  readonly utilization = new I32List();
  /** The event each run of one generation's tables starts at, and its tables. */
  readonly runStarts: number[] = [];
  readonly runTables: (EvTable | undefined)[] = [];
  length = 0;

  push(ev: Event, g: number, utilization: boolean): void {
    const last = this.runTables.length - 1;
    if (last < 0 || this.runTables[last] !== ev.table) {
      this.runStarts.push(this.length);
      this.runTables.push(ev.table);
    }
    const i = this.length++;
    const code = ev.type === Ev.UserRegionBegin ? narrowBegin : ev.type === Ev.UserRegionEnd ? narrowEnd : -1;
    if (code >= 0 && g >= 0 && fits(ev.a0) && fits(ev.a1) && fits(ev.a2)) {
      if (utilization) {
        this.utilization.push(i);
        this.utilization.push(this.narrowTimeNs.length);
      }
      this.code.push(code);
      this.narrowTimeNs.push(ev.time);
      this.narrowG.push(g);
      this.narrowTask.push(ev.a0);
      this.narrowType.push(ev.a1);
      this.narrowStack.push(ev.a2);
      return;
    }
    const w = this.wide;
    if (utilization) {
      this.utilization.push(i);
      this.utilization.push(-1 - w.length / 8);
    }
    // Sync's type (255) is what IntColumn stores −1 as.
    this.code.push(ev.type === EvSync ? -1 : ev.type);
    w.push(ev.time);
    w.push(ev.g);
    w.push(ev.p);
    w.push(ev.m);
    w.push(ev.a0);
    w.push(ev.a1);
    w.push(ev.a2);
    w.push(ev.a3);
  }

  /**
   * Calls `each` with every event in order (or only those mutator
   * utilization needs); `idOf` turns a goroutine index back into its ID.
   */
  replay(each: (ev: Event) => void, idOf: (g: number) => number, utilizationOnly: boolean): void {
    const ev = new Event(undefined, 0, 0, 0, 0, 0);
    let run = 0;
    const emit = (i: number, row: number) => {
      while (run < this.runStarts.length && this.runStarts[run]! <= i) run++;
      each(this.read(ev, this.runTables[run - 1], i, row, idOf));
    };
    if (utilizationOnly) {
      const u = this.utilization;
      for (let j = 0; j < u.length; j += 2) emit(u.get(j), u.get(j + 1));
      return;
    }
    let narrow = 0;
    let wide = 0;
    for (let i = 0; i < this.length; i++) {
      const code = this.code.get(i);
      emit(i, code === narrowBegin || code === narrowEnd ? narrow++ : -1 - wide++);
    }
  }

  /** Event i (its row: narrow k ≥ 0, or −1 − its wide row) into `ev`. */
  private read(
    ev: Event,
    table: EvTable | undefined,
    i: number,
    row: number,
    idOf: (g: number) => number,
  ): Event {
    const code = this.code.get(i);
    if (row >= 0) {
      return ev.set(
        table,
        code === narrowBegin ? Ev.UserRegionBegin : Ev.UserRegionEnd,
        this.narrowTimeNs.get(row),
        idOf(this.narrowG.get(row)),
        -1,
        -1,
        this.narrowTask.get(row),
        this.narrowType.get(row),
        this.narrowStack.get(row),
        0,
      );
    }
    const w = this.wide;
    const o = 8 * (-1 - row);
    return ev.set(
      table,
      code === -1 ? EvSync : code,
      w.get(o),
      w.get(o + 1),
      w.get(o + 2),
      w.get(o + 3),
      w.get(o + 4),
      w.get(o + 5),
      w.get(o + 6),
      w.get(o + 7),
    );
  }

  get bytes(): number {
    const cols = [
      this.code,
      this.narrowTimeNs,
      this.narrowG,
      this.narrowTask,
      this.narrowType,
      this.narrowStack,
    ];
    return cols.reduce((n, c) => n + c.bytes, 0) + this.wide.bytes + 4 * this.utilization.length;
  }
}

/** Codes of narrow region events: wire types 0 and 1 are batch framing, never events. */
const narrowBegin = 0;
const narrowEnd = 1;

/** Whether an argument fits a narrow column (IntColumn: integers 0 … 2^31 − 1). */
function fits(v: number): boolean {
  return v >= 0 && v <= 0x7fffffff && Number.isInteger(v);
}

export class ReplayLog {
  private readonly events = new EventColumns();
  private follow = new Uint8Array(1024);
  private syncN = 0;
  /** A kept utilization event waits for the next event with a later time (Number.NaN: none waits). */
  private flushAfterNs = Number.NaN;
  private lastNs = Number.NaN;
  private lastKept = false;
  private statusEv: Event | undefined;
  /** Events kept (made-up status events included). */
  kept = 0;

  constructor(
    private readonly stacks: StackTable,
    /** The goroutine index of goroutine ID `id` (−1: not seen), and the state of index g. */
    private readonly indexOf: (id: number) => number,
    private readonly stateOf: (g: number) => GoState,
    /** The ID of goroutine index g. */
    private readonly idOf: (g: number) => number,
  ) {}

  /** Any event but a goroutine's state transition. */
  event(ev: Event): void {
    let keep = false;
    let utilization = false;
    switch (ev.kind) {
      case EventKind.Sync:
        this.syncN = ev.a0;
        keep = utilization = true;
        break;
      case EventKind.Metric:
        keep = utilization = ev.type === Ev.ProcsChange;
        break;
      case EventKind.RangeBegin:
      case EventKind.RangeActive:
      case EventKind.RangeEnd: {
        keep = utilization = true;
        const r = ev.range();
        // Before this event marks its goroutine as assisting: whether it executes is what the status says.
        if (ev.kind === EventKind.RangeActive && this.syncN <= 1) this.keepStatus(ev);
        const assisting = r.name === assistName ? this.indexOf(r.scope.id) : -1;
        if (assisting >= 0) {
          const g = this.grow(assisting);
          if (ev.kind === EventKind.RangeEnd) this.follow[g]! &= ~Follow.Assisting;
          else this.follow[g]! |= Follow.Assisting;
        }
        break;
      }
      case EventKind.Label:
        keep = utilization = true;
        if (ev.str(ev.a0).startsWith("GC ")) {
          const g = this.indexOf(ev.g);
          if (g >= 0) this.follow[this.grow(g)]! |= Follow.GCWorker;
        }
        break;
      case EventKind.TaskBegin:
      case EventKind.TaskEnd:
      case EventKind.Log:
      case EventKind.StackSample:
        keep = true;
        break;
    }
    this.keep(ev, keep, utilization);
  }

  /** A region begin or end on goroutine index g (made for it). */
  region(ev: Event, g: number): void {
    this.keep(ev, true, false, g);
  }

  /** A goroutine's state transition, read into `st`; `g` is its goroutine's index. */
  transition(ev: Event, st: Transition, g: number): void {
    this.grow(g);
    const f = this.follow;
    const from = st.from;
    if (from === GoState.Undetermined || from === GoState.NotExist) f[g]! |= Follow.Unnamed;
    const utilization = (f[g]! & (Follow.GCWorker | Follow.Assisting)) !== 0;
    let keep = utilization || (f[g]! & Follow.Unnamed) !== 0;
    // Go names a goroutine only at a transition that changes its state.
    if ((f[g]! & Follow.Unnamed) !== 0 && from !== st.to && st.stackID !== 0 && ev.table) {
      if (this.stacks.rootFunc(this.stacks.intern(ev.table, st.stackID)) !== "") f[g]! &= ~Follow.Unnamed;
    }
    const to = st.to;
    if (to === GoState.NotExist || (to === GoState.Waiting && st.reason === "forever")) keep = true;
    this.keep(ev, keep, utilization);
  }

  private keep(ev: Event, keep: boolean, utilization: boolean, g = -1): void {
    const t = ev.time;
    const first = Number.isNaN(this.lastNs);
    this.lastNs = t;
    const flush = t > this.flushAfterNs;
    if (keep || flush || first) {
      // An event that settles a waiting utilization value is one utilization needs.
      this.events.push(ev, g, utilization || flush);
      this.kept++;
      this.lastKept = true;
      if (utilization) this.flushAfterNs = t;
      else if (flush) this.flushAfterNs = Number.NaN;
    } else this.lastKept = false;
  }

  /**
   * A sweep or assist found running at the trace's start counts only if its
   * goroutine executes then: a status event for ev.g just before it says so.
   */
  private keepStatus(ev: Event): void {
    const g = this.indexOf(ev.g);
    if (g >= 0 && (this.follow[this.grow(g)]! & (Follow.GCWorker | Follow.Assisting)) !== 0) return;
    const s = g >= 0 ? this.stateOf(g) : GoState.Undetermined;
    const executing = s === GoState.Running || s === GoState.Syscall;
    this.statusEv ??= ev.clone();
    const status = this.statusEv.set(
      ev.table,
      Ev.GoStatus,
      ev.time,
      ev.g,
      ev.p,
      ev.m,
      ev.g,
      0,
      executing ? wireRunning : wireWaiting,
      0,
    );
    this.events.push(status, -1, true);
    this.kept++;
  }

  private grow(g: number): number {
    if (g >= this.follow.length) {
      const next = new Uint8Array(Math.max(g + 1, this.follow.length * 2));
      next.set(this.follow);
      this.follow = next;
    }
    return g;
  }

  /** No more events. */
  finish(): void {
    this.follow = new Uint8Array(0);
  }

  /**
   * Calls `each` with every kept event in order (one reused Event), then
   * with a neutral one at the last event's time. `utilizationOnly`: only
   * the events mutator utilization needs (the neutral one always ends them:
   * another record at the last time changes nothing).
   */
  replay(each: (ev: Event) => void, options: { readonly utilizationOnly?: boolean } = {}): void {
    const only = options.utilizationOnly === true;
    this.events.replay(each, this.idOf, only);
    if ((only || !this.lastKept) && !Number.isNaN(this.lastNs)) {
      // A heap metric without tables: neither analysis reads one.
      each(new Event(undefined, Ev.HeapAlloc, this.lastNs, -1, -1, -1));
    }
  }

  /** Bytes held by the kept events (their tables aside). */
  get bytes(): number {
    return this.events.bytes;
  }
}
