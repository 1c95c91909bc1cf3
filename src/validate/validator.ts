/**
 * An independent checker for a stream of decoded events: gotrace's
 * counterpart of the validator in Go's internal/trace/testtrace, which every
 * trace in Go's own tests passes through. It keeps its own model of which
 * goroutine and proc runs on which thread, which ranges and tasks are open and
 * where the Sync count stands, and checks each event against it.
 *
 * The rules and their tolerances are Go's, no more and no fewer, so that a
 * trace Go's tests accept passes here and one they reject fails here. Where
 * Go is lenient the comment says why.
 */

import {
  BackgroundTask,
  type ClockSnapshot,
  type Event,
  EventKind,
  GoState,
  goStateNames,
  NoGoroutine,
  NoProc,
  NoTask,
  NoThread,
  ProcState,
  procStateNames,
  ResourceKind,
  resourceKindNames,
  type Stack,
  stackFrames,
} from "../decode/event.js";
import { formatEvent } from "../decode/event-string.js";
import { readTrace, type TraceReader } from "../decode/reader.js";
import type { EvTable } from "../decode/v2/table.js";
import { quoteGo } from "../format/go-quote.js";
import { currentVersion } from "../format/v2/version.js";

/** Every violation one event caused (Go reports them all, joined), and where. */
export class ValidationError extends Error {
  constructor(
    /** One line per broken rule, worded as Go words it. */
    readonly reasons: readonly string[],
    /** The offending event. */
    readonly event: Event,
    /** Its 0-based position in the stream. */
    readonly index: number,
  ) {
    super(`${reasons.join("\n")}\n(event #${index}: ${formatEvent(event, 0).split("\n")[0]})`);
    this.name = "ValidationError";
  }
}

export interface ValidatorOptions {
  /** N of the header `go 1.N trace` (Go's Validator.GoVersion); default: the newest version gotrace knows. */
  goVersion?: number;
  /**
   * Skip the "clock readings increase from one generation to the next" checks, as Go
   * does on Windows and wasm, whose clocks are too coarse to promise it.
   */
  skipClockSnapshotChecks?: boolean;
}

/** What runs on one thread, as the validator has tracked it (Go's schedContext). */
interface SchedContext {
  readonly m: number;
  p: number;
  g: number;
}

interface ResourceState {
  /** A GoState or ProcState. */
  state: number;
  /** The thread it is executing on, while it is. */
  binding: SchedContext | undefined;
}

interface SyncSeen {
  readonly n: number;
  readonly clockSnapshot: ClockSnapshot | undefined;
}

/** Go's time.Time zero value is 1 January of year 1, UTC: this many seconds before the Unix epoch. */
const goZeroTimeUnixSec = -62135596800;

export class Validator {
  /** Go's Validator.GoVersion: it may be set between events, as Go's tests do from the reader. */
  goVersion: number;
  skipClockSnapshotChecks: boolean;

  private seenAny = false;
  private lastTs = 0;
  private lastSync: SyncSeen = { n: 0, clockSnapshot: undefined };
  private readonly gs = new Map<number, ResourceState>();
  private readonly ps = new Map<number, ResourceState>();
  private readonly ms = new Map<number, SchedContext>();
  /** Active range names per resource, keyed by `${kind}:${id}`. */
  private readonly ranges = new Map<string, string[]>();
  /** Task id → type, for tasks whose begin was seen and whose end was not. */
  private readonly tasks = new Map<number, string>();
  /** Stacks already found well-formed, per table: the check only depends on the table, so once is enough. */
  private readonly goodStacks = new WeakMap<EvTable, Set<number>>();
  private index = 0;
  private errs: string[] = [];

  constructor(options: ValidatorOptions = {}) {
    this.goVersion = options.goVersion ?? currentVersion;
    this.skipClockSnapshotChecks = options.skipClockSnapshotChecks ?? false;
  }

  /** Checks `ev` as the next event of the stream; throws a ValidationError listing every rule it breaks. */
  event(ev: Event): void {
    this.checkTime(ev);
    this.checkStack(ev.stack());
    switch (ev.kind) {
      case EventKind.Sync:
        this.checkSync(ev);
        break;
      case EventKind.Metric: {
        // Go also rejects a metric whose value is not of a known kind; gotrace's
        // metric values are always unsigned integers, so that check has nothing to see.
        const name = ev.metric().name;
        // runtime/metrics names end in ":unit".
        if (!name.includes(":")) this.fail(`invalid metric name ${quoteGo(name)}`);
        break;
      }
      case EventKind.Label:
        this.checkLabel(ev);
        break;
      case EventKind.StackSample:
        // A stack and a scheduling context, which for samples need not agree with the
        // other events (the sample is taken by a signal); the stack was checked above.
        break;
      case EventKind.StateTransition:
        this.checkTransition(ev);
        break;
      case EventKind.RangeBegin:
      case EventKind.RangeActive:
      case EventKind.RangeEnd:
        this.checkRange(ev);
        break;
      case EventKind.TaskBegin:
        this.checkTaskBegin(ev);
        break;
      case EventKind.TaskEnd:
        this.checkTaskEnd(ev);
        break;
      case EventKind.Log:
        // Category and message are the user's own and the task may be unknown, so
        // all Go asks is that the details can be read.
        ev.log();
        break;
      // Regions, experimental events: Go does not check them. A region may legitimately
      // end without a begin (it began before tracing started), so there is nothing to enforce.
    }
    const index = this.index++;
    if (this.errs.length > 0) {
      const reasons = this.errs;
      this.errs = [];
      throw new ValidationError(reasons, ev, index);
    }
  }

  private fail(reason: string): void {
    this.errs.push(reason);
  }

  private checkTime(ev: Event): void {
    // Go treats a last time of 0 as "no event yet", which is sound for its absolute
    // times. gotrace's times count from the trace's start, so the first event is at 0
    // and "no event yet" needs its own flag.
    if (this.seenAny && ev.time <= this.lastTs) {
      this.fail(`timestamp out-of-order (want > ${this.lastTs}) for ${formatEvent(ev, 0)}`);
      return; // Go keeps the old last time after a violation.
    }
    this.seenAny = true;
    this.lastTs = ev.time;
  }

  private checkStack(stk: Stack): void {
    if (stk.id === 0) return;
    const t = stk.table;
    // Go's Stack.Frames panics on an id its table lacks; report it instead.
    if (!t?.stacks.has(stk.id)) {
      this.fail(`stack ${stk.id} is not in its generation's stack table`);
      return;
    }
    let good = this.goodStacks.get(t);
    if (good?.has(stk.id)) return;
    const frames = stackFrames(stk);
    let ok = true;
    // Go lets the first frame be empty (its comment: "allow for one fully zero stack",
    // cause not yet investigated); every other frame needs all four fields. Go 1.5 and
    // 1.6 traces hold PCs only (gotrace names the frames by PC): no file or line to check.
    const pcOnly = this.goVersion < 7;
    for (let i = 1; i < frames.length; i++) {
      const f = frames[i]!;
      if (f.func === "" || f.pc === 0 || (!pcOnly && (f.file === "" || f.line === 0))) {
        this.fail(
          `invalid stack frame {PC:0x${f.pc.toString(16)} Func:${quoteGo(f.func)} File:${quoteGo(f.file)} Line:${f.line}}: missing information`,
        );
        ok = false;
      }
    }
    if (!ok) return;
    if (!good) {
      good = new Set();
      this.goodStacks.set(t, good);
    }
    good.add(stk.id);
  }

  private checkSync(ev: Event): void {
    const s = ev.sync();
    if (s.n !== this.lastSync.n + 1) {
      this.fail(`sync count is not sequential: expected ${this.lastSync.n + 1}, got ${s.n}`);
    }
    // Go 1.25+ traces carry a clock snapshot in every generation. The Sync the reader
    // adds after the last generation (or before an error) belongs to no generation and
    // has none; Go exempts it (N > 1 without a snapshot), and so does this.
    if (this.goVersion >= 25 && !(s.n > 1 && s.clockSnapshot === undefined)) {
      const cs = s.clockSnapshot;
      if (!cs) {
        this.fail(`sync ${s.n} has no clock snapshot`);
      } else {
        const wall = goWall(cs);
        if (wall.sec === goZeroTimeUnixSec && wall.nsec === 0) this.fail(`sync ${s.n} has zero wall time`);
        if (cs.mono === 0n) this.fail(`sync ${s.n} has zero mono time`);
        if (cs.traceNs === 0) this.fail(`sync ${s.n} has zero trace time`);
        if (!this.skipClockSnapshotChecks && s.n >= 2) this.checkClockIncrease(s.n, cs);
      }
    }
    this.lastSync = s;
  }

  private checkClockIncrease(n: number, cs: ClockSnapshot): void {
    const prev = this.lastSync.clockSnapshot;
    if (!prev) {
      // Go dereferences the previous snapshot here and would crash.
      this.fail(`sync ${n} follows sync ${this.lastSync.n}, which has no clock snapshot`);
      return;
    }
    const wall = goWall(cs);
    const prevWall = goWall(prev);
    if (!(wall.sec > prevWall.sec || (wall.sec === prevWall.sec && wall.nsec > prevWall.nsec))) {
      this.fail(
        `sync ${n} has non-increasing wall time: ${wall.sec}.${wall.nsec} vs ${prevWall.sec}.${prevWall.nsec}`,
      );
    }
    if (!(cs.mono > prev.mono))
      this.fail(`sync ${n} has non-increasing mono time: ${cs.mono} vs ${prev.mono}`);
    if (!(cs.traceNs > prev.traceNs)) {
      this.fail(`sync ${n} has non-increasing trace time: ${cs.traceNs} vs ${prev.traceNs}`);
    }
  }

  private checkLabel(ev: Event): void {
    const l = ev.label();
    if (l.label === "") this.fail(`invalid label ${quoteGo(l.label)}`);
    switch (l.resource.kind) {
      case ResourceKind.None:
        this.fail("label resource none");
        break;
      case ResourceKind.Goroutine:
        if (!this.gs.has(l.resource.id)) this.fail(`label for invalid goroutine ${l.resource.id}`);
        break;
      case ResourceKind.Proc:
        if (!this.ps.has(l.resource.id)) this.fail(`label for invalid proc ${l.resource.id}`);
        break;
      case ResourceKind.Thread:
        if (!this.ms.has(l.resource.id)) this.fail(`label for invalid thread ${l.resource.id}`);
        break;
    }
  }

  private checkTransition(ev: Event): void {
    const tr = ev.stateTransition();
    this.checkStack(tr.stack);
    const id = tr.resource.id;
    if (tr.resource.kind === ResourceKind.Goroutine) {
      const from = tr.from as GoState;
      const to = tr.to as GoState;
      if (to === GoState.Undetermined) this.fail(`transition to undetermined state for goroutine ${id}`);
      // Undetermined is how a goroutine first shows up in the first generation, whose
      // start the reader could not see; from the second Sync on, every goroutine's
      // state is known, so Undetermined is wrong there.
      if (this.lastSync.n > 1 && from === GoState.Undetermined) {
        this.fail(`undetermined goroutine ${id} after first global sync`);
      }
      if (to === GoState.NotExist && this.hasAnyRange(ResourceKind.Goroutine, id)) {
        this.fail(`goroutine ${id} died with active ranges`);
      }
      const state = this.track(this.gs, "goroutine", id, from, to, goStateNames);
      if (goExecuting(to)) {
        const ctx = this.threadOf(ev);
        if (ctx) {
          if (ctx.g !== NoGoroutine && ctx.g !== id) {
            this.fail(
              `tried to run goroutine ${id} when one was already executing (${ctx.g}) on thread ${ev.m}`,
            );
          }
          ctx.g = id;
          state.binding = ctx;
        }
      } else if (goExecuting(from)) {
        // The goroutine stopping is the one the event ran on, so both stacks are the same stack.
        if (!sameStack(tr.stack, ev.stack())) this.fail("StateTransition.Stack doesn't match Event.Stack");
        const ctx = state.binding;
        if (ctx) {
          if (ctx.g !== id) {
            this.fail(
              `tried to stop goroutine ${id} when it wasn't currently executing (currently executing ${ctx.g}) on thread ${ev.m}`,
            );
          }
          ctx.g = NoGoroutine;
          state.binding = undefined;
        } else {
          this.fail(`stopping goroutine ${id} not bound to any active context`);
        }
      }
    } else if (tr.resource.kind === ResourceKind.Proc) {
      const from = tr.from as ProcState;
      const to = tr.to as ProcState;
      if (to === ProcState.Undetermined) this.fail(`transition to undetermined state for proc ${id}`);
      if (this.lastSync.n > 1 && from === ProcState.Undetermined) {
        this.fail(`undetermined proc ${id} after first global sync`);
      }
      if (to === ProcState.NotExist && this.hasAnyRange(ResourceKind.Proc, id)) {
        this.fail(`proc ${id} died with active ranges`);
      }
      const state = this.track(this.ps, "proc", id, from, to, procStateNames);
      if (to === ProcState.Running) {
        const ctx = this.threadOf(ev);
        if (ctx) {
          if (ctx.p !== NoProc && ctx.p !== id) {
            this.fail(`tried to run proc ${id} when one was already executing (${ctx.p}) on thread ${ev.m}`);
          }
          ctx.p = id;
          state.binding = ctx;
        }
      } else if (from === ProcState.Running) {
        const ctx = state.binding;
        if (ctx) {
          if (ctx.p !== id) {
            this.fail(
              `tried to stop proc ${id} when it wasn't currently executing (currently executing ${ctx.p}) on thread ${ctx.m}`,
            );
          }
          ctx.p = NoProc;
          state.binding = undefined;
        } else {
          this.fail(`stopping proc ${id} not bound to any active context`);
        }
      }
    }
  }

  /**
   * The from-state must be the tracked state; a resource seen for the first time
   * may only come from Undetermined (it existed before we saw it) or NotExist.
   * Both state enums number these two alike (0 and 1), so one function serves both.
   */
  private track(
    states: Map<number, ResourceState>,
    what: string,
    id: number,
    from: number,
    to: number,
    names: readonly string[],
  ): ResourceState {
    let state = states.get(id);
    if (state) {
      if (from !== state.state) {
        this.fail(
          `bad old state for ${what} ${id}: got ${names[from] ?? "Bad"}, want ${names[state.state] ?? "Bad"}`,
        );
      }
      state.state = to;
    } else {
      if (from !== GoState.Undetermined && from !== GoState.NotExist) {
        this.fail(`bad old state for unregistered ${what} ${id}: ${names[from] ?? "Bad"}`);
      }
      state = { state: to, binding: undefined };
      states.set(id, state);
    }
    return state;
  }

  /** The thread an executing resource binds to (Go's getOrCreateThread). */
  private threadOf(ev: Event): SchedContext | undefined {
    const m = ev.m;
    if (m === NoThread) {
      if (!this.lenientAboutThread(ev)) {
        this.fail("must have thread, but thread ID is none");
        return undefined;
      }
      // Each such goroutine sits on a thread of its own that the trace doesn't name.
      // Go binds them all to one shared "no thread" context, so a trace that starts
      // with two goroutines in syscalls fails its validator; gotrace doesn't share.
      return { m, p: NoProc, g: NoGoroutine };
    }
    let ctx = this.ms.get(m);
    if (!ctx) {
      ctx = { m, p: NoProc, g: NoGoroutine };
      this.ms.set(m, ctx);
    }
    return ctx;
  }

  /**
   * Traces older than 1.22 record a goroutine already in a syscall at the start
   * without its thread, so once converted it enters Syscall on no thread; Go lets
   * exactly that through for them.
   */
  private lenientAboutThread(ev: Event): boolean {
    if (this.goVersion >= 22 || ev.kind !== EventKind.StateTransition) return false;
    const tr = ev.stateTransition();
    return (
      tr.resource.kind === ResourceKind.Goroutine &&
      tr.from === GoState.Undetermined &&
      tr.to === GoState.Syscall
    );
  }

  private checkRange(ev: Event): void {
    const r = ev.range();
    const key = `${r.scope.kind}:${r.scope.id}`;
    const active = this.ranges.get(key);
    const has = active?.includes(r.name) ?? false;
    const scope =
      r.scope.kind === ResourceKind.None ? "None" : `${resourceKindNames[r.scope.kind]}(${r.scope.id})`;
    switch (ev.kind) {
      case EventKind.RangeBegin:
        if (has) this.fail(`already active range ${quoteGo(r.name)} on ${scope} begun again`);
        this.addRange(key, r.name);
        break;
      case EventKind.RangeActive:
        // A range already under way when the generation (or the trace) started.
        if (!has) this.addRange(key, r.name);
        break;
      default: {
        if (!has || !active) {
          this.fail(`inactive range ${quoteGo(r.name)} on ${scope} ended`);
          break;
        }
        active.splice(active.indexOf(r.name), 1);
      }
    }
  }

  private addRange(key: string, name: string): void {
    const active = this.ranges.get(key);
    if (active) active.push(name);
    else this.ranges.set(key, [name]);
  }

  private hasAnyRange(kind: ResourceKind, id: number): boolean {
    return (this.ranges.get(`${kind}:${id}`)?.length ?? 0) !== 0;
  }

  private checkTaskBegin(ev: Event): void {
    const t = ev.task();
    // The background task is implicit: no event is ever emitted for it, nor is it anyone's parent
    // (the reader turns a wire parent of 0, "none", into NoTask).
    if (isNoTask(t.id) || t.id === BackgroundTask)
      this.fail(`found invalid task ID for task of type ${t.type}`);
    if (t.parent === BackgroundTask)
      this.fail(`found background task as the parent for task of type ${t.type}`);
    // An empty type is a valid type.
    this.tasks.set(t.id, t.type);
  }

  private checkTaskEnd(ev: Event): void {
    // A task may end without a begin in the trace (it began before tracing did), so
    // only a task whose begin was seen is checked.
    const t = ev.task();
    const type = this.tasks.get(t.id);
    if (type === undefined) return;
    if (t.type !== type) {
      this.fail(
        `task end type ${quoteGo(t.type)} doesn't match task start type ${quoteGo(type)} for task ${t.id}`,
      );
    }
    this.tasks.delete(t.id);
  }

  /** How many events have been checked. */
  get eventCount(): number {
    return this.index;
  }
}

function goExecuting(s: GoState): boolean {
  return s === GoState.Running || s === GoState.Syscall;
}

/** Go compares stacks as values: the same table and the same id. */
function sameStack(a: Stack, b: Stack): boolean {
  return a.table === b.table && a.id === b.id;
}

/** Go's NoTask is 2^64−1: gotrace writes it −1, and a raw wire value that large arrives as 2^64. */
function isNoTask(id: number): boolean {
  return id === NoTask || id >= 2 ** 64;
}

/**
 * The wall clock as Go's time.Unix(int64(sec), int64(nsec)) normalises it (Go
 * reads both as unsigned varints and converts them to signed).
 */
function goWall(cs: ClockSnapshot): { sec: number; nsec: number } {
  const sec = cs.wallSec >= 2 ** 63 ? cs.wallSec - 2 ** 64 : cs.wallSec;
  const nsec = cs.wallNsec >= 2 ** 63 ? cs.wallNsec - 2 ** 64 : cs.wallNsec;
  const carry = Math.floor(nsec / 1e9);
  return { sec: sec + carry, nsec: nsec - carry * 1e9 };
}

/** Validates a whole sequence of events; throws the first ValidationError. */
export function validateEvents(events: Iterable<Event>, options?: ValidatorOptions): Validator {
  const v = new Validator(options);
  for (const ev of events) v.event(ev);
  return v;
}

/**
 * Reads a trace and validates every event as it is decoded, with the trace's
 * own version (as Go's tests do). Throws a TraceError if the trace cannot be
 * read, a ValidationError on the first event that breaks a rule.
 */
export async function validateTrace(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: Omit<ValidatorOptions, "goVersion"> = {},
): Promise<{ reader: TraceReader; validator: Validator }> {
  const v = new Validator(options);
  const reader = await readTrace(source, (ev, r) => {
    if (r.version !== undefined) v.goVersion = r.version;
    v.event(ev);
  });
  return { reader, validator: v };
}
