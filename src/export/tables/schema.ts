/**
 * The tables of a trace, as SQL and Parquet see them: every table, every
 * column, its type and what it means. docs/tables.md is this schema in
 * prose (a test holds the two equal). Every table begins with `trace_id`,
 * so the tables of many traces can be put together and joined.
 *
 * Times are nanoseconds since the trace's first event (BIGINT), as every
 * gotrace analysis counts them; `traces.start_time` places that instant on
 * the wall clock where the trace says when it was taken (Go 1.25+).
 */

/**
 * How a column is held in memory and typed in SQL:
 * - `i64`: whole numbers in a Float64Array (exact to 2^53), NaN for NULL → BIGINT;
 * - `i32`: an Int32Array, −1 for NULL when the column is nullable → INTEGER;
 * - `f64`: a Float64Array, NaN for NULL → DOUBLE;
 * - `str`: string IDs in an Int32Array (−1 for NULL) into the trace's strings → VARCHAR;
 * - `bool`: a Uint8Array → BOOLEAN;
 * - `time`: microseconds since the Unix epoch in a Float64Array, NaN for NULL → TIMESTAMP.
 */
export type ColumnKind = "i64" | "i32" | "f64" | "str" | "bool" | "time";

/** The SQL type (DuckDB, Parquet's logical type) of each kind. */
export const sqlTypes: Readonly<Record<ColumnKind, string>> = {
  i64: "BIGINT",
  i32: "INTEGER",
  f64: "DOUBLE",
  str: "VARCHAR",
  bool: "BOOLEAN",
  time: "TIMESTAMP",
};

export interface ColumnSpec {
  readonly name: string;
  readonly kind: ColumnKind;
  /** Whether the column has NULLs (NaN, or −1 in i32 and str columns). */
  readonly nullable?: boolean;
  readonly doc: string;
}

export interface TableSpec {
  readonly name: string;
  readonly doc: string;
  /** The columns after `trace_id`, which every table has first. */
  readonly columns: readonly ColumnSpec[];
}

/** The column every table begins with. */
export const traceIdColumn: ColumnSpec = {
  name: "trace_id",
  kind: "i64",
  doc: "The trace: the first 52 bits of the SHA-256 of its file's bytes, as a number (see `traces`).",
};

const stackCol = (name: string, doc: string): ColumnSpec => ({ name, kind: "i32", nullable: true, doc });
const goidCol = (doc: string): ColumnSpec => ({ name: "goid", kind: "i64", nullable: true, doc });
const pCol: ColumnSpec = { name: "p", kind: "i32", nullable: true, doc: "P ID; NULL when none." };
const mCol: ColumnSpec = { name: "m", kind: "i64", nullable: true, doc: "Thread (M) ID; NULL when none." };

export const schema = [
  {
    name: "traces",
    doc: "One row per trace file.",
    columns: [
      { name: "path", kind: "str", doc: "The file's path as given on the command line." },
      { name: "size_bytes", kind: "i64", doc: "The file's size." },
      { name: "sha256", kind: "str", doc: "SHA-256 of the file's bytes, in hex." },
      {
        name: "go_version",
        kind: "str",
        doc: "The trace format's version from the header, e.g. \"1.25\" (Go 1.24 writes 1.23's format, Go 1.27 1.26's).",
      },
      {
        name: "start_time",
        kind: "time",
        nullable: true,
        doc: "Wall-clock time (UTC) of time 0, from the first clock snapshot (Go 1.25+); NULL when the trace has none.",
      },
      { name: "duration_ns", kind: "i64", doc: "From the first event to the last." },
      { name: "events", kind: "i64", doc: "Events read, Syncs included (as gotrace stats counts them)." },
      { name: "goroutines", kind: "i32", doc: "Rows in `goroutines` for this trace." },
      { name: "procs", kind: "i32", doc: "Ps seen (highest P ID + 1)." },
      { name: "threads", kind: "i32", doc: "Threads (Ms) seen." },
      {
        name: "damage",
        kind: "str",
        nullable: true,
        doc: "Why the read stopped early, with the byte offset; NULL for a whole trace. The tables hold what was read before.",
      },
    ],
  },
  {
    name: "goroutines",
    doc: "One row per goroutine ID seen.",
    columns: [
      { name: "goid", kind: "i64", doc: "Goroutine ID." },
      {
        name: "name",
        kind: "str",
        doc: "Start function, as go tool trace groups goroutines (`gotrace goroutines`); '' when unknown.",
      },
      {
        name: "label",
        kind: "str",
        nullable: true,
        doc: 'The last label it was given (e.g. "GC (idle)"); NULL for none.',
      },
      {
        name: "created_ns",
        kind: "i64",
        doc: "When it was created, or the start of the generation it was first seen in.",
      },
      goidColAs("creator_goid", "The goroutine that created it; NULL when not seen."),
      stackCol("create_stack_id", "Stack of its creation (`stacks`); NULL when none."),
      { name: "end_ns", kind: "i64", nullable: true, doc: "When it ended; NULL if it outlived the trace." },
    ],
  },
  {
    name: "states",
    doc: "Goroutine state intervals: where each goroutine's time went, without gaps or overlaps while it is known.",
    columns: [
      { name: "goid", kind: "i64", doc: "Goroutine ID." },
      { name: "state", kind: "str", doc: "'running', 'syscall', 'runnable' or 'waiting'." },
      {
        name: "reason",
        kind: "str",
        nullable: true,
        doc: 'Why it waited ("chan receive", "sync", "sleep", …), or why a running goroutine became runnable ("preempted"); NULL for none.',
      },
      { name: "start_ns", kind: "i64", doc: "Start of the interval." },
      { name: "end_ns", kind: "i64", doc: "End of the interval." },
      stackCol(
        "stack_id",
        "Where it blocked (waiting), made the syscall, stopped running, or stopped or was woken (runnable); NULL when none.",
      ),
      {
        name: "wake",
        kind: "str",
        nullable: true,
        doc: "For runnable: what made it so: 'created', 'unblocked', 'network' (the poller), 'syscall exit'; NULL when unknown.",
      },
      goidColAs(
        "waker_goid",
        "For runnable: the goroutine that created or unblocked it; NULL when none or unknown.",
      ),
      {
        name: "at_trace_end",
        kind: "bool",
        doc: "The interval was still going when the trace ended (its end_ns is the trace's end). Go's blocking profiles leave such waits out.",
      },
    ],
  },
  {
    name: "ranges",
    doc: "Ranges of time: GC and stop-the-world (whole program), mark assists and sweeps (a goroutine's or P's), and syscalls.",
    columns: [
      {
        name: "kind",
        kind: "str",
        doc: "'GC', 'STW', 'mark assist', 'sweep', 'syscall', or the range's name for other ranges.",
      },
      {
        name: "name",
        kind: "str",
        doc: 'What go tool trace calls it, e.g. "stop-the-world (GC mark termination)".',
      },
      { name: "start_ns", kind: "i64", doc: "Start." },
      { name: "end_ns", kind: "i64", doc: "End (for a syscall, when it returned)." },
      goidCol("The goroutine it belongs to (or that began it); NULL when none."),
      pCol,
      mCol,
      stackCol("start_stack_id", "Stack at its start; NULL when none."),
      stackCol("end_stack_id", "Stack at its end; NULL when none."),
      {
        name: "blocked",
        kind: "bool",
        doc: 'For a syscall: its P was taken while it ran (go tool trace\'s "blocked").',
      },
    ],
  },
  {
    name: "tasks",
    doc: "User tasks (runtime/trace.NewTask).",
    columns: [
      { name: "task_id", kind: "i64", doc: "Task ID." },
      { name: "parent_id", kind: "i64", nullable: true, doc: "Parent task; NULL for none." },
      { name: "type", kind: "str", doc: "Task type (NewTask's name)." },
      { name: "start_ns", kind: "i64", doc: "When it began (0 if before the trace)." },
      { name: "end_ns", kind: "i64", doc: "When it ended (the trace's end if it did not)." },
      goidColAs("start_goid", "Goroutine that began it; NULL if it began before the trace."),
      goidColAs("end_goid", "Goroutine that ended it; NULL if it did not end in the trace."),
      stackCol("start_stack_id", "Stack where it began."),
      stackCol("end_stack_id", "Stack where it ended."),
    ],
  },
  {
    name: "regions",
    doc: "User regions (runtime/trace.WithRegion, StartRegion).",
    columns: [
      { name: "goid", kind: "i64", doc: "Goroutine it ran on." },
      { name: "type", kind: "str", doc: "Region type." },
      { name: "task_id", kind: "i64", nullable: true, doc: "Its task; NULL for none (the background task)." },
      { name: "depth", kind: "i32", doc: "Nesting on its goroutine, 0 outermost." },
      { name: "start_ns", kind: "i64", doc: "When it began (0 if before the trace)." },
      { name: "end_ns", kind: "i64", doc: "When it ended (the trace's end if it did not)." },
      stackCol("start_stack_id", "Stack where it began."),
      stackCol("end_stack_id", "Stack where it ended."),
    ],
  },
  {
    name: "logs",
    doc: "User logs (runtime/trace.Log, Logf).",
    columns: [
      { name: "time_ns", kind: "i64", doc: "When." },
      goidCol("Goroutine that logged; NULL when none."),
      pCol,
      mCol,
      { name: "category", kind: "str", doc: "Category ('' for none)." },
      { name: "message", kind: "str", doc: "Message." },
      stackCol("stack_id", "Stack of the call."),
    ],
  },
  {
    name: "stacks",
    doc: "Call stacks, one row per frame. Stack IDs are the trace's own numbering, shared by every table of it.",
    columns: [
      { name: "stack_id", kind: "i32", doc: "Stack." },
      { name: "depth", kind: "i32", doc: "Position in the stack, 0 innermost (the leaf)." },
      { name: "frame_id", kind: "i32", doc: "The frame (`frames`)." },
    ],
  },
  {
    name: "frames",
    doc: "Stack frames: one per program counter.",
    columns: [
      { name: "frame_id", kind: "i32", doc: "Frame." },
      { name: "func", kind: "str", doc: "Function." },
      { name: "file", kind: "str", doc: "Source file." },
      { name: "line", kind: "i32", doc: "Line." },
    ],
  },
  {
    name: "counters",
    doc: "Counters over time, one row per series per change, as the timeline's counter tracks draw them.",
    columns: [
      { name: "counter", kind: "str", doc: "'goroutines', 'heap' or 'threads'." },
      {
        name: "series",
        kind: "str",
        doc: "goroutines: 'Running', 'Runnable', 'GCWaiting'; heap: 'Allocated', 'NextGC' (bytes); threads: 'Running', 'InSyscall'.",
      },
      { name: "time_ns", kind: "i64", doc: "From this time on…" },
      { name: "value", kind: "i64", doc: "…the series has this value." },
    ],
  },
  {
    name: "cpu_samples",
    doc: "CPU profile samples recorded in the trace (when the CPU profiler ran beside it).",
    columns: [
      { name: "time_ns", kind: "i64", doc: "When." },
      goidCol("Goroutine on the CPU; NULL when none."),
      pCol,
      mCol,
      stackCol("stack_id", "The sampled stack."),
    ],
  },
] as const satisfies readonly TableSpec[];

function goidColAs(name: string, doc: string): ColumnSpec {
  return { name, kind: "i64", nullable: true, doc };
}

export type TableName = (typeof schema)[number]["name"];

/** The spec of table `name`. */
export function tableSpec(name: TableName): TableSpec {
  return schema.find((t) => t.name === name)!;
}

/** The schema as Markdown: a section per table, a row per column (docs/tables.md holds it between markers). */
export function schemaMarkdown(): string {
  const cell = (s: string) => s.replace(/\|/g, "\\|");
  return schema
    .map((t) => {
      const columns: readonly ColumnSpec[] = [traceIdColumn, ...t.columns];
      const rows = columns.map(
        (c) => `| \`${c.name}\` | ${sqlTypes[c.kind]}${c.nullable ? ", NULL" : ""} | ${cell(c.doc)} |`,
      );
      return `### ${t.name}\n\n${t.doc}\n\n| column | type | meaning |\n|---|---|---|\n${rows.join("\n")}\n`;
    })
    .join("\n");
}
