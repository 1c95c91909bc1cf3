/**
 * The events mutator utilization depends on, kept as columns so that the
 * MMU for any choice of GC work is a replay of a small log, not another
 * read of the trace (about 1 event in 50 of a busy program's trace).
 *
 * MutatorUtilAnalyzer changes a series only at GC events: GOMAXPROCS
 * changes, Syncs, GC ranges, GC worker labels, and the state changes of
 * goroutines that are GC workers or assisting. Every other event only
 * records the current utilization again, which changes nothing, with two
 * exceptions that the log keeps exactly:
 * - per P, a value that could not be recorded at its event's time is
 *   recorded at the next event with a later time (Go adds every P's value
 *   at every event), so the first event after a kept one with a later time
 *   is kept too;
 * - an assist already running when the trace starts counts only if its
 *   goroutine is executing, which the first generation's transitions tell:
 *   the log keeps that state as a status event just before the range.
 * The last event's time ends every series, so it is kept as well.
 */
import { Event, EventKind, GoState, goStatusToState, ResourceKind } from "../decode/event.js";
import { type EventBatch, EventBatcher, EventReplayer } from "../decode/event-batch.js";
import { Ev } from "../format/v2/spec.js";
import type { Analyzer } from "./analyzer.js";

/** Wire statuses that stand for "executing" and "not executing" in a synthesized status event. */
const wireRunning = goStatusToState.indexOf(GoState.Running);
const wireWaiting = goStatusToState.indexOf(GoState.Waiting);

export class MMUEventLog implements Analyzer<MMUEventLog> {
  private readonly batches: EventBatch[] = [];
  private readonly batcher = new EventBatcher((b) => this.batches.push(b), 1 << 12);
  /** Goroutines ever labelled as GC workers ("GC …"): a superset of what any UtilFlags choice tracks. */
  private readonly gcWorkers = new Set<number>();
  /** Goroutines in a mark assist (begun or found active, not yet ended). */
  private readonly assisting = new Set<number>();
  /** Goroutine states during the first generation (only then does an active assist look at them). */
  private readonly states = new Map<number, GoState>();
  private nSync = 0;
  private lastKeptNs = Number.NaN;
  private flushPending = false;
  private lastNs = Number.NaN;
  private lastKept = false;
  private statusEv: Event | undefined;
  kept = 0;

  event(ev: Event): void {
    this.lastNs = ev.time;
    let keep = false;
    switch (ev.kind) {
      case EventKind.Sync:
        this.nSync = ev.sync().n;
        keep = true;
        break;
      case EventKind.Metric:
        keep = ev.type === Ev.ProcsChange;
        break;
      case EventKind.RangeBegin:
      case EventKind.RangeActive:
      case EventKind.RangeEnd: {
        keep = true;
        const r = ev.range();
        // Asked before this event marks its goroutine as assisting: its transitions were not kept until now.
        if (ev.kind === EventKind.RangeActive && this.nSync <= 1 && !this.tracked(ev.g)) this.keepState(ev);
        if (r.name === "GC mark assist") {
          if (ev.kind === EventKind.RangeEnd) this.assisting.delete(r.scope.id);
          else this.assisting.add(r.scope.id);
        }
        break;
      }
      case EventKind.Label:
        keep = true;
        if (ev.label().label.startsWith("GC ")) this.gcWorkers.add(ev.g);
        break;
      case EventKind.StateTransition: {
        const st = ev.stateTransition();
        if (st.resource.kind !== ResourceKind.Goroutine) break;
        if (this.nSync <= 1) this.states.set(st.resource.id, st.to);
        keep = this.tracked(st.resource.id);
        break;
      }
    }
    if (keep || (this.flushPending && ev.time > this.lastKeptNs)) {
      this.batcher.push(ev);
      this.kept++;
      this.flushPending = keep;
      this.lastKeptNs = ev.time;
      this.lastKept = true;
    } else this.lastKept = false;
  }

  private tracked(g: number): boolean {
    return this.gcWorkers.has(g) || this.assisting.has(g);
  }

  /** A status event for `ev.g` saying whether it executes, just before `ev` (same time). */
  private keepState(ev: Event): void {
    const s = this.states.get(ev.g);
    const executing = s === GoState.Running || s === GoState.Syscall;
    this.statusEv ??= ev.clone();
    const st = this.statusEv.set(
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
    this.batcher.push(st);
    this.kept++;
  }

  finalize(): MMUEventLog {
    this.batcher.flush();
    this.states.clear();
    return this;
  }

  /** Feeds the kept events, in order, to `analyzer` (then finalize it as usual). */
  replay(analyzer: Analyzer<unknown>): void {
    const replayer = new EventReplayer();
    const each = (ev: Event) => analyzer.event(ev, undefined as never);
    for (const b of this.batches) replayer.replay(b, each);
    if (!this.lastKept && !Number.isNaN(this.lastNs)) {
      // A neutral event (a log line) at the last event's time.
      each(new Event(undefined, Ev.UserLog, this.lastNs, -1, -1, -1));
    }
  }
}
