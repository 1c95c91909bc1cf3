/**
 * What the runtime did, for `gotrace stats`: GC cycles and mark time,
 * stop-the-world pauses, the heap's peak and goal, and where goroutines
 * spent their time blocked.
 *
 * Blocked time is counted as Go's summarizer counts it (so, per reason, it
 * is the sum of the "Block time (…)" columns of go tool trace's goroutine
 * pages): a goroutine already blocked when a generation first shows it
 * counts from that generation's Sync, one blocked "forever" counts nothing.
 *
 * Like the rest of the overview, everything since the last Sync can be
 * dropped (`discardPending`) when the trace turns out to be broken.
 */
import { type Event, EventKind, GoState, ResourceKind } from "../decode/event.js";

export interface BlockReason {
  /** Go's block reason ("chan receive", "sync", "sleep", …); "" for goroutines blocked before the generation that first showed them. */
  readonly reason: string;
  /** Times goroutines blocked for this reason (not counting those already blocked when first seen). */
  readonly count: number;
  readonly totalNs: number;
}

export interface Activity {
  /** GC cycles seen, including one already running when the trace starts. */
  readonly gcCycles: number;
  /** Time in GC mark phases, within the trace. */
  readonly gcMarkNs: number;
  readonly stwPauses: number;
  readonly stwTotalNs: number;
  readonly stwMaxNs: number;
  /** Kind of the longest pause ("GC mark termination", …). */
  readonly stwMaxKind: string;
  /** Largest heap in use (live and not yet swept objects), if the trace says. */
  readonly heapPeakBytes: number | undefined;
  /** Largest heap goal, if any; goals of 1 PiB and more (GC off) are left out, as go tool trace does. */
  readonly heapGoalMaxBytes: number | undefined;
  /** Blocked time by reason, most first. */
  readonly blocking: readonly BlockReason[];
}

const markPhase = "GC concurrent mark phase";
const stwPrefix = "stop-the-world (";
/** go tool trace drops heap goals at or above this from its Heap counter (GOGC=off writes ~2^64). */
const maxHeapGoal = 2 ** 50;

/** Everything counted so far; cloned at each Sync so a broken trace can go back to it. */
class State {
  lastNs = Number.NaN;
  syncNs = Number.NaN;
  gcCycles = 0;
  gcMarkNs = 0;
  markSinceNs = Number.NaN;
  stwPauses = 0;
  stwTotalNs = 0;
  stwMaxNs = 0;
  stwMaxKind = "";
  /** Open STW pauses by goroutine. */
  stwOpen = new Map<number, { startNs: number; kind: string }>();
  heapPeak = Number.NaN;
  goalMax = Number.NaN;
  blocked = new Map<string, { count: number; totalNs: number }>();
  /** Goroutines blocked now. */
  waiting = new Map<number, { startNs: number; reason: string }>();

  clone(): State {
    const s = Object.assign(new State(), this);
    s.stwOpen = new Map(this.stwOpen);
    s.blocked = new Map([...this.blocked].map(([k, v]) => [k, { ...v }]));
    s.waiting = new Map(this.waiting);
    return s;
  }

  addBlocked(reason: string, ns: number, count: number): void {
    const b = this.blocked.get(reason);
    if (b) {
      b.count += count;
      b.totalNs += ns;
    } else this.blocked.set(reason, { count, totalNs: ns });
  }
}

export class ActivityAnalyzer {
  private live = new State();
  private committed = new State();

  event(ev: Event): void {
    const kind = ev.kind;
    if (kind === EventKind.Sync) this.committed = this.live.clone();
    const s = this.live;
    const t = ev.time;
    if (Number.isNaN(s.syncNs)) s.syncNs = t;
    s.lastNs = t;
    switch (kind) {
      case EventKind.Sync:
        s.syncNs = t;
        break;
      case EventKind.StateTransition: {
        const st = ev.stateTransition();
        if (st.resource.kind !== ResourceKind.Goroutine || st.from === st.to) break;
        const g = st.resource.id;
        if (st.from === GoState.Waiting) {
          const w = s.waiting.get(g);
          if (w) {
            s.addBlocked(w.reason, t - w.startNs, 0);
            s.waiting.delete(g);
          }
        }
        if (st.to === GoState.Waiting && st.reason !== "forever") {
          const known = st.from !== GoState.Undetermined;
          s.waiting.set(g, { startNs: known ? t : s.syncNs, reason: st.reason });
          s.addBlocked(st.reason, 0, known ? 1 : 0);
        }
        break;
      }
      case EventKind.RangeBegin:
      case EventKind.RangeActive: {
        const r = ev.range();
        if (r.name === markPhase) {
          // A GC still running at a generation's start is announced again
          // (RangeActive); it is a new cycle only if the trace starts with it.
          if (Number.isNaN(s.markSinceNs)) {
            s.gcCycles++;
            s.markSinceNs = kind === EventKind.RangeActive ? s.syncNs : t;
          }
        } else if (kind === EventKind.RangeBegin && r.name.startsWith(stwPrefix)) {
          s.stwOpen.set(r.scope.id, { startNs: t, kind: r.name.slice(stwPrefix.length, -1) });
        }
        break;
      }
      case EventKind.RangeEnd: {
        const r = ev.range();
        if (r.name === markPhase) {
          if (!Number.isNaN(s.markSinceNs)) s.gcMarkNs += t - s.markSinceNs;
          s.markSinceNs = Number.NaN;
        } else if (r.name.startsWith(stwPrefix)) {
          const open = s.stwOpen.get(r.scope.id);
          if (!open) break;
          s.stwOpen.delete(r.scope.id);
          const ns = t - open.startNs;
          s.stwPauses++;
          s.stwTotalNs += ns;
          if (ns > s.stwMaxNs) {
            s.stwMaxNs = ns;
            s.stwMaxKind = open.kind;
          }
        }
        break;
      }
      case EventKind.Metric: {
        const m = ev.metric();
        if (m.name === "/memory/classes/heap/objects:bytes") {
          if (!(m.value <= s.heapPeak)) s.heapPeak = m.value;
        } else if (m.name === "/gc/heap/goal:bytes" && m.value < maxHeapGoal) {
          if (!(m.value <= s.goalMax)) s.goalMax = m.value;
        }
        break;
      }
    }
  }

  /** Forgets everything since the last Sync (the trace broke after it). */
  discardPending(): void {
    this.live = this.committed.clone();
  }

  finalize(): Activity {
    const s = this.live.clone();
    // What is still open counts up to the last event.
    for (const w of s.waiting.values()) s.addBlocked(w.reason, s.lastNs - w.startNs, 0);
    if (!Number.isNaN(s.markSinceNs)) s.gcMarkNs += s.lastNs - s.markSinceNs;
    const blocking = [...s.blocked]
      .map(([reason, b]) => ({ reason, ...b }))
      .sort((a, b) => b.totalNs - a.totalNs || b.count - a.count || (a.reason < b.reason ? -1 : 1));
    return {
      gcCycles: s.gcCycles,
      gcMarkNs: s.gcMarkNs,
      stwPauses: s.stwPauses,
      stwTotalNs: s.stwTotalNs,
      stwMaxNs: s.stwMaxNs,
      stwMaxKind: s.stwMaxKind,
      heapPeakBytes: Number.isNaN(s.heapPeak) ? undefined : s.heapPeak,
      heapGoalMaxBytes: Number.isNaN(s.goalMax) ? undefined : s.goalMax,
      blocking,
    };
  }
}
