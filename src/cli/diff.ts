/**
 * `gotrace diff A B [--top N] [--json|--csv]`: what changed from trace A to
 * trace B (query/analysis/diff.ts): the largest changes in time across
 * every table first, then each table's rows by the size of their change.
 * Each trace is read once through the analysis service (unfiltered: no
 * intervals kept for filters), A on this thread and B at the same time on
 * another (diff-worker.ts); each follows the damage rule (damage.ts) on
 * its own, A's reported first.
 */
import { statSync } from "node:fs";
import { Worker } from "node:worker_threads";
import type { TraceError } from "../decode/errors.js";
import { diffSide, diffSides } from "../query/analysis/diff.js";
import type { DiffResponse, DiffRow } from "../query/analysis/protocol.js";
import { AnalysisError, AnalysisService, type EventFeed } from "../query/analysis/service.js";
import { type Command, countFlag, type ParsedArgs } from "./args.js";
import { reportDamage } from "./damage.js";
import { driveFile } from "./decode-thread.js";
import { checkInputFile } from "./errors.js";
import { formatCount, formatDuration } from "./format.js";
import { formatCsv, formatFlags, formatTable, outputFormat } from "./table.js";

export const diffCommand: Command = {
  name: "diff",
  operands: ["A", "B"],
  summary: "what changed from trace A to trace B, largest changes first",
  flags: [
    { name: "top", value: "N", help: "rows per table in the text output (default 10)" },
    ...formatFlags,
  ],
  exclusive: [["json", "csv"]],
  details:
    "Tables: goroutine groups (count, execution, runnable and blocked time by reason),\nblocking profiles by the function that blocked, task and region latency per type,\nGC (cycles, STW, MMU at 1, 10, 100 ms) and scheduler latency.",
  run: runDiff,
};

/** How a read ended, as the damage rule needs it, in a form that crosses threads. */
export interface SentEnd {
  readonly keptEvents: number;
  readonly validOffset: number;
  readonly error?: { message: string; reason: string; offset?: number; generation?: number };
}

/** What diff-worker.ts posts: B's side, or why there is none, and how its read ended. */
export type SideMessage =
  | { readonly side: Side; readonly end: SentEnd | undefined }
  | { readonly failure: { analysis: boolean; message: string }; readonly end: SentEnd | undefined };

type Side = Awaited<ReturnType<typeof diffSide>>;

/** A service over a file, keeping how the read ended for the damage rule. */
export function fileService(file: string): {
  service: AnalysisService;
  ended: () => boolean;
  readEnd: () => SentEnd | undefined;
} {
  let run: Awaited<ReturnType<typeof driveFile>> | undefined;
  const feed: EventFeed = async (each) => {
    run = await driveFile(file, (ev) => each(ev));
    const { version, originNs, events, bytes, syncs, keptEvents } = run;
    return { version, originNs, events, bytes, syncs, keptEvents, damage: run.error?.message };
  };
  const size = statSync(file).size;
  return {
    // Unfiltered: the diff asks nothing of time ranges, regions or other GC choices.
    service: new AnalysisService(feed, size, true),
    ended: () => (run ? reportDamage(file, run, size) : false),
    readEnd: () => {
      if (!run) return undefined;
      const e = run.error;
      return {
        keptEvents: run.keptEvents,
        validOffset: run.validOffset,
        error: e && { message: e.message, reason: e.reason, offset: e.offset, generation: e.generation },
      };
    },
  };
}

/** Trace B's side, read on a worker thread (diff-worker.ts). */
function sideOnThread(file: string): Promise<SideMessage> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./diff-worker.js", import.meta.url), { workerData: { path: file } });
    worker.once("message", (m: SideMessage) => {
      resolve(m);
      void worker.terminate();
    });
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`the thread reading ${file} exited (${code})`)));
  });
}

export async function readDiff(a: string, b: string): Promise<DiffResponse | undefined> {
  // B is read on its own thread while A is read here: each read's decoding already has a thread
  // of its own, but it waits on the analyses, so the two reads share the cores well. Damage
  // is reported for A, then for B, as if read one after the other.
  const bSide = sideOnThread(b);
  // Settled now, awaited later: a failure of B's thread is reported after A's damage.
  bSide.catch(() => {});
  const sides: Side[] = [];
  let ok = true;
  const { service, ended } = fileService(a);
  const side = await diffSide(service).catch((e: unknown) => e);
  if (!ended()) ok = false;
  else if (side instanceof Error && !(side instanceof AnalysisError)) throw side;
  else if (!(side instanceof Error)) sides.push(side as Side);
  const m = await bSide;
  const end = m.end;
  const bEnded = end
    ? reportDamage(b, { ...end, error: end.error as TraceError | undefined }, statSync(b).size)
    : false;
  if (!bEnded) ok = false;
  else if ("failure" in m && !m.failure.analysis) throw new Error(m.failure.message);
  else if ("side" in m) sides.push(m.side);
  if (!ok || sides.length < 2) return undefined;
  return diffSides(sides[0]!, sides[1]!);
}

export async function runDiff(flags: ParsedArgs): Promise<number> {
  const [a, b] = flags.operands as [string, string];
  checkInputFile(b);
  const top = countFlag(flags, "top", 10);
  const d = await readDiff(a, b);
  if (!d) return 1;
  const format = outputFormat(flags);
  if (format === "json") process.stdout.write(`${JSON.stringify(d, null, 2)}\n`);
  else if (format === "csv") process.stdout.write(diffCsv(d));
  else process.stdout.write(diffText(d, a, b, top));
  return 0;
}

const csvColumns = ["table", "key", "metric", "unit", "a", "b", "delta", "ratio"].map((title) => ({ title }));

export function diffCsv(d: DiffResponse): string {
  const rows = d.tables.flatMap((t) =>
    t.rows.map((r) => [r.table, r.key, r.metric, r.unit, r.a, r.b, r.delta, r.ratio ?? ""]),
  );
  return formatCsv(csvColumns, rows);
}

function value(r: DiffRow, v: number): string {
  if (r.unit === "ns") return formatDuration(v);
  if (r.unit === "ratio") return `${(v * 100).toFixed(1)}%`;
  return formatCount(v);
}

function change(r: DiffRow): string {
  const sign = r.delta > 0 ? "+" : r.delta < 0 ? "−" : "";
  const abs = Math.abs(r.delta);
  const d =
    r.unit === "ns"
      ? formatDuration(abs)
      : r.unit === "ratio"
        ? `${(abs * 100).toFixed(1)} pt`
        : formatCount(abs);
  const ratio = r.ratio === null ? "new" : `×${r.ratio.toFixed(2)}`;
  return `${sign}${d} (${ratio})`;
}

const titles: Record<string, string> = {
  goroutines: "Goroutine groups",
  profiles: "Blocking profiles, by the function that blocked",
  tasks: "Task latency, per type",
  regions: "Region latency, per type",
  gc: "GC",
  sched: "Scheduler latency",
};

function rowsTable(rows: readonly DiffRow[], withTable: boolean): string {
  const cols = [
    ...(withTable ? [{ title: "Table" }] : []),
    { title: "What" },
    { title: "Metric" },
    { title: "A", right: true },
    { title: "B", right: true },
    { title: "Change", right: true },
  ];
  return formatTable(
    cols,
    rows.map((r) => [
      ...(withTable ? [r.table] : []),
      r.key,
      r.metric,
      value(r, r.a),
      value(r, r.b),
      change(r),
    ]),
  );
}

export function diffText(d: DiffResponse, a: string, b: string, top: number): string {
  let text = `A: ${a}\nB: ${b}\n\nLargest changes in time:\n${rowsTable(d.top.slice(0, top), true)}`;
  for (const t of d.tables) {
    const changed = t.rows.filter((r) => r.delta !== 0);
    if (changed.length === 0) continue;
    const more =
      changed.length > top ? ` (${top} of ${changed.length} changes; --json or --csv for all)` : "";
    text += `\n${titles[t.table]}${more}:\n${rowsTable(changed.slice(0, top), false)}`;
  }
  return text;
}
