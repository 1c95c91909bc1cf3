/**
 * Checks a merged old trace for consistency (a P runs one goroutine at a
 * time, a goroutine is blocked before it is unblocked, …) and restores what
 * the runtime did not write: network unblocks move to the fake NetpollP, the
 * GC to GCP, and a goroutine's first start gets its creation stack. Error
 * texts are Go's (internal/trace/internal/tracev1 postProcessTrace).
 *
 * For Go 1.5–1.10 it first drops futile wakeups as Go's older parser did,
 * and keeps stop-the-world per P before 1.10, as those runtimes wrote it.
 */
import { quoteGo } from "../../format/go-quote.js";
import { TraceError } from "../errors.js";
import { ByGoroutine } from "./by-goroutine.js";
import type { V1Events, V1Trace } from "./events.js";
import { GCP, NetpollP, TimerP, V1, v1Specs } from "./spec.js";

/** Stack IDs (uint32, counting from 1) below this are looked up in an array. */
const denseStacks = 1 << 24;

const enum G {
  Dead = 0,
  Runnable = 1,
  Running = 2,
  Waiting = 3,
}

interface GDesc {
  state: G;
  /** Index of the event that last changed the goroutine's state, or −1. */
  ev: number;
  evStart: number;
  evCreate: number;
  evMarkAssist: number;
  /** A mark assist of this goroutine was seen (Go 1.5–1.10 bookkeeping). */
  assisted: boolean;
}

interface PDesc {
  running: boolean;
  g: number;
  evSweep: number;
  /** Before Go 1.10 a stop-the-world was per P. */
  evSTW: number;
}

/** An old event as Go's tracev1 Event.String prints it, for error messages. */
export function v1EventString(e: V1Events, i: number): string {
  const spec = v1Specs[e.type[i]!]!;
  let s = `${e.ts[i]} ${spec.name} p=${e.p[i]} g=${e.getG(i)} stk=${e.stk[i]}`;
  spec.args.forEach((a, k) => {
    s += ` ${a}=${e.arg(i, k)}`;
  });
  return s;
}

/**
 * Checks and completes the trace; returns the event order (futile wakeups
 * removed) and, for Go 1.5–1.10, the goroutines in a mark assist at the start.
 */
export function postProcess(trace: V1Trace): { order: Uint32Array; assistsAtStart: number[] } {
  const assistsAtStart: number[] = [];
  const e = trace.events;
  const order = trace.version < 11 ? removeFutile(e, trace.order) : trace.order;
  const gs = new ByGoroutine<GDesc>();
  const ps = new Map<number, PDesc>();
  const tasks = new Map<number, number>();
  const activeRegions = new Map<number, number[]>();
  const newG = (state: G): GDesc => ({
    state,
    ev: -1,
    evStart: -1,
    evCreate: -1,
    evMarkAssist: -1,
    assisted: false,
  });
  const getG = (g: number): GDesc => {
    let d = gs.get(g);
    if (!d) {
      d = newG(G.Dead);
      gs.set(g, d);
    }
    return d;
  };
  // Real Ps count from 0 and are few: an array for them, the map for the fake Ps and oddities.
  const denseP: PDesc[] = [];
  const getP = (p: number): PDesc => {
    if (p >= 0 && p < 1024 && Number.isInteger(p)) {
      while (denseP.length <= p) denseP.push({ running: false, g: 0, evSweep: -1, evSTW: -1 });
      return denseP[p]!;
    }
    let d = ps.get(p);
    if (!d) {
      d = { running: false, g: 0, evSweep: -1, evSTW: -1 };
      ps.set(p, d);
    }
    return d;
  };
  gs.set(0, newG(G.Running));
  // Which stack IDs name a non-empty stack: an array for the usual small IDs, the map for the rest.
  let maxDense = 0;
  for (const [id, pcs] of trace.stacks)
    if (pcs.length > 0 && id < denseStacks && id > maxDense) maxDense = id;
  const goodStack = new Uint8Array(maxDense + 1);
  for (const [id, pcs] of trace.stacks) if (pcs.length > 0 && id < denseStacks) goodStack[id] = 1;
  let evGC = -1;
  let evSTW = -1;
  const perPSTW = trace.version < 10;

  // The event at hand (set once per event, so the helpers below are made once).
  let i = 0;
  let typ = 0;
  let P = 0;
  let gid = 0;
  let ts = 0;
  const fail = (msg: string): never => {
    throw new TraceError(msg, e.off[i]);
  };
  const checkRunning = (p: PDesc, g: GDesc, allowG0: boolean): void => {
    const name = v1Specs[typ]!.name;
    if (g.state !== G.Running) fail(`g ${gid} is not running while ${name} (time ${ts})`);
    if (p.g !== gid) fail(`p ${P} is not running g ${gid} while ${name} (time ${ts})`);
    if (!allowG0 && gid === 0) fail(`g 0 did ${name} (time ${ts})`);
  };

  for (let k = 0; k < order.length; k++) {
    i = order[k]!;
    typ = e.type[i]!;
    P = e.p[i]!;
    gid = e.getG(i);
    ts = e.ts[i]!;
    switch (typ) {
      case V1.ProcStart: {
        const p = getP(P);
        if (p.running) fail(`p ${P} is running before start (time ${ts})`);
        p.running = true;
        break;
      }
      case V1.ProcStop: {
        const p = getP(P);
        if (!p.running) fail(`p ${P} is not running before stop (time ${ts})`);
        if (p.g !== 0) fail(`p ${P} is running a goroutine ${p.g} during stop (time ${ts})`);
        p.running = false;
        break;
      }
      case V1.GCStart:
        if (evGC >= 0) fail(`previous GC is not ended before a new one (time ${ts})`);
        evGC = i;
        // Attribute the GC to the global GC state.
        e.p[i] = GCP;
        break;
      case V1.GCDone:
        if (evGC < 0) fail(`bogus GC end (time ${ts})`);
        evGC = -1;
        break;
      case V1.STWStart:
        if (perPSTW) {
          const p = getP(P);
          if (p.evSTW >= 0) fail(`previous STW is not ended before a new one (time ${ts})`);
          p.evSTW = i;
        } else {
          if (evSTW >= 0) fail(`previous STW is not ended before a new one (time ${ts})`);
          evSTW = i;
        }
        break;
      case V1.STWDone:
        if (perPSTW) {
          const p = getP(P);
          if (p.evSTW < 0) fail(`bogus STW end (time ${ts})`);
          p.evSTW = -1;
        } else {
          if (evSTW < 0) fail(`bogus STW end (time ${ts})`);
          evSTW = -1;
        }
        break;
      case V1.GCSweepStart: {
        const p = getP(P);
        if (p.evSweep >= 0) fail(`previous sweeping is not ended before a new one (time ${ts})`);
        p.evSweep = i;
        break;
      }
      case V1.GCMarkAssistStart: {
        const g = getG(gid);
        if (g.evMarkAssist >= 0) fail(`previous mark assist is not ended before a new one (time ${ts})`);
        g.evMarkAssist = i;
        g.assisted = true;
        break;
      }
      case V1.GCMarkAssistDone: {
        // A mark assist can be under way when tracing starts: no error for an unmatched end.
        const g = getG(gid);
        if (g.evMarkAssist < 0 && trace.version < 11 && !g.assisted) assistsAtStart.push(gid);
        g.evMarkAssist = -1;
        g.assisted = true;
        break;
      }
      case V1.GCSweepDone: {
        const p = getP(P);
        if (p.evSweep < 0) fail(`bogus sweeping end (time ${ts})`);
        p.evSweep = -1;
        break;
      }
      case V1.GoWaiting:
      case V1.GoInSyscall: {
        const g = getG(gid);
        if (g.state !== G.Runnable)
          fail(`g ${gid} is not runnable before Ev${v1Specs[typ]!.name} (time ${ts})`);
        g.state = G.Waiting;
        g.ev = i;
        break;
      }
      case V1.GoCreate: {
        const g = getG(gid);
        checkRunning(getP(P), g, true);
        const child = e.getA0(i);
        if (gs.has(child)) fail(`g ${child} already exists (time ${ts})`);
        const d = newG(G.Runnable);
        d.ev = i;
        d.evCreate = i;
        gs.set(child, d);
        break;
      }
      case V1.GoStart:
      case V1.GoStartLabel: {
        const g = getG(gid);
        const p = getP(P);
        if (g.state !== G.Runnable) fail(`g ${gid} is not runnable before start (time ${ts})`);
        if (p.g !== 0) fail(`p ${P} is already running g ${p.g} while start g ${gid} (time ${ts})`);
        g.state = G.Running;
        g.evStart = i;
        p.g = gid;
        if (g.evCreate >= 0) {
          e.stk[i] = toUint32(e.getA1(g.evCreate));
          g.evCreate = -1;
        }
        g.ev = -1;
        break;
      }
      case V1.GoEnd:
      case V1.GoStop: {
        const g = getG(gid);
        const p = getP(P);
        checkRunning(p, g, false);
        g.evStart = -1;
        g.state = G.Dead;
        p.g = 0;
        if (typ === V1.GoEnd) activeRegions.delete(gid);
        break;
      }
      case V1.GoSched:
      case V1.GoPreempt: {
        const g = getG(gid);
        const p = getP(P);
        checkRunning(p, g, false);
        g.state = G.Runnable;
        g.evStart = -1;
        p.g = 0;
        g.ev = i;
        break;
      }
      case V1.GoUnblock: {
        const g = getG(gid);
        const p = getP(P);
        if (g.state !== G.Running) fail(`g ${gid} is not running while unpark (time ${ts})`);
        if (P !== TimerP && p.g !== gid) fail(`p ${P} is not running g ${gid} while unpark (time ${ts})`);
        const target = e.getA0(i);
        const g1 = getG(target);
        if (g1.state !== G.Waiting) fail(`g ${target} is not waiting before unpark (time ${ts})`);
        if (g1.ev >= 0 && e.type[g1.ev] === V1.GoBlockNet) e.p[i] = NetpollP;
        g1.state = G.Runnable;
        g1.ev = i;
        break;
      }
      case V1.GoSysCall: {
        const g = getG(gid);
        checkRunning(getP(P), g, false);
        g.ev = i;
        break;
      }
      case V1.GoSysBlock: {
        const g = getG(gid);
        const p = getP(P);
        checkRunning(p, g, false);
        g.state = G.Waiting;
        g.evStart = -1;
        p.g = 0;
        break;
      }
      case V1.GoSysExit: {
        const g = getG(gid);
        if (g.state !== G.Waiting) fail(`g ${gid} is not waiting during syscall exit (time ${ts})`);
        g.state = G.Runnable;
        g.ev = i;
        break;
      }
      case V1.GoSleep:
      case V1.GoBlock:
      case V1.GoBlockSend:
      case V1.GoBlockRecv:
      case V1.GoBlockSelect:
      case V1.GoBlockSync:
      case V1.GoBlockCond:
      case V1.GoBlockNet:
      case V1.GoBlockGC: {
        const g = getG(gid);
        const p = getP(P);
        checkRunning(p, g, false);
        g.state = G.Waiting;
        g.ev = i;
        g.evStart = -1;
        p.g = 0;
        break;
      }
      case V1.UserTaskCreate: {
        const id = e.getA0(i);
        const prev = tasks.get(id);
        if (prev !== undefined) {
          fail(
            `task id conflicts (id:${id}), ${quoteGo(v1EventString(e, i))} vs ${quoteGo(v1EventString(e, prev))}`,
          );
        }
        tasks.set(id, i);
        break;
      }
      case V1.UserTaskEnd:
        tasks.delete(e.getA0(i));
        break;
      case V1.UserRegion: {
        const mode = e.getA1(i);
        const regions = activeRegions.get(gid) ?? [];
        if (mode === 0) {
          regions.push(i);
          activeRegions.set(gid, regions);
        } else if (mode === 1) {
          const n = regions.length;
          if (n > 0) {
            const s = regions[n - 1]!;
            // Task ID and region name must match the innermost open region.
            if (e.getA0(s) !== e.getA0(i) || e.a2[s] !== e.a2[i]) {
              fail(
                `misuse of region in goroutine ${gid}: span end ${quoteGo(v1EventString(e, i))} when the inner-most active span start event is ${quoteGo(v1EventString(e, s))}`,
              );
            }
            if (n > 1) regions.pop();
            else activeRegions.delete(gid);
          }
        } else {
          fail(`invalid user region mode: ${quoteGo(v1EventString(e, i))}`);
        }
        break;
      }
    }
    // Events must not point at stacks that are missing or empty.
    const stk = e.stk[i]!;
    if (stk !== 0) {
      const good = stk < denseStacks ? goodStack[stk] === 1 : (trace.stacks.get(stk)?.length ?? 0) > 0;
      if (!good) e.stk[i] = 0;
    }
  }
  return { order, assistsAtStart };
}

/**
 * Removes futile wakeups (Go 1.5–1.10): a goroutine unblocked only to find
 * the resource taken and block again. The runtime marked them with a
 * FutileWakeup event; the unblock, the starts and preemptions in between,
 * the marker and the block that follows all go.
 */
function removeFutile(e: V1Events, order: Uint32Array): Uint32Array {
  interface W {
    futile: boolean;
    wakeup: number[];
  }
  const gs = new Map<number, W>();
  const futile = new Uint8Array(e.length);
  let removed = 0;
  const get = (g: number): W => {
    let w = gs.get(g);
    if (!w) {
      w = { futile: false, wakeup: [] };
      gs.set(g, w);
    }
    return w;
  };
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    switch (e.type[i]) {
      case V1.GoUnblock:
        get(e.getA0(i)).wakeup = [i];
        break;
      case V1.GoStart:
      case V1.GoPreempt:
      case V1.FutileWakeup: {
        const w = get(e.getG(i));
        w.wakeup.push(i);
        if (e.type[i] === V1.FutileWakeup) w.futile = true;
        break;
      }
      case V1.GoBlock:
      case V1.GoBlockSend:
      case V1.GoBlockRecv:
      case V1.GoBlockSelect:
      case V1.GoBlockSync:
      case V1.GoBlockCond: {
        const w = gs.get(e.getG(i));
        if (w?.futile) {
          for (const j of [i, ...w.wakeup]) {
            if (!futile[j]) removed++;
            futile[j] = 1;
          }
        }
        gs.delete(e.getG(i));
        break;
      }
    }
  }
  if (removed === 0) return order;
  const out = new Uint32Array(order.length - removed);
  let o = 0;
  for (let k = 0; k < order.length; k++) if (!futile[order[k]!]) out[o++] = order[k]!;
  return out;
}

function toUint32(v: number): number {
  return v < 2 ** 32 ? v : Number(BigInt.asUintN(32, BigInt(Math.min(v, 2 ** 64 - 1))));
}
