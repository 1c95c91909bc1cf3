/**
 * A trace's tables (schema.ts) built from its Timeline: columns of typed
 * arrays, one per schema column, ready to be appended to DuckDB a vector at
 * a time or written to Parquet. Strings stay interned: a `str` column holds
 * IDs into the trace's string table. Runs anywhere (no node:*, no DOM).
 */
import type { StringTable } from "../../model/columns.js";
import type { CounterTrack } from "../../model/counters.js";
import { StateKind, type StateRow, StateWalker, stateKindNames } from "../../model/states.js";
import { CauseKind, GlobalKind, RangeKind } from "../../model/tables.js";
import type { Timeline } from "../../model/timeline.js";
import { type ColumnKind, type ColumnSpec, schema, type TableName, type TableSpec } from "./schema.js";

export type ColumnData = Float64Array | Int32Array | Uint8Array;

export interface TableData {
  readonly spec: TableSpec;
  readonly rows: number;
  /** One array per spec column (trace_id is not stored: it is the trace's). */
  readonly columns: readonly ColumnData[];
}

export interface TraceTables {
  readonly traceId: number;
  /** Resolves the IDs of `str` columns: 0 … size − 1. */
  readonly strings: { get(id: number): string; readonly size: number };
  /**
   * In schema order; iterated once, each table built as it is reached. A
   * large table comes in several pieces in a row (same spec), to be appended
   * one after the other.
   */
  readonly tables: Iterable<TableData>;
}

/** What the tables say about the file, beyond its timeline. */
export interface TraceFileInfo {
  /** See traceIdOf. */
  readonly traceId: number;
  readonly path: string;
  readonly sizeBytes: number;
  /** SHA-256 of the file, lowercase hex. */
  readonly sha256: string;
  /** Header version N of "go 1.N trace" (the timeline's when undefined). */
  readonly version?: number;
  /** Unix time in µs of the trace's time 0, when the trace has a clock snapshot. */
  readonly startWallUs?: number;
  /** The damage message with its offset, when the read stopped early. */
  readonly damage?: string;
}

/**
 * A trace's ID from its SHA-256 (hex): the first 52 bits as a number, so
 * the ID is exact in JavaScript, a BIGINT in SQL, and a number (not a
 * string that looks like one) in Parquet's hive partition directories.
 */
export function traceIdOf(sha256Hex: string): number {
  return Number.parseInt(sha256Hex.slice(0, 13), 16);
}

/** The growing columns of one table, filled a row at a time. */
class TableWriter {
  private cols: ColumnData[];
  rows = 0;

  constructor(
    readonly spec: TableSpec,
    capacity: number,
  ) {
    this.cols = spec.columns.map((c) => alloc(c.kind, Math.max(capacity, 1)));
  }

  /** Appends a row: one value per column, in the spec's order. */
  row(...values: number[]): void {
    if (this.rows === this.cols[0]!.length) this.cols = this.cols.map((c) => grow(c));
    const r = this.rows++;
    for (let c = 0; c < values.length; c++) this.cols[c]![r] = values[c]!;
  }

  done(): TableData {
    return { spec: this.spec, rows: this.rows, columns: this.cols.map((c) => c.slice(0, this.rows)) };
  }

  /** The rows so far, as a piece of the table; the writer starts again empty. */
  take(): TableData {
    const piece = this.done();
    this.rows = 0;
    return piece;
  }
}

/** Rows per piece of the tables that come in pieces (the largest: states, regions). */
const pieceRows = 1 << 16;

function alloc(kind: ColumnKind, n: number): ColumnData {
  switch (kind) {
    case "i32":
    case "str":
      return new Int32Array(n);
    case "bool":
      return new Uint8Array(n);
    default:
      return new Float64Array(n);
  }
}

function grow(c: ColumnData): ColumnData {
  const next = new (c.constructor as new (n: number) => ColumnData)(c.length * 2);
  next.set(c);
  return next;
}

function specOf(name: TableName): TableSpec {
  return schema.find((t) => t.name === name)!;
}

/** −1 (none) stays −1; a stack ID 0 (the empty stack) is none too. */
function stackOrNone(s: number): number {
  return s > 0 ? s : -1;
}

/**
 * The tables of one trace, in schema order, each built when the iteration
 * reaches it (so a loader holds one table's columns at a time).
 */
export function traceTables(tl: Timeline, file: TraceFileInfo): TraceTables {
  return { traceId: file.traceId, strings: tl.strings, tables: buildTables(tl, file) };
}

function* buildTables(tl: Timeline, file: TraceFileInfo): Generator<TableData> {
  const strings: StringTable = tl.strings;
  const G = tl.goroutines;
  const goid = (g: number) => (g >= 0 ? G.id.get(g) : Number.NaN);
  const mid = (m: number) => (m >= 0 && m < tl.threadIDs.length ? tl.threadIDs[m]! : Number.NaN);
  const str = (s: string | undefined) => (s === undefined ? -1 : strings.intern(s));

  const traces = new TableWriter(specOf("traces"), 1);
  const version = file.version ?? tl.version;
  traces.row(
    str(file.path),
    file.sizeBytes,
    str(file.sha256),
    str(version ? `1.${version}` : ""),
    file.startWallUs ?? Number.NaN,
    tl.durationNs,
    tl.events,
    G.length,
    tl.procs,
    tl.threadIDs.length,
    str(file.damage),
  );
  yield traces.done();

  const goroutines = new TableWriter(specOf("goroutines"), G.length);
  for (let g = 0; g < G.length; g++) {
    const label = G.label.get(g);
    goroutines.row(
      G.id.get(g),
      G.func.get(g),
      label > 0 ? label : -1,
      G.createdNs.get(g),
      goid(G.creator.get(g)),
      stackOrNone(G.createStack.get(g)),
      G.endNs.get(g),
    );
  }
  yield goroutines.done();

  yield* statesTable(tl, goid, str);
  yield rangesTable(tl, goid, mid, str);

  const T = tl.tasks;
  const tasks = new TableWriter(specOf("tasks"), T.length);
  for (let i = 0; i < T.length; i++) {
    const parent = T.parent.get(i);
    tasks.row(
      T.id.get(i),
      parent >= 0 ? T.id.get(parent) : Number.NaN,
      T.name.get(i),
      T.startNs.get(i),
      T.endNs.get(i),
      goid(T.startG.get(i)),
      goid(T.endG.get(i)),
      stackOrNone(T.startStack.get(i)),
      stackOrNone(T.endStack.get(i)),
    );
  }
  yield tasks.done();

  const R = tl.regions;
  const regions = new TableWriter(specOf("regions"), Math.min(R.length, pieceRows));
  for (let i = 0; i < R.length; i++) {
    const task = R.task.get(i);
    regions.row(
      goid(R.g.get(i)),
      R.name.get(i),
      task >= 0 ? T.id.get(task) : Number.NaN,
      R.depth.get(i),
      R.startNs.get(i),
      R.endNs.get(i),
      stackOrNone(R.startStack.get(i)),
      stackOrNone(R.endStack.get(i)),
    );
    if (regions.rows >= pieceRows) yield regions.take();
  }
  yield regions.take();

  const { logs, samples } = marksTables(tl, goid, mid, str);
  yield logs;
  yield* stackTables(tl);
  yield* countersTable(tl, str);
  yield samples;
}

type Ids = (i: number) => number;

const wakeNames: Partial<Record<CauseKind, string>> = {
  [CauseKind.Create]: "created",
  [CauseKind.Unblock]: "unblocked",
  [CauseKind.Network]: "network",
  [CauseKind.SyscallExit]: "syscall exit",
};

function* statesTable(tl: Timeline, goid: Ids, str: (s: string) => number): Generator<TableData> {
  const out = new TableWriter(specOf("states"), pieceRows);
  const walker = new StateWalker(tl);
  const kinds = stateKindNames.map(str);
  const wakes = new Map(Object.entries(wakeNames).map(([k, v]) => [Number(k), str(v)]));
  const visit = (r: StateRow) => {
    out.row(
      goid(r.g),
      kinds[r.state]!,
      r.reason > 0 ? r.reason : -1,
      r.startNs,
      r.endNs,
      stackOrNone(r.stack),
      r.state === StateKind.Runnable ? (wakes.get(r.wakeKind) ?? -1) : -1,
      r.state === StateKind.Runnable ? goid(r.wokenBy) : Number.NaN,
      r.endNs >= tl.durationNs && Number.isNaN(tl.goroutines.endNs.get(r.g)) ? 1 : 0,
    );
  };
  for (let g = 0; g < tl.goroutines.length; g++) {
    walker.each(g, visit);
    if (out.rows >= pieceRows) yield out.take();
  }
  yield out.take();
}

function rangesTable(tl: Timeline, goid: Ids, mid: Ids, str: (s: string) => number): TableData {
  const gr = tl.globalRanges;
  const pr = tl.procRanges;
  const sc = tl.syscalls;
  const out = new TableWriter(specOf("ranges"), gr.length + pr.length + sc.length);
  const kGC = str("GC");
  const kSTW = str("STW");
  const kAssist = str("mark assist");
  const kSweep = str("sweep");
  const kSyscall = str("syscall");
  for (let i = 0; i < gr.length; i++) {
    out.row(
      gr.kind.get(i) === GlobalKind.STW ? kSTW : kGC,
      gr.name.get(i),
      gr.startNs.get(i),
      gr.endNs.get(i),
      goid(gr.g.get(i)),
      -1,
      Number.NaN,
      stackOrNone(gr.startStack.get(i)),
      stackOrNone(gr.endStack.get(i)),
      0,
    );
  }
  for (let i = 0; i < pr.length; i++) {
    const kind = pr.kind.get(i);
    const name = pr.name.get(i);
    out.row(
      kind === RangeKind.MarkAssist ? kAssist : kind === RangeKind.Sweep ? kSweep : name,
      name,
      pr.startNs.get(i),
      pr.endNs.get(i),
      goid(pr.g.get(i)),
      pr.p.get(i),
      mid(pr.m.get(i)),
      stackOrNone(pr.startStack.get(i)),
      stackOrNone(pr.endStack.get(i)),
      0,
    );
  }
  const sysName = str("syscall");
  for (let i = 0; i < sc.length; i++) {
    out.row(
      kSyscall,
      sysName,
      sc.startNs.get(i),
      sc.threadEnd(i),
      goid(sc.g.get(i)),
      sc.p.get(i),
      mid(sc.m.get(i)),
      stackOrNone(sc.stack.get(i)),
      -1,
      sc.blocked.get(i) ? 1 : 0,
    );
  }
  return out.done();
}

function marksTables(
  tl: Timeline,
  goid: Ids,
  mid: Ids,
  str: (s: string) => number,
): { logs: TableData; samples: TableData } {
  const mk = tl.marks;
  const logs = new TableWriter(specOf("logs"), 16);
  const samples = new TableWriter(specOf("cpu_samples"), 16);
  for (let i = 0; i < mk.length; i++) {
    const kind = mk.kind.get(i);
    if (kind === 0 /* MarkKind.CPUSample */) {
      samples.row(
        mk.timeNs.get(i),
        goid(mk.g.get(i)),
        mk.p.get(i),
        mid(mk.m.get(i)),
        stackOrNone(mk.stack.get(i)),
      );
    } else if (kind === 1 /* MarkKind.Log */) {
      const { category, message } = splitLog(tl.strings.get(mk.label.get(i)));
      logs.row(
        mk.timeNs.get(i),
        goid(mk.g.get(i)),
        mk.p.get(i),
        mid(mk.m.get(i)),
        str(category),
        str(message),
        stackOrNone(mk.stack.get(i)),
      );
    }
  }
  return { logs: logs.done(), samples: samples.done() };
}

/**
 * The model keeps a log as one text, "[category] message" or just the
 * message when the category is empty; here they are apart again.
 */
export function splitLog(text: string): { category: string; message: string } {
  const m = /^\[([^\]]*)\] ([\s\S]*)$/.exec(text);
  return m ? { category: m[1]!, message: m[2]! } : { category: "", message: text };
}

function stackTables(tl: Timeline): TableData[] {
  const st = tl.stacks;
  const stacks = new TableWriter(specOf("stacks"), st.size * 8);
  for (let s = 1; s < st.size; s++) {
    const ids = st.frameIDsOf(s);
    for (let d = 0; d < ids.length; d++) stacks.row(s, d, ids[d]!);
  }
  const frames = new TableWriter(specOf("frames"), st.frameCount);
  for (let f = 0; f < st.frameCount; f++) {
    const fr = st.frame(f);
    frames.row(f, fr.func, fr.file, fr.line);
  }
  return [stacks.done(), frames.done()];
}

/** The counters table, in pieces: a large trace has tens of millions of changes. */
function* countersTable(tl: Timeline, str: (s: string) => number): Generator<TableData> {
  const out = new TableWriter(specOf("counters"), pieceRows);
  const tracks: [string, CounterTrack][] = [
    ["goroutines", tl.goroutineCounter],
    ["heap", tl.heapCounter],
    ["threads", tl.threadCounter],
  ];
  for (const [name, track] of tracks) {
    const counter = str(name);
    const series = track.series.map(str);
    const last = track.series.map(() => 0);
    let first = true;
    for (let from = 0; from < track.length; from += pieceRows) {
      track.forEachSampleIn(from, pieceRows, (timeNs, values) => {
        for (let k = 0; k < series.length; k++) {
          const v = values[k]!;
          if (!first && v === last[k]) continue;
          last[k] = v;
          out.row(counter, series[k]!, timeNs, v);
        }
        first = false;
      });
      if (out.rows >= pieceRows) yield out.take();
    }
  }
  yield out.take();
}

export type { ColumnSpec };
