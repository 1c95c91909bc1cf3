/**
 * User tasks and regions (runtime/trace's NewTask, StartRegion, Log), as go
 * tool trace's /usertasks, /usertask, /userregions and /userregion pages see
 * them: the task and region bookkeeping of Go's summarizer
 * (internal/trace/summary.go), without the per-goroutine time breakdown.
 *
 * Times are ns relative to the trace start (TraceReader.originNs), which is
 * where go tool trace's timeline and task pages count from.
 */
import {
  type Event,
  EventKind,
  GoState,
  NoGoroutine,
  NoTask,
  ResourceKind,
  type StackFrame,
  stackFrames,
} from "../decode/event.js";
import type { Analyzer } from "./analyzer.js";
import { TimeHistogram, type TimeHistogramResult } from "./time-histogram.js";

/** One end of a region: its own RegionBegin/RegionEnd, or a goroutine's creation or exit standing in for it. */
export interface RegionEdge {
  readonly timeNs: number;
  /** The goroutine the event belongs to. */
  readonly g: number;
  /**
   * "region": a RegionBegin/RegionEnd event. "goroutine": a goroutine state
   * change, for a region inherited at creation (start) or cut short by the
   * goroutine's exit (end); `from`/`to` give the change.
   */
  readonly kind: "region" | "goroutine";
  readonly from?: GoState;
  readonly to?: GoState;
}

export interface RegionInstance {
  /** The region type; "" for the stand-in region a goroutine inherits from its creator's innermost region. */
  readonly type: string;
  readonly task: number;
  readonly g: number;
  readonly start: RegionEdge | undefined;
  readonly end: RegionEdge | undefined;
  /** Outermost frame of the start event's stack, Go's grouping key with the type; undefined without a stack. */
  readonly frame: StackFrame | undefined;
  /** Start and end, with the trace's bounds standing in for missing ends (as Go's pages do). */
  readonly startNs: number;
  readonly endNs: number;
  readonly durNs: number;
}

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
  /** Regions of the task, in the order they began (or ended, for regions whose begin was not traced). */
  readonly regions: readonly RegionInstance[];
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
  /** The regions /userregions counts: those of every goroutine, in order of goroutine then start. */
  readonly regions: readonly RegionInstance[];
  /** Regions grouped by (type, frame), sorted by type then PC, as /userregions lists them. */
  readonly regionGroups: readonly RegionGroupSummary[];
}

const zeroFrame: StackFrame = { pc: 0, func: "", file: "", line: 0 };

interface MutableRegion {
  type: string;
  task: number;
  g: number;
  start: RegionEdge | undefined;
  end: RegionEdge | undefined;
  frame: StackFrame | undefined;
}

interface MutableTask {
  id: number;
  type: string;
  parent: MutableTask | undefined;
  children: MutableTask[];
  start: TaskEdge | undefined;
  end: TaskEdge | undefined;
  logs: TaskLog[];
  regions: MutableRegion[];
  goroutines: Set<number>;
}

interface Goroutine {
  /** Root function of the first transition stack that had one; "" until then. */
  name: string;
  /** Regions begun and not yet ended, innermost last. */
  active: MutableRegion[];
  /** Regions that ended (or were closed when the goroutine exited). */
  regions: MutableRegion[];
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

function outermostFrame(ev: Event): StackFrame | undefined {
  const frames = stackFrames(ev.stack());
  return frames.length > 0 ? frames[frames.length - 1] : undefined;
}

export class TasksAnalyzer implements Analyzer<Annotations> {
  private readonly goroutines = new Map<number, Goroutine>();
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
        const g = this.goroutine(ev.g);
        const r = ev.region();
        const region: MutableRegion = {
          type: r.type,
          task: r.task,
          g: ev.g,
          start: { timeNs: ev.time, g: ev.g, kind: "region" },
          end: undefined,
          frame: outermostFrame(ev),
        };
        g.active.push(region);
        const task = this.task(r.task);
        task.regions.push(region);
        task.goroutines.add(ev.g);
        break;
      }
      case EventKind.RegionEnd: {
        const g = this.goroutine(ev.g);
        let region = g.active.pop();
        if (!region) {
          // An end whose begin was not traced: Go makes up the region now.
          const r = ev.region();
          region = {
            type: r.type,
            task: r.task,
            g: ev.g,
            start: undefined,
            end: undefined,
            frame: undefined,
          };
          const task = this.task(r.task);
          task.goroutines.add(ev.g);
          task.regions.push(region);
        }
        region.end = { timeNs: ev.time, g: ev.g, kind: "region" };
        g.regions.push(region);
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
    let g = this.goroutines.get(id);
    if (st.from === GoState.Undetermined || st.from === GoState.NotExist || !g) {
      g = { name: "", active: [], regions: [] };
      this.goroutines.set(id, g);
      // A new goroutine inherits the task of its creator's innermost region,
      // as a stand-in region with no type that starts at the creation.
      const creator = st.from === GoState.NotExist ? this.goroutines.get(ev.g) : undefined;
      const inner = creator?.active[creator.active.length - 1];
      if (inner) {
        g.active.push({
          type: "",
          task: inner.task,
          g: id,
          start: { timeNs: ev.time, g: id, kind: "goroutine", from: st.from, to: st.to },
          end: undefined,
          frame: outermostFrame(ev),
        });
      }
    }
    if (g.name === "") {
      const frames = stackFrames(st.stack);
      if (frames.length > 0) g.name = frames[frames.length - 1]!.func;
    }
    // Blocking "forever" counts as the goroutine's end, as in Go.
    if (st.to === GoState.NotExist || (st.to === GoState.Waiting && st.reason === "forever")) {
      this.closeGoroutine(g, { timeNs: ev.time, g: id, kind: "goroutine", from: st.from, to: st.to });
    }
  }

  private closeGoroutine(g: Goroutine, end: RegionEdge | undefined): void {
    // System goroutines never own regions, even if they inherited a task (e.g.
    // GC workers first started inside a region): their open regions are dropped.
    if (!isSystemGoroutine(g.name)) {
      for (const r of g.active) {
        r.end = end;
        g.regions.push(r);
      }
    }
    g.active = [];
  }

  private goroutine(id: number): Goroutine {
    let g = this.goroutines.get(id);
    if (!g) {
      g = { name: "", active: [], regions: [] };
      this.goroutines.set(id, g);
    }
    return g;
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
    const done = new Map<MutableRegion, RegionInstance>();
    const freeze = (r: MutableRegion): RegionInstance => {
      let out = done.get(r);
      if (!out) {
        const startNs = r.start?.timeNs ?? traceStartNs;
        const endNs = r.end?.timeNs ?? traceEndNs;
        out = { ...r, startNs, endNs, durNs: endNs - startNs };
        done.set(r, out);
      }
      return out;
    };

    const regions: RegionInstance[] = [];
    for (const id of [...this.goroutines.keys()].sort((a, b) => a - b)) {
      const g = this.goroutines.get(id)!;
      this.closeGoroutine(g, undefined);
      const own = g.regions.map(freeze);
      // Go sorts a goroutine's regions by start, those without a begin first.
      own.sort((a, b) => (a.start?.timeNs ?? -Infinity) - (b.start?.timeNs ?? -Infinity));
      regions.push(...own);
    }

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
          regions: t.regions.map(freeze),
        };
      });

    return {
      traceStartNs,
      traceEndNs,
      tasks,
      taskTypes: summarizeTaskTypes(tasks),
      regions,
      regionGroups: groupRegions(regions),
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

function frameKey(type: string, f: StackFrame): string {
  return JSON.stringify([type, f.pc, f.func, f.file, f.line]);
}

export function groupRegions(regions: readonly RegionInstance[]): RegionGroupSummary[] {
  const groups = new Map<string, { type: string; frame: StackFrame; histogram: TimeHistogram }>();
  for (const r of regions) {
    const frame = r.frame ?? zeroFrame;
    const key = frameKey(r.type, frame);
    let g = groups.get(key);
    if (!g) {
      g = { type: r.type, frame, histogram: new TimeHistogram() };
      groups.set(key, g);
    }
    g.histogram.add(r.durNs);
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
