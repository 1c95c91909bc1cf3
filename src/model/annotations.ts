/**
 * User annotations (runtime/trace): tasks with their parents, and regions
 * per goroutine with their nesting depth, paired from begin and end events
 * as go tool trace pairs them. A task or region whose begin came before
 * the trace did starts at the trace's start.
 */
import { type Event, EventKind } from "../decode/event.js";
import type { StringTable } from "./columns.js";
import type { GState } from "./goroutine-state.js";
import { RegionTable, TaskTable } from "./tables.js";

export class AnnotationRecorder {
  readonly tasks = new TaskTable();
  readonly regions = new RegionTable();
  private readonly taskIndex = new Map<number, number>();

  constructor(private readonly strings: StringTable) {}

  /** The task row of task ID `id` (−1 for none, the background task, or one never seen). */
  taskRow(id: number): number {
    // Consecutive regions are mostly in one task; a task's row never changes once it has one.
    if (id === this.lastTask && this.lastTaskRow >= 0) return this.lastTaskRow;
    const row = id > 0 && id < 2 ** 64 ? (this.taskIndex.get(id) ?? -1) : -1;
    this.lastTask = id;
    this.lastTaskRow = row;
    return row;
  }
  private lastTask = -1;
  private lastTaskRow = -1;

  /** A task begin or end, on goroutine index g with stack `stack`. */
  task(ev: Event, t: number, g: number, stack: number): void {
    const task = ev.task();
    if (task.id <= 0) return;
    let i = this.taskIndex.get(task.id);
    const tt = this.tasks;
    const begin = ev.kind === EventKind.TaskBegin;
    if (i === undefined) {
      i = tt.length;
      this.taskIndex.set(task.id, i);
      tt.id.push(task.id);
      tt.parent.push(this.taskRow(task.parent));
      tt.name.push(this.strings.intern(task.type));
      tt.startNs.push(begin ? t : 0);
      tt.endNs.push(Number.NaN);
      tt.startG.push(begin ? g : -1);
      tt.endG.push(-1);
      tt.startStack.push(begin ? stack : 0);
      tt.endStack.push(0);
      tt.depth.push(0);
    }
    if (!begin) {
      tt.endNs.set(i, t);
      tt.endG.set(i, g);
      tt.endStack.set(i, stack);
    }
  }

  /** A region begin or end on goroutine `gs`; `name` is the region type's string ID. */
  region(ev: Event, t: number, gs: GState, name: number, stack: number): void {
    const task = this.taskRow(ev.a0);
    // Open regions as flat numbers (name, task, start, stack): 7M regions would be 7M objects.
    gs.regions ??= [];
    const open = gs.regions;
    if (ev.kind === EventKind.RegionBegin) {
      // The slots of regions that ended are written over, not cut off (cutting an array's length costs a call).
      const at = 4 * gs.openRegions++;
      open[at] = name;
      open[at + 1] = task;
      open[at + 2] = t;
      open[at + 3] = stack;
      return;
    }
    // Regions end innermost first.
    let k = gs.openRegions - 1;
    while (k >= 0 && open[4 * k] !== name) k--;
    if (k < 0) {
      this.pushRegion(gs.index, name, task, 0, 0, t, 0, stack);
      return;
    }
    this.pushRegion(gs.index, name, open[4 * k + 1]!, open[4 * k + 2]!, open[4 * k + 3]!, t, k, stack);
    gs.openRegions = k;
  }

  private pushRegion(
    g: number,
    name: number,
    task: number,
    startNs: number,
    startStack: number,
    endNs: number,
    depth: number,
    endStack: number,
  ): void {
    const rt = this.regions;
    rt.startNs.push(startNs);
    rt.endNs.push(endNs);
    rt.g.push(g);
    rt.name.push(name);
    rt.task.push(task);
    rt.depth.push(depth);
    rt.startStack.push(startStack);
    rt.endStack.push(endStack);
  }

  /** Regions and tasks still open at the end of the trace last until its end. */
  finish(endNs: number, goroutines: readonly GState[]): void {
    for (const gs of goroutines) {
      const open = gs.regions;
      if (!open) continue;
      for (let k = gs.openRegions - 1; k >= 0; k--)
        this.pushRegion(
          gs.index,
          open[4 * k]!,
          open[4 * k + 1]!,
          open[4 * k + 2]!,
          open[4 * k + 3]!,
          endNs,
          k,
          0,
        );
    }
    const tt = this.tasks;
    for (let i = 0; i < tt.length; i++) if (Number.isNaN(tt.endNs.get(i))) tt.endNs.set(i, endNs);
  }
}
