/**
 * The cross-thread ordering of a modern trace: a state machine over
 * goroutines, procs and threads that decides whether the next event of a
 * thread may happen now, using sequence numbers and states. Events it
 * accepts are queued (sometimes with events it synthesises) for the reader.
 *
 * This follows Go's internal/trace ordering rule for rule, including its
 * error wording, so that the same traces succeed and fail.
 */
import { Ev, GoStatus, ProcStatus, specs } from "../../format/v2/spec.js";
import { eventName } from "../../format/v2/version.js";
import {
  Event,
  GoState,
  goStatusToState,
  NoGoroutine,
  NoProc,
  NoTask,
  NoThread,
  ProcState,
} from "../event.js";
import { toInt64 } from "./batch.js";
import type { EvTable } from "./table.js";

/** The event a thread's cursor is looking at: type, time and arguments. */
export interface BaseEvent {
  type: number;
  time: number;
  a0: number;
  a1: number;
  a2: number;
  a3: number;
}

export interface SchedCtx {
  g: number;
  p: number;
  m: number;
}

enum Need {
  MustNotHave = 0,
  MayHave = 1,
  MustHave = 2,
}

const procStatusNames = ["Bad", "Running", "Idle", "Syscall", "Bad"];
const goStatusNames = ["Bad", "Runnable", "Running", "Syscall", "Waiting"];

/** Something with a sequence counter local to a generation. */
interface Sequenced {
  seqGen: number;
  seq: number;
}

/** Whether (gen, seq) comes right after the counter of `s`. */
const succeeds = (gen: number, seq: number, s: Sequenced): boolean => gen === s.seqGen && seq === s.seq + 1;

/** A range kind: its begin event type and, for STW, its description string. */
interface RangeType {
  typ: number;
  desc: number;
}

function makeRangeType(typ: number, desc: number): RangeType {
  const start = specs[typ]!.startEv;
  return { typ: start !== Ev.None ? start : typ, desc };
}

class RangeState {
  inFlight: RangeType[] = [];

  hasRange(t: RangeType): boolean {
    return this.inFlight.some((r) => r.typ === t.typ && r.desc === t.desc);
  }

  beginRange(t: RangeType): string | undefined {
    if (this.hasRange(t)) {
      return `discovered event already in-flight for when starting event ${specs[t.typ]!.name}`;
    }
    this.inFlight.push(t);
    return undefined;
  }

  activeRange(t: RangeType, isInitialGen: boolean): string | undefined {
    if (isInitialGen) {
      if (this.hasRange(t)) return `found named active range already in first gen: {${t.typ} ${t.desc}}`;
      this.inFlight.push(t);
    } else if (!this.hasRange(t)) {
      const list = this.inFlight.map((r) => `{${r.typ} ${r.desc}}`).join(" ");
      return `resource is missing active range: ${specs[t.typ]!.name} [${list}]`;
    }
    return undefined;
  }

  /** Ends the first in-flight range begun by the start event of `typ`; returns its description. */
  endRange(typ: number): { desc: number } | string {
    const st = specs[typ]!.startEv;
    const idx = this.inFlight.findIndex((r) => r.typ === st);
    if (idx < 0) return `tried to end event ${specs[st]!.name}, but not in-flight`;
    const desc = this.inFlight[idx]!.desc;
    // Swap-remove, as Go does: the order of the remaining ranges matters for later lookups.
    this.inFlight[idx] = this.inFlight[this.inFlight.length - 1]!;
    this.inFlight.pop();
    return { desc };
  }
}

class GState extends RangeState {
  /** Open regions, innermost last, as parallel arrays (no object per region). */
  regionTasks: number[] = [];
  regionNames: string[] = [];
  constructor(
    readonly id: number,
    public status: GoStatus,
    public seqGen: number,
    public seq: number,
  ) {
    super();
  }
}

class PState extends RangeState {
  constructor(
    readonly id: number,
    public status: ProcStatus,
    public seqGen: number,
    public seq: number,
  ) {
    super();
  }
}

/** A holder (the thread's batch cursor) that caches the thread's state between events. */
export interface MStateRef {
  mState: MState | undefined;
}

export interface MState {
  g: number;
  p: number;
}

enum GCState {
  Undetermined = 0,
  NotRunning = 1,
  Running = 2,
}

/** An ordering failure: the trace is broken. */
export class OrderError extends Error {}

type Handler = (
  o: Ordering,
  ev: BaseEvent,
  evt: EvTable,
  m: number,
  gen: number,
  cur: SchedCtx,
) => SchedCtx | null;

function validateCtx(ctx: SchedCtx, m: Need, p: Need, g: Need): void {
  if (m === Need.MustHave && ctx.m === NoThread)
    throw new OrderError("expected a thread but didn't have one");
  if (m === Need.MustNotHave && ctx.m !== NoThread) throw new OrderError("expected no thread but had one");
  if (p === Need.MustHave && ctx.p === NoProc) throw new OrderError("expected a proc but didn't have one");
  if (p === Need.MustNotHave && ctx.p !== NoProc) throw new OrderError("expected no proc but had one");
  if (g === Need.MustHave && ctx.g === NoGoroutine)
    throw new OrderError("expected a goroutine but didn't have one");
  if (g === Need.MustNotHave && ctx.g !== NoGoroutine)
    throw new OrderError("expected no goroutine but had one");
}

const userGo = (ctx: SchedCtx): void => validateCtx(ctx, Need.MustHave, Need.MustHave, Need.MustHave);

export class Ordering {
  readonly gStates = new Map<number, GState>();
  readonly pStates = new Map<number, PState>();
  readonly mStates = new Map<number, MState>();
  readonly activeTasks = new Map<number, { name: string; parent: number }>();
  gcSeq = 0;
  gcState = GCState.Undetermined;
  initialGen = 0;
  // Accepted events wait in a ring of recycled Event objects (at most a few
  // are queued at once), so that reading allocates nothing per event.
  private ring: Event[] = Array.from({ length: 16 }, () => new Event(undefined, 0, 0, -1, -1, -1));
  private qHead = 0;
  private qTail = 0;

  // Scratch contexts, reused for every event: advance() copies what it needs
  // out of them before the next event, so nothing holds on to them.
  private readonly curCtx: SchedCtx = { g: NoGoroutine, p: NoProc, m: NoThread };
  private readonly nextCtx: SchedCtx = { g: NoGoroutine, p: NoProc, m: NoThread };
  private readonly altCtx: SchedCtx = { g: NoGoroutine, p: NoProc, m: NoThread };

  constructor(readonly version: number) {}

  /** The context after an event: `cur` with a new goroutine and proc. */
  ctx(cur: SchedCtx, g: number, p: number): SchedCtx {
    const c = this.nextCtx;
    c.m = cur.m;
    c.g = g;
    c.p = p;
    return c;
  }

  /** A copy of `cur` to attribute an event to another goroutine or thread. */
  alt(cur: SchedCtx, g: number): SchedCtx {
    const c = this.altCtx;
    c.m = cur.m;
    c.p = cur.p;
    c.g = g;
    return c;
  }

  evName(typ: number): string {
    return eventName(this.version, typ);
  }

  push(evt: EvTable, ctx: SchedCtx, ev: BaseEvent): void {
    this.slot().set(evt, ev.type, ev.time, ctx.g, ctx.p, ctx.m, ev.a0, ev.a1, ev.a2, ev.a3);
  }

  pushMade(evt: EvTable, ctx: SchedCtx, typ: number, time: number, a0 = 0, a1 = 0, a2 = 0): Event {
    return this.slot().set(evt, typ, time, ctx.g, ctx.p, ctx.m, a0, a1, a2, 0);
  }

  /** The next free slot of the ring, growing it if every slot is queued. */
  private slot(): Event {
    const size = this.ring.length;
    if (this.qTail - this.qHead === size) {
      const grown: Event[] = [];
      for (let i = this.qHead; i < this.qTail; i++) grown.push(this.ring[i % size]!);
      for (let i = 0; i < size; i++) grown.push(new Event(undefined, 0, 0, -1, -1, -1));
      this.ring = grown;
      this.qHead = 0;
      this.qTail = size;
    }
    return this.ring[this.qTail++ % this.ring.length]!;
  }

  /** The next queued event, if any. */
  next(): Event | undefined {
    if (this.qHead === this.qTail) return undefined;
    return this.ring[this.qHead++ % this.ring.length];
  }

  /**
   * Tries to accept `ev` from thread `m`. Returns false if it cannot happen
   * yet (another thread must go first); throws OrderError if it never can.
   */
  advance(ev: BaseEvent, evt: EvTable, m: number, gen: number, known?: MStateRef): boolean {
    if (this.initialGen === 0) this.initialGen = gen;
    let ms: MState | undefined = known?.mState;
    const cur = this.curCtx;
    cur.g = NoGoroutine;
    cur.p = NoProc;
    cur.m = m;
    if (m !== NoThread) {
      if (!ms) {
        ms = this.mStates.get(m);
        if (!ms) {
          ms = { g: NoGoroutine, p: NoProc };
          this.mStates.set(m, ms);
        }
        // Thread states are never replaced or removed, so the caller may keep this one.
        if (known) known.mState = ms;
      }
      cur.p = ms.p;
      cur.g = ms.g;
    }
    const f = dispatch[ev.type];
    if (!f) throw new OrderError(`bad event type found while ordering: ${ev.type}`);
    const next = f(this, ev, evt, m, gen, cur);
    if (next === null) return false;
    if (ms) {
      ms.p = next.p;
      ms.g = next.g;
    }
    return true;
  }
}

const dispatch: (Handler | undefined)[] = [];

const advanceAnnotation: Handler = (o, ev, evt, _m, _gen, cur) => {
  userGo(cur);
  o.push(evt, cur, ev);
  return cur;
};

dispatch[Ev.ProcsChange] = advanceAnnotation;
dispatch[Ev.GoLabel] = advanceAnnotation;
dispatch[Ev.UserLog] = advanceAnnotation;

dispatch[Ev.ProcStatus] = (o, ev, evt, _m, gen, cur) => {
  const pid = ev.a0;
  // Go reads the status as a uint8.
  const status = (ev.a1 % 256) as ProcStatus;
  if (status >= 5) throw new OrderError(`invalid status for proc ${pid}: ${status}`);
  let oldState: ProcState = [
    ProcState.Undetermined,
    ProcState.Running,
    ProcState.Idle,
    ProcState.Running,
    ProcState.Idle,
  ][status]!;
  const s = o.pStates.get(pid);
  if (s) {
    if (status === ProcStatus.SyscallAbandoned && s.status === ProcStatus.Syscall) {
      // Go 1.22 writes "abandoned" for a P whose syscall continues; it was really still in the syscall.
      oldState = ProcState.Running;
      ev.a1 = ProcStatus.Syscall; // The event says so; `status` keeps the wire value below, as in Go.
    } else if (status === ProcStatus.SyscallAbandoned && s.status === ProcStatus.SyscallAbandoned) {
      oldState = ProcState.Idle;
      ev.a1 = ProcStatus.SyscallAbandoned;
    } else if (s.status !== status) {
      throw new OrderError(
        `inconsistent status for proc ${pid}: old ${procStatusNames[s.status]} vs. new ${procStatusNames[status]}`,
      );
    }
    s.seqGen = gen;
    s.seq = 0;
  } else {
    o.pStates.set(pid, new PState(pid, status, gen, 0));
    oldState = gen === o.initialGen ? ProcState.Undetermined : ProcState.NotExist;
  }
  ev.a2 = oldState; // extra slot: the previous state, for StateTransition.
  const next = o.ctx(cur, cur.g, cur.p);
  if (status === ProcStatus.Running || status === ProcStatus.Syscall) next.p = pid;
  let ctx = cur;
  if (status === ProcStatus.SyscallAbandoned && oldState === ProcState.Running) {
    // The P is about to be stolen from a thread in a syscall: attribute the event to that thread.
    let found = false;
    ctx = o.alt(cur, cur.g);
    for (const [mid, st] of o.mStates) {
      if (st.p === pid) {
        ctx.m = mid;
        ctx.p = pid;
        ctx.g = st.g;
        found = true;
      }
    }
    if (!found)
      throw new OrderError(`failed to find sched context for proc ${pid} that's about to be stolen`);
  }
  o.push(evt, ctx, ev);
  return next;
};

dispatch[Ev.ProcStart] = (o, ev, evt, _m, gen, cur) => {
  const pid = ev.a0;
  const seq = ev.a1;
  const state = o.pStates.get(pid);
  if (!state || state.status !== ProcStatus.Idle || !succeeds(gen, seq, state) || cur.p !== NoProc)
    return null;
  validateCtx(cur, Need.MustHave, Need.MustNotHave, Need.MayHave);
  state.status = ProcStatus.Running;
  state.seqGen = gen;
  state.seq = seq;
  o.push(evt, cur, ev);
  return o.ctx(cur, cur.g, pid);
};

dispatch[Ev.ProcStop] = (o, ev, evt, _m, _gen, cur) => {
  const state = o.pStates.get(cur.p);
  if (!state) throw new OrderError(`event ${o.evName(ev.type)} for proc (${cur.p}) that doesn't exist`);
  if (state.status !== ProcStatus.Running && state.status !== ProcStatus.Syscall) {
    throw new OrderError(`${o.evName(ev.type)} event for proc that's not Running or Syscall`);
  }
  validateCtx(cur, Need.MustHave, Need.MustHave, Need.MayHave);
  state.status = ProcStatus.Idle;
  o.push(evt, cur, ev);
  return o.ctx(cur, cur.g, NoProc);
};

dispatch[Ev.ProcSteal] = (o, ev, evt, _m, gen, cur) => {
  const pid = ev.a0;
  const seq = ev.a1;
  const state = o.pStates.get(pid);
  if (
    !state ||
    (state.status !== ProcStatus.Syscall && state.status !== ProcStatus.SyscallAbandoned) ||
    !succeeds(gen, seq, state)
  ) {
    return null;
  }
  validateCtx(cur, Need.MustHave, Need.MayHave, Need.MayHave);
  const oldStatus = state.status;
  const mid = toInt64(ev.a2); // The thread we steal from.
  ev.a3 = oldStatus;
  state.status = ProcStatus.Idle;
  state.seqGen = gen;
  state.seq = seq;
  if (oldStatus === ProcStatus.SyscallAbandoned) {
    o.push(evt, cur, ev);
    return cur;
  }
  if (mid === cur.m) {
    if (cur.p !== pid) {
      throw new OrderError(`tried to self-steal proc ${pid} (thread ${mid}), but got proc ${cur.p} instead`);
    }
    o.push(evt, cur, ev);
    return o.ctx(cur, cur.g, NoProc);
  }
  const ms = o.mStates.get(mid);
  if (!ms) throw new OrderError(`stole proc from non-existent thread ${mid}`);
  if (ms.p !== pid) {
    throw new OrderError(`tried to steal proc ${pid} from thread ${mid}, but got proc ${ms.p} instead`);
  }
  ms.p = NoProc;
  o.push(evt, cur, ev);
  return cur;
};

dispatch[Ev.GoStatus] = dispatch[Ev.GoStatusStack] = (o, ev, evt, _m, gen, cur) => {
  const gid = ev.a0;
  const mid = toInt64(ev.a1);
  // Go reads the status as a uint8.
  const status = (ev.a2 % 256) as GoStatus;
  if (status >= 5) throw new OrderError(`invalid status for goroutine ${gid}: ${status}`);
  let oldState: GoState = goStatusToState[status]!;
  const s = o.gStates.get(gid);
  if (s) {
    if (s.status !== status) {
      throw new OrderError(
        `inconsistent status for goroutine ${gid}: old ${goStatusNames[s.status]} vs. new ${goStatusNames[status]}`,
      );
    }
    s.seqGen = gen;
    s.seq = 0;
  } else if (gen === o.initialGen) {
    o.gStates.set(gid, new GState(gid, status, gen, 0));
    oldState = GoState.Undetermined;
  } else {
    throw new OrderError(
      `found goroutine status for new goroutine after the first generation: id=${gid} status=${goStatusNames[status]}`,
    );
  }
  ev.a2 = oldState * 2 ** 32 + status; // Packs the previous state for StateTransition.
  const next = o.ctx(cur, cur.g, cur.p);
  let ctx = cur;
  if (status === GoStatus.Running) {
    next.g = gid;
  } else if (status === GoStatus.Syscall) {
    if (mid === NoThread) throw new OrderError(`found goroutine ${gid} in syscall without a thread`);
    if (mid === cur.m) {
      if (gen !== o.initialGen && cur.g !== gid) {
        throw new OrderError(
          `inconsistent thread for syscalling goroutine ${gid}: thread has goroutine ${cur.g}`,
        );
      }
      next.g = gid;
    } else {
      ctx = o.alt(cur, cur.g);
      const ms = o.mStates.get(mid);
      if (ms) {
        if (ms.g !== gid) {
          throw new OrderError(
            `inconsistent thread for syscalling goroutine ${gid}: thread has goroutine ${ms.g}`,
          );
        }
        ctx.g = ms.g;
      } else {
        o.mStates.set(mid, { g: gid, p: NoProc });
      }
      ctx.m = mid;
    }
  }
  o.push(evt, ctx, ev);
  return next;
};

dispatch[Ev.GoCreate] = dispatch[Ev.GoCreateBlocked] = (o, ev, evt, _m, gen, cur) => {
  validateCtx(cur, Need.MustHave, Need.MustHave, Need.MayHave);
  const st = o.gStates.get(cur.g);
  if (st && st.status !== GoStatus.Running) {
    throw new OrderError(`${o.evName(ev.type)} event for goroutine that's not Running`);
  }
  const newgid = ev.a0;
  if (o.gStates.has(newgid))
    throw new OrderError(`tried to create goroutine (${newgid}) that already exists`);
  const status = ev.type === Ev.GoCreateBlocked ? GoStatus.Waiting : GoStatus.Runnable;
  o.gStates.set(newgid, new GState(newgid, status, gen, 0));
  o.push(evt, cur, ev);
  return cur;
};

dispatch[Ev.GoDestroy] =
  dispatch[Ev.GoStop] =
  dispatch[Ev.GoBlock] =
    (o, ev, evt, _m, _gen, cur) => {
      userGo(cur);
      const state = o.gStates.get(cur.g);
      if (!state)
        throw new OrderError(`event ${o.evName(ev.type)} for goroutine (${cur.g}) that doesn't exist`);
      if (state.status !== GoStatus.Running) {
        throw new OrderError(`${o.evName(ev.type)} event for goroutine that's not Running`);
      }
      if (ev.type === Ev.GoDestroy) o.gStates.delete(cur.g);
      else if (ev.type === Ev.GoStop) state.status = GoStatus.Runnable;
      else state.status = GoStatus.Waiting;
      o.push(evt, cur, ev);
      return o.ctx(cur, NoGoroutine, cur.p);
    };

dispatch[Ev.GoStart] = (o, ev, evt, _m, gen, cur) => {
  const gid = ev.a0;
  const seq = ev.a1;
  const state = o.gStates.get(gid);
  if (!state || state.status !== GoStatus.Runnable || !succeeds(gen, seq, state)) return null;
  validateCtx(cur, Need.MustHave, Need.MustHave, Need.MustNotHave);
  state.status = GoStatus.Running;
  state.seqGen = gen;
  state.seq = seq;
  o.push(evt, cur, ev);
  return o.ctx(cur, gid, cur.p);
};

dispatch[Ev.GoUnblock] = (o, ev, evt, _m, gen, cur) => {
  const gid = ev.a0;
  const seq = ev.a1;
  const state = o.gStates.get(gid);
  if (!state || state.status !== GoStatus.Waiting || !succeeds(gen, seq, state)) return null;
  state.status = GoStatus.Runnable;
  state.seqGen = gen;
  state.seq = seq;
  o.push(evt, cur, ev);
  return cur;
};

dispatch[Ev.GoSwitch] = dispatch[Ev.GoSwitchDestroy] = (o, ev, evt, _m, gen, cur) => {
  userGo(cur);
  const curG = o.gStates.get(cur.g);
  if (!curG) throw new OrderError(`event ${o.evName(ev.type)} for goroutine (${cur.g}) that doesn't exist`);
  if (curG.status !== GoStatus.Running) {
    throw new OrderError(`${o.evName(ev.type)} event for goroutine that's not Running`);
  }
  const nextg = ev.a0;
  const seq = ev.a1; // The sequence number is the next goroutine's.
  const nextG = o.gStates.get(nextg);
  if (!nextG || nextG.status !== GoStatus.Waiting || !succeeds(gen, seq, nextG)) return null;
  o.push(evt, cur, ev);
  // A switch is the current goroutine blocking (or ending) and the next one starting, at the same time.
  if (ev.type === Ev.GoSwitch) {
    curG.status = GoStatus.Waiting;
    o.pushMade(evt, cur, Ev.GoBlock, ev.time, 0, 0);
  } else {
    o.gStates.delete(cur.g);
    o.pushMade(evt, cur, Ev.GoDestroy, ev.time);
  }
  nextG.status = GoStatus.Running;
  nextG.seqGen = gen;
  nextG.seq = seq;
  o.pushMade(evt, o.alt(cur, NoGoroutine), Ev.GoStart, ev.time, nextg, ev.a1);
  return o.ctx(cur, nextg, cur.p);
};

dispatch[Ev.GoSyscallBegin] = (o, ev, evt, _m, gen, cur) => {
  userGo(cur);
  const state = o.gStates.get(cur.g);
  if (!state) throw new OrderError(`event ${o.evName(ev.type)} for goroutine (${cur.g}) that doesn't exist`);
  if (state.status !== GoStatus.Running) {
    throw new OrderError(`${o.evName(ev.type)} event for goroutine that's not Running`);
  }
  state.status = GoStatus.Syscall;
  const ps = o.pStates.get(cur.p);
  if (!ps) throw new OrderError(`uninitialized proc ${cur.p} found during ${o.evName(ev.type)}`);
  ps.status = ProcStatus.Syscall;
  const pSeq = ev.a0;
  if (!succeeds(gen, pSeq, ps)) {
    throw new OrderError(
      `failed to advance ${o.evName(ev.type)}: can't make sequence: ${ps.seq} (gen=${ps.seqGen}) -> ${pSeq} (gen=${gen})`,
    );
  }
  ps.seqGen = gen;
  ps.seq = pSeq;
  o.push(evt, cur, ev);
  return cur;
};

dispatch[Ev.GoSyscallEnd] = (o, ev, evt, _m, _gen, cur) => {
  userGo(cur);
  const state = o.gStates.get(cur.g);
  if (!state) throw new OrderError(`event ${o.evName(ev.type)} for goroutine (${cur.g}) that doesn't exist`);
  if (state.status !== GoStatus.Syscall) {
    throw new OrderError(`${o.evName(ev.type)} event for goroutine that's not Running`);
  }
  state.status = GoStatus.Running;
  const ps = o.pStates.get(cur.p);
  if (!ps) throw new OrderError(`uninitialized proc ${cur.p} found during ${o.evName(ev.type)}`);
  if (ps.status !== ProcStatus.Syscall) {
    throw new OrderError(
      `expected proc ${cur.p} in state Syscall, but got ${procStatusNames[ps.status]} instead`,
    );
  }
  ps.status = ProcStatus.Running;
  o.push(evt, cur, ev);
  return cur;
};

dispatch[Ev.GoSyscallEndBlocked] = (o, ev, evt, _m, _gen, cur) => {
  if (cur.p !== NoProc) {
    const ps = o.pStates.get(cur.p);
    if (!ps) throw new OrderError(`uninitialized proc ${cur.p} found during ${o.evName(ev.type)}`);
    // The P must be stolen first: wait for the ProcSteal on another thread.
    if (ps.status === ProcStatus.Syscall) return null;
  }
  validateCtx(cur, Need.MustHave, Need.MayHave, Need.MustHave);
  const state = o.gStates.get(cur.g);
  if (!state) throw new OrderError(`event ${o.evName(ev.type)} for goroutine (${cur.g}) that doesn't exist`);
  if (state.status !== GoStatus.Syscall) {
    throw new OrderError(`${o.evName(ev.type)} event for goroutine that's not Running`);
  }
  state.status = GoStatus.Runnable;
  o.push(evt, cur, ev);
  return o.ctx(cur, NoGoroutine, cur.p);
};

dispatch[Ev.GoCreateSyscall] = (o, ev, evt, _m, gen, cur) => {
  validateCtx(cur, Need.MustHave, Need.MayHave, Need.MustNotHave);
  const newgid = ev.a0;
  if (o.gStates.has(newgid)) {
    throw new OrderError(`tried to create goroutine (${newgid}) in syscall that already exists`);
  }
  o.gStates.set(newgid, new GState(newgid, GoStatus.Syscall, gen, 0));
  o.push(evt, cur, ev);
  return o.ctx(cur, newgid, cur.p);
};

dispatch[Ev.GoDestroySyscall] = (o, ev, evt, _m, _gen, cur) => {
  validateCtx(cur, Need.MustHave, Need.MayHave, Need.MustHave);
  const state = o.gStates.get(cur.g);
  if (!state) throw new OrderError(`event ${o.evName(ev.type)} for goroutine (${cur.g}) that doesn't exist`);
  if (state.status !== GoStatus.Syscall) {
    throw new OrderError(`${o.evName(ev.type)} event for goroutine that's not Syscall`);
  }
  o.gStates.delete(cur.g);
  const next = o.ctx(cur, NoGoroutine, cur.p);
  if (cur.p !== NoProc) {
    const ps = o.pStates.get(cur.p);
    if (!ps) throw new OrderError(`found invalid proc ${cur.p} during ${o.evName(ev.type)}`);
    if (ps.status !== ProcStatus.Syscall) {
      throw new OrderError(
        `proc ${cur.p} in unexpected state ${procStatusNames[ps.status]} during ${o.evName(ev.type)}`,
      );
    }
    // The thread goes back to C with its P: that P is effectively stolen.
    ps.status = ProcStatus.SyscallAbandoned;
    next.p = NoProc;
    const extra = o.pushMade(evt, cur, Ev.ProcSteal, ev.time, cur.p);
    extra.a3 = ProcStatus.Syscall;
  }
  o.push(evt, cur, ev);
  return next;
};

dispatch[Ev.UserTaskBegin] = (o, ev, evt, _m, _gen, cur) => {
  const id = ev.a0;
  if (o.activeTasks.has(id)) throw new OrderError(`task ID conflict: ${id}`);
  let parent = ev.a1;
  if (parent === 0) {
    parent = NoTask;
    ev.a1 = NoTask;
  }
  const name = evt.strings.get(ev.a2);
  if (name === undefined) throw new OrderError(`invalid string ID ${ev.a2} for ${ev.type} event`);
  o.activeTasks.set(id, { name, parent });
  userGo(cur);
  o.push(evt, cur, ev);
  return cur;
};

dispatch[Ev.UserTaskEnd] = (o, ev, evt, _m, _gen, cur) => {
  const id = ev.a0;
  const ts = o.activeTasks.get(id);
  // The extra slots carry the task's parent and type to the end event.
  if (ts) {
    ev.a2 = ts.parent;
    ev.a3 = evt.addExtraString(ts.name);
    o.activeTasks.delete(id);
  } else {
    ev.a2 = NoTask;
    ev.a3 = evt.addExtraString("");
  }
  userGo(cur);
  o.push(evt, cur, ev);
  return cur;
};

function regionHandler(begin: boolean): Handler {
  return (o, ev, evt, _m, _gen, cur) => {
    userGo(cur);
    const tid = ev.a0;
    const name = evt.strings.get(ev.a1);
    if (name === undefined) throw new OrderError(`invalid string ID ${ev.a1} for ${ev.type} event`);
    const gs = o.gStates.get(cur.g);
    const which = begin ? "EvUserRegionBegin" : "EvUserRegionEnd";
    if (!gs) {
      throw new OrderError(`encountered ${which} without known state for current goroutine ${cur.g}`);
    }
    if (begin) {
      gs.regionTasks.push(tid);
      gs.regionNames.push(name);
    } else if (gs.regionTasks.length > 0) {
      const topTask = gs.regionTasks[gs.regionTasks.length - 1]!;
      const topName = gs.regionNames[gs.regionNames.length - 1]!;
      if (topTask !== tid || topName !== name) {
        throw new OrderError(
          `misuse of region in goroutine ${gs.id}: region end {${tid} ${name}} when the inner-most active region start event is {${topTask} ${topName}}`,
        );
      }
      gs.regionTasks.pop();
      gs.regionNames.pop();
    }
    o.push(evt, cur, ev);
    return cur;
  };
}
dispatch[Ev.UserRegionBegin] = regionHandler(true);
dispatch[Ev.UserRegionEnd] = regionHandler(false);

dispatch[Ev.GCActive] = (o, ev, evt, _m, gen, cur) => {
  const seq = ev.a0;
  if (gen === o.initialGen) {
    if (o.gcState !== GCState.Undetermined) {
      throw new OrderError("GCActive in the first generation isn't first GC event");
    }
    o.gcSeq = seq;
    o.gcState = GCState.Running;
    o.push(evt, cur, ev);
    return cur;
  }
  if (seq !== o.gcSeq + 1) return null;
  if (o.gcState !== GCState.Running)
    throw new OrderError("encountered GCActive while GC was not in progress");
  o.gcSeq = seq;
  userGo(cur);
  o.push(evt, cur, ev);
  return cur;
};

dispatch[Ev.GCBegin] = (o, ev, evt, _m, _gen, cur) => {
  const seq = ev.a0;
  if (o.gcState === GCState.Undetermined) {
    o.gcSeq = seq;
    o.gcState = GCState.Running;
    o.push(evt, cur, ev);
    return cur;
  }
  if (seq !== o.gcSeq + 1) return null;
  if (o.gcState === GCState.Running)
    throw new OrderError("encountered GCBegin while GC was already in progress");
  o.gcSeq = seq;
  o.gcState = GCState.Running;
  userGo(cur);
  o.push(evt, cur, ev);
  return cur;
};

dispatch[Ev.GCEnd] = (o, ev, evt, _m, _gen, cur) => {
  const seq = ev.a0;
  if (seq !== o.gcSeq + 1) return null;
  if (o.gcState === GCState.NotRunning) throw new OrderError("encountered GCEnd when GC was not in progress");
  if (o.gcState === GCState.Undetermined) {
    throw new OrderError("encountered GCEnd when GC was in an undetermined state");
  }
  o.gcSeq = seq;
  o.gcState = GCState.NotRunning;
  userGo(cur);
  o.push(evt, cur, ev);
  return cur;
};

dispatch[Ev.HeapAlloc] = dispatch[Ev.HeapGoal] = (o, ev, evt, _m, _gen, cur) => {
  validateCtx(cur, Need.MustHave, Need.MustHave, Need.MayHave);
  o.push(evt, cur, ev);
  return cur;
};

/** The proc a sweep event runs on; Go would crash on an unknown one, gotrace reports it. */
function procOf(o: Ordering, p: number, ev: BaseEvent): PState {
  const ps = o.pStates.get(p);
  if (!ps) throw new OrderError(`uninitialized proc ${p} found during ${o.evName(ev.type)}`);
  return ps;
}

dispatch[Ev.GCSweepBegin] = (o, ev, evt, _m, _gen, cur) => {
  validateCtx(cur, Need.MustHave, Need.MustHave, Need.MayHave);
  const err = procOf(o, cur.p, ev).beginRange(makeRangeType(ev.type, 0));
  if (err) throw new OrderError(err);
  o.push(evt, cur, ev);
  return cur;
};

dispatch[Ev.GCSweepActive] = (o, ev, evt, _m, gen, cur) => {
  const pid = ev.a0;
  const ps = o.pStates.get(pid);
  if (!ps) throw new OrderError(`encountered GCSweepActive for unknown proc ${pid}`);
  const err = ps.activeRange(makeRangeType(ev.type, 0), gen === o.initialGen);
  if (err) throw new OrderError(err);
  o.push(evt, cur, ev);
  return cur;
};

dispatch[Ev.GCSweepEnd] = (o, ev, evt, _m, _gen, cur) => {
  validateCtx(cur, Need.MustHave, Need.MustHave, Need.MayHave);
  const r = procOf(o, cur.p, ev).endRange(ev.type);
  if (typeof r === "string") throw new OrderError(r);
  o.push(evt, cur, ev);
  return cur;
};

dispatch[Ev.STWBegin] = dispatch[Ev.GCMarkAssistBegin] = (o, ev, evt, _m, _gen, cur) => {
  userGo(cur);
  const desc = ev.type === Ev.STWBegin ? ev.a0 : 0;
  const gs = o.gStates.get(cur.g);
  if (!gs) {
    throw new OrderError(
      `encountered event of type ${ev.type} without known state for current goroutine ${cur.g}`,
    );
  }
  const err = gs.beginRange(makeRangeType(ev.type, desc));
  if (err) throw new OrderError(err);
  o.push(evt, cur, ev);
  return cur;
};

dispatch[Ev.GCMarkAssistActive] = (o, ev, evt, _m, gen, cur) => {
  const gid = ev.a0;
  const gs = o.gStates.get(gid);
  if (!gs) throw new OrderError(`uninitialized goroutine ${gid} found during ${o.evName(ev.type)}`);
  const err = gs.activeRange(makeRangeType(ev.type, 0), gen === o.initialGen);
  if (err) throw new OrderError(err);
  o.push(evt, cur, ev);
  return cur;
};

dispatch[Ev.STWEnd] = dispatch[Ev.GCMarkAssistEnd] = (o, ev, evt, _m, _gen, cur) => {
  userGo(cur);
  const gs = o.gStates.get(cur.g);
  if (!gs) {
    throw new OrderError(
      `encountered event of type ${ev.type} without known state for current goroutine ${cur.g}`,
    );
  }
  const r = gs.endRange(ev.type);
  if (typeof r === "string") throw new OrderError(r);
  // The end of a stop-the-world carries the description of its begin.
  if (ev.type === Ev.STWEnd) ev.a0 = r.desc;
  o.push(evt, cur, ev);
  return cur;
};

const advanceAllocFree: Handler = (o, ev, evt, _m, _gen, cur) => {
  validateCtx(cur, Need.MustHave, Need.MayHave, Need.MayHave);
  o.push(evt, cur, ev);
  return cur;
};
for (let t = Ev.Span; t <= Ev.GoroutineStackFree; t++) dispatch[t] = advanceAllocFree;
