/**
 * Where each goroutine's time went: execution, scheduler wait, blocking by
 * reason, syscalls, special ranges. The numbers are those of Go's summarizer
 * (internal/trace/summary.go), which go tool trace shows on its /goroutines
 * and /goroutine?name=… pages, computed the same way in one streaming pass,
 * odd corners included (each is pointed out where it happens).
 *
 * Like go tool trace, the analysis sees every event the reader delivers, also
 * those after the last Sync of a broken trace: Go feeds its summarizer before
 * it knows the trace is broken and never takes them back.
 */

import type { GoroutineAnalysis, GoroutineSummary } from "../analysis/goroutine-stats.js";
import {
  type Event,
  EventKind,
  GoState,
  NoProc,
  ProcState,
  ResourceKind,
  type Stack,
  type StateTransition,
  stackFrames,
} from "../decode/event.js";

/** The start function of a goroutine from a transition stack: its outermost frame. */
export function rootFrame(stack: Stack): { func: string; pc: number } | undefined {
  const frames = stackFrames(stack);
  const root = frames[frames.length - 1];
  return root && { func: root.func, pc: root.pc };
}

const noTimes: ReadonlyMap<string, number> = new Map();

function add(m: Map<string, number>, key: string, ns: number): void {
  m.set(key, (m.get(key) ?? 0) + ns);
}

/** One goroutine while the trace is read. NaN marks "not in that state" (Go uses time 0). */
class GoroutineState {
  name = "";
  pc = 0;
  startNs = Number.NaN;
  endNs = Number.NaN;
  totalNs = 0;
  execNs = 0;
  schedWaitNs = 0;
  syscallNs = 0;
  syscallBlockNs = 0;
  cpuSamples = 0;
  // Maps made on first use: a large trace has many goroutines and most never use some of them.
  blockNs: Map<string, number> | undefined;
  rangeNs: Map<string, number> | undefined;

  lastStartNs = Number.NaN;
  lastRunnableNs = Number.NaN;
  lastBlockNs = Number.NaN;
  lastBlockReason = "";
  lastSyscallNs = Number.NaN;
  lastSyscallBlockNs = Number.NaN;
  lastRangeNs: Map<string, number> | undefined;

  constructor(
    readonly id: number,
    readonly creationNs: number,
  ) {}

  /**
   * Closes the books at `lastNs`: time in the current state counts up to it.
   * Go runs this when the goroutine ends and again for every goroutine when
   * the trace ends; the second run changes nothing except for a goroutine
   * whose total was still 0, which then counts up to the end of the trace.
   */
  finalize(lastNs: number, endNs: number | undefined): void {
    if (endNs !== undefined) this.endNs = endNs;
    if (this.totalNs === 0) this.totalNs = lastNs - this.creationNs;
    if (!Number.isNaN(this.lastStartNs)) this.execNs += lastNs - this.lastStartNs;
    if (!Number.isNaN(this.lastRunnableNs)) this.schedWaitNs += lastNs - this.lastRunnableNs;
    if (!Number.isNaN(this.lastBlockNs)) this.addBlock(this.lastBlockReason, lastNs - this.lastBlockNs);
    // A syscall still open counts whole as syscall execution, and the part
    // after its P went idle also as scheduler wait: what Go's snapshotStat does.
    if (!Number.isNaN(this.lastSyscallNs)) this.syscallNs += lastNs - this.lastSyscallNs;
    if (!Number.isNaN(this.lastSyscallBlockNs)) this.schedWaitNs += lastNs - this.lastSyscallBlockNs;
    if (this.lastRangeNs) for (const [name, ns] of this.lastRangeNs) this.addRange(name, lastNs - ns);
    this.lastStartNs = this.lastRunnableNs = this.lastBlockNs = Number.NaN;
    this.lastSyscallNs = this.lastSyscallBlockNs = Number.NaN;
    this.lastBlockReason = "";
    this.lastRangeNs = undefined;
  }

  addBlock(reason: string, ns: number): void {
    this.blockNs ??= new Map();
    add(this.blockNs, reason, ns);
  }

  addRange(name: string, ns: number): void {
    this.rangeNs ??= new Map();
    add(this.rangeNs, name, ns);
  }

  summary(): GoroutineSummary {
    return {
      id: this.id,
      name: this.name,
      pc: this.pc,
      creationNs: this.creationNs,
      startNs: Number.isNaN(this.startNs) ? undefined : this.startNs,
      endNs: Number.isNaN(this.endNs) ? undefined : this.endNs,
      totalNs: this.totalNs,
      execNs: this.execNs,
      schedWaitNs: this.schedWaitNs,
      syscallNs: this.syscallNs,
      syscallBlockNs: this.syscallBlockNs,
      blockNs: this.blockNs ?? noTimes,
      rangeNs: this.rangeNs ?? noTimes,
      cpuSamples: this.cpuSamples,
    };
  }
}

export class GoroutineAnalyzer {
  private readonly gs = new Map<number, GoroutineState>();
  /** Which goroutine is in a syscall on a P, and on which P a goroutine made its syscall. */
  private readonly syscallingP = new Map<number, number>();
  private readonly syscallingG = new Map<number, number>();
  /** A proc-scoped range (GC sweep) → the goroutine that was running when it began. */
  private readonly rangesP = new Map<string, number>();
  private lastNs = Number.NaN;
  private syncNs = Number.NaN;

  event(ev: Event): void {
    const t = ev.time;
    if (Number.isNaN(this.syncNs)) this.syncNs = t;
    this.lastNs = t;
    switch (ev.kind) {
      case EventKind.Sync:
        // Goroutines first seen in this generation "exist" from here on.
        this.syncNs = t;
        break;
      case EventKind.StateTransition: {
        const st = ev.stateTransition();
        if (st.resource.kind === ResourceKind.Goroutine) this.goroutineTransition(ev, st);
        else if (st.resource.kind === ResourceKind.Proc) this.procTransition(t, st);
        break;
      }
      case EventKind.RangeBegin:
      case EventKind.RangeActive:
        this.rangeBegin(ev);
        break;
      case EventKind.RangeEnd:
        this.rangeEnd(ev);
        break;
      case EventKind.StackSample: {
        const g = ev.g >= 0 ? this.gs.get(ev.g) : undefined;
        if (g) g.cpuSamples++;
        break;
      }
    }
  }

  private goroutineTransition(ev: Event, st: StateTransition): void {
    const { from, to } = st;
    if (from === to) return;
    const id = st.resource.id;
    const t = ev.time;
    let g = this.gs.get(id);

    // Leaving the old state.
    switch (from) {
      case GoState.Undetermined: {
        // It existed before this generation showed it: count it from the
        // Sync, and the time since then as spent in the state it is in now.
        // That is Go 1.26 (unchanged in 1.27); Go 1.25 and earlier left this
        // time unknown (golang/go#76716 reports unknown time in Go 1.25.3's
        // goroutine analysis). corners.txt's G4 shows it.
        g = new GoroutineState(id, this.syncNs);
        const sinceSync = t - this.syncNs;
        switch (to) {
          case GoState.Running:
            g.execNs += sinceSync;
            break;
          case GoState.Waiting:
            g.addBlock(st.reason, sinceSync);
            break;
          case GoState.Runnable:
            g.schedWaitNs += sinceSync;
            break;
          case GoState.Syscall:
            // Holding a P, it has had it all along; without one, the syscall blocked.
            if (ev.p === NoProc) g.syscallBlockNs += sinceSync;
            else g.syscallNs += sinceSync;
            break;
        }
        this.gs.set(id, g);
        break;
      }
      case GoState.NotExist:
        g = new GoroutineState(id, t);
        this.gs.set(id, g);
        break;
      case GoState.Running:
        if (g && !Number.isNaN(g.lastStartNs)) g.execNs += t - g.lastStartNs;
        if (g) g.lastStartNs = Number.NaN;
        break;
      case GoState.Waiting:
        if (g && !Number.isNaN(g.lastBlockNs)) {
          g.addBlock(g.lastBlockReason, t - g.lastBlockNs);
          g.lastBlockNs = Number.NaN;
        }
        break;
      case GoState.Runnable:
        if (g && !Number.isNaN(g.lastRunnableNs)) {
          g.schedWaitNs += t - g.lastRunnableNs;
          g.lastRunnableNs = Number.NaN;
        }
        break;
      case GoState.Syscall:
        if (g && !Number.isNaN(g.lastSyscallNs)) {
          if (!Number.isNaN(g.lastSyscallBlockNs)) {
            g.syscallBlockNs += t - g.lastSyscallBlockNs;
            g.syscallNs += g.lastSyscallBlockNs - g.lastSyscallNs;
          } else {
            g.syscallNs += t - g.lastSyscallNs;
          }
          g.lastSyscallNs = g.lastSyscallBlockNs = Number.NaN;
          // Go forgets the P this goroutine entered its syscall on, even if
          // another goroutine has entered a syscall on that P since.
          this.syscallingP.delete(this.syscallingG.get(id) ?? 0);
          this.syscallingG.delete(id);
        }
        break;
    }
    // A valid trace introduces every goroutine from Undetermined or NotExist
    // (the validator checks this); Go would crash on one it has not seen.
    if (!g) {
      g = new GoroutineState(id, this.syncNs);
      this.gs.set(id, g);
    }

    if (g.name === "") {
      const root = rootFrame(st.stack);
      if (root) {
        g.name = root.func;
        g.pc = root.pc;
      }
    }

    // Entering the new state.
    switch (to) {
      case GoState.Running:
        g.lastStartNs = t;
        if (Number.isNaN(g.startNs)) g.startNs = t;
        break;
      case GoState.Runnable:
        g.lastRunnableNs = t;
        break;
      case GoState.Waiting:
        // A goroutine blocked "forever" (select {}, a nil channel) is as good as gone.
        if (st.reason === "forever") g.finalize(t, t);
        else {
          g.lastBlockNs = t;
          g.lastBlockReason = st.reason;
        }
        break;
      case GoState.NotExist:
        g.finalize(t, t);
        break;
      case GoState.Syscall:
        this.syscallingP.set(ev.p, id);
        this.syscallingG.set(id, ev.p);
        g.lastSyscallNs = t;
        break;
    }
  }

  /** A P going idle under a goroutine in a syscall means the syscall blocked. */
  private procTransition(t: number, st: StateTransition): void {
    if (st.from === st.to || st.to !== ProcState.Idle) return;
    const goid = this.syscallingP.get(st.resource.id);
    if (goid === undefined) return;
    const g = this.gs.get(goid);
    if (g) g.lastSyscallBlockNs = t;
    this.syscallingP.delete(st.resource.id);
  }

  private rangeBegin(ev: Event): void {
    const r = ev.range();
    let g: GoroutineState | undefined;
    if (r.scope.kind === ResourceKind.Goroutine) g = this.gs.get(r.scope.id);
    else if (r.scope.kind === ResourceKind.Proc) {
      // Bound to the P, not the goroutine; it counts for the goroutine only
      // if that goroutine is still the one running when the range ends.
      g = this.gs.get(ev.g);
      if (g) this.rangesP.set(`${r.scope.id}/${r.name}`, ev.g);
    }
    if (!g) return;
    if (ev.kind === EventKind.RangeActive) {
      // Already active at the generation start: count from its Sync.
      g.lastRangeNs ??= new Map();
      const since = g.lastRangeNs.get(r.name);
      if (since !== undefined) g.addRange(r.name, this.syncNs - since);
      g.lastRangeNs.set(r.name, this.syncNs);
    } else {
      g.lastRangeNs ??= new Map();
      g.lastRangeNs.set(r.name, ev.time);
    }
  }

  private rangeEnd(ev: Event): void {
    const r = ev.range();
    let g: GoroutineState | undefined;
    if (r.scope.kind === ResourceKind.Goroutine) g = this.gs.get(r.scope.id);
    else if (r.scope.kind === ResourceKind.Proc) {
      const key = `${r.scope.id}/${r.name}`;
      const goid = this.rangesP.get(key);
      if (goid !== undefined) {
        if (goid === ev.g) g = this.gs.get(goid);
        this.rangesP.delete(key);
      }
    }
    if (!g) return;
    const since = g.lastRangeNs?.get(r.name);
    if (since === undefined) return;
    g.addRange(r.name, ev.time - since);
    g.lastRangeNs!.delete(r.name);
  }

  finalize(): GoroutineAnalysis {
    const goroutines: GoroutineSummary[] = [];
    for (const g of this.gs.values()) {
      g.finalize(this.lastNs, undefined);
      goroutines.push(g.summary());
    }
    goroutines.sort((a, b) => a.id - b.id);
    return { goroutines };
  }
}
