/**
 * What Go's goroutine summarizer (internal/trace/summary.go) and the
 * scheduler-latency analysis count that the execution slices do not say:
 * when each goroutine's last life began and how it was first seen, which
 * stack names it, when it first ran and when it "ended" (a block "forever"
 * counts), which CPU samples are its, when the P of a syscall went idle
 * under it by Go's rule, and the time in GC ranges Go charges to it. The
 * durations themselves (execution, waits, blocks, syscalls) are read from
 * the slices (analysis/goroutine-summaries.ts).
 *
 * Go forgets a goroutine ID's earlier lives when the ID is used again (cgo
 * callbacks on extra Ms), so every fact here is of the ID's last life. The
 * work per event is a few typed-array reads: one row per goroutine, none
 * per event.
 */

import { type Event, EventKind, GoState, type Range, ResourceKind } from "../decode/event.js";
import { Ev } from "../format/v2/spec.js";
import { F64Column, IntColumn, type StringTable } from "./columns.js";
import type { StackTable } from "./stacks.js";

/** The transitions the scheduler-latency analysis reads (its names come only from these). */
export const schedTypes = new Uint8Array(256);
for (const t of [
  Ev.GoCreate,
  Ev.GoCreateBlocked,
  Ev.GoStart,
  Ev.GoStop,
  Ev.GoBlock,
  Ev.GoUnblock,
  Ev.GoSwitch,
  Ev.GoSwitchDestroy,
  Ev.GoSyscallBegin,
  Ev.GoSyscallEndBlocked,
  Ev.GoStatus,
  Ev.GoStatusStack,
])
  schedTypes[t] = 1;

const enum Flag {
  /** A transition has been seen: Go's summarizer knows the goroutine. */
  Alive = 1,
  /** The last life's name is settled (a root frame with a function name was seen). */
  Named = 2,
  /** The ID's scheduler-latency name is settled. */
  SchedNamed = 4,
  /** The last life has run. */
  Ran = 8,
  /** Per Go's rule, in a syscall (entered on P syscallP). */
  InSyscall = 16,
  /** The scheduler-latency analysis has met the ID. */
  SchedSeen = 32,
  /** Nothing left to learn from an ordinary transition (not into or out of a syscall, a life or its end). */
  Settled = Alive | Named | SchedNamed | Ran | SchedSeen,
}

/** A Go-rule syscall block: the P of goroutine g's `nth` syscall went idle at `ns`. */
export interface SyscallBlock {
  readonly g: number;
  readonly nth: number;
  readonly ns: number;
  /** The syscall was still open at the end of the trace (Go counts it differently then). */
  open: boolean;
}

export class GoroutineLives {
  /** When the last life began as Go counts it: its creation, or the Sync before it was first seen. */
  readonly lifeNs = new F64Column();
  /** When its last life's first transition happened. */
  readonly seenNs = new F64Column();
  /** The state that first transition left (GoState.NotExist, Undetermined, or another for a goroutine never introduced). */
  readonly lifeFrom = new IntColumn();
  /** The same for its first life. */
  readonly firstFrom = new IntColumn();
  /** Which life of its ID the last one is (0: the first), and the state it began in, with the reason (interned). */
  readonly life = new IntColumn();
  readonly lifeTo = new IntColumn();
  readonly lifeReason = new IntColumn();
  /** First run of the last life (NaN if none). */
  readonly firstRunNs = new F64Column();
  /** The first end ("forever" block or exit) of the last life after its creation time, and the last (NaN if none). */
  readonly totalEndNs = new F64Column();
  readonly endNs = new F64Column();
  /** The stack whose outermost frame names the last life (0 none). */
  readonly nameStack = new IntColumn();
  /** The first stack whose outermost function names the ID for scheduler latency (0 none, −1: no transition it reads). */
  readonly schedStack = new IntColumn();
  /** The first MarkTable row that belongs to the last life (CPU samples before it were another life's). */
  readonly lifeMark = new IntColumn();
  /** How many syscalls the goroutine made before its last life (its SyscallTable rows are numbered in order). */
  readonly lifeSyscall = new IntColumn();
  /** Syscalls each goroutine made (all lives), to number the Go-rule blocks. */
  private syscalls: Int32Array = new Int32Array(64);
  private flags: Uint8Array = new Uint8Array(64);
  private syscallP: Int32Array = new Int32Array(64);
  /** P + 1 → goroutine index + 1 of the syscall entered on it (Go's syscallingP). */
  private onP: Int32Array = new Int32Array(64);
  readonly syscallBlocks: SyscallBlock[] = [];
  private readonly openBlock = new Map<number, SyscallBlock>();
  /** Time in GC ranges charged to each goroutine's last life: name ID → ns. */
  readonly rangeNs = new Map<number, Map<number, number>>();
  /** Ranges open on each goroutine: name ID → since. */
  private readonly openRanges = new Map<number, Map<number, number>>();
  /** A P's range ("p/name") → the goroutine it is charged to. */
  private readonly procRanges = new Map<string, number>();

  constructor(
    private readonly stacks: StackTable,
    private readonly strings: StringTable,
  ) {}

  get length(): number {
    return this.lifeNs.length;
  }

  /** Rows for goroutine indexes up to g. */
  private ensure(g: number): void {
    while (this.lifeNs.length <= g) {
      this.lifeNs.push(Number.NaN);
      this.seenNs.push(Number.NaN);
      this.lifeFrom.push(-1);
      this.firstFrom.push(-1);
      this.life.push(-1);
      this.lifeTo.push(-1);
      this.lifeReason.push(0);
      this.firstRunNs.push(Number.NaN);
      this.totalEndNs.push(Number.NaN);
      this.endNs.push(Number.NaN);
      this.nameStack.push(0);
      this.schedStack.push(-1);
      this.lifeMark.push(0);
      this.lifeSyscall.push(0);
    }
    if (g >= this.flags.length) {
      const size = Math.max(g + 1, this.flags.length * 2);
      const grow = <T extends Uint8Array | Int32Array>(a: T, b: T): T => {
        b.set(a);
        return b;
      };
      this.flags = grow(this.flags, new Uint8Array(size));
      this.syscalls = grow(this.syscalls, new Int32Array(size));
      this.syscallP = grow(this.syscallP, new Int32Array(size));
    }
  }

  /**
   * Whether transition from → to of goroutine index g tells nothing new
   * (most do: a known, named goroutine starting, stopping or blocking), so
   * the builder can skip `transition`.
   */
  settled(g: number, from: GoState, to: GoState, reason: string): boolean {
    return (
      this.flags[g] === Flag.Settled &&
      from >= GoState.Runnable &&
      from <= GoState.Waiting &&
      to >= GoState.Runnable &&
      to <= GoState.Waiting &&
      (to !== GoState.Waiting || reason !== "forever")
    );
  }

  /** A goroutine transition (from ≠ to) of goroutine index g at t; `syncNs` is the current Sync's time. */
  transition(
    g: number,
    from: GoState,
    to: GoState,
    reason: string,
    ev: Event,
    stackID: number,
    t: number,
    syncNs: number,
    marks: number,
  ): void {
    if (g >= this.flags.length || g >= this.lifeNs.length) this.ensure(g);
    let f = this.flags[g]!;
    if (from === GoState.NotExist || from === GoState.Undetermined || (f & Flag.Alive) === 0) {
      // A new life: Go starts the goroutine's summary afresh.
      this.lifeNs.set(g, from === GoState.NotExist ? t : syncNs);
      this.seenNs.set(g, t);
      this.lifeFrom.set(g, from);
      if ((f & Flag.Alive) === 0) this.firstFrom.set(g, from);
      this.life.set(g, this.life.get(g) + 1);
      this.lifeTo.set(g, to);
      this.lifeReason.set(g, reason === "" ? 0 : this.strings.intern(reason));
      this.firstRunNs.set(g, Number.NaN);
      this.totalEndNs.set(g, Number.NaN);
      this.endNs.set(g, Number.NaN);
      this.nameStack.set(g, 0);
      this.lifeMark.set(g, marks);
      this.lifeSyscall.set(g, this.syscalls[g]!);
      this.rangeNs.delete(g);
      this.openRanges.delete(g);
      f = (f & (Flag.SchedNamed | Flag.SchedSeen | Flag.InSyscall)) | Flag.Alive;
    }
    if (from === GoState.Syscall && (f & Flag.InSyscall) !== 0) {
      // Go forgets the P the goroutine entered its syscall on, even if another has entered one there since.
      this.onP[this.syscallP[g]! + 1] = 0;
      this.openBlock.delete(g);
      f &= ~Flag.InSyscall;
    }
    if (stackID !== 0 && (f & (Flag.Named | Flag.SchedNamed)) !== (Flag.Named | Flag.SchedNamed)) {
      const s = this.stacks.intern(ev.table, stackID);
      if (s !== 0) {
        const named = this.stacks.rootFunc(s) !== "";
        if ((f & Flag.Named) === 0) {
          this.nameStack.set(g, s);
          if (named) f |= Flag.Named;
        }
        if ((f & Flag.SchedNamed) === 0 && schedTypes[ev.type] === 1 && named) {
          this.schedStack.set(g, s);
          f |= Flag.SchedNamed;
        }
      }
    }
    if ((f & Flag.SchedSeen) === 0 && schedTypes[ev.type] === 1) {
      if (this.schedStack.get(g) < 0) this.schedStack.set(g, 0);
      f |= Flag.SchedSeen;
    }
    switch (to) {
      case GoState.Running:
        if ((f & Flag.Ran) === 0) {
          this.firstRunNs.set(g, t);
          f |= Flag.Ran;
        }
        break;
      case GoState.Syscall: {
        this.syscalls[g]!++;
        this.syscallP[g] = ev.p;
        if (ev.p + 1 >= this.onP.length) {
          const next = new Int32Array(Math.max(ev.p + 2, this.onP.length * 2));
          next.set(this.onP);
          this.onP = next;
        }
        this.onP[ev.p + 1] = g + 1;
        f |= Flag.InSyscall;
        break;
      }
      case GoState.Waiting:
        if (reason === "forever") this.end(g, t);
        break;
      case GoState.NotExist:
        this.end(g, t);
        break;
    }
    this.flags[g] = f;
  }

  /** Go's summarizer closes a goroutine's books when it ends or blocks forever. */
  private end(g: number, t: number): void {
    const total = this.totalEndNs.get(g);
    if (Number.isNaN(total) || total === this.lifeNs.get(g)) this.totalEndNs.set(g, t);
    this.endNs.set(g, t);
    this.closeRanges(g, t);
  }

  /** A P went idle: a goroutine in a syscall entered on it had its syscall block (Go's rule). */
  procIdle(p: number, t: number): void {
    if (p + 1 >= this.onP.length) return;
    const g = this.onP[p + 1]! - 1;
    if (g < 0) return;
    this.onP[p + 1] = 0;
    const block: SyscallBlock = { g, nth: this.syscalls[g]!, ns: t, open: false };
    this.syscallBlocks.push(block);
    this.openBlock.set(g, block);
  }

  /**
   * A range event whose scope is a goroutine or a P (GC mark assist,
   * stop-the-world, sweeping); g is the index of the goroutine it names,
   * or, for a P's range, of the goroutine running there (−1 none).
   */
  range(ev: Event, r: Range, t: number, syncNs: number, g: number): void {
    let key = "";
    if (r.scope.kind === ResourceKind.Proc) key = `${r.scope.id}/${r.name}`;
    else if (r.scope.kind !== ResourceKind.Goroutine) return;
    const name = this.strings.intern(r.name);
    if (ev.kind === EventKind.RangeEnd) {
      if (key !== "") {
        // Charged to the goroutine it began on, if that one is still running.
        const began = this.procRanges.get(key);
        if (began === undefined) return;
        this.procRanges.delete(key);
        if (began !== g) return;
      }
      const open = g >= 0 ? this.openRanges.get(g) : undefined;
      const since = open?.get(name);
      if (since === undefined) return;
      this.add(g, name, t - since);
      open!.delete(name);
      if (open!.size === 0) this.openRanges.delete(g);
      return;
    }
    if (g < 0 || g >= this.flags.length || (this.flags[g]! & Flag.Alive) === 0) return;
    if (key !== "") this.procRanges.set(key, g);
    let open = this.openRanges.get(g);
    if (!open) {
      open = new Map();
      this.openRanges.set(g, open);
    }
    if (ev.kind === EventKind.RangeActive) {
      // Already active at the generation's start: counted from its Sync.
      const since = open.get(name);
      if (since !== undefined) this.add(g, name, syncNs - since);
      open.set(name, syncNs);
    } else open.set(name, t);
  }

  private add(g: number, name: number, ns: number): void {
    let m = this.rangeNs.get(g);
    if (!m) {
      m = new Map();
      this.rangeNs.set(g, m);
    }
    m.set(name, (m.get(name) ?? 0) + ns);
  }

  private closeRanges(g: number, t: number): void {
    const open = this.openRanges.get(g);
    if (!open) return;
    for (const [name, since] of open) this.add(g, name, t - since);
    this.openRanges.delete(g);
  }

  /** The trace ended at lastNs with `goroutines` goroutine indexes. */
  finish(lastNs: number, goroutines: number): void {
    if (goroutines > 0) this.ensure(goroutines - 1);
    for (const g of [...this.openRanges.keys()]) this.closeRanges(g, lastNs);
    for (const block of this.openBlock.values()) block.open = true;
    this.openBlock.clear();
    for (const c of [
      this.lifeNs,
      this.seenNs,
      this.lifeFrom,
      this.firstFrom,
      this.life,
      this.lifeTo,
      this.lifeReason,
      this.firstRunNs,
      this.totalEndNs,
      this.endNs,
      this.nameStack,
      this.schedStack,
      this.lifeMark,
      this.lifeSyscall,
    ])
      c.seal();
  }

  /** Whether goroutine g's last life began when it was first seen, already there (not created). */
  lifeSeenExisting(g: number): boolean {
    return this.lifeFrom.get(g) === GoState.Undetermined;
  }

  /** Whether goroutine g's last life began runnable, or waiting (for a reason), or neither. */
  lifeBegan(g: number): "runnable" | "waiting" | undefined {
    const to = this.lifeTo.get(g);
    return to === GoState.Runnable ? "runnable" : to === GoState.Waiting ? "waiting" : undefined;
  }

  /** Whether goroutine g's first life began when it was first seen, already there (not created). */
  firstSeenExisting(g: number): boolean {
    return this.firstFrom.get(g) === GoState.Undetermined;
  }

  /** Whether Go's summarizer knows goroutine g (a transition of it was read). */
  alive(g: number): boolean {
    return g < this.flags.length && (this.flags[g]! & Flag.Alive) !== 0;
  }
}
