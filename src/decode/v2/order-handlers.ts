/**
 * One handler per event type: whether the event may happen now given the
 * ordering's state (null: not yet, another thread must go first), its effect
 * on that state, and the context it leaves the thread in. Rule for rule as
 * Go's internal/trace order.go, with its error wording.
 */
import { Ev, GoStatus, ProcStatus } from "../../format/v2/spec.js";
import { GoState, goStatusToState, NoGoroutine, NoProc, NoTask, NoThread, ProcState } from "../event.js";
import { toInt64 } from "./batch.js";
import type { Ordering } from "./order.js";
import {
  Assume,
  type BaseEvent,
  GCState,
  GState,
  goStatusNames,
  type Handler,
  isUnknown,
  makeRangeType,
  Need,
  OrderError,
  PState,
  procStatusNames,
  succeeds,
  userGo,
  validateCtx,
} from "./order-state.js";

export const dispatch: (Handler | undefined)[] = [];

/**
 * Flags a read of some generations on its own adds to a status event's
 * previous state (ProcStatus: a2; GoStatus: a2's high part), for the caller
 * to resolve against the earlier generations: the proc or goroutine had no
 * state in this read, or (GoStatus) neither had the thread it names.
 */
export const unknownBefore = 16;
export const otherThreadUnknown = 32;

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
  // Read on its own: whether the proc existed before is for the caller to say.
  if (o.log && !s) ev.a2 += unknownBefore;
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
  if (isUnknown(cur.p)) o.log!.assume(cur.p, Assume.PNone);
  else if (cur.p !== NoProc) return null;
  if (!state || state.status !== ProcStatus.Idle || !succeeds(gen, seq, state)) return null;
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
  // Read on its own: the goroutine's state before is for the caller to say.
  if (o.log && !s) ev.a2 += unknownBefore * 2 ** 32;
  const next = o.ctx(cur, cur.g, cur.p);
  let ctx = cur;
  if (status === GoStatus.Running) {
    next.g = gid;
  } else if (status === GoStatus.Syscall) {
    if (mid === NoThread) throw new OrderError(`found goroutine ${gid} in syscall without a thread`);
    if (mid === cur.m) {
      if (isUnknown(cur.g)) o.log!.assume(cur.g, Assume.GIs, gid);
      else if ((gen !== o.initialGen || o.log) && cur.g !== gid) {
        throw new OrderError(
          `inconsistent thread for syscalling goroutine ${gid}: thread has goroutine ${cur.g}`,
        );
      }
      next.g = gid;
    } else {
      ctx = o.alt(cur, cur.g);
      const ms = o.mStates.get(mid);
      if (ms && (isUnknown(ms.g) || isUnknown(ms.p))) {
        // The thread's state from before, as the sequential read would have it:
        // this goroutine, and (the runtime takes every P back at a generation's
        // start) no proc. Both are assumptions the caller checks.
        if (isUnknown(ms.g)) o.log!.assume(ms.g, Assume.GIs, gid);
        else if (ms.g !== gid) {
          throw new OrderError(
            `inconsistent thread for syscalling goroutine ${gid}: thread has goroutine ${ms.g}`,
          );
        }
        if (isUnknown(ms.p)) {
          o.log!.assume(ms.p, Assume.PNone);
          ms.p = NoProc;
        }
        ms.g = gid;
        ctx.g = gid;
      } else if (ms) {
        if (ms.g !== gid) {
          throw new OrderError(
            `inconsistent thread for syscalling goroutine ${gid}: thread has goroutine ${ms.g}`,
          );
        }
        ctx.g = ms.g;
      } else {
        o.mStates.set(mid, { g: gid, p: NoProc });
        // Read on its own: whether the thread was known before is for the caller to say.
        if (o.log) ev.a2 += otherThreadUnknown * 2 ** 32;
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
  // Read on its own, a thread met first here gave up its proc before (the caller checks).
  if (isUnknown(cur.p)) o.log!.assume(cur.p, Assume.PNone);
  else if (cur.p !== NoProc) {
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
