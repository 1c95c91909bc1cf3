/**
 * Converts a parsed old trace into the modern event model, rule for rule as
 * Go's internal/trace/tracev1.go does, so that everything downstream sees
 * one kind of event whatever the trace's age:
 *
 *  - goroutines seen before the first Gomaxprocs event (the trace's start)
 *    become GoStatus events, and that Gomaxprocs event is dropped;
 *  - a P's first ProcStart/ProcStop becomes a ProcStatus;
 *  - blocking reasons and stop-the-world kinds become strings;
 *  - an instantaneous syscall becomes a 1 ns SyscallBegin/End pair unless
 *    the goroutine's next event says it blocked;
 *  - times are forced strictly increasing, one event after another.
 *
 * The whole trace is one generation with one table. Where Go walks a map
 * (goroutines that existed at the start), gotrace goes by ascending ID.
 */
import { Ev, specs } from "../../format/v2/spec.js";
import { TraceError } from "../errors.js";
import { Event, NoGoroutine, NoTask, NoThread } from "../event.js";
import { EvTable } from "../v2/table.js";
import type { V1Trace } from "./events.js";
import { stwReason, stwReasonStrings, V1, v1Specs } from "./spec.js";

// The strings the converter adds, in Go's order (their IDs follow the trace's).
const builtins = [
  "forever",
  "preempted",
  "runtime.Gosched",
  "sleep",
  "chan send",
  "chan receive",
  "network",
  "sync",
  "sync.(*Cond).Wait",
  "select",
  "",
  "GC mark assist wait for work",
  ...stwReasonStrings,
];
const enum S {
  Forever = 0,
  Preempted = 1,
  Gosched = 2,
  Sleep = 3,
  ChanSend = 4,
  ChanRecv = 5,
  Network = 6,
  Sync = 7,
  SyncCond = 8,
  Select = 9,
  Empty = 10,
  MarkAssistWait = 11,
  STWUnknown = 12,
}

const goRunnable = 1;
const goRunning = 2;
const goSyscall = 3;
const goWaiting = 4;
const procRunning = 1;
const procIdle = 2;

function set4(a: number[], a0: number, a1: number, a2: number, a3: number): void {
  a[0] = a0;
  a[1] = a1;
  a[2] = a2;
  a[3] = a3;
}

/** Ps below this (Ps are int32s counting from 0) keep their thread in an array. */
const denseProcs = 1024;
/** Stack IDs below this (they count from 1) are marked checked in an array. */
const denseStacks = 1 << 24;

/** Returned by convertEvent for events that produce nothing now. */
const skip = null;

export class V1Converter {
  readonly table = new EvTable();
  private readonly version: number;
  private k = 0;
  private extra: Event[] = [];
  private lastTs = -1;
  private preInit = true;
  private createdPreInit: Set<number> | undefined = new Set();
  private readonly tasks = new Map<number, { name: string; parent: number }>();
  private readonly seenProcs = new Set<number>();
  /** The thread each P runs on: real Ps (0 up, few) in an array, NaN for none; the rest in a map. */
  private readonly procMsDense = new Float64Array(denseProcs).fill(Number.NaN);
  private readonly procMs = new Map<number, number>();
  private lastStwReason = 0;
  private readonly inlineToStringID: number[] = [];
  private readonly builtinToStringID: number[] = [];
  /** Go 1.5: a goroutine's start PC as a one-frame stack, by PC. */
  private readonly startPCStacks = new Map<number, number>();
  private nextStackID = 1;
  /** The arguments of the event being converted (reused). */
  private readonly args = [0, 0, 0, 0];
  private nextStringID = 1;
  private readonly addedStrings = new Map<string, number>();
  /** Go 1.5–1.9: stop-the-world ranges open across all Ps. */
  private stwDepth = 0;
  /** Stacks whose frames were checked against the string table. */
  private checkedDense = new Uint8Array(1024);
  private readonly checkedStacks = new Set<number>();

  constructor(private readonly trace: V1Trace) {
    this.version = trace.version;
    const t = this.table;
    t.generation = 1;
    let max = 0;
    for (const [id, s] of trace.strings) {
      t.strings.insert(id, s);
      if (id > max) max = id;
    }
    // User log messages were inline; they get IDs after the trace's own.
    trace.inlineStrings.forEach((s, i) => {
      const id = max + 1 + i;
      this.inlineToStringID.push(id);
      t.strings.insert(id, s);
    });
    max += trace.inlineStrings.length;
    builtins.forEach((s, c) => {
      const id = max + 1 + c;
      this.builtinToStringID.push(id);
      t.strings.insert(id, s);
    });
    this.nextStringID = max + builtins.length + 1;
    for (const [id, pcs] of trace.stacks) {
      t.stacks.insert(id, pcs);
      if (id >= this.nextStackID) this.nextStackID = id + 1;
    }
    for (const [pc, f] of trace.pcs) {
      t.pcs.set(
        pc,
        this.version < 7 ? this.unsymbolized(pc) : { pc, funcID: f.fn, fileID: f.file, line: f.line },
      );
    }
    // Go 1.5–1.10: mark assists already under way when tracing started.
    const first = this.firstTime();
    for (const g of trace.assistsAtStart ?? []) {
      this.extra.push(new Event(t, Ev.GCMarkAssistActive, first ?? 0, NoGoroutine, -1, NoThread, g));
    }
  }

  /**
   * Go 1.5 and 1.6 stacks hold PCs only (symbols were in the binary): a frame
   * is named by its PC in hex, in file "?" at line 0, as addr2line prints an
   * unknown location. Distinct PCs stay distinct functions downstream.
   */
  private unsymbolized(pc: number): { pc: number; funcID: number; fileID: number; line: number } {
    return { pc, funcID: this.addString(`0x${pc.toString(16)}`), fileID: this.addString("?"), line: 0 };
  }

  private addString(s: string): number {
    let id = this.addedStrings.get(s);
    if (id === undefined) {
      id = this.nextStringID++;
      this.addedStrings.set(s, id);
      this.table.strings.insert(id, s);
    }
    return id;
  }

  /** The time of the first event, before conversion (the first Sync comes 1 ns earlier). */
  firstTime(): number | undefined {
    const o = this.trace.order;
    return o.length > 0 ? this.trace.events.ts[o[0]!] : undefined;
  }

  /** Time of the last event returned (−1 before any). */
  get lastTime(): number {
    return this.lastTs;
  }

  /** The next converted event, or null at the end. */
  next(): Event | null {
    for (;;) {
      let ev = this.extra.shift();
      if (ev === undefined) {
        const order = this.trace.order;
        if (this.k === order.length) return null;
        const i = order[this.k++]!;
        const out = this.convertEvent(i);
        if (out === skip) continue;
        ev = out;
      }
      // Converted events may share a time (statuses, label after start): Go forces them apart.
      if (ev.time <= this.lastTs) ev.time = this.lastTs + 1;
      this.lastTs = ev.time;
      this.checkReferences(ev);
      return ev;
    }
  }

  private str(c: S): number {
    return this.builtinToStringID[c]!;
  }

  private convertEvent(i: number): Event | typeof skip {
    const e = this.trace.events;
    const typ = e.type[i]!;
    const P = e.p[i]!;
    const G = e.getG(i);
    const ts = e.ts[i]!;
    const stk = e.stk[i]!;
    const a = this.args;
    set4(a, e.getA0(i), e.getA1(i), e.a2[i]!, 0);
    let mapped: number;

    switch (typ) {
      case V1.Gomaxprocs:
        mapped = Ev.ProcsChange;
        if (this.preInit) {
          // The first Gomaxprocs ends the trace's start: every goroutine seen so far
          // without a state of its own was runnable (or idle).
          this.preInit = false;
          const gids = [...this.createdPreInit!].sort((x, y) => x - y);
          for (const gid of gids) {
            this.extra.push(
              new Event(this.table, Ev.GoStatus, ts, NoGoroutine, -1, NoThread, gid, -1, goRunnable),
            );
          }
          this.createdPreInit = undefined;
          return skip;
        }
        break;
      case V1.ProcStart:
        this.setProcM(P, a[0]!);
        if (this.seenProcs.has(P)) {
          mapped = Ev.ProcStart;
          set4(a, P, 0, 0, 0);
        } else {
          this.seenProcs.add(P);
          mapped = Ev.ProcStatus;
          set4(a, P, procRunning, 0, 0);
        }
        break;
      case V1.ProcStop:
        if (this.seenProcs.has(P)) {
          mapped = Ev.ProcStop;
          set4(a, P, 0, 0, 0);
        } else {
          this.seenProcs.add(P);
          mapped = Ev.ProcStatus;
          set4(a, P, procIdle, 0, 0);
        }
        break;
      case V1.GCStart:
        mapped = Ev.GCBegin;
        break;
      case V1.GCDone:
        mapped = Ev.GCEnd;
        break;
      case V1.STWStart: {
        // Before Go 1.10 each P wrote its own stop-the-world: the P stopping the world
        // first, then the Ps helping it. Keep one range, from the first start to the
        // end that leaves none open.
        if (this.version < 10 && this.stwDepth++ > 0) return skip;
        const sid = this.str(S.STWUnknown + stwReason(a[0]!, this.version));
        this.lastStwReason = sid;
        mapped = Ev.STWBegin;
        set4(a, sid, 0, 0, 0);
        break;
      }
      case V1.STWDone:
        if (this.version < 10 && --this.stwDepth > 0) return skip;
        mapped = Ev.STWEnd;
        set4(a, this.lastStwReason, 0, 0, 0);
        break;
      case V1.GCSweepStart:
        mapped = Ev.GCSweepBegin;
        break;
      case V1.GCSweepDone:
        mapped = Ev.GCSweepEnd;
        break;
      case V1.GoCreate:
        if (this.preInit) {
          this.createdPreInit!.add(a[0]!);
          return skip;
        }
        mapped = Ev.GoCreate;
        // Go 1.5 recorded the new goroutine's start PC, not a stack: make it a one-frame stack.
        if (this.version < 7) a[1] = this.startPCStack(a[1]!);
        break;
      case V1.GoStart:
        if (this.preInit) {
          mapped = Ev.GoStatus;
          this.createdPreInit!.delete(a[0]!);
          set4(a, a[0]!, -1, goRunning, 0);
        } else {
          mapped = Ev.GoStart;
        }
        break;
      case V1.GoStartLabel:
        this.extra = [this.direct(Ev.GoLabel, ts, G, P, [a[2]!, 0, 0, 0])];
        return this.direct(Ev.GoStart, ts, G, P, a);
      case V1.GoEnd:
        mapped = Ev.GoDestroy;
        break;
      case V1.GoStop:
        mapped = Ev.GoBlock;
        set4(a, this.str(S.Forever), stk, 0, 0);
        break;
      case V1.GoSched:
        mapped = Ev.GoStop;
        set4(a, this.str(S.Gosched), stk, 0, 0);
        break;
      case V1.GoPreempt:
        mapped = Ev.GoStop;
        set4(a, this.str(S.Preempted), stk, 0, 0);
        break;
      case V1.GoSleep:
        mapped = Ev.GoBlock;
        set4(a, this.str(S.Sleep), stk, 0, 0);
        break;
      case V1.GoBlock:
        mapped = Ev.GoBlock;
        set4(a, this.str(S.Empty), stk, 0, 0);
        break;
      case V1.GoUnblock:
        mapped = Ev.GoUnblock;
        break;
      case V1.GoBlockSend:
        mapped = Ev.GoBlock;
        set4(a, this.str(S.ChanSend), stk, 0, 0);
        break;
      case V1.GoBlockRecv:
        mapped = Ev.GoBlock;
        set4(a, this.str(S.ChanRecv), stk, 0, 0);
        break;
      case V1.GoBlockSelect:
        mapped = Ev.GoBlock;
        set4(a, this.str(S.Select), stk, 0, 0);
        break;
      case V1.GoBlockSync:
        mapped = Ev.GoBlock;
        set4(a, this.str(S.Sync), stk, 0, 0);
        break;
      case V1.GoBlockCond:
        mapped = Ev.GoBlock;
        set4(a, this.str(S.SyncCond), stk, 0, 0);
        break;
      case V1.GoBlockNet:
        mapped = Ev.GoBlock;
        set4(a, this.str(S.Network), stk, 0, 0);
        break;
      case V1.GoBlockGC:
        mapped = Ev.GoBlock;
        set4(a, this.str(S.MarkAssistWait), stk, 0, 0);
        break;
      case V1.GoSysCall:
        if (this.syscallBlocks(G)) {
          mapped = Ev.GoSyscallBegin;
          set4(a, 0, stk, 0, 0);
        } else {
          // An instantaneous syscall becomes the shortest possible one: 1 ns.
          const begin = this.direct(Ev.GoSyscallBegin, ts, G, P, [0, stk, 0, 0]);
          this.extra.push(this.direct(Ev.GoSyscallEnd, ts + 1, G, P, [0, 0, 0, 0]));
          return begin;
        }
        break;
      case V1.GoSysExit:
        mapped = Ev.GoSyscallEndBlocked;
        // The exit's real time was used; don't pass our marker for "none" on.
        if (Number.isNaN(a[2])) a[2] = 0;
        break;
      case V1.GoSysBlock:
        return skip;
      case V1.GoWaiting:
        mapped = Ev.GoStatus;
        this.createdPreInit?.delete(a[0]!);
        set4(a, a[0]!, -1, goWaiting, 0);
        break;
      case V1.GoInSyscall:
        mapped = Ev.GoStatus;
        // Old traces don't say which thread the syscall is on.
        this.createdPreInit?.delete(a[0]!);
        set4(a, a[0]!, -1, goSyscall, 0);
        break;
      case V1.HeapAlloc:
        mapped = Ev.HeapAlloc;
        break;
      case V1.HeapGoal:
        mapped = Ev.HeapGoal;
        break;
      case V1.GCMarkAssistStart:
        mapped = Ev.GCMarkAssistBegin;
        break;
      case V1.GCMarkAssistDone:
        mapped = Ev.GCMarkAssistEnd;
        break;
      case V1.UserTaskCreate: {
        mapped = Ev.UserTaskBegin;
        const parent = a[1] === 0 ? NoTask : a[1]!;
        this.tasks.set(a[0]!, { name: this.table.strings.get(a[2]!) ?? "", parent: a[1]! });
        set4(a, a[0]!, parent, a[2]!, stk);
        break;
      }
      case V1.UserTaskEnd: {
        mapped = Ev.UserTaskEnd;
        // The task's parent and name ride along, as Event.task() expects.
        const t = this.tasks.get(a[0]!);
        if (t) {
          this.tasks.delete(a[0]!);
          set4(a, a[0]!, a[1]!, t.parent, this.table.addExtraString(t.name));
        } else {
          set4(a, a[0]!, a[1]!, NoTask, this.table.addExtraString(""));
        }
        break;
      }
      case V1.UserRegion:
        // Mode 0 starts, 1 ends (anything else failed the checks).
        mapped = a[1] === 0 ? Ev.UserRegionBegin : Ev.UserRegionEnd;
        set4(a, a[0]!, a[2]!, stk, 0);
        break;
      case V1.UserLog:
        mapped = Ev.UserLog;
        // The inline message's ID is in a2 (see V1Parser.parseEvent).
        set4(a, a[0]!, a[1]!, this.inlineToStringID[a[2]!] ?? 0, stk);
        break;
      case V1.CPUSample:
        mapped = Ev.CPUSample;
        // Before Go 1.22 samples had no thread.
        set4(a, stk, -1, P, G);
        break;
      case V1.FutileWakeup:
        // Go 1.5–1.10: a leftover marker whose wakeup had nothing to remove.
        if (this.version < 11) return skip;
        throw new TraceError(`unexpected event type ${typ}`, e.off[i]);
      default:
        throw new TraceError(`unexpected event type ${typ}`, e.off[i]);
    }

    if (v1Specs[typ]!.stack) {
      const stackIDs = specs[mapped]!.stackIDs;
      if (stackIDs.length > 0) a[stackIDs[0]! - 1] = stk;
    }
    let m = NoThread;
    if (P !== -1 && typ !== V1.CPUSample) m = this.procM(P, NoThread);
    if (typ === V1.ProcStop) this.deleteProcM(P);
    return new Event(this.table, mapped, ts, G === 0 ? NoGoroutine : G, P, m, a[0], a[1], a[2], a[3]);
  }

  /** The thread P runs on, or `none`. */
  private procM(P: number, none: number): number {
    if (P >= 0 && P < denseProcs) {
      const m = this.procMsDense[P]!;
      return Number.isNaN(m) ? none : m;
    }
    return this.procMs.get(P) ?? none;
  }

  private setProcM(P: number, m: number): void {
    if (P >= 0 && P < denseProcs) this.procMsDense[P] = m;
    else this.procMs.set(P, m);
  }

  private deleteProcM(P: number): void {
    if (P >= 0 && P < denseProcs) this.procMsDense[P] = Number.NaN;
    else this.procMs.delete(P);
  }

  /** An event Go builds directly, with the raw G and its thread lookup's zero default. */
  private direct(type: number, time: number, G: number, P: number, args: number[]): Event {
    return new Event(this.table, type, time, G, P, this.procM(P, 0), args[0], args[1], args[2], args[3]);
  }

  /** Whether the goroutine's next event says its syscall blocked. */
  private syscallBlocks(g: number): boolean {
    const e = this.trace.events;
    const order = this.trace.order;
    for (let k = this.k; k < order.length; k++) {
      const j = order[k]!;
      if (e.getG(j) !== g) continue;
      return e.type[j] === V1.GoSysBlock;
    }
    return false;
  }

  private startPCStack(pc: number): number {
    // The runtime of Go 1.7+ records startPC + 1, like a return address; do the same.
    const ret = pc + 1;
    let id = this.startPCStacks.get(ret);
    if (id === undefined) {
      id = this.nextStackID++;
      this.startPCStacks.set(ret, id);
      this.table.stacks.insert(id, [ret]);
      if (!this.table.pcs.has(ret)) this.table.pcs.set(ret, this.unsymbolized(ret));
    }
    return id;
  }

  /**
   * Go's Event.String panics on a string or stack ID its table lacks (only a
   * damaged trace has them); gotrace reports such an event as an error instead.
   */
  private checkReferences(ev: Event): void {
    switch (ev.type) {
      case Ev.GoLabel:
        this.checkString(ev.a0);
        break;
      case Ev.UserTaskBegin:
        this.checkString(ev.a2);
        break;
      case Ev.UserRegionBegin:
      case Ev.UserRegionEnd:
        this.checkString(ev.a1);
        break;
      case Ev.UserLog:
        this.checkString(ev.a1);
        this.checkString(ev.a2);
        break;
      case Ev.GoCreate:
        this.checkStack(ev.a1);
        break;
    }
    if (ev.type === Ev.CPUSample) {
      this.checkStack(ev.a0);
      return;
    }
    const ids = specs[ev.type]?.stackIDs;
    if (ids && ids.length > 0) this.checkStack(ev.arg(ids[0]! - 1));
  }

  private checkString(id: number): void {
    if (!this.table.strings.has(id)) throw new TraceError(`expected id ${id} in string table`);
  }

  private checkStack(id: number): void {
    if (id === 0) return;
    const dense = id < denseStacks && Number.isInteger(id);
    if (dense ? id < this.checkedDense.length && this.checkedDense[id] === 1 : this.checkedStacks.has(id))
      return;
    const t = this.table;
    const pcs = t.stacks.get(id);
    if (!pcs) throw new TraceError(`expected id ${id} in stack table`);
    for (const pc of pcs) {
      const f = t.pcs.get(pc);
      if (f) {
        this.checkString(f.funcID);
        this.checkString(f.fileID);
      }
    }
    if (!dense) {
      this.checkedStacks.add(id);
      return;
    }
    if (id >= this.checkedDense.length) {
      let n = this.checkedDense.length;
      while (n <= id) n *= 2;
      const grown = new Uint8Array(n);
      grown.set(this.checkedDense);
      this.checkedDense = grown;
    }
    this.checkedDense[id] = 1;
  }
}
