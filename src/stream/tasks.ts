/**
 * User tasks and regions (runtime/trace's NewTask, StartRegion, Log), as go
 * tool trace's /usertasks, /usertask, /userregions and /userregion pages see
 * them: the task and region bookkeeping of Go's summarizer
 * (internal/trace/summary.go), without the per-goroutine time breakdown.
 *
 * Times are ns relative to the trace start (TraceReader.originNs), which is
 * where go tool trace's timeline and task pages count from.
 */

import { type RegionEdge, type RegionInstance, RegionTable } from "../analysis/region-table.js";
import { TimeHistogram, type TimeHistogramResult } from "../analysis/time-histogram.js";
import {
  type Event,
  EventKind,
  GoState,
  NoGoroutine,
  NoTask,
  ResourceKind,
  type Stack,
  type StackFrame,
  stackFrames,
} from "../decode/event.js";
import type { Analyzer } from "./analyzer.js";

export type { RegionEdge, RegionInstance, RegionTable };

export interface TaskLog {
  readonly timeNs: number;
  readonly g: number;
  readonly category: string;
  readonly message: string;
}

export interface TaskEdge {
  readonly timeNs: number;
  readonly g: number;
}

export interface TaskInstance {
  readonly id: number;
  /** Empty for a task seen only through its logs or regions (task 0, the background task, is one). */
  readonly type: string;
  /** Parent task id, or undefined for none. */
  readonly parent: number | undefined;
  readonly children: readonly number[];
  readonly start: TaskEdge | undefined;
  readonly end: TaskEdge | undefined;
  /** Both ends seen. */
  readonly complete: boolean;
  readonly startNs: number;
  readonly endNs: number;
  readonly durNs: number;
  /** Goroutines that began or ended the task, logged to it or ran one of its regions, ascending. */
  readonly goroutines: readonly number[];
  readonly logs: readonly TaskLog[];
  /**
   * Rows of the task's regions in Annotations.regionTable, in the order
   * they began (or ended, for regions whose begin was not traced): 4 bytes
   * a region (a trace can have millions, most in a few tasks).
   */
  readonly regions: Int32Array;
}

export interface TaskTypeSummary {
  readonly type: string;
  /** All tasks of the type. */
  readonly count: number;
  /** Durations of the complete tasks only. */
  readonly histogram: TimeHistogramResult;
}

export interface RegionGroupSummary {
  readonly type: string;
  /** The outermost frame of the start stack; the zero frame (pc 0) when there was none. */
  readonly frame: StackFrame;
  readonly count: number;
  /** Durations of every region in the group, with trace bounds for missing ends. */
  readonly histogram: TimeHistogramResult;
}

export interface Annotations {
  readonly traceStartNs: number;
  readonly traceEndNs: number;
  /** Every task, by id. */
  readonly tasks: readonly TaskInstance[];
  /** Task types sorted by name, as /usertasks lists them. */
  readonly taskTypes: readonly TaskTypeSummary[];
  /** Every region: a task's regions are rows of this table. */
  readonly regionTable: RegionTable;
  /**
   * The rows /userregions counts: every goroutine's regions (not those a
   * runtime goroutine still had open), in the order they ended.
   */
  readonly regions: Int32Array;
  /** Regions grouped by (type, frame), sorted by type then PC, as /userregions lists them. */
  readonly regionGroups: readonly RegionGroupSummary[];
}

const zeroFrame: StackFrame = { pc: 0, func: "", file: "", line: 0 };

interface MutableTask {
  id: number;
  type: string;
  parent: MutableTask | undefined;
  children: MutableTask[];
  start: TaskEdge | undefined;
  end: TaskEdge | undefined;
  logs: TaskLog[];
  regions: number[];
  goroutines: Set<number>;
}

/** The rows of a goroutine's open regions, innermost last (kept only for goroutines that have some). */
type ActiveRegions = number[];

/** What a goroutine's name (the root function of its first stack) says: none yet, user code, runtime. */
const enum NameClass {
  Unnamed = 0,
  User = 1,
  System = 2,
}

/**
 * NameClass per goroutine ID, in a byte array: goroutine IDs are small and
 * dense, and every goroutine needs one. (A Map takes over for huge IDs.)
 */
class NameClasses {
  private bytes = new Uint8Array(1024);
  private readonly sparse = new Map<number, NameClass>();

  get(id: number): NameClass {
    if (id >= 0 && id < this.bytes.length) return this.bytes[id]!;
    return this.sparse.get(id) ?? NameClass.Unnamed;
  }

  set(id: number, c: NameClass): void {
    if (id >= 0 && id < 1 << 26) {
      if (id >= this.bytes.length) {
        const grown = new Uint8Array(Math.max(id + 1, this.bytes.length * 2));
        grown.set(this.bytes);
        this.bytes = grown;
      }
      this.bytes[id] = c;
    } else this.sparse.set(id, c);
  }
}

/** Go's rule for goroutines that never belong to regions: unnamed, or runtime.* other than runtime.main. */
export function isSystemGoroutine(name: string): boolean {
  return name === "" || (name !== "runtime.main" && name.startsWith("runtime."));
}

/**
 * Go's NoTask is 2^64−1. The reader gives it as NoTask (−1) when the
 * runtime wrote 0, but a trace that spells out 2^64−1 reads as the double
 * 2^64: both mean no task.
 */
function isNoTask(id: number): boolean {
  return id === NoTask || id >= 2 ** 64;
}

export class TasksAnalyzer implements Analyzer<Annotations> {
  private readonly table = new RegionTable();
  /** Rows counted by /userregions (ended, or closed with their goroutine), in that order. */
  private done = new Int32Array(64);
  private nDone = 0;
  private readonly active = new Map<number, ActiveRegions>();
  private readonly names = new NameClasses();
  /** NameClass and frame id of each stack of the current generation's table, resolved once. */
  private stackClasses = new Map<number, NameClass>();
  private stackFrameIds = new Map<number, number>();
  private stackTable: Stack["table"];
  private readonly tasks = new Map<number, MutableTask>();
  private firstNs = Number.NaN;
  private lastNs = Number.NaN;
  private lastSyncNs = Number.NaN;
  private endNs = Number.NaN;

  event(ev: Event): void {
    if (Number.isNaN(this.firstNs)) this.firstNs = ev.time;
    this.lastNs = ev.time;
    switch (ev.kind) {
      case EventKind.Sync:
        this.lastSyncNs = ev.time;
        break;
      case EventKind.StateTransition:
        this.transition(ev);
        break;
      case EventKind.RegionBegin: {
        const r = ev.region();
        const row = this.table.add(r.type, r.task, ev.g, this.frameId(ev.stack()));
        this.table.setStart(row, ev.time);
        this.activeOf(ev.g).push(row);
        const task = this.task(r.task);
        task.regions.push(row);
        task.goroutines.add(ev.g);
        break;
      }
      case EventKind.RegionEnd: {
        let row = this.active.get(ev.g)?.pop();
        if (row === undefined) {
          // An end whose begin was not traced: Go makes up the region now.
          const r = ev.region();
          row = this.table.add(r.type, r.task, ev.g, -1);
          const task = this.task(r.task);
          task.goroutines.add(ev.g);
          task.regions.push(row);
        }
        this.table.setEnd(row, ev.time);
        this.finish(row);
        break;
      }
      case EventKind.TaskBegin:
      case EventKind.TaskEnd: {
        const t = ev.task();
        const task = this.task(t.id);
        task.type = t.type;
        task.goroutines.add(ev.g);
        const edge = { timeNs: ev.time, g: ev.g };
        if (ev.kind === EventKind.TaskBegin) task.start = edge;
        else task.end = edge;
        // Only the first mention names the parent, so a task is never its parent's child twice.
        if (!isNoTask(t.parent) && !task.parent) {
          const parent = this.task(t.parent);
          task.parent = parent;
          parent.children.push(task);
        }
        break;
      }
      case EventKind.Log: {
        const l = ev.log();
        const task = this.task(l.task);
        task.goroutines.add(ev.g);
        task.logs.push({ timeNs: ev.time, g: ev.g, category: l.category, message: l.message });
        break;
      }
    }
  }

  private transition(ev: Event): void {
    const st = ev.stateTransition();
    if (st.resource.kind !== ResourceKind.Goroutine || st.from === st.to) return;
    const id = st.resource.id;
    if (st.from === GoState.Undetermined || st.from === GoState.NotExist) {
      // Go starts a new summary: no name, no open regions.
      this.names.set(id, NameClass.Unnamed);
      this.active.delete(id);
      // A new goroutine inherits the task of its creator's innermost region,
      // as a stand-in region with no type that starts at the creation.
      const creator = st.from === GoState.NotExist ? this.active.get(ev.g) : undefined;
      if (creator && creator.length > 0) {
        const task = this.table.taskOf(creator[creator.length - 1]!);
        const row = this.table.add("", task, id, this.frameId(ev.stack()));
        this.table.setStart(row, ev.time, st.from, st.to);
        this.activeOf(id).push(row);
      }
    }
    if (this.names.get(id) === NameClass.Unnamed) this.names.set(id, this.classify(st.stack));
    // Blocking "forever" counts as the goroutine's end, as in Go.
    if (st.to === GoState.NotExist || (st.to === GoState.Waiting && st.reason === "forever")) {
      const open = this.active.get(id);
      if (open) {
        for (const row of open) this.table.setEnd(row, ev.time, st.from, st.to);
        this.close(id, open);
      }
    }
  }

  /**
   * A goroutine's open regions become its own, unless it is a runtime
   * goroutine (GC workers first started inside a region, say, inherit a
   * task but never own regions) or has no name yet.
   */
  private close(id: number, open: ActiveRegions): void {
    if (this.names.get(id) === NameClass.User) for (const row of open) this.finish(row);
    this.active.delete(id);
  }

  private finish(row: number): void {
    if (this.nDone === this.done.length) {
      const grown = new Int32Array(this.done.length * 2);
      grown.set(this.done);
      this.done = grown;
    }
    this.done[this.nDone++] = row;
  }

  private activeOf(g: number): ActiveRegions {
    let a = this.active.get(g);
    if (!a) {
      a = [];
      this.active.set(g, a);
    }
    return a;
  }

  private useTable(table: Stack["table"]): void {
    if (table === this.stackTable) return;
    this.stackTable = table;
    this.stackClasses = new Map();
    this.stackFrameIds = new Map();
  }

  /** The NameClass a goroutine gets from this stack: that of its outermost frame's function. */
  private classify(stack: Stack): NameClass {
    if (stack.id === 0 || !stack.table) return NameClass.Unnamed;
    this.useTable(stack.table);
    let c = this.stackClasses.get(stack.id);
    if (c === undefined) {
      const frames = stackFrames(stack);
      const name = frames.length > 0 ? frames[frames.length - 1]!.func : "";
      c = name === "" ? NameClass.Unnamed : isSystemGoroutine(name) ? NameClass.System : NameClass.User;
      this.stackClasses.set(stack.id, c);
    }
    return c;
  }

  /** The region table's id for the outermost frame of a stack (-1 for none). */
  private frameId(stack: Stack): number {
    if (stack.id === 0 || !stack.table) return -1;
    this.useTable(stack.table);
    let id = this.stackFrameIds.get(stack.id);
    if (id === undefined) {
      const frames = stackFrames(stack);
      id = this.table.frameId(frames[frames.length - 1]);
      this.stackFrameIds.set(stack.id, id);
    }
    return id;
  }

  private task(id: number): MutableTask {
    let t = this.tasks.get(id);
    if (!t) {
      t = {
        id,
        type: "",
        parent: undefined,
        children: [],
        start: undefined,
        end: undefined,
        logs: [],
        regions: [],
        goroutines: new Set(),
      };
      this.tasks.set(id, t);
    }
    return t;
  }

  /**
   * The trace broke after its last Sync. go tool trace keeps the tasks and
   * regions seen up to the error but ends the trace at that Sync: regions and
   * tasks left open end there.
   */
  discardPending(): void {
    this.endNs = this.lastSyncNs;
  }

  finalize(): Annotations {
    const traceStartNs = Number.isNaN(this.firstNs) ? 0 : this.firstNs;
    const traceEndNs = Number.isNaN(this.endNs) ? (Number.isNaN(this.lastNs) ? 0 : this.lastNs) : this.endNs;
    const table = this.table;
    table.traceStartNs = traceStartNs;
    table.traceEndNs = traceEndNs;
    // Regions still open at the end belong to their goroutines too (unless runtime ones).
    for (const [id, open] of [...this.active].sort(([a], [b]) => a - b)) this.close(id, open);

    const tasks: TaskInstance[] = [...this.tasks.values()]
      .sort((a, b) => a.id - b.id)
      .map((t) => {
        const startNs = t.start?.timeNs ?? traceStartNs;
        const endNs = t.end?.timeNs ?? traceEndNs;
        return {
          id: t.id,
          type: t.type,
          parent: t.parent?.id,
          children: t.children.map((c) => c.id),
          start: t.start,
          end: t.end,
          complete: t.start !== undefined && t.end !== undefined,
          startNs,
          endNs,
          durNs: endNs - startNs,
          goroutines: [...t.goroutines].filter((g) => g !== NoGoroutine).sort((a, b) => a - b),
          logs: t.logs,
          regions: Int32Array.from(t.regions),
        };
      });

    const regions = this.done.slice(0, this.nDone);
    return {
      traceStartNs,
      traceEndNs,
      tasks,
      taskTypes: summarizeTaskTypes(tasks),
      regionTable: table,
      regions,
      regionGroups: groupRegions(table, regions),
    };
  }
}

export function summarizeTaskTypes(tasks: readonly TaskInstance[]): TaskTypeSummary[] {
  const byType = new Map<string, { count: number; histogram: TimeHistogram }>();
  for (const t of tasks) {
    let s = byType.get(t.type);
    if (!s) {
      s = { count: 0, histogram: new TimeHistogram() };
      byType.set(t.type, s);
    }
    s.count++;
    if (t.complete) s.histogram.add(t.durNs);
  }
  return [...byType]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([type, s]) => ({ type, count: s.count, histogram: s.histogram.result() }));
}

/** Regions grouped by (type, outermost start frame), sorted by type then PC, as /userregions lists them. */
export function groupRegions(table: RegionTable, rows: Iterable<number>): RegionGroupSummary[] {
  const groups = new Map<number, { type: string; frame: StackFrame; histogram: TimeHistogram }>();
  for (const row of rows) {
    const type = table.typeOf(row);
    const frame = table.frameOf(row);
    // Frame ids start at -1 (none): one key per (type, frame).
    const key = type * 2 ** 26 + (frame + 1);
    let g = groups.get(key);
    if (!g) {
      g = {
        type: table.typeName(type),
        frame: table.frame(frame) ?? zeroFrame,
        histogram: new TimeHistogram(),
      };
      groups.set(key, g);
    }
    g.histogram.add(table.durNs(row));
  }
  return [...groups.values()]
    .sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : a.frame.pc - b.frame.pc))
    .map((g) => ({
      type: g.type,
      frame: g.frame,
      count: g.histogram.count,
      histogram: g.histogram.result(),
    }));
}
