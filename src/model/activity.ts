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
 *
 * OverviewAnalyzer runs one (its name does not end in "Analyzer", so the
 * benchmark, which runs every *Analyzer, does not run it twice).
 */
import { type Event, EventKind, GoState, ResourceKind, type StateTransition } from "../decode/event.js";

export interface BlockReason {
  /**
   * Go's block reason ("chan receive", "sync", "sleep", …); "" where the trace
   * gives none: for goroutines already blocked when a generation first shows
   * them, and for old traces' (≤ Go 1.21) generic blocks.
   */
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

/** Goroutine IDs below this find their slot through an array. */
const denseIDs = 1 << 22;

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

  clone(): State {
    const s = Object.assign(new State(), this);
    s.stwOpen = new Map(this.stwOpen);
    return s;
  }
}

/**
 * Blocked time by reason, and which goroutines are blocked now. Thousands of
 * goroutines block millions of times in a large trace, so this is columns
 * (one slot per goroutine) and, instead of a copy at each Sync, a log of the
 * changes since the last one to undo.
 */
class Blocking {
  /** Slot of each goroutine ID: dense IDs (nearly all) by array, + 1 (0: none); others by Map. */
  private denseSlot = new Int32Array(256);
  private readonly slotOf = new Map<number, number>();
  private slots = 0;
  /** Per slot: blocked since (NaN: not blocked), and the reason's index. */
  private since = new Float64Array(256);
  private reasonOf = new Int32Array(256);
  private readonly reasonIndex = new Map<string, number>();
  readonly reasons: string[] = [];
  totalNs: number[] = [];
  counts: number[] = [];
  private savedTotalNs: number[] = [];
  private savedCounts: number[] = [];
  /** (slot, since, reason) as they were at the last commit, for each slot changed since. */
  private undo: number[] = [];
  /** Per slot, the commit number when it was last logged (so it is logged once per generation). */
  private logged = new Int32Array(256);
  private commits = 1;

  /** The slot of goroutine g, −1 if it has none. */
  private find(g: number): number {
    if (g >= 0 && g < denseIDs && Number.isInteger(g))
      return g < this.denseSlot.length ? this.denseSlot[g]! - 1 : -1;
    return this.slotOf.get(g) ?? -1;
  }

  private slot(g: number): number {
    let i = this.find(g);
    if (i < 0) {
      i = this.slots++;
      if (g >= 0 && g < denseIDs && Number.isInteger(g)) {
        if (g >= this.denseSlot.length) {
          const next = new Int32Array(Math.min(denseIDs, Math.max(g + 1, this.denseSlot.length * 2)));
          next.set(this.denseSlot);
          this.denseSlot = next;
        }
        this.denseSlot[g] = i + 1;
      } else this.slotOf.set(g, i);
      if (i === this.since.length) {
        const since = new Float64Array(i * 2);
        since.set(this.since);
        this.since = since;
        const reasonOf = new Int32Array(i * 2);
        reasonOf.set(this.reasonOf);
        this.reasonOf = reasonOf;
        const logged = new Int32Array(i * 2);
        logged.set(this.logged);
        this.logged = logged;
      }
      this.since[i] = Number.NaN;
    }
    return i;
  }

  private set(i: number, since: number, reason: number): void {
    if (this.logged[i] !== this.commits) {
      this.logged[i] = this.commits;
      this.undo.push(i, this.since[i]!, this.reasonOf[i]!);
    }
    this.since[i] = since;
    this.reasonOf[i] = reason;
  }

  block(g: number, startNs: number, reason: string, counted: boolean): void {
    let r = reason === this.lastReason ? this.lastReasonIndex : this.reasonIndex.get(reason);
    if (r === undefined) {
      r = this.reasons.length;
      this.reasonIndex.set(reason, r);
      this.reasons.push(reason);
      this.totalNs.push(0);
      this.counts.push(0);
    }
    this.lastReason = reason;
    this.lastReasonIndex = r;
    if (counted) this.counts[r]!++;
    this.set(this.slot(g), startNs, r);
  }
  /** The reason last blocked for and its index: consecutive blocks often share one. */
  private lastReason: string | undefined = undefined;
  private lastReasonIndex = 0;

  unblock(g: number, t: number): void {
    const i = this.find(g);
    if (i < 0 || Number.isNaN(this.since[i]!)) return;
    this.totalNs[this.reasonOf[i]!]! += t - this.since[i]!;
    this.set(i, Number.NaN, 0);
  }

  commit(): void {
    this.undo.length = 0;
    this.commits++;
    this.savedTotalNs = this.totalNs.slice();
    this.savedCounts = this.counts.slice();
  }

  rollback(): void {
    const u = this.undo;
    for (let k = u.length - 3; k >= 0; k -= 3) {
      this.since[u[k]!] = u[k + 1]!;
      this.reasonOf[u[k]!] = u[k + 2]!;
    }
    u.length = 0;
    this.commits++;
    // Reasons first seen since the commit stay, with nothing counted.
    this.totalNs = this.reasons.map((_, r) => this.savedTotalNs[r] ?? 0);
    this.counts = this.reasons.map((_, r) => this.savedCounts[r] ?? 0);
  }

  /** Totals by reason, with the goroutines still blocked counted up to `lastNs`. */
  result(lastNs: number): BlockReason[] {
    const totalNs = this.totalNs.slice();
    for (let i = 0; i < this.slots; i++) {
      if (!Number.isNaN(this.since[i]!)) totalNs[this.reasonOf[i]!]! += lastNs - this.since[i]!;
    }
    return this.reasons.map((reason, r) => ({ reason, count: this.counts[r]!, totalNs: totalNs[r]! }));
  }
}

export class ActivityTally {
  private live = new State();
  private committed = new State();
  private readonly blocking = new Blocking();

  event(ev: Event): void {
    this.eventWith(ev, undefined);
  }

  /** The same, for a caller that has ev.stateTransition() already (it allocates: build it once). */
  eventWith(ev: Event, transition: StateTransition | undefined): void {
    this.eventApart(ev);
    if (ev.kind !== EventKind.StateTransition) return;
    const st = transition ?? ev.stateTransition();
    if (st.resource.kind !== ResourceKind.Goroutine) return;
    this.goroutineTransition(ev.time, st.resource.id, st.from, st.to, st.reason);
  }

  /**
   * Goroutine `g` went from one state to another at `t` (after its event went
   * through eventApart): for a caller that reads transitions its own way.
   */
  goroutineTransition(t: number, g: number, from: GoState, to: GoState, reason: string): void {
    if (from === to) return;
    if (from === GoState.Waiting) this.blocking.unblock(g, t);
    if (to === GoState.Waiting && reason !== "forever") {
      const known = from !== GoState.Undetermined;
      this.blocking.block(g, known ? t : this.live.syncNs, reason, known);
    }
  }

  /**
   * An event at t of a kind eventApart learns nothing from but its time
   * (anything but a Sync, a range or a metric): the same as eventApart, for
   * a caller that reads the kind anyway.
   */
  seen(t: number): void {
    const s = this.live;
    if (Number.isNaN(s.syncNs)) s.syncNs = t;
    s.lastNs = t;
  }

  /** Everything an event says but a goroutine's state transition (see goroutineTransition). */
  eventApart(ev: Event): void {
    const kind = ev.kind;
    if (kind === EventKind.Sync) {
      this.committed = this.live.clone();
      this.blocking.commit();
    }
    const s = this.live;
    const t = ev.time;
    if (Number.isNaN(s.syncNs)) s.syncNs = t;
    s.lastNs = t;
    switch (kind) {
      case EventKind.Sync:
        s.syncNs = t;
        break;
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
    this.blocking.rollback();
  }

  finalize(): Activity {
    const s = this.live.clone();
    // What is still open counts up to the last event.
    if (!Number.isNaN(s.markSinceNs)) s.gcMarkNs += s.lastNs - s.markSinceNs;
    const blocking = this.blocking
      .result(s.lastNs)
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
