/**
 * A timeline as a Perfetto trace (TracePacket / TrackEvent protobuf),
 * streamed to a sink in bounded chunks. The layout, as ui.perfetto.dev
 * shows it: one process, the Go program, holding
 *
 * - "GC" and "STW": the concurrent mark phases and stop-the-world pauses;
 * - counters: goroutines running / runnable / waiting for GC, heap allocated
 *   and the heap goal (next GC), threads running and in syscalls;
 * - "Procs": one track per P with the goroutines' execution slices on it,
 *   and a child track for its GC work (mark assist, sweeping);
 * - one thread track per M: the execution slices it ran, syscalls nested;
 * - "Tasks": user tasks, on as many lanes as overlap (async tracks);
 * - "Goroutines": one track per goroutine (by ID) whose slices are its
 *   states, one after the other from creation to end: "running", "syscall",
 *   "runnable[: reason]", "blocked: reason"; GC mark assists nested in
 *   them, logs and CPU samples as instants, and a child track with its
 *   user regions, nested by depth.
 *
 * Slices carry the stack Go recorded (interned callstacks): where a
 * goroutine stopped running or blocked, a syscall's, a region's or task's
 * start. Flows join the slice that let a goroutine run to its next running
 * slice: the creator's or the unblocker's running slice, or the syscall it
 * returned from.
 */
import { groupByKey } from "../../model/columns.js";
import type { CounterTrack } from "../../model/counters.js";
import type { Grouping } from "../../model/tables.js";
import { GlobalKind, MarkKind, RangeKind } from "../../model/tables.js";
import type { Timeline } from "../../model/timeline.js";
import { CounterDescriptor_Unit } from "./gen/perfetto_trace_pb.js";
import { CauseFlows, GoroutinePieces } from "./goroutine-tracks.js";
import { Interner } from "./interning.js";
import { SliceBatch } from "./slice-batch.js";
import { eventFields, PacketWriter, type PerfettoSink, type TrackSpec } from "./writer.js";

export type { PerfettoSink } from "./writer.js";

export interface PerfettoOptions {
  /** The process's name in Perfetto (default "Go program"). */
  readonly processName?: string;
  /** About how many bytes each chunk passed to the sink holds (default 1 MiB). */
  readonly chunkBytes?: number;
}

/** What was written, by kind: what a reader of the file should find. */
export interface PerfettoSummary {
  readonly packets: number;
  readonly bytes: number;
  readonly tracks: Record<TrackKind, number>;
  /** Slices (not instants) written on the tracks of each kind. */
  readonly slices: Record<TrackKind, number>;
  readonly instants: number;
  readonly flows: number;
  readonly counterSamples: number;
  /** Slices cut short to nest inside their enclosing slice (0 on every trace seen). */
  readonly clipped: number;
  /** Bytes of each part of the output: the descriptors, then the tracks of each kind (goroutines with their regions). */
  readonly sectionBytes: {
    descriptors: number;
    gc: number;
    counters: number;
    procs: number;
    threads: number;
    tasks: number;
    goroutines: number;
  };
}

export type TrackKind =
  | "process"
  | "group"
  | "proc"
  | "procGC"
  | "thread"
  | "goroutine"
  | "regions"
  | "tasks"
  | "gc"
  | "counter";

/**
 * Track UUIDs: fixed ones, then a range per kind, packed from 32 up (every
 * event names its track: small numbers are short varints).
 */
const processUUID = 1;
const procsUUID = 2;
const goroutinesUUID = 3;
const tasksUUID = 4;
const gcUUID = 5;
const stwUUID = 6;
const counterUUID = 16;
const firstRange = 32;

/** Perfetto's pid for the program (pid and tid 0 mean the idle task there). */
const pid = 1;

export async function exportPerfetto(
  tl: Timeline,
  sink: PerfettoSink,
  options: PerfettoOptions = {},
): Promise<PerfettoSummary> {
  return new PerfettoExport(tl, sink, options).run();
}

class PerfettoExport {
  private readonly interner: Interner;
  private readonly w: PacketWriter;
  private readonly f = eventFields();
  private readonly batch = new SliceBatch();
  private readonly tracks = countsByKind();
  private readonly slices = countsByKind();
  private instants = 0;
  private flows = 0;
  private counterSamples = 0;
  /** Per goroutine: the label and name iid of its last execution slice name (labels rarely change). */
  private readonly nameLabel: Int32Array;
  private readonly nameIID: Int32Array;
  private readonly procBase: number;
  private readonly taskLaneBase: number;
  private readonly threadBase: number;
  private readonly goroutineBase: number;

  constructor(
    private readonly tl: Timeline,
    sink: PerfettoSink,
    private readonly options: PerfettoOptions,
  ) {
    this.interner = new Interner(tl.stacks);
    this.w = new PacketWriter(sink, this.interner, options.chunkBytes);
    this.nameLabel = new Int32Array(tl.goroutines.length).fill(-1);
    this.nameIID = new Int32Array(tl.goroutines.length);
    this.procBase = firstRange;
    this.taskLaneBase = this.procBase + 2 * tl.procs;
    this.threadBase = this.taskLaneBase + this.taskLanes().starts.length - 1;
    this.goroutineBase = this.threadBase + tl.threadIDs.length;
  }

  async run(): Promise<PerfettoSummary> {
    const sections: [keyof PerfettoSummary["sectionBytes"], () => void | Promise<void>][] = [
      ["descriptors", () => this.describeTracks()],
      ["gc", () => this.writeGlobalRanges()],
      ["counters", () => this.writeCounters()],
      ["procs", () => this.writeProcs()],
      ["threads", () => this.writeThreads()],
      ["tasks", () => this.writeTasks()],
      ["goroutines", () => this.writeGoroutines()],
    ];
    const sectionBytes = {
      descriptors: 0,
      gc: 0,
      counters: 0,
      procs: 0,
      threads: 0,
      tasks: 0,
      goroutines: 0,
    };
    for (const [name, write] of sections) {
      const before = this.w.written;
      await write();
      sectionBytes[name] = this.w.written - before;
    }
    await this.w.flush();
    return {
      packets: this.w.packets,
      bytes: this.w.bytes,
      tracks: this.tracks,
      slices: this.slices,
      instants: this.instants,
      flows: this.flows,
      counterSamples: this.counterSamples,
      clipped: this.batch.clipped,
      sectionBytes,
    };
  }

  // --- Tracks ---------------------------------------------------------------

  private async describeTracks(): Promise<void> {
    const tl = this.tl;
    const d = (kind: TrackKind, track: TrackSpec) => {
      this.w.descriptor(track);
      this.tracks[kind]++;
    };
    d("process", {
      uuid: processUUID,
      process: { pid, name: this.options.processName ?? "Go program" },
      ranked: true,
    });
    const group = (uuid: number, name: string, rank: number) =>
      d("group", { uuid, parent: processUUID, name, ranked: true, rank });
    d("gc", { uuid: gcUUID, parent: processUUID, name: "GC", rank: 0 });
    d("gc", { uuid: stwUUID, parent: processUUID, name: "STW", rank: 1 });
    counterTracks(tl).forEach((c, k) => {
      d("counter", {
        uuid: counterUUID + k,
        parent: processUUID,
        name: c.name,
        counter: c.bytes ? CounterDescriptor_Unit.SIZE_BYTES : CounterDescriptor_Unit.COUNT,
        rank: 2 + k,
      });
    });
    group(procsUUID, "Procs", 20);
    for (let p = 0; p < tl.procs; p++) {
      d("proc", { uuid: this.procBase + 2 * p, parent: procsUUID, name: `Proc ${p}`, rank: p });
      if (tl.procRangesByP.starts[p + 1]! > tl.procRangesByP.starts[p]!)
        d("procGC", { uuid: this.procBase + 2 * p + 1, parent: this.procBase + 2 * p, name: `Proc ${p} GC` });
    }
    // Perfetto gives tid 0 to the idle task: tids are M IDs + 1.
    tl.threadIDs.forEach((id, m) => {
      d("thread", { uuid: this.threadBase + m, thread: { pid, tid: id + 1, name: `M${id}` } });
    });
    if (tl.tasks.length > 0) {
      group(tasksUUID, "Tasks", 21);
      const lanes = this.taskLanes().starts.length - 1;
      for (let lane = 0; lane < lanes; lane++)
        d("tasks", { uuid: this.taskLaneBase + lane, parent: tasksUUID, name: "Tasks", rank: lane });
    }
    group(goroutinesUUID, "Goroutines", 22);
    for (let rank = 0; rank < tl.goroutineOrder.length; rank++) {
      const g = tl.goroutineOrder[rank]!;
      const name = tl.goroutineName(g);
      d("goroutine", { uuid: this.goroutineBase + 2 * g, parent: goroutinesUUID, name, rank });
      if (tl.regionDepths[g]! > 0)
        d("regions", {
          uuid: this.goroutineBase + 2 * g + 1,
          parent: this.goroutineBase + 2 * g,
          name: `${name} regions`,
        });
      if (this.w.full) await this.w.flush();
    }
  }

  private taskLanesCache: ReturnType<typeof groupByKey> | undefined;
  private taskLanes(): ReturnType<typeof groupByKey> {
    const t = this.tl.tasks;
    let lanes = 0;
    for (let i = 0; i < t.length; i++) lanes = Math.max(lanes, t.depth.get(i) + 1);
    this.taskLanesCache ??= groupByKey(t.length, (i) => t.depth.get(i), lanes);
    return this.taskLanesCache;
  }

  // --- Slices ---------------------------------------------------------------

  private async flushBatch(kind: TrackKind, track: number): Promise<void> {
    this.slices[kind] += await this.batch.write(this.w, track, this.f);
    this.batch.reset();
    if (this.w.full) await this.w.flush();
  }

  /** The name of execution slice i: its goroutine and label then ("G12 main.worker"). */
  private execName(i: number): number {
    const g = this.tl.exec.g.get(i);
    const label = this.tl.exec.label.get(i);
    if (this.nameLabel[g] !== label) {
      this.nameLabel[g] = label;
      this.nameIID[g] = this.interner.name(this.tl.sliceName(i));
    }
    return this.nameIID[g]!;
  }

  private async writeGlobalRanges(): Promise<void> {
    const r = this.tl.globalRanges;
    for (const [kind, track] of [
      [GlobalKind.GC, gcUUID],
      [GlobalKind.STW, stwUUID],
    ] as const) {
      for (let i = 0; i < r.length; i++) {
        if (r.kind.get(i) !== kind) continue;
        this.batch.slice(
          r.startNs.get(i),
          r.endNs.get(i),
          this.interner.name(this.tl.strings.get(r.name.get(i))),
          this.interner.stack(r.startStack.get(i)),
        );
      }
      await this.flushBatch("gc", track);
    }
  }

  private async writeProcs(): Promise<void> {
    const tl = this.tl;
    const x = tl.exec;
    const r = tl.procRanges;
    for (let p = 0; p < tl.procs; p++) {
      for (let i = tl.execByP[p + 1]!; i < tl.execByP[p + 2]!; i++)
        this.batch.slice(
          x.startNs.get(i),
          x.endNs.get(i),
          this.execName(i),
          this.interner.stack(x.endStack.get(i)),
        );
      this.addSamples(tl.marksByP, p, true);
      await this.flushBatch("proc", this.procBase + 2 * p);
      const { order, starts } = tl.procRangesByP;
      for (let k = starts[p]!; k < starts[p + 1]!; k++) {
        const i = order[k]!;
        this.batch.slice(
          r.startNs.get(i),
          r.endNs.get(i),
          this.interner.name(tl.strings.get(r.name.get(i))),
          this.interner.stack(r.startStack.get(i)),
        );
      }
      if (starts[p + 1]! > starts[p]!) await this.flushBatch("procGC", this.procBase + 2 * p + 1);
    }
  }

  private async writeThreads(): Promise<void> {
    const tl = this.tl;
    const x = tl.exec;
    const s = tl.syscalls;
    const syscall = this.interner.name("syscall");
    for (let m = 0; m < tl.threadIDs.length; m++) {
      const byM = tl.execByM;
      for (let k = byM.starts[m]!; k < byM.starts[m + 1]!; k++) {
        const i = byM.order[k]!;
        this.batch.slice(
          x.startNs.get(i),
          x.threadEnd(i),
          this.execName(i),
          this.interner.stack(x.endStack.get(i)),
        );
      }
      const sys = tl.syscallsByM;
      for (let k = sys.starts[m]!; k < sys.starts[m + 1]!; k++) {
        const i = sys.order[k]!;
        this.batch.slice(s.startNs.get(i), s.threadEnd(i), syscall, this.interner.stack(s.stack.get(i)));
      }
      this.addSamples(tl.marksByM, m, false);
      await this.flushBatch("thread", this.threadBase + m);
    }
  }

  private async writeTasks(): Promise<void> {
    const t = this.tl.tasks;
    if (t.length === 0) return;
    const { order, starts } = this.taskLanes();
    for (let lane = 0; lane + 1 < starts.length; lane++) {
      for (let k = starts[lane]!; k < starts[lane + 1]!; k++) {
        const i = order[k]!;
        this.batch.slice(
          t.startNs.get(i),
          t.endNs.get(i),
          this.interner.name(this.tl.strings.get(t.name.get(i))),
          this.interner.stack(t.startStack.get(i)),
        );
      }
      await this.flushBatch("tasks", this.taskLaneBase + lane);
    }
  }

  private async writeCounters(): Promise<void> {
    const w = this.w;
    const tracks = counterTracks(this.tl);
    for (let k = 0; k < tracks.length; k++) {
      const { counter, series } = tracks[k]!;
      const track = counterUUID + k;
      // A sample is written once the next one's time is known: of two in one ns, the later value stands.
      let pendingNs = -1;
      let pending = Number.NaN;
      const emit = () => {
        if (pendingNs < 0) return;
        w.counterEvent(pendingNs, track, pending);
        this.counterSamples++;
      };
      // Parts of at most a chunk: a counter packet takes under 32 bytes.
      const part = Math.max(16, w.chunkBytes >>> 5);
      for (let first = 0; first < counter.length; first += part) {
        counter.forEachSampleIn(first, part, (timeNs, values) => {
          const v = values[series]!;
          if (v === pending) return;
          const t = Math.round(timeNs);
          if (t !== pendingNs) emit();
          pendingNs = t;
          pending = v;
        });
        if (w.full) await w.flush();
      }
      emit();
    }
  }

  // --- Goroutines -------------------------------------------------------------

  private async writeGoroutines(): Promise<void> {
    const flows = new CauseFlows(this.tl);
    const pieces = new GoroutinePieces(this.tl, this.interner, this.batch, flows);
    for (const g of this.tl.goroutineOrder) {
      this.flows += pieces.add(g);
      this.instants += this.addLogs(g);
      this.addAssists(g);
      await this.flushBatch("goroutine", this.goroutineBase + 2 * g);
      if (this.tl.regionDepths[g]! > 0) {
        this.addRegions(g);
        await this.flushBatch("regions", this.goroutineBase + 2 * g + 1);
      }
    }
  }

  /** Goroutine g's logs and CPU samples, as instants. */
  private addLogs(g: number): number {
    const mk = this.tl.marks;
    const { order, starts } = this.tl.marksByG;
    let n = 0;
    for (let k = starts[g]!; k < starts[g + 1]!; k++) {
      const i = order[k]!;
      const kind = mk.kind.get(i);
      if (kind === MarkKind.Log) {
        this.batch.instantAt(
          mk.timeNs.get(i),
          this.interner.name(this.tl.strings.get(mk.label.get(i))),
          this.interner.stack(mk.stack.get(i)),
        );
        n++;
      } else if (kind === MarkKind.CPUSample) n += this.addSample(i);
    }
    return n;
  }

  /** CPU samples taken with no goroutine running go on their P's track, or else their thread's. */
  private addSamples(grouping: Grouping, k: number, onP: boolean): void {
    const mk = this.tl.marks;
    for (let j = grouping.starts[k]!; j < grouping.starts[k + 1]!; j++) {
      const i = grouping.order[j]!;
      if (mk.kind.get(i) !== MarkKind.CPUSample || mk.g.get(i) >= 0 || (!onP && mk.p.get(i) >= 0)) continue;
      this.instants += this.addSample(i);
    }
  }

  private addSample(i: number): number {
    const mk = this.tl.marks;
    this.batch.instantAt(
      mk.timeNs.get(i),
      this.interner.name("CPU sample"),
      this.interner.stack(mk.stack.get(i)),
    );
    return 1;
  }

  private addAssists(g: number): void {
    const r = this.tl.procRanges;
    const { order, starts } = this.tl.procRangesByG;
    for (let k = starts[g]!; k < starts[g + 1]!; k++) {
      const i = order[k]!;
      if (r.kind.get(i) !== RangeKind.MarkAssist) continue;
      this.batch.slice(
        r.startNs.get(i),
        r.endNs.get(i),
        this.interner.name(this.tl.strings.get(r.name.get(i))),
        this.interner.stack(r.startStack.get(i)),
      );
    }
  }

  private addRegions(g: number): void {
    const tl = this.tl;
    const rg = tl.regions;
    const base = tl.regionBase[g]!;
    const from = tl.regionRuns[base]!;
    const to = tl.regionRuns[base + tl.regionDepths[g]!]!;
    for (let i = from; i < to; i++)
      this.batch.slice(
        rg.startNs.get(i),
        rg.endNs.get(i),
        this.interner.name(tl.strings.get(rg.name.get(i))),
        this.interner.stack(rg.startStack.get(i)),
      );
  }
}

function countsByKind(): Record<TrackKind, number> {
  return {
    process: 0,
    group: 0,
    proc: 0,
    procGC: 0,
    thread: 0,
    goroutine: 0,
    regions: 0,
    tasks: 0,
    gc: 0,
    counter: 0,
  };
}

interface CounterSeries {
  readonly name: string;
  readonly counter: CounterTrack;
  readonly series: number;
  readonly bytes: boolean;
}

/** The counter tracks, one per series of the model's counters. */
function counterTracks(tl: Timeline): CounterSeries[] {
  return [
    { name: "Goroutines running", counter: tl.goroutineCounter, series: 0, bytes: false },
    { name: "Goroutines runnable", counter: tl.goroutineCounter, series: 1, bytes: false },
    { name: "Goroutines waiting for GC", counter: tl.goroutineCounter, series: 2, bytes: false },
    { name: "Heap allocated", counter: tl.heapCounter, series: 0, bytes: true },
    { name: "Heap goal (next GC)", counter: tl.heapCounter, series: 1, bytes: true },
    { name: "Threads running", counter: tl.threadCounter, series: 0, bytes: false },
    { name: "Threads in syscalls", counter: tl.threadCounter, series: 1, bytes: false },
  ];
}
