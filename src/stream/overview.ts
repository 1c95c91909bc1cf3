/**
 * A one-pass overview of a trace: what `gotrace stats` prints.
 *
 * Like go tool trace, it keeps only events up to the last Sync when the trace
 * turns out to be broken: everything counted since that Sync is pending and
 * is dropped by `discardPending()`.
 */

import { ActivityTally } from "../analysis/activity.js";
import type { Overview } from "../analysis/overview-model.js";
import { type Event, EventKind, eventKindNames, GoState, ResourceKind } from "../decode/event.js";

class Counts {
  events = 0;
  byKind = new Float64Array(eventKindNames.length);
  created = 0;
  ended = 0;
  generations = 0;
  lastNs = Number.NaN;
  maxGomaxprocs = 0;

  copyFrom(o: Counts): void {
    this.events = o.events;
    this.byKind.set(o.byKind);
    this.created = o.created;
    this.ended = o.ended;
    this.generations = o.generations;
    this.lastNs = o.lastNs;
    this.maxGomaxprocs = o.maxGomaxprocs;
  }
}

/** A set that can forget what was added since its last commit. */
class CommittedSet {
  private readonly set = new Set<number>();
  private added: number[] = [];
  /** The last value added: most events repeat their neighbour's goroutine and thread. */
  private last = Number.NaN;
  add(v: number): void {
    if (v === this.last) return;
    this.last = v;
    if (this.set.has(v)) return;
    this.set.add(v);
    this.added.push(v);
  }
  commit(): void {
    this.added = [];
  }
  rollback(): void {
    this.last = Number.NaN;
    for (const v of this.added) this.set.delete(v);
    this.added = [];
  }
  get size(): number {
    return this.set.size;
  }
}

export class OverviewAnalyzer {
  private readonly live = new Counts();
  private readonly committed = new Counts();
  private readonly goroutines = new CommittedSet();
  private readonly procs = new CommittedSet();
  private readonly threads = new CommittedSet();
  private readonly activity = new ActivityTally();
  private firstNs = Number.NaN;
  private firstGen = 0;
  private lastGen = 0;
  private committedLastGen = 0;

  event(ev: Event): void {
    const c = this.live;
    const kind = ev.kind;
    if (kind === EventKind.Sync) this.commit();
    if (Number.isNaN(this.firstNs)) this.firstNs = ev.time;
    c.lastNs = ev.time;
    c.events++;
    c.byKind[kind]!++;
    // Built once here for both: it allocates, and a large trace has millions.
    const st = kind === EventKind.StateTransition ? ev.stateTransition() : undefined;
    this.activity.eventWith(ev, st);
    if (ev.g >= 0) this.goroutines.add(ev.g);
    // Procs are counted from their state transitions only: traces converted from the old
    // format attribute timer, network and GC events to pseudo-procs (IDs from 1000001).
    if (ev.m >= 0) this.threads.add(ev.m);
    switch (kind) {
      case EventKind.Sync:
        if (ev.table) {
          c.generations++;
          const gen = ev.table.generation;
          if (this.firstGen === 0) this.firstGen = gen;
          this.lastGen = gen;
        }
        break;
      case EventKind.StateTransition: {
        if (!st) break;
        if (st.resource.kind === ResourceKind.Goroutine) {
          this.goroutines.add(st.resource.id);
          if (st.from === GoState.NotExist) c.created++;
          if (st.to === GoState.NotExist) c.ended++;
        } else if (st.resource.kind === ResourceKind.Proc) {
          this.procs.add(st.resource.id);
        }
        break;
      }
      case EventKind.Metric: {
        const m = ev.metric();
        if (m.name === "/sched/gomaxprocs:threads") c.maxGomaxprocs = Math.max(c.maxGomaxprocs, m.value);
        break;
      }
    }
  }

  private commit(): void {
    this.committed.copyFrom(this.live);
    this.committedLastGen = this.lastGen;
    this.goroutines.commit();
    this.procs.commit();
    this.threads.commit();
  }

  /** Forgets everything since the last Sync (the trace broke after it). */
  discardPending(): void {
    this.live.copyFrom(this.committed);
    this.lastGen = this.committedLastGen;
    this.goroutines.rollback();
    this.procs.rollback();
    this.threads.rollback();
    this.activity.discardPending();
  }

  finalize(): Overview {
    const c = this.live;
    const activity = this.activity.finalize();
    const byKind: [string, number][] = [];
    c.byKind.forEach((n, k) => {
      if (n > 0) byKind.push([eventKindNames[k]!, n]);
    });
    return {
      firstNs: Number.isNaN(this.firstNs) ? 0 : this.firstNs,
      lastNs: Number.isNaN(c.lastNs) ? 0 : c.lastNs,
      generations: c.generations,
      firstGeneration: this.firstGen,
      lastGeneration: this.lastGen,
      events: c.events,
      eventsByKind: byKind,
      goroutines: this.goroutines.size,
      goroutinesCreated: c.created,
      goroutinesEnded: c.ended,
      procs: this.procs.size,
      maxGomaxprocs: c.maxGomaxprocs,
      threads: this.threads.size,
      gcCycles: activity.gcCycles,
      activity,
    };
  }
}
