/**
 * Mutator utilization: the share of the processors left to the program
 * (the mutator) as the garbage collector takes some, as a step function of
 * time. Go's MutatorUtilizationV2 (internal/trace/gc.go), rule for rule;
 * analysis/mmu.ts turns it into the MMU curve.
 *
 * Times are ns relative to the trace start (TraceReader.originNs); Go works
 * on absolute times, and every computation here depends only on differences,
 * so the results are the same.
 */

import { UtilFlags, UtilSeries } from "../analysis/util-series.js";
import { type Event, EventKind, GoState, NoGoroutine, ResourceKind } from "../decode/event.js";
import { Ev } from "../format/v2/spec.js";
import type { Analyzer } from "./analyzer.js";

function isExecuting(s: GoState | undefined): boolean {
  return s === GoState.Running || s === GoState.Syscall;
}

/** A P: how many GC activities hold it, and the series it writes to. */
interface Proc {
  gc: number;
  series: number;
}

/** What the series looked like right after the last Sync, to go back to if the trace breaks later. */
interface Checkpoint {
  lengths: number[];
  lastUtils: number[];
  lastTimes: number[];
  procSeries: number[];
  lastNs: number;
}

/**
 * Builds the mutator utilization functions of a trace in one pass: one
 * series, or one per P (and per P re-added after GOMAXPROCS shrank) with
 * UtilFlags.PerProc. Empty if the trace never says what GOMAXPROCS is.
 */
export class MutatorUtilAnalyzer implements Analyzer<UtilSeries[]> {
  private readonly out: UtilSeries[] = [];
  private ps: Proc[] = [];
  /** Ps with gc > 0, kept up to date so the system-wide share is O(1) per event (Go counts each time). */
  private gcProcs = 0;
  private stw = 0;
  private readonly inGC = new Set<number>();
  private readonly bgMark = new Set<number>();
  private readonly states = new Map<number, GoState>();
  /** GOMAXPROCS changes: times and counts. */
  private readonly procTimes: number[] = [];
  private readonly procCounts: number[] = [];
  private nSync = 0;
  private lastNs = Number.NaN;
  private checkpoint: Checkpoint | undefined;
  /** Per-P mode: Ps whose series' last value may differ from their current utilization. */
  private dirty = new Set<number>();
  private readonly perProc: boolean;

  constructor(private readonly flags: UtilFlags) {
    this.perProc = (flags & UtilFlags.PerProc) !== 0;
  }

  event(ev: Event): void {
    this.lastNs = ev.time;
    const kind = ev.kind;
    if (kind === EventKind.Sync) this.nSync = ev.sync().n;
    else if (ev.type === Ev.ProcsChange) this.setProcs(ev.time, ev.metric().value);
    // Nothing can be measured before GOMAXPROCS is known (it comes first in practice).
    if (this.ps.length === 0) return;

    switch (kind) {
      case EventKind.RangeActive:
        // After a whole generation everything is known from its begin event;
        // only the first generation reports ranges that began before the trace.
        if (this.nSync > 1) break;
        this.rangeActive(ev);
        this.rangeBegin(ev);
        break;
      case EventKind.RangeBegin:
        this.rangeBegin(ev);
        break;
      case EventKind.RangeEnd:
        this.rangeEnd(ev);
        break;
      case EventKind.StateTransition: {
        const st = ev.stateTransition();
        if (st.resource.kind !== ResourceKind.Goroutine) break;
        const g = st.resource.id;
        if (this.inGC.has(g) || this.bgMark.has(g)) {
          const was = isExecuting(st.from);
          const is = isExecuting(st.to);
          if (!was && is) this.addGC(ev.p, 1);
          else if (was && !is) this.addGC(ev.p, -1);
        }
        this.states.set(g, st.to);
        break;
      }
      case EventKind.Label:
        if ((this.flags & UtilFlags.Background) !== 0) {
          const label = ev.label().label;
          // Dedicated workers take their whole P, so per P they delay no goroutine directly.
          if (
            label.startsWith("GC ") &&
            label !== "GC (idle)" &&
            !(this.perProc && label === "GC (dedicated)")
          ) {
            this.bgMark.add(ev.g);
            this.addGC(ev.p, 1);
          }
        }
        break;
    }
    this.record(ev.time);
    if (kind === EventKind.Sync) this.saveCheckpoint();
  }

  private setProcs(timeNs: number, n: number): void {
    const ps = this.ps;
    if (ps.length > n) {
      for (let i = n; i < ps.length; i++) {
        if (this.perProc) this.out[ps[i]!.series]!.add(timeNs, 0);
        if (ps[i]!.gc > 0) this.gcProcs--;
        this.dirty.delete(i);
      }
      ps.length = n;
    }
    while (ps.length < n) {
      let series = 0;
      if (this.perProc || this.out.length === 0) {
        series = this.out.length;
        const s = new UtilSeries();
        s.push(timeNs, 1);
        this.out.push(s);
      }
      if (this.perProc) this.dirty.add(ps.length);
      ps.push({ gc: 0, series });
    }
    const last = this.procCounts.length - 1;
    if (last < 0 || this.procCounts[last] !== n) {
      this.procTimes.push(timeNs);
      this.procCounts.push(n);
    }
  }

  private handles(name: string): "stw" | "sweep" | "assist" | undefined {
    const f = this.flags;
    if ((f & UtilFlags.STW) !== 0 && name.startsWith("stop-the-world") && name.includes("GC")) return "stw";
    if ((f & UtilFlags.Sweep) !== 0 && name === "GC incremental sweep") return "sweep";
    if ((f & UtilFlags.Assist) !== 0 && name === "GC mark assist") return "assist";
    return undefined;
  }

  /**
   * A sweep or assist found running at the start of the trace: it has held
   * its P since the start, so take 1/GOMAXPROCS off everything recorded so
   * far (system-wide mode; per P, the P's series has just begun anyway).
   */
  private rangeActive(ev: Event): void {
    const what = this.handles(ev.range().name);
    if (what === "assist" && !isExecuting(this.states.get(ev.g))) return;
    if ((what !== "assist" && what !== "sweep") || this.perProc) return;
    const s = this.out[0]!;
    const times = this.procTimes;
    let pi = 0;
    for (let mi = 0; mi < s.length; ) {
      if (pi < times.length - 1 && times[pi + 1]! < s.timesNs[mi]!) {
        pi++;
        continue;
      }
      s.utils[mi] = Math.max(0, s.utils[mi]! - 1 / this.procCounts[pi]!);
      mi++;
    }
  }

  private rangeBegin(ev: Event): void {
    const r = ev.range();
    const what = this.handles(r.name);
    if (what === "stw") this.setSTW(this.stw + 1);
    else if (what === "sweep") this.addGC(ev.p, 1);
    else if (what === "assist") {
      this.addGC(ev.p, 1);
      if (r.scope.id !== NoGoroutine) this.inGC.add(r.scope.id);
    }
  }

  private rangeEnd(ev: Event): void {
    const r = ev.range();
    const what = this.handles(r.name);
    if (what === "stw") this.setSTW(this.stw - 1);
    else if (what === "sweep") this.addGC(ev.p, -1);
    else if (what === "assist") {
      this.addGC(ev.p, -1);
      if (r.scope.id !== NoGoroutine) this.inGC.delete(r.scope.id);
    }
  }

  private setSTW(n: number): void {
    const was = this.stw > 0;
    this.stw = n;
    if (this.perProc && was !== n > 0) for (let i = 0; i < this.ps.length; i++) this.dirty.add(i);
  }

  /**
   * Go indexes its P table with the event's P; an event without one (or
   * past GOMAXPROCS) would make go tool trace panic. Such events are skipped.
   */
  private addGC(p: number, delta: number): void {
    const proc = this.ps[p];
    if (!proc) return;
    const was = proc.gc > 0;
    proc.gc += delta;
    const is = proc.gc > 0;
    if (was !== is) {
      this.gcProcs += is ? 1 : -1;
      if (this.perProc) this.dirty.add(p);
    }
  }

  private record(timeNs: number): void {
    if (!this.perProc) {
      const n = this.ps.length;
      const gcPs = this.stw > 0 ? n : this.gcProcs;
      this.out[0]!.add(timeNs, 1 - gcPs / n);
      return;
    }
    if (this.dirty.size === 0) return;
    // Go adds every P's value at every event; only Ps whose value differs
    // from their series' last one can change anything.
    const still = new Set<number>();
    for (const i of this.dirty) {
      const p = this.ps[i]!;
      const util = this.stw > 0 || p.gc > 0 ? 0 : 1;
      const s = this.out[p.series]!;
      s.add(timeNs, util);
      if (s.utils[s.length - 1] !== util) still.add(i);
    }
    this.dirty = still;
  }

  private saveCheckpoint(): void {
    this.checkpoint = {
      lengths: this.out.map((s) => s.length),
      lastUtils: this.out.map((s) => s.utils[s.length - 1]!),
      lastTimes: this.out.map((s) => s.timesNs[s.length - 1]!),
      procSeries: this.ps.map((p) => p.series),
      lastNs: this.lastNs,
    };
  }

  /**
   * The trace broke after its last Sync: like go tool trace, forget every
   * event after that Sync. (Points are only appended, or the last one
   * lowered, so each series can be cut back to its state then.)
   */
  discardPending(): void {
    const c = this.checkpoint;
    if (!c) {
      this.out.length = 0;
      this.ps = [];
      this.lastNs = Number.NaN;
      return;
    }
    this.out.length = c.lengths.length;
    this.out.forEach((s, i) => {
      s.length = c.lengths[i]!;
      if (s.length > 0) {
        s.utils[s.length - 1] = c.lastUtils[i]!;
        s.timesNs[s.length - 1] = c.lastTimes[i]!;
      }
    });
    this.ps = c.procSeries.map((series) => ({ gc: 0, series }));
    this.lastNs = c.lastNs;
  }

  finalize(): UtilSeries[] {
    if (Number.isNaN(this.lastNs)) return [];
    // Every live series ends with a 0 at the last event.
    for (const p of this.ps) this.out[p.series]!.add(this.lastNs, 0);
    return this.out;
  }
}
