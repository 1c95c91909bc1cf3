/**
 * The rows of each view and the lanes behind them. All views begin with
 * the same counter and global rows; then the proc view has two rows per P
 * (goroutines; syscalls and GC work beneath), the thread view two per M,
 * and the goroutine view one per goroutine (states, then syscalls and mark
 * assists, then regions by depth). A row with nothing to draw in the whole
 * trace says so (`empty`), so the UI can leave it out.
 */

import type { CounterTrack } from "../../model/counters.js";
import { GlobalKind, MarkKind, RangeKind } from "../../model/tables.js";
import type { Timeline } from "../../model/timeline.js";
import { StateLane } from "./goroutine-lanes.js";
import { ArrayLane, type Lane, type LaneItem, sliceID, sortedRows, TableLane, Tag } from "./lanes.js";
import { type Row, SliceCategory, type ViewKind } from "./protocol.js";

/** What stands behind one row. */
export interface RowSpec {
  readonly row: Row;
  readonly counter?: CounterTrack;
  /** Slice lanes, made on first use. */
  lanes(): Lane[];
  /** Mark table rows in time order, made on first use. */
  marks(): Int32Array;
  /** The resource the row shows, for flows: a P, a thread index or a goroutine index. */
  readonly p?: number;
  readonly m?: number;
  readonly g?: number;
}

export const enum HeadRow {
  Goroutines = 0,
  Heap = 1,
  Threads = 2,
  GC = 3,
  STW = 4,
  Network = 5,
  Syscalls = 6,
  Tasks = 7,
}

const none = new Int32Array(0);

/** `empty` for a row holding `n` items: true, or left out. */
function noItems(n: number | undefined): true | undefined {
  return (n ?? 0) === 0 || undefined;
}

function lazy<T>(make: () => T): () => T {
  let v: T | undefined;
  return () => {
    v ??= make();
    return v;
  };
}

export class ViewRows {
  readonly specs: RowSpec[] = [];
  /** Row of P p, thread index m or goroutine index g (the first row of its pair). */
  readonly rowOfResource = new Map<number, number>();

  constructor(
    readonly tl: Timeline,
    readonly view: ViewKind,
    readonly sliceLabel: (id: number) => string,
  ) {
    this.head();
    if (view === "proc") this.procRows();
    else if (view === "thread") this.threadRows();
    else this.goroutineRows();
  }

  private add(
    spec: Omit<RowSpec, "row" | "lanes" | "marks"> & {
      row: Omit<Row, "index">;
      lanes?: () => Lane[];
      marks?: () => Int32Array;
    },
  ): void {
    const index = this.specs.length;
    this.specs.push({
      ...spec,
      row: { index, ...spec.row },
      lanes: spec.lanes ?? (() => []),
      marks: spec.marks ?? (() => none),
    });
  }

  /** Mark table rows in time order. */
  private marksIn(rows: ArrayLike<number>): Int32Array {
    const t = this.tl.marks.timeNs;
    return sortedRows(rows, (i) => t.get(i));
  }

  /** How many of these marks are not a P starting or stopping. */
  private marksBesidesProcs(rows: Int32Array): number {
    const kind = this.tl.marks.kind;
    let n = 0;
    for (const i of rows) {
      const k = kind.get(i);
      if (k !== MarkKind.ProcStart && k !== MarkKind.ProcStop) n++;
    }
    return n;
  }

  private marksOfKind(kind: MarkKind): Int32Array {
    const mk = this.tl.marks;
    const rows: number[] = [];
    for (let i = 0; i < mk.length; i++) if (mk.kind.get(i) === kind) rows.push(i);
    return this.marksIn(rows);
  }

  private head(): void {
    const tl = this.tl;
    const counter = (label: string, c: CounterTrack, stacked?: number) =>
      this.add({
        row: { label, kind: "counter", group: "Counters", series: c.series, stacked },
        counter: c,
      });
    counter("Goroutines", tl.goroutineCounter);
    // The GC's goal is a line over the allocated heap: stacked, it would read as twice the heap.
    counter("Heap", tl.heapCounter, 1);
    counter("Threads", tl.threadCounter);
    const gr = tl.globalRanges;
    const rangesOfKind = [0, 0, 0, 0];
    for (let i = 0; i < gr.length; i++)
      rangesOfKind[gr.kind.get(i)] = (rangesOfKind[gr.kind.get(i)] ?? 0) + 1;
    const mk = tl.marks;
    const marksOfKind: number[] = [];
    for (let i = 0; i < mk.length; i++) marksOfKind[mk.kind.get(i)] = (marksOfKind[mk.kind.get(i)] ?? 0) + 1;
    const globalLane = (kind: GlobalKind, category: SliceCategory) =>
      lazy(() => {
        const items: LaneItem[] = [];
        for (let i = 0; i < gr.length; i++) {
          if (gr.kind.get(i) !== kind) continue;
          items.push({
            startNs: gr.startNs.get(i),
            endNs: gr.endNs.get(i),
            id: sliceID(Tag.GlobalRange, i),
            color: -category,
          });
        }
        return [new ArrayLane(0, items, this.sliceLabel)];
      });
    this.add({
      row: {
        label: "GC",
        kind: "slices",
        group: "Global",
        maxDepth: 0,
        empty: noItems(rangesOfKind[GlobalKind.GC]),
      },
      lanes: globalLane(GlobalKind.GC, SliceCategory.GCMark),
    });
    this.add({
      row: {
        label: "STW",
        kind: "slices",
        group: "Global",
        maxDepth: 0,
        empty: noItems(rangesOfKind[GlobalKind.STW]),
      },
      lanes: globalLane(GlobalKind.STW, SliceCategory.STW),
    });
    this.add({
      row: {
        label: "Network",
        kind: "marks",
        group: "Global",
        empty: noItems(marksOfKind[MarkKind.Network]),
      },
      marks: lazy(() => this.marksOfKind(MarkKind.Network)),
    });
    this.add({
      row: {
        label: "Syscalls",
        kind: "marks",
        group: "Global",
        empty: noItems(marksOfKind[MarkKind.SyscallExit]),
      },
      marks: lazy(() => this.marksOfKind(MarkKind.SyscallExit)),
    });
    const tt = tl.tasks;
    let taskDepth = 0;
    for (let i = 0; i < tt.length; i++) taskDepth = Math.max(taskDepth, tt.depth.get(i));
    this.add({
      row: {
        label: "Tasks",
        kind: "slices",
        group: "Global",
        maxDepth: taskDepth,
        empty: noItems(tt.length),
      },
      lanes: lazy(() => {
        const byDepth: LaneItem[][] = Array.from({ length: taskDepth + 1 }, () => []);
        for (let i = 0; i < tt.length; i++) {
          byDepth[tt.depth.get(i)]!.push({
            startNs: tt.startNs.get(i),
            endNs: tt.endNs.get(i),
            id: sliceID(Tag.Task, i),
            color: -SliceCategory.Task,
          });
        }
        return byDepth.map((items, d) => new ArrayLane(d, items, this.sliceLabel));
      }),
    });
  }

  /** A thread's or goroutine's syscalls, each until it returned (a blocked one ends on its P sooner). */
  private syscallItems(rows: Int32Array): LaneItem[] {
    const sys = this.tl.syscalls;
    const items: LaneItem[] = [];
    for (const i of rows) {
      items.push({
        startNs: sys.startNs.get(i),
        endNs: sys.threadEnd(i),
        id: sliceID(Tag.Syscall, i),
        color: sys.blocked.get(i) === 1 ? -SliceCategory.BlockedSyscall : -SliceCategory.Syscall,
      });
    }
    return items;
  }

  private execColor = (i: number): number => this.tl.goroutines.id.get(this.tl.exec.g.get(i));
  private execLabel = (i: number): string => this.tl.sliceName(i);

  private procRows(): void {
    const tl = this.tl;
    const x = tl.exec;
    const sys = tl.syscalls;
    const pr = tl.procRanges;
    for (let p = 0; p < tl.procs; p++) {
      this.rowOfResource.set(p, this.specs.length);
      this.add({
        row: {
          label: `Proc ${p}`,
          kind: "slices",
          group: "Procs",
          maxDepth: 0,
          empty: noItems(tl.execByP[p + 2]! - tl.execByP[p + 1]!),
        },
        p,
        lanes: lazy(() => [
          new TableLane({
            depth: 0,
            tag: Tag.Exec,
            startNs: x.startNs.array,
            endNs: (i) => x.endNs.get(i),
            from: tl.execByP[p + 1]!,
            to: tl.execByP[p + 2]!,
            color: this.execColor,
            label: this.execLabel,
          }),
        ]),
      });
      const sysRows = groupRows(tl.syscallsByP, p);
      const rangeRows = groupRows(tl.procRangesByP, p);
      let deep = false;
      for (const i of rangeRows) if (pr.kind.get(i) !== RangeKind.MarkAssist) deep = true;
      const pMarks = groupRows(tl.marksByP, p);
      this.add({
        row: {
          label: `Proc ${p} syscalls & GC`,
          kind: "slices",
          group: "Procs",
          maxDepth: deep ? 1 : 0,
          empty: noItems(sysRows.length + rangeRows.length + this.marksBesidesProcs(pMarks)),
        },
        p,
        lanes: lazy(() => {
          const d0: LaneItem[] = [];
          const d1: LaneItem[] = [];
          for (const i of sysRows) {
            d0.push({
              startNs: sys.startNs.get(i),
              endNs: sys.endNs.get(i),
              id: sliceID(Tag.Syscall, i),
              color: sys.blocked.get(i) ? -SliceCategory.BlockedSyscall : -SliceCategory.Syscall,
            });
          }
          for (const i of rangeRows) {
            const assist = pr.kind.get(i) === RangeKind.MarkAssist;
            (assist ? d0 : d1).push({
              startNs: pr.startNs.get(i),
              endNs: pr.endNs.get(i),
              id: sliceID(Tag.ProcRange, i),
              color: assist ? -SliceCategory.MarkAssist : -SliceCategory.Sweep,
            });
          }
          return [new ArrayLane(0, d0, this.sliceLabel), new ArrayLane(1, d1, this.sliceLabel)];
        }),
        marks: lazy(() => this.marksIn(pMarks)),
      });
    }
  }

  private threadRows(): void {
    const tl = this.tl;
    const x = tl.exec;
    const byID = Int32Array.from(tl.threadIDs.keys()).sort((a, b) => tl.threadIDs[a]! - tl.threadIDs[b]!);
    for (const m of byID) {
      const id = tl.threadIDs[m]!;
      this.rowOfResource.set(m, this.specs.length);
      this.add({
        row: {
          label: `Thread ${id}`,
          kind: "slices",
          group: "Threads",
          maxDepth: 0,
          empty: noItems(tl.execByM.starts[m + 1]! - tl.execByM.starts[m]!),
        },
        m,
        lanes: lazy(() => [
          new TableLane({
            depth: 0,
            tag: Tag.Exec,
            startNs: x.startNs.array,
            endNs: (i) => x.threadEnd(i),
            from: tl.execByM.starts[m]!,
            to: tl.execByM.starts[m + 1]!,
            order: tl.execByM.order,
            color: this.execColor,
            label: this.execLabel,
          }),
        ]),
      });
      const mSyscalls = groupRows(tl.syscallsByM, m);
      const mMarks = groupRows(tl.marksByM, m);
      this.add({
        row: {
          label: `Thread ${id} syscalls`,
          kind: "slices",
          group: "Threads",
          maxDepth: 0,
          empty: noItems(mSyscalls.length + this.marksBesidesProcs(mMarks)),
        },
        m,
        lanes: lazy(() => [new ArrayLane(0, this.syscallItems(mSyscalls), this.sliceLabel)]),
        marks: lazy(() => this.marksIn(mMarks)),
      });
    }
  }

  private goroutineRows(): void {
    const tl = this.tl;
    const pr = tl.procRanges;
    const rg = tl.regions;
    const count = (grouping: { starts: Int32Array }, g: number) =>
      grouping.starts[g + 1]! - grouping.starts[g]!;
    for (const g of tl.goroutineOrder) {
      const runtime = count(tl.syscallsByG, g) + count(tl.procRangesByG, g) > 0 ? 1 : 0;
      const regionDepths = tl.regionDepths[g]!;
      this.rowOfResource.set(g, this.specs.length);
      this.add({
        row: {
          label: tl.goroutineName(g),
          kind: "slices",
          group: "Goroutines",
          goroutine: tl.goroutines.id.get(g),
          maxDepth: runtime + regionDepths,
        },
        g,
        lanes: () => {
          const lanes: Lane[] = [new StateLane(tl, g)];
          if (runtime) {
            const items = this.syscallItems(groupRows(tl.syscallsByG, g));
            for (const i of groupRows(tl.procRangesByG, g)) {
              items.push({
                startNs: pr.startNs.get(i),
                endNs: pr.endNs.get(i),
                id: sliceID(Tag.ProcRange, i),
                color: -SliceCategory.MarkAssist,
              });
            }
            lanes.push(new ArrayLane(1, items, this.sliceLabel));
          }
          for (let d = 0; d < regionDepths; d++) {
            const run = tl.regionBase[g]! + d;
            lanes.push(
              new TableLane({
                depth: 1 + runtime + d,
                tag: Tag.Region,
                startNs: rg.startNs.array,
                endNs: (i) => rg.endNs.get(i),
                from: tl.regionRuns[run]!,
                to: tl.regionRuns[run + 1]!,
                color: () => -SliceCategory.Region,
                label: (i) => tl.strings.get(rg.name.get(i)),
              }),
            );
          }
          return lanes;
        },
        marks: () => this.marksIn(groupRows(tl.marksByG, g)),
      });
    }
  }
}

/** The table rows of group k of a grouping. */
export function groupRows(grouping: { order: Int32Array; starts: Int32Array }, k: number): Int32Array {
  if (k < 0 || k + 1 >= grouping.starts.length) return none;
  return grouping.order.subarray(grouping.starts[k]!, grouping.starts[k + 1]!);
}
