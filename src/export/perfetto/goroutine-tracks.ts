/**
 * The goroutine tracks of the Perfetto export: each goroutine's states as
 * consecutive slices, and the flows that join the slice that let a
 * goroutine run (its creator's or unblocker's running slice, or the
 * syscall it returned from) to its next execution.
 */
import { groupByKey } from "../../model/columns.js";
import { StateKind, StateWalker, stateKindNames } from "../../model/states.js";
import { CauseKind } from "../../model/tables.js";
import type { Timeline } from "../../model/timeline.js";
import type { Interner } from "./interning.js";
import type { SliceBatch } from "./slice-batch.js";

/**
 * Flows of creation and unblocking, keyed by the execution slice they
 * leave: for each slice i that another goroutine's act let run, the slice
 * of that goroutine running at the time. A flow's ID is i + 1.
 */
export class CauseFlows {
  /** The receiving slices of the flows leaving slice j: ids[starts[j] .. starts[j+1]). */
  readonly starts: Int32Array;
  readonly ids: Int32Array;
  /** 1 for a slice some other goroutine's slice flows into. */
  readonly incoming: Uint8Array;

  constructor(private readonly tl: Timeline) {
    const x = tl.exec;
    const n = x.length;
    const origin = new Int32Array(n).fill(-1);
    this.incoming = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const kind = x.causeKind.get(i);
      if (kind !== CauseKind.Create && kind !== CauseKind.Unblock) continue;
      const cg = x.causeG.get(i);
      if (cg < 0) continue;
      const j = this.sliceAt(cg, tl.causeNs(i));
      if (j < 0 || j === i) continue;
      origin[i] = j;
      this.incoming[i] = 1;
    }
    const grouped = groupByKey(n, (i) => origin[i]!, n);
    this.starts = grouped.starts;
    this.ids = grouped.order;
  }

  /** The execution slice of goroutine g running at time t, or −1. */
  private sliceAt(g: number, t: number): number {
    const { order, starts } = this.tl.execByG;
    const x = this.tl.exec;
    let lo = starts[g]!;
    let hi = starts[g + 1]!;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (x.startNs.get(order[mid]!) <= t) lo = mid + 1;
      else hi = mid;
    }
    if (lo === starts[g]!) return -1;
    const j = order[lo - 1]!;
    return t <= x.threadEnd(j) ? j : -1;
  }
}

/**
 * A goroutine's states (model/states.ts) as consecutive slices on its
 * track, named "running", "syscall", "runnable[: reason]" and
 * "blocked[: reason]", with the flows into and out of its execution slices.
 */
export class GoroutinePieces {
  private readonly walker: StateWalker;
  /** Name iids by state kind and reason string ID. */
  private readonly names: Map<number, number>[] = [new Map(), new Map(), new Map(), new Map()];
  /** Batch indexes of the current execution slice's pieces, and that slice. */
  private readonly current: number[] = [];
  private currentExec = -1;
  /** The last syscall piece before the current execution slice, and the last one so far. */
  private syscallBefore = -1;
  private lastSyscall = -1;
  private flowsIn = 0;

  constructor(
    private readonly tl: Timeline,
    private readonly interner: Interner,
    private readonly batch: SliceBatch,
    private readonly flows: CauseFlows,
  ) {
    this.walker = new StateWalker(tl);
  }

  /** Adds goroutine g's pieces to the batch; returns the flows they end. */
  add(g: number): number {
    this.current.length = 0;
    this.currentExec = -1;
    this.syscallBefore = -1;
    this.lastSyscall = -1;
    this.flowsIn = 0;
    this.walker.each(g, (r) => {
      if (r.exec !== this.currentExec) {
        this.endExec();
        this.currentExec = r.exec;
        this.syscallBefore = this.lastSyscall;
      }
      const piece = this.batch.slice(
        r.startNs,
        r.endNs,
        this.name(r.state, r.reason),
        this.interner.stack(r.stack),
      );
      if (r.exec >= 0) this.current.push(piece);
      if (r.state === StateKind.Syscall) this.lastSyscall = piece;
    });
    this.endExec();
    return this.flowsIn;
  }

  private name(state: StateKind, reason: number): number {
    const byReason = this.names[state]!;
    let iid = byReason.get(reason);
    if (iid === undefined) {
      const why = this.tl.strings.get(reason);
      const head = state === StateKind.Waiting ? "blocked" : stateKindNames[state];
      iid = this.interner.name(why ? `${head}: ${why}` : head);
      byReason.set(reason, iid);
    }
    return iid;
  }

  /** The flows into the execution slice whose pieces are `current`, and out of it. */
  private endExec(): void {
    const i = this.currentExec;
    if (i < 0 || this.current.length === 0) {
      this.current.length = 0;
      return;
    }
    const first = this.current[0]!;
    if (this.flows.incoming[i]) {
      this.batch.flowIn(first, i + 1);
      this.flowsIn++;
    } else if (this.tl.exec.causeKind.get(i) === CauseKind.SyscallExit && this.syscallBefore >= 0) {
      // Returned from a syscall that lost its P: from that syscall.
      this.batch.flowOut(this.syscallBefore, i + 1);
      this.batch.flowIn(first, i + 1);
      this.flowsIn++;
    }
    const { starts, ids } = this.flows;
    for (let k = starts[i]!; k < starts[i + 1]!; k++) {
      const to = ids[k]!;
      const t = Math.round(this.tl.causeNs(to));
      // The piece running at the time (the last one if past them all).
      let piece = this.current[this.current.length - 1]!;
      for (const p of this.current) {
        if (this.batch.endOf(p) > t) {
          piece = p;
          break;
        }
      }
      this.batch.flowOut(piece, to + 1);
    }
    this.current.length = 0;
  }
}
