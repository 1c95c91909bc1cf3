/**
 * The finished timeline: the builder's tables, reordered so every track is
 * a contiguous or indexed run sorted by start. Execution slices are moved
 * into P order (the proc view reads them as plain subarrays); the thread
 * and goroutine views read them through permutations. Regions are moved
 * into (goroutine, depth) order.
 */

import type { TimelineBuilder } from "./builder.js";
import { ChunkPool, groupByKey, type IntColumn, type StringTable, sealColumns } from "./columns.js";
import type { CounterTrack } from "./counters.js";
import type { GoroutineLives } from "./lives.js";
import type { OverviewCounts } from "./overview-counts.js";
import type { ReplayLog } from "./replay-log.js";
import type { StackTable } from "./stacks.js";
import {
  CauseKind,
  type ExecTable,
  type GlobalRangeTable,
  type GoroutineTable,
  type Grouping,
  type MarkTable,
  type ProcRangeTable,
  type RegionTable,
  type SyscallTable,
  type TaskTable,
} from "./tables.js";

export class Timeline {
  readonly strings: StringTable;
  readonly stacks: StackTable;
  readonly exec: ExecTable;
  readonly syscalls: SyscallTable;
  readonly procRanges: ProcRangeTable;
  readonly globalRanges: GlobalRangeTable;
  readonly marks: MarkTable;
  readonly goroutines: GoroutineTable;
  /** What Go's goroutine summaries count beside the slices: each goroutine's last life, its name, GC range time. */
  readonly lives: GoroutineLives;
  readonly tasks: TaskTable;
  readonly regions: RegionTable;
  readonly goroutineCounter: CounterTrack;
  readonly heapCounter: CounterTrack;
  readonly threadCounter: CounterTrack;
  /** Events by kind, IDs seen, runtime activity and the Overview's series. */
  readonly overviewCounts: OverviewCounts;
  /** The events tasks/regions and mutator utilization are replayed from. */
  readonly replayLog: ReplayLog;
  /** Thread index → M ID. */
  readonly threadIDs: readonly number[];
  readonly durationNs: number;
  /** Absolute time (the trace's own clock) of the first event, which every time here counts from. */
  readonly originNs: number;
  /** Time of the last Sync read (a damaged trace's profiles stop there, as go tool trace's do). */
  readonly lastSyncNs: number;
  readonly events: number;
  /** Header version N of "go 1.N trace". */
  readonly version: number;
  /** Ps 0..procs−1 appear in the trace. */
  readonly procs: number;

  /** Execution slices of P p are rows execByP[p+1] .. execByP[p+2] (group 0: slices without a P). */
  readonly execByP: Int32Array;
  readonly execByM: Grouping;
  readonly execByG: Grouping;
  readonly syscallsByP: Grouping;
  readonly syscallsByM: Grouping;
  readonly syscallsByG: Grouping;
  readonly procRangesByP: Grouping;
  readonly procRangesByG: Grouping;
  readonly marksByP: Grouping;
  readonly marksByM: Grouping;
  readonly marksByG: Grouping;
  /** Regions of goroutine g at depth d are rows regionRuns[regionBase[g] + d] .. the next. */
  readonly regionRuns: Int32Array;
  readonly regionBase: Int32Array;
  readonly regionDepths: Uint16Array;
  /** Goroutine indexes by ascending goroutine ID: the goroutine view's row order. */
  readonly goroutineOrder: Int32Array;

  constructor(b: TimelineBuilder) {
    this.strings = b.strings;
    this.stacks = b.stacks;
    this.exec = b.exec;
    this.syscalls = b.syscalls;
    this.procRanges = b.ranges.proc;
    this.globalRanges = b.ranges.global;
    this.marks = b.marks;
    this.goroutines = b.goroutines;
    this.lives = b.lives;
    this.tasks = b.annotations.tasks;
    this.regions = b.annotations.regions;
    this.goroutineCounter = b.goroutineCounter;
    this.heapCounter = b.heapCounter;
    this.threadCounter = b.threadCounter;
    this.replayLog = b.replayLog;
    this.overviewCounts = b.overviewCounts;
    this.threadIDs = b.threadIDs;
    this.durationNs = b.lastNs;
    this.originNs = b.startNs;
    this.lastSyncNs = b.lastSyncNs;
    this.events = b.events;
    this.version = b.version;
    this.procs = b.maxP + 1;
    for (const c of [this.goroutineCounter, this.heapCounter, this.threadCounter]) c.trim();
    for (const t of [
      this.syscalls,
      this.procRanges,
      this.globalRanges,
      this.marks,
      this.goroutines,
      this.tasks,
    ])
      sealColumns(t);

    const nG = this.goroutines.length;
    const nM = this.threadIDs.length;
    const P = this.procs;

    // Execution slices into P order, in place.
    const x = this.exec;
    // The thread and goroutine groupings list rows in append order (which
    // is time order within a thread and within a goroutine): made after the
    // move, through where each appended row went.
    let byP: Grouping | undefined = x.p.groupBy(P + 1, 1);
    this.execByP = byP.starts;
    const inverse = permuteExec(x, byP.order);
    byP = undefined;
    this.execByM = x.m.groupByThrough(nM, inverse);
    this.execByG = x.g.groupByThrough(nG, inverse);

    const s = this.syscalls;
    this.syscallsByP = s.p.groupBy(P);
    this.syscallsByM = s.m.groupBy(nM);
    this.syscallsByG = s.g.groupBy(nG);
    const r = this.procRanges;
    this.procRangesByP = r.p.groupBy(P);
    this.procRangesByG = r.g.groupBy(nG);
    const mk = this.marks;
    this.marksByP = mk.p.groupBy(P);
    this.marksByM = mk.m.groupBy(nM);
    this.marksByG = mk.g.groupBy(nG);

    // Regions into (goroutine, depth) order, in place.
    const rg = this.regions;
    const depths = new Uint16Array(nG);
    // Each region's run, computed in place over its goroutine index.
    const run = rg.g.toInt32();
    const depth = rg.depth.toInt32();
    for (let i = 0; i < run.length; i++) {
      const g = run[i]!;
      depths[g] = Math.max(depths[g]!, depth[i]! + 1);
    }
    const base = new Int32Array(nG + 1);
    for (let g = 0; g < nG; g++) base[g + 1] = base[g]! + depths[g]!;
    for (let i = 0; i < run.length; i++) run[i] = base[run[i]!]! + depth[i]!;
    const byRun = groupByKey(run.length, (i) => run[i]!, base[nG]!);
    const regionPool = new ChunkPool();
    for (const c of [rg.startNs, rg.endNs]) c.permute(byRun.order, regionPool);
    for (const c of [rg.g, rg.name, rg.task, rg.depth, rg.startStack, rg.endStack])
      c.permute(byRun.order, regionPool);
    this.regionRuns = byRun.starts;
    this.regionBase = base;
    this.regionDepths = depths;

    this.goroutineOrder = Int32Array.from({ length: nG }, (_, i) => i).sort(
      (a, b) => this.goroutines.id.get(a) - this.goroutines.id.get(b),
    );
    assignTaskLanes(this.tasks);
  }

  /** "G12 main.worker (label)", as go tool trace names goroutines; the label is the latest unless given. */
  goroutineName(g: number, labelID = this.goroutines.label.get(g)): string {
    const id = this.goroutines.id.get(g);
    const f = this.strings.get(this.goroutines.func.get(g));
    const label = this.strings.get(labelID);
    let name = f ? `G${id} ${f}` : `G${id}`;
    if (label) name += ` (${label})`;
    return name;
  }

  /** The name of the goroutine of execution slice i, with its label at the time. */
  sliceName(i: number): string {
    return this.goroutineName(this.exec.g.get(i), this.exec.label.get(i));
  }

  /** When goroutine g ended, or the end of the trace if it did not (its endNs is NaN then). */
  lifeEndNs(g: number): number {
    const endNs = this.goroutines.endNs.get(g);
    return Number.isNaN(endNs) ? this.durationNs : endNs;
  }

  /** The execution slice of the same goroutine before slice i, or −1. */
  previousSlice(i: number): number {
    const x = this.exec;
    const g = x.g.get(i);
    const { order, starts } = this.execByG;
    let lo = starts[g]!;
    let hi = starts[g + 1]!;
    const t = x.startNs.get(i);
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (x.startNs.get(order[mid]!) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo > starts[g]! ? order[lo - 1]! : -1;
  }

  /**
   * When what let slice i run happened: its goroutine's creation, or when
   * it became runnable after its previous slice (an unblock, the network
   * poller or a syscall's return all make it runnable then), so it need
   * not be stored (8 bytes × 7.8M slices in a 35M-event trace).
   */
  causeNs(i: number): number {
    const g = this.exec.g.get(i);
    if (this.exec.causeKind.get(i) === CauseKind.Create) return this.goroutines.createdNs.get(g);
    const prev = this.previousSlice(i);
    return prev >= 0 ? this.exec.readyNs.get(prev) : this.goroutines.firstReadyNs.get(g);
  }

  /** Goroutine index of goroutine ID `id`, or −1 (a binary search of goroutineOrder). */
  goroutineIndex(id: number): number {
    const order = this.goroutineOrder;
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.goroutines.id.get(order[mid]!) < id) lo = mid + 1;
      else hi = mid;
    }
    return lo < order.length && this.goroutines.id.get(order[lo]!) === id ? order[lo]! : -1;
  }
}

/** Moves the rows into `order`; returns where each old row went. */
function permuteExec(x: ExecTable, order: Int32Array): Int32Array {
  const pool = new ChunkPool();
  for (const c of [x.startNs, x.endNs, x.readyNs]) c.permute(order, pool);
  const ints: IntColumn[] = [
    x.g,
    x.p,
    x.m,
    x.label,
    x.endStack,
    x.endState,
    x.causeKind,
    x.causeG,
    x.causeP,
    x.causeM,
    x.causeStack,
  ];
  for (const c of ints) c.permute(order, pool);
  const inverse = new Int32Array(order.length);
  for (let i = 0; i < order.length; i++) inverse[order[i]!] = i;
  if (x.threadEndNs.size > 0) {
    const moved = [...x.threadEndNs].map(([i, ns]) => [inverse[i]!, ns] as const);
    x.threadEndNs.clear();
    for (const [i, ns] of moved) x.threadEndNs.set(i, ns);
  }
  return inverse;
}

/** Tasks overlap freely; each gets the first lane free at its start (greedy interval packing). */
function assignTaskLanes(t: TaskTable): void {
  const order = Int32Array.from({ length: t.length }, (_, i) => i).sort(
    (a, b) => t.startNs.get(a) - t.startNs.get(b) || a - b,
  );
  const laneEnd: number[] = [];
  for (const i of order) {
    const start = t.startNs.get(i);
    let lane = laneEnd.findIndex((end) => end <= start);
    if (lane < 0) lane = laneEnd.length;
    laneEnd[lane] = t.endNs.get(i);
    t.depth.set(i, lane);
  }
}
