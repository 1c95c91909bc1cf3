/**
 * Reading a modern trace in parts, in parallel, with the result of one
 * sequential read.
 *
 * Each generation restates the status of every goroutine and proc, so a
 * run of generations can be read on its own (`readPart`), as if the trace
 * began there. That read differs from the sequential one only where the
 * ordering would have used what came before: the previous state in status
 * events, what each thread held (its goroutine and proc), the type of a
 * task begun earlier, and the checks that compare with those (a region or
 * range already open, the GC sequence). `Stitcher` takes the parts in
 * order, keeps the state the earlier parts left, fills in what each part
 * could not know, and checks every assumption the part made. A part that
 * does not fit is refused before its first event is delivered, or at the
 * first event that differs; the caller then reads sequentially from the
 * start and skips the events already delivered, so the output is always
 * exactly the sequential read's, errors included.
 */
import { Ev, ProcStatus } from "../../format/v2/spec.js";
import { TraceError } from "../errors.js";
import { type Event, EvSync, goStatusToState, NoGoroutine, NoProc, ProcState } from "../event.js";
import { type EventBatch, EventBatcher, EventReplayer } from "../event-batch.js";
import { toInt64 } from "./batch.js";
import { otherThreadUnknown, unknownBefore } from "./order-handlers.js";
import { Assume, GCState, isUnknown, unknownBase } from "./order-state.js";
import { ReaderV2 } from "./reader.js";

/** What reading one part gives: plain data, so a worker thread can send it. */
export interface PartRead {
  readonly batches: EventBatch[];
  /** Absolute ns of the part's own time 0. */
  readonly originNs: number;
  readonly events: number;
  readonly error?: { readonly reason: string; readonly offset?: number; readonly generation?: number };
  /** Threads met with unknown state, by unknown index, and the assumptions made about them (flat triples). */
  readonly threads: number[];
  readonly assumptions: number[];
  /** State at the part's end: flat pairs (goroutine, status), (proc, status), triples (thread, g, p). */
  readonly goroutines: number[];
  readonly procs: number[];
  readonly threadStates: number[];
}

/** Reads bytes [offset, offset + bytes.length) of a trace of version `version`: whole generations. */
export function readPart(bytes: Uint8Array, version: number, offset: number, first: boolean): PartRead {
  const r = new ReaderV2(version, offset);
  const log = first ? undefined : r.startsLater();
  r.push(bytes);
  r.end();
  const batches: EventBatch[] = [];
  const batcher = new EventBatcher((b) => batches.push(b));
  let events = 0;
  let error: PartRead["error"];
  try {
    r.drain((ev) => {
      batcher.push(ev);
      events++;
    });
  } catch (e) {
    if (!(e instanceof TraceError)) throw e;
    error = { reason: e.reason, offset: e.offset, generation: e.generation };
  }
  batcher.flush();
  const o = r.ordering;
  const goroutines: number[] = [];
  for (const [id, s] of o.gStates) goroutines.push(id, s.status);
  const procs: number[] = [];
  for (const [id, s] of o.pStates) procs.push(id, s.status);
  const threadStates: number[] = [];
  for (const [id, s] of o.mStates) threadStates.push(id, s.g, s.p);
  return {
    batches,
    originNs: r.originNs,
    events,
    ...(error && { error }),
    threads: log ? log.threads : [],
    assumptions: log ? log.assumptions : [],
    goroutines,
    procs,
    threadStates,
  };
}

/** The previous state a ProcStatus implies, as the ordering words it. */
const procOldState: readonly ProcState[] = [
  ProcState.Undetermined,
  ProcState.Running,
  ProcState.Idle,
  ProcState.Running,
  ProcState.Idle,
];

interface Range {
  readonly typ: number;
  readonly desc: number;
}

/** The begin event a range event belongs to (STW, mark assist, sweep). */
const rangeStart: Record<number, number> = {
  [Ev.STWBegin]: Ev.STWBegin,
  [Ev.STWEnd]: Ev.STWBegin,
  [Ev.GCMarkAssistBegin]: Ev.GCMarkAssistBegin,
  [Ev.GCMarkAssistEnd]: Ev.GCMarkAssistBegin,
  [Ev.GCMarkAssistActive]: Ev.GCMarkAssistBegin,
  [Ev.GCSweepBegin]: Ev.GCSweepBegin,
  [Ev.GCSweepEnd]: Ev.GCSweepBegin,
  [Ev.GCSweepActive]: Ev.GCSweepBegin,
};

/** Why a part cannot be used as read. */
export class PartMismatch extends Error {}

export class Stitcher {
  /** Events delivered so far (a sequential read that takes over skips them). */
  delivered = 0;
  syncs = 0;
  originNs = 0;
  private part = 0;
  private lastTime = Number.NEGATIVE_INFINITY;
  private readonly replayer = new EventReplayer();
  // The state earlier parts left.
  private readonly goroutines = new Map<number, number>();
  private readonly procs = new Map<number, number>();
  /** Goroutines that ended in the part being added. */
  private ended: number[] = [];
  private readonly threads = new Map<number, { g: number; p: number }>();
  // What the checks of later generations need, kept over every part in order.
  private readonly tasks = new Map<number, { parent: number; name: string; part: number }>();
  private readonly regions = new Map<number, { task: number; name: string; part: number }[]>();
  private readonly gRanges = new Map<number, (Range & { part: number })[]>();
  private readonly pRanges = new Map<number, (Range & { part: number })[]>();
  private gcSeq = 0;
  private gcState = GCState.Undetermined;

  constructor(private readonly onEvent: (ev: Event) => void) {}

  /**
   * Delivers the events of the next part (the last one if `last`). Throws
   * PartMismatch, having delivered only events the sequential read gives
   * too, when the part does not fit what came before.
   */
  add(part: PartRead, last: boolean): void {
    const k = this.part++;
    if (part.error) throw new PartMismatch(`part ${k}: ${part.error.reason}`);
    if (k === 0) this.originNs = part.originNs;
    else this.checkAssumptions(part, k);
    const delta = part.originNs - this.originNs;
    const syncsBefore = this.syncs;
    let index = 0;
    let syncInPart = 0;
    const n = part.events;
    const each = (ev: Event) => {
      index++;
      // A part ends with the read's closing Sync; only the last part's is the trace's.
      if (!last && index === n && ev.type === EvSync && !ev.table) return;
      ev.time += delta;
      if (ev.time <= this.lastTime) ev.time = this.lastTime + 1;
      this.lastTime = ev.time;
      if (ev.type === EvSync) {
        ev.a0 += syncsBefore;
        this.syncs++;
        syncInPart++;
      }
      if (k > 0) this.patch(ev, part, k, syncInPart === 1);
      this.mirror(ev, k, k > 0 && syncInPart === 1);
      this.onEvent(ev);
      this.delivered++;
    };
    // Each batch is let go once replayed: a part can hold millions of events.
    const batches = part.batches as (EventBatch | undefined)[];
    for (let i = 0; i < batches.length; i++) {
      const b = batches[i]!;
      batches[i] = undefined;
      this.replayer.replay(b, each);
    }
    this.keepEndState(part);
  }

  /** What thread k's unknown stood for: the thread's state when the part began. */
  private before(part: PartRead, unknown: number): { g: number; p: number } {
    const thread = part.threads[unknownBase - unknown]!;
    return this.threads.get(thread) ?? { g: NoGoroutine, p: NoProc };
  }

  private checkAssumptions(part: PartRead, k: number): void {
    const a = part.assumptions;
    for (let i = 0; i < a.length; i += 3) {
      const was = this.before(part, a[i]!);
      const code = a[i + 1] as Assume;
      const ok =
        code === Assume.PNone
          ? was.p === NoProc
          : code === Assume.PSome
            ? was.p !== NoProc
            : code === Assume.GNone
              ? was.g === NoGoroutine
              : code === Assume.GSome
                ? was.g !== NoGoroutine
                : was.g === a[i + 2];
      if (!ok) {
        const thread = part.threads[unknownBase - a[i]!];
        throw new PartMismatch(
          `part ${k}: thread ${thread} held g ${was.g}, p ${was.p} before it, not what it assumed`,
        );
      }
    }
  }

  /** Fills in what the part could not know, or refuses the event. */
  private patch(ev: Event, part: PartRead, k: number, firstGeneration: boolean): void {
    if (isUnknown(ev.g)) ev.g = this.before(part, ev.g).g;
    if (isUnknown(ev.p)) ev.p = this.before(part, ev.p).p;
    switch (ev.type) {
      case Ev.ProcStatus: {
        if (ev.a2 < unknownBefore) break;
        const status = ev.a1 % 256;
        const was = this.procs.get(ev.a0);
        if (was === undefined) ev.a2 = ProcState.NotExist;
        else if (status === ProcStatus.SyscallAbandoned || was !== status)
          throw new PartMismatch(`part ${k}: proc ${ev.a0}'s status differs from the part before`);
        else ev.a2 = procOldState[status]!;
        break;
      }
      case Ev.GoStatus:
      case Ev.GoStatusStack: {
        const high = Math.floor(ev.a2 / 2 ** 32);
        if (high < unknownBefore) break;
        const status = ev.a2 % 2 ** 32;
        let old = high % unknownBefore;
        if (high & unknownBefore) {
          if (this.goroutines.get(ev.a0) !== status)
            throw new PartMismatch(`part ${k}: goroutine ${ev.a0}'s status differs from the part before`);
          old = goStatusToState[status]!;
        }
        if (high & otherThreadUnknown) {
          const was = this.threads.get(toInt64(ev.a1));
          if (was) {
            if (was.g !== ev.a0 || was.p !== NoProc)
              throw new PartMismatch(`part ${k}: thread ${ev.a1} held another goroutine or a proc`);
            ev.g = ev.a0;
          }
        }
        ev.a2 = old * 2 ** 32 + status;
        break;
      }
      case Ev.UserTaskEnd: {
        const t = this.tasks.get(ev.a0);
        if (t && t.part < k) {
          ev.a2 = t.parent;
          ev.a3 = ev.table!.addExtraString(t.name);
        }
        break;
      }
    }
    if (firstGeneration && ev.type === Ev.GCActive) {
      if (this.gcState !== GCState.Running || ev.a0 !== this.gcSeq + 1)
        throw new PartMismatch(`part ${k}: GC sequence differs from the part before`);
    }
  }

  /** Keeps what later parts are checked against, checking this part's events that depend on earlier ones. */
  private mirror(ev: Event, k: number, firstGeneration: boolean): void {
    switch (ev.type) {
      case Ev.UserTaskBegin:
        if (k > 0 && this.tasks.has(ev.a0)) this.refuse(k, `task ${ev.a0} begun twice`);
        this.tasks.set(ev.a0, { parent: ev.a1, name: ev.str(ev.a2), part: k });
        break;
      case Ev.UserTaskEnd:
        this.tasks.delete(ev.a0);
        break;
      case Ev.UserRegionBegin: {
        let stack = this.regions.get(ev.g);
        if (!stack) {
          stack = [];
          this.regions.set(ev.g, stack);
        }
        stack.push({ task: ev.a0, name: ev.str(ev.a1), part: k });
        break;
      }
      case Ev.UserRegionEnd: {
        const stack = this.regions.get(ev.g);
        const top = stack?.[stack.length - 1];
        if (!top) break;
        if (top.part < k && (top.task !== ev.a0 || top.name !== ev.str(ev.a1)))
          this.refuse(k, "region misuse");
        stack!.pop();
        break;
      }
      case Ev.GoDestroy:
      case Ev.GoDestroySyscall:
        this.ended.push(ev.g);
        this.regions.delete(ev.g);
        this.gRanges.delete(ev.g);
        break;
      case Ev.GCBegin:
      case Ev.GCEnd:
      case Ev.GCActive: {
        const seq = ev.a0;
        if (k > 0 && this.gcState !== GCState.Undetermined && seq !== this.gcSeq + 1)
          this.refuse(k, "GC sequence differs from the part before");
        if (ev.type === Ev.GCActive && k === 0 && this.gcState === GCState.Undetermined) {
          this.gcState = GCState.Running;
        } else if (ev.type === Ev.GCBegin) {
          if (k > 0 && this.gcState === GCState.Running) this.refuse(k, "GC begun twice");
          this.gcState = GCState.Running;
        } else if (ev.type === Ev.GCEnd) {
          this.gcState = GCState.NotRunning;
        }
        this.gcSeq = seq;
        break;
      }
    }
    const start = rangeStart[ev.type];
    if (start === undefined) return;
    const onProc = start === Ev.GCSweepBegin;
    const active = ev.type === Ev.GCSweepActive || ev.type === Ev.GCMarkAssistActive;
    const id = active ? ev.a0 : onProc ? ev.p : ev.g;
    const all = onProc ? this.pRanges : this.gRanges;
    let list = all.get(id);
    if (!list) {
      list = [];
      all.set(id, list);
    }
    const desc = ev.type === Ev.STWBegin ? ev.a0 : 0;
    if (ev.type === start) {
      if (k > 0 && list.some((r) => r.typ === start && r.desc === desc && r.part < k))
        this.refuse(k, "range begun twice");
      list.push({ typ: start, desc, part: k });
    } else if (active) {
      const has = list.some((r) => r.typ === start);
      if (firstGeneration && !has) this.refuse(k, "an active range the part before did not have");
      if (!has) list.push({ typ: start, desc: 0, part: k });
    } else {
      const i = list.findIndex((r) => r.typ === start);
      if (i >= 0) {
        list[i] = list[list.length - 1]!;
        list.pop();
      }
    }
  }

  private refuse(k: number, what: string): never {
    throw new PartMismatch(`part ${k}: ${what}`);
  }

  /**
   * The state after the part: what the part left for what it met (its read
   * began from their restated status, checked against ours), and ours for the
   * rest, less the goroutines that ended in it (procs never end).
   */
  private keepEndState(part: PartRead): void {
    const g = this.goroutines;
    for (const id of this.ended) g.delete(id);
    this.ended = [];
    for (let i = 0; i < part.goroutines.length; i += 2) g.set(part.goroutines[i]!, part.goroutines[i + 1]!);
    const p = this.procs;
    for (let i = 0; i < part.procs.length; i += 2) p.set(part.procs[i]!, part.procs[i + 1]!);
    const t = part.threadStates;
    const resolved: [number, { g: number; p: number }][] = [];
    for (let i = 0; i < t.length; i += 3) {
      let tg = t[i + 1]!;
      let tp = t[i + 2]!;
      if (isUnknown(tg)) tg = this.before(part, tg).g;
      if (isUnknown(tp)) tp = this.before(part, tp).p;
      resolved.push([t[i]!, { g: tg, p: tp }]);
    }
    for (const [id, s] of resolved) this.threads.set(id, s);
  }
}
