/**
 * The timeline builder: fed every event once, in order (the shape of an
 * Analyzer), it records what go tool trace's view generators
 * (cmd/trace/gstate.go, procgen.go, threadgen.go) draw, as columns. One
 * pass yields all three views: the proc and thread views share the
 * execution slices, the goroutine view is derived from them.
 */

import { type Event, EventKind, GoState, ProcState, ResourceKind } from "../decode/event.js";
import type { TraceReader } from "../decode/reader.js";
import { Ev } from "../format/v2/spec.js";
import { AnnotationRecorder } from "./annotations.js";
import { IdCache, StringTable } from "./columns.js";
import { CounterTrack } from "./counters.js";
import { countBucket, GState, isExecuting } from "./goroutine-state.js";
import { GoroutineLives } from "./lives.js";
import { OverviewCounts } from "./overview-counts.js";
import { RangeRecorder } from "./ranges.js";
import { ReplayLog } from "./replay-log.js";
import { StackTable } from "./stacks.js";
import { CauseKind, ExecTable, GoroutineTable, MarkKind, MarkTable, SyscallTable } from "./tables.js";
import { Timeline } from "./timeline.js";
import { ownStackID, Transition } from "./transitions.js";

/** Goroutine IDs below this are indexed through an array (16 MiB at most). */
const denseIDs = 1 << 22;

/** Go treats heap goals above 1 PiB as "no goal" (traceviewer's emitter). */
const maxHeapGoal = 2 ** 50;

export class TimelineBuilder {
  readonly strings = new StringTable();
  readonly stacks = new StackTable(this.strings);
  readonly exec = new ExecTable();
  readonly syscalls = new SyscallTable();
  readonly marks = new MarkTable();
  readonly goroutines = new GoroutineTable();
  readonly ranges: RangeRecorder;
  readonly annotations: AnnotationRecorder;
  readonly lives = new GoroutineLives(this.stacks, this.strings);
  /** What the Overview counts that the columns do not keep (overview-counts.ts). */
  readonly overviewCounts = new OverviewCounts();
  /** The events that tasks/regions and mutator utilization replay (replay-log.ts). */
  readonly replayLog: ReplayLog;
  readonly goroutineCounter = new CounterTrack(["Running", "Runnable", "GCWaiting"]);
  /** Allocated bytes and the GC's goal, each at its own value (the goal is not stacked on the heap). */
  readonly heapCounter = new CounterTrack(["Allocated", "NextGC"]);
  /**
   * Threads holding a running P (Go's "Running"), and threads in a syscall
   * whose P was taken (Go ≤ 1.21's "InSyscall"): disjoint, so the two stack
   * to the threads at work. A syscall that still holds its P is counted once,
   * as Running.
   */
  readonly threadCounter = new CounterTrack(["Running", "InSyscall"]);

  private readonly gIndex = new Map<number, number>();
  private gDense = new Int32Array(1024).fill(-1);
  private readonly gs: GState[] = [];
  private readonly mIndex = new Map<number, number>();
  private lastM = -1;
  private lastMIndex = -1;
  readonly threadIDs: number[] = [];
  /** P → goroutine index in a syscall on it (for "the P was taken: the syscall blocked"), −1 none. */
  private readonly inSyscall = new IdCache();
  /** Ps with a goroutine in a syscall on them. */
  private inSyscallPs = 0;
  private runningPs = 0;
  private syscallsOpen = 0;
  private heapAlloc = 0;
  private heapGoal = 0;

  private originNs = Number.NaN;
  /** Time of the current generation's Sync: where goroutines first seen in it are back-dated to. */
  private syncNs = 0;
  lastNs = 0;
  events = 0;
  maxP = -1;
  version = 0;

  constructor() {
    this.ranges = new RangeRecorder(this.strings);
    this.annotations = new AnnotationRecorder(this.strings);
    this.replayLog = new ReplayLog(
      this.stacks,
      (id) => this.knownIndex(id),
      (g) => this.gs[g]!.state,
      (g) => this.goroutines.id.get(g),
    );
  }

  event(ev: Event, reader: TraceReader): void {
    if (Number.isNaN(this.originNs)) {
      this.originNs = ev.time;
      this.version = reader.version ?? 0;
    }
    const t = ev.time - this.originNs;
    this.lastNs = t;
    this.events++;
    this.overviewCounts.event(ev);
    switch (ev.kind) {
      case EventKind.Sync:
        this.syncNs = t;
        this.ranges.sync();
        break;
      case EventKind.StateTransition:
        if (
          ev.type === Ev.ProcStart ||
          ev.type === Ev.ProcStop ||
          ev.type === Ev.ProcSteal ||
          ev.type === Ev.ProcStatus
        )
          this.procTransition(ev, t);
        else {
          // It goes to the replay log itself, with the transition it reads.
          this.goroutineTransition(ev, t);
          return;
        }
        break;
      case EventKind.RangeBegin:
      case EventKind.RangeActive:
      case EventKind.RangeEnd:
        this.range(ev, t);
        break;
      case EventKind.Metric:
        this.metric(ev, t);
        break;
      case EventKind.Label: {
        const g = this.goroutine(ev.g);
        g.label = this.strings.intern(ev.str(ev.a0));
        this.goroutines.label.set(g.index, g.label);
        break;
      }
      case EventKind.StackSample:
        this.mark(MarkKind.CPUSample, t, ev, this.stacks.intern(ev.table, ev.a0), 0);
        break;
      case EventKind.Log: {
        const log = ev.log();
        const text = log.category === "" ? log.message : `[${log.category}] ${log.message}`;
        this.mark(MarkKind.Log, t, ev, this.stack(ev), this.strings.intern(text));
        break;
      }
      case EventKind.TaskBegin:
      case EventKind.TaskEnd:
        this.annotations.task(ev, t, this.gIndexOf(ev.g), this.stack(ev));
        break;
      case EventKind.RegionBegin:
      case EventKind.RegionEnd: {
        // The region's type is string a1.
        const gs = this.goroutine(ev.g);
        this.annotations.region(ev, t, gs, this.localString(ev, ev.a1), this.stack(ev));
        this.replayLog.region(ev, gs.index);
        return;
      }
    }
    this.replayLog.event(ev);
  }

  /** The index of goroutine ID `id`, −1 if not seen yet. */
  private knownIndex(id: number): number {
    const i = id >= 0 && id < denseIDs ? this.gDense[id] : this.gIndex.get(id);
    return i === undefined ? -1 : i;
  }

  /** The event's own stack, interned (without the object Event.stack() makes). */
  private stack(ev: Event): number {
    return this.stacks.intern(ev.table, ownStackID(ev));
  }

  /** The builder state of goroutine `id`, made on first sight. */
  private goroutine(id: number): GState {
    // IDs below 2^22 are looked up in an array (a Map lookup per event costs ~0.7 s on 27M transitions).
    let i = id >= 0 && id < denseIDs ? this.gDense[id] : this.gIndex.get(id);
    if (i === undefined || i < 0) {
      i = this.gs.length;
      if (id >= 0 && id < denseIDs) {
        if (id >= this.gDense.length) {
          const next = new Int32Array(Math.min(denseIDs, Math.max(id + 1, this.gDense.length * 2))).fill(-1);
          next.set(this.gDense);
          this.gDense = next;
        }
        this.gDense[id] = i;
      } else this.gIndex.set(id, i);
      this.gs.push(new GState(i));
      const g = this.goroutines;
      g.id.push(id);
      g.func.push(0);
      g.label.push(0);
      g.createdNs.push(this.syncNs);
      g.creator.push(-1);
      g.createStack.push(0);
      g.endNs.push(Number.NaN);
      g.firstState.push(0);
      g.firstReadyNs.push(Number.NaN);
    }
    return this.gs[i]!;
  }

  private gIndexOf(id: number): number {
    return id < 0 ? -1 : this.goroutine(id).index;
  }

  private thread(m: number): number {
    if (m < 0) return -1;
    // Consecutive events are mostly on one thread.
    if (m === this.lastM) return this.lastMIndex;
    let i = this.mIndex.get(m);
    if (i === undefined) {
      i = this.threadIDs.length;
      this.mIndex.set(m, i);
      this.threadIDs.push(m);
    }
    this.lastM = m;
    this.lastMIndex = i;
    return i;
  }

  private mark(kind: MarkKind, t: number, ev: Event, stack: number, label: number, p = ev.p, g = ev.g): void {
    const m = this.marks;
    m.timeNs.push(t);
    m.kind.push(kind);
    m.p.push(p);
    m.m.push(this.thread(ev.m));
    m.g.push(this.gIndexOf(g));
    m.stack.push(stack);
    m.label.push(label);
  }

  private count(gs: GState, t: number): void {
    const b = countBucket(gs.state, gs.inMarkAssist);
    if (b === gs.counted) return;
    this.goroutineCounter.move(t, gs.counted, b);
    gs.counted = b;
  }

  private readonly transition = new Transition();

  private goroutineTransition(ev: Event, t: number): void {
    const st = this.transition.read(ev);
    const gs = this.goroutine(st.goroutine);
    const gi = gs.index;
    this.replayLog.transition(ev, st, gi);
    this.overviewCounts.goroutineTransition(ev.time, st.goroutine, st.from, st.to, st.reason);
    if (!gs.named && st.stackID !== 0) {
      const s = this.stacks.intern(ev.table, st.stackID);
      if (s !== 0) {
        this.goroutines.func.set(gi, this.strings.intern(this.stacks.rootFunc(s)));
        gs.named = true;
      }
    }
    const from = st.from as GoState;
    const to = st.to as GoState;
    if (from === to) return;
    if (!this.lives.settled(gi, from, to, st.reason))
      this.lives.transition(gi, from, to, st.reason, ev, st.stackID, t, this.syncNs, this.marks.length);
    // Goroutines first seen in this generation have been in their state since its Sync.
    const since = from === GoState.Undetermined ? this.syncNs : t;
    const stack = ev.type === Ev.GoCreate || ev.type === Ev.GoCreateBlocked ? this.stack(ev) : 0;

    if (isExecuting(from) && !isExecuting(to)) this.stopExec(gs, t, ev, to, st.reason);
    if (!isExecuting(from) && isExecuting(to)) {
      // Another goroutine starting on a P that one in a syscall was thought
      // to hold means the P had been taken (old traces report goroutines
      // already in a syscall at the start with the P of the batch they are in).
      const holder = ev.p >= 0 ? this.inSyscall.get(ev.p) : -1;
      if (holder >= 0 && holder !== gi) {
        this.procLost(ev.p, since);
        this.pushThreads(t);
      }
      gs.executing = true;
      gs.execStartNs = since;
      gs.execP = ev.p;
      gs.execM = this.thread(ev.m);
      this.ranges.goroutineStarted(gs, since);
    }
    if (from === GoState.Waiting) {
      const network = gs.state === GoState.Waiting && gs.networkWait;
      if (network)
        this.mark(
          MarkKind.Network,
          t,
          ev,
          this.stack(ev),
          this.strings.intern("unblock (network)"),
          -1,
          st.goroutine,
        );
      gs.setCause(
        network ? CauseKind.Network : CauseKind.Unblock,
        this.gIndexOf(ev.g),
        ev.p,
        this.thread(ev.m),
        t,
        this.stack(ev),
      );
    }
    if (from === GoState.NotExist) {
      const g = this.goroutines;
      // An ID can be used again (cgo callbacks on extra Ms): its first creation is kept, its end forgotten.
      if (gs.lastSlice < 0 && !gs.created) {
        g.createdNs.set(gi, t);
        g.creator.set(gi, this.gIndexOf(ev.g));
        g.createStack.set(gi, stack);
      }
      gs.created = true;
      g.endNs.set(gi, Number.NaN);
      // A new life (or a reused ID's next one) owes nothing to the last: only its creation can be its cause.
      if (to === GoState.Runnable)
        gs.setCause(CauseKind.Create, this.gIndexOf(ev.g), ev.p, this.thread(ev.m), t, stack);
      else gs.setCause(CauseKind.None, -1, -1, -1, 0);
    }
    if (from === GoState.Syscall && to !== GoState.Running) {
      this.mark(
        MarkKind.SyscallExit,
        t,
        ev,
        0,
        this.strings.intern("exit blocked syscall"),
        -1,
        st.goroutine,
      );
      gs.setCause(CauseKind.SyscallExit, -1, -1, this.thread(ev.m), t);
    }
    if (from === GoState.Syscall) this.endSyscall(gs, t);
    if (to === GoState.Syscall) {
      gs.inSyscall = true;
      gs.syscallStartNs = since;
      gs.syscallP = ev.p;
      gs.syscallM = this.thread(ev.m);
      gs.syscallStack = this.stack(ev);
      if (ev.p >= 0) this.setInSyscall(ev.p, gi);
      this.syscallsOpen++;
      this.pushThreads(t);
    }
    if (to === GoState.Runnable) this.ready(gs, t);
    if (to === GoState.Waiting) gs.networkWait = this.isNetwork(st.reason);
    if (from === GoState.NotExist || from === GoState.Undetermined) {
      const g = this.goroutines;
      if (gs.lastSlice < 0 && !gs.executing)
        g.firstState.set(gi, this.stateID(to, to === GoState.Runnable ? "" : st.reason));
    }
    if (to === GoState.NotExist) this.goroutines.endNs.set(gi, t);
    gs.state = to;
    this.count(gs, t);
  }

  /** Whether a goroutine blocked for `reason` waits on the network (the last reason asked is remembered). */
  private isNetwork(reason: string): boolean {
    if (reason !== this.lastReason) {
      this.lastReason = reason;
      this.lastReasonNetwork = reason.includes("network");
    }
    return this.lastReasonNetwork;
  }
  private lastReason = "";
  private lastReasonNetwork = false;

  /** The goroutine became runnable: the gap after its last slice turns from blocked to runnable here. */
  private ready(gs: GState, t: number): void {
    if (gs.lastSlice >= 0) this.exec.readyNs.setOver(gs.lastSlice, t, gs.lastSliceEndNs);
    else this.goroutines.firstReadyNs.set(gs.index, t);
  }

  private stopExec(gs: GState, t: number, ev: Event, to: GoState, reason: string): void {
    const endState = this.stateID(to, reason);
    if (gs.openSlice >= 0) {
      // Its P was taken during a syscall: the slice goes on on the thread until now.
      this.exec.threadEndNs.set(gs.openSlice, t);
      this.exec.endState.set(gs.openSlice, endState);
      gs.openSlice = -1;
    } else {
      this.ranges.goroutineStopped(gs, t);
      gs.lastSlice = this.pushSlice(gs, t, this.stack(ev), endState);
    }
    gs.executing = false;
  }

  private pushSlice(gs: GState, t: number, endStack: number, endState: number): number {
    const x = this.exec;
    const i = x.length;
    x.startNs.push(gs.execStartNs);
    x.endNs.push(t);
    x.g.push(gs.index);
    x.p.push(gs.execP);
    x.label.push(gs.label);
    x.m.push(gs.execM);
    x.endStack.push(endStack);
    x.endState.push(endState);
    x.readyNs.push(Number.NaN);
    x.causeKind.push(gs.causeKind);
    x.causeG.push(gs.causeG);
    x.causeP.push(gs.causeP);
    x.causeM.push(gs.causeM);
    x.causeStack.push(gs.causeStack);
    gs.setCause(CauseKind.None, -1, -1, -1, 0);
    gs.lastSliceEndNs = t;
    return i;
  }

  private endSyscall(gs: GState, t: number): void {
    if (gs.inSyscall) {
      this.pushSyscall(gs, t, 0);
      if (gs.syscallP >= 0 && this.inSyscall.get(gs.syscallP) === gs.index)
        this.setInSyscall(gs.syscallP, -1);
    } else if (gs.openSyscall >= 0) {
      this.syscalls.threadEndNs.set(gs.openSyscall, t);
      gs.openSyscall = -1;
    } else return;
    this.syscallsOpen--;
    this.pushThreads(t);
  }

  /** Goroutine index g (−1: none) is in a syscall on P p ≥ 0. */
  private setInSyscall(p: number, g: number): void {
    const was = this.inSyscall.get(p);
    if (was < 0 && g >= 0) this.inSyscallPs++;
    else if (was >= 0 && g < 0) this.inSyscallPs--;
    this.inSyscall.set(p, g);
  }

  /** Syscalls still holding their P count as Running already (their P is running). */
  private pushThreads(t: number): void {
    const blocked = Math.max(0, this.syscallsOpen - this.inSyscallPs);
    this.threadCounter.push(t, [this.runningPs, blocked]);
  }

  private pushSyscall(gs: GState, t: number, blocked: number): number {
    const s = this.syscalls;
    const i = s.length;
    s.startNs.push(gs.syscallStartNs);
    s.endNs.push(t);
    s.g.push(gs.index);
    s.p.push(gs.syscallP);
    s.m.push(gs.syscallM);
    s.stack.push(gs.syscallStack);
    s.blocked.push(blocked);
    gs.inSyscall = false;
    return i;
  }

  private procTransition(ev: Event, t: number): void {
    const st = ev.stateTransition();
    const p = st.resource.id;
    this.overviewCounts.procTransition(p);
    if (p > this.maxP) this.maxP = p;
    const from = st.from as ProcState;
    const to = st.to as ProcState;
    if (from === to) return;
    if (to === ProcState.Idle) this.lives.procIdle(p, t);
    if (to === ProcState.Running) {
      const start = from === ProcState.Undetermined ? this.syncNs : t;
      this.mark(MarkKind.ProcStart, start, ev, 0, 0, p, -1);
      this.runningPs++;
      // As Go does, a P found running at a generation's start counts from its Sync.
      this.pushThreads(start);
    }
    if (from === ProcState.Running) {
      this.mark(MarkKind.ProcStop, t, ev, 0, 0, p, -1);
      this.runningPs--;
      this.procLost(p, t);
      this.pushThreads(t);
    }
  }

  /**
   * The P was taken from a goroutine in a syscall: the syscall blocked. Its
   * slices end on the P here and go on on the goroutine's thread.
   */
  private procLost(p: number, t: number): void {
    const gi = p >= 0 ? this.inSyscall.get(p) : -1;
    if (gi < 0) return;
    this.setInSyscall(p, -1);
    const gs = this.gs[gi]!;
    if (gs.inSyscall) gs.openSyscall = this.pushSyscall(gs, Math.max(t, gs.syscallStartNs), 1);
    if (gs.executing && gs.openSlice < 0) {
      const end = Math.max(t, gs.execStartNs);
      this.ranges.goroutineStopped(gs, end);
      const i = this.pushSlice(gs, end, 0, this.strings.intern("syscall (blocked)"));
      gs.openSlice = i;
      gs.lastSlice = i;
    }
  }

  private range(ev: Event, t: number): void {
    const r = ev.range();
    if (r.scope.kind === ResourceKind.Goroutine && ev.type !== Ev.STWBegin && ev.type !== Ev.STWEnd) {
      const gs = this.goroutine(r.scope.id);
      this.ranges.goroutineRange(gs, ev, t, r.name, this.stack(ev));
      this.lives.range(ev, r, t, this.syncNs, gs.index);
      const assist = gs.ranges?.has(this.ranges.markAssistName) ?? false;
      if (assist !== gs.inMarkAssist) {
        gs.inMarkAssist = assist;
        this.count(gs, t);
      }
    } else if (r.scope.kind === ResourceKind.Proc) {
      const g = this.gIndexOf(ev.g);
      this.ranges.procRange(ev, t, r.scope.id, r.name, this.stack(ev), this.thread(ev.m), g);
      this.lives.range(ev, r, t, this.syncNs, g);
    } else {
      const g = this.gIndexOf(ev.g);
      this.ranges.globalRange(ev, t, r.name, this.stack(ev), g);
      // Stop-the-world pauses are the goroutine's ranges to Go's summarizer.
      if (r.scope.kind === ResourceKind.Goroutine) this.lives.range(ev, r, t, this.syncNs, g);
    }
  }

  private metric(ev: Event, t: number): void {
    if (ev.type === Ev.HeapAlloc) this.heapAlloc = ev.a0;
    else if (ev.type === Ev.HeapGoal) this.heapGoal = ev.a0 > maxHeapGoal ? 0 : ev.a0;
    else return;
    this.heapCounter.push(t, [this.heapAlloc, this.heapGoal]);
  }

  /** A generation's string ID as a timeline string ID, cached per generation (7M regions name theirs). */
  private localString(ev: Event, id: number): number {
    if (ev.table !== this.stringsOf) {
      this.stringsOf = ev.table;
      this.localStrings.clear();
    }
    let s = this.localStrings.get(id);
    if (s < 0) {
      s = this.strings.intern(ev.str(id));
      this.localStrings.set(id, s);
    }
    return s;
  }
  private stringsOf: Event["table"];
  private readonly localStrings = new IdCache();

  /** "blocked: chan receive" and the like, interned, cached by state and reason. */
  private stateID(to: GoState, reason: string): number {
    if (to === this.lastStateTo && reason === this.lastStateReason) return this.lastStateID;
    this.lastStateTo = to;
    this.lastStateReason = reason;
    this.lastStateID = this.stateIDOf(to, reason);
    return this.lastStateID;
  }
  private lastStateTo = -1;
  private lastStateReason = "";
  private lastStateID = 0;

  private stateIDOf(to: GoState, reason: string): number {
    this.stateIDs[to] ??= new Map();
    const byReason = this.stateIDs[to];
    let id = byReason.get(reason);
    if (id === undefined) {
      id = this.strings.intern(stateName(to, reason));
      byReason.set(reason, id);
    }
    return id;
  }
  private readonly stateIDs: Map<string, number>[] = [];

  /** Closes what is still open at the end of the trace and returns the timeline. */
  finalize(): Timeline {
    const end = this.lastNs;
    for (const gs of this.gs) {
      if (gs.inSyscall) this.pushSyscall(gs, end, 0);
      else if (gs.openSyscall >= 0) this.syscalls.threadEndNs.set(gs.openSyscall, end);
      if (gs.executing) {
        if (gs.openSlice >= 0) this.exec.threadEndNs.set(gs.openSlice, end);
        else {
          this.ranges.goroutineStopped(gs, end);
          gs.lastSlice = this.pushSlice(gs, end, 0, this.strings.intern("running at trace end"));
        }
      }
    }
    this.ranges.finish(end);
    this.lives.finish(end, this.gs.length);
    this.annotations.finish(end, this.gs);
    this.replayLog.finish();
    this.stacks.release();
    return new Timeline(this);
  }

  /** Absolute time of the first event, which the timeline's times count from (NaN if none). */
  get startNs(): number {
    return this.originNs;
  }

  /** Time of the last Sync read: a damaged trace's profiles stop there, as go tool trace's do. */
  get lastSyncNs(): number {
    return this.syncNs;
  }

  get goroutineCount(): number {
    return this.gs.length;
  }
}

/** "blocked: chan receive", "runnable: preempted", "ended", "syscall": a state and its reason. */
export function stateName(s: GoState, reason: string): string {
  switch (s) {
    case GoState.Waiting:
      return reason ? `blocked: ${reason}` : "blocked";
    case GoState.Runnable:
      return reason ? `runnable: ${reason}` : "runnable";
    case GoState.NotExist:
      return "ended";
    case GoState.Syscall:
      return "syscall";
    case GoState.Running:
      return "running";
    default:
      return "unknown";
  }
}
