/**
 * The cross-thread ordering of a modern trace: a state machine over
 * goroutines, procs and threads that decides whether the next event of a
 * thread may happen now, using sequence numbers and states. Events it
 * accepts are queued (sometimes with events it synthesises) for the reader.
 *
 * This follows Go's internal/trace ordering rule for rule, including its
 * error wording, so that the same traces succeed and fail.
 */
import { eventName } from "../../format/v2/version.js";
import { Event, NoGoroutine, NoProc, NoThread } from "../event.js";
import { dispatch } from "./order-handlers.js";
import {
  type BaseEvent,
  GCState,
  type GState,
  type MState,
  type MStateRef,
  OrderError,
  type PState,
  type SchedCtx,
  type StandaloneLog,
  standalone,
  unknownBase,
} from "./order-state.js";
import type { EvTable } from "./table.js";

export {
  type BaseEvent,
  type MState,
  type MStateRef,
  OrderError,
  type SchedCtx,
  StandaloneLog,
} from "./order-state.js";

export class Ordering {
  readonly gStates = new Map<number, GState>();
  readonly pStates = new Map<number, PState>();
  readonly mStates = new Map<number, MState>();
  readonly activeTasks = new Map<number, { name: string; parent: number }>();
  gcSeq = 0;
  gcState = GCState.Undetermined;
  initialGen = 0;
  /** Set for a read that starts at a later generation (see StandaloneLog). */
  log: StandaloneLog | undefined;
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
          if (this.log) {
            // What the thread held before these generations is not known here.
            const unknown = unknownBase - this.log.threads.length;
            this.log.threads.push(m);
            ms = { g: unknown, p: unknown };
          } else ms = { g: NoGoroutine, p: NoProc };
          this.mStates.set(m, ms);
        }
        // Thread states are never replaced or removed, so the caller may keep this one.
        if (known) known.mState = ms;
      }
      cur.p = ms.p;
      cur.g = ms.g;
    }
    standalone.log = this.log;
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
