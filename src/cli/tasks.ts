/**
 * `gotrace tasks FILE` and `gotrace regions FILE` [--type NAME] [--json|--csv]:
 * go tool trace's user task and region pages. Without --type, each type
 * with its count and latency histogram (/usertasks, /userregions); with it,
 * that type's instances (/usertask, /userregion): for a task its events,
 * goroutines, child tasks and regions.
 *
 * Times are relative to the trace start, as on go tool trace's pages;
 * JSON and CSV give nanoseconds.
 */

import type { TimeHistogramResult } from "../analysis/time-histogram.js";
import { goStateNames } from "../decode/event.js";
import { shortestTaskFirst, taskJson } from "../query/analysis/tasks.js";
import {
  type Annotations,
  groupRegions,
  type RegionEdge,
  type RegionInstance,
  type RegionTable,
  summarizeTaskTypes,
  type TaskInstance,
} from "../stream/tasks.js";
import type { Command, ParsedArgs } from "./args.js";
import { formatGoDuration } from "./go-format.js";
import { OutputBuffer } from "./output.js";
import { type ReportColumn, type ReportRow, renderReport } from "./report.js";
import { formatFlags, outputFormat } from "./table.js";
import { modelField, readModel } from "./timeline-file.js";

export const tasksCommand: Command = {
  name: "tasks",
  operands: ["FILE"],
  summary: "user tasks by type with latency histograms, or one type's tasks",
  flags: [
    { name: "type", value: "NAME", help: "the tasks of this type, each with its events" },
    { name: "json", help: "JSON (one task a line), durations in nanoseconds" },
    formatFlags[1],
  ],
  exclusive: [["json", "csv"]],
  run: runTasks,
};

export const regionsCommand: Command = {
  name: "regions",
  operands: ["FILE"],
  summary: "user regions by type and start location, or one type's regions",
  flags: [
    { name: "type", value: "NAME", help: "the regions of this type, longest first" },
    { name: "json", help: "JSON (one region a line), durations in nanoseconds" },
    formatFlags[1],
  ],
  exclusive: [["json", "csv"]],
  run: runRegions,
};

async function annotations(file: string): Promise<Annotations | undefined> {
  const model = await readModel(file);
  return model && modelField(model, "annotations");
}

/** A type as go tool trace quotes it (%q), so the empty type shows as "". */
function quoted(s: string): string {
  return JSON.stringify(s);
}

/** Seconds since the trace start with 9 decimals, as go tool trace's "When" column. */
function when(ns: number, startNs: number): string {
  return `${((ns - startNs) / 1e9).toFixed(9)}s`;
}

const barWidth = 24;

/** One row per bucket: its lower bound, a bar scaled to the fullest bucket, and the count. */
function histogramRows(h: TimeHistogramResult): [string, string][] {
  const max = Math.max(1, ...h.buckets.map((b) => b.count));
  return h.buckets.map((b) => [
    formatGoDuration(b.minNs),
    `${"█".repeat(Math.round((b.count * barWidth) / max)).padEnd(barWidth)} ${b.count}`,
  ]);
}

const summaryColumns = (what: string, histogramOf: string): ReportColumn[] => [
  { title: what, kind: "text" },
  { title: "Count", kind: "count" },
  { title: "Bucket", kind: "text" },
  { title: `Durations (${histogramOf})`, kind: "text" },
];

/** Table rows of types with their histograms: the type and count on the first bucket's row. */
function summaryTable(
  items: readonly { label: string; count: number; histogram: TimeHistogramResult }[],
  columns: ReportColumn[],
): string {
  const rows: ReportRow[] = [];
  items.forEach((it, index) => {
    const buckets = histogramRows(it.histogram);
    if (buckets.length === 0) rows.push({ index, cells: [it.label, it.count, "", ""] });
    buckets.forEach(([label, bar], i) => {
      rows.push({ index, cells: i === 0 ? [it.label, it.count, label, bar] : ["", "", label, bar] });
    });
  });
  return renderReport(columns, rows, "table");
}

/** CSV of types: one row per bucket (or one empty row), in nanoseconds. */
function summaryCsv(
  items: readonly { cells: (string | number)[]; count: number; histogram: TimeHistogramResult }[],
  titles: string[],
): string {
  const columns: ReportColumn[] = [
    ...titles.map((title): ReportColumn => ({ title, kind: "text" })),
    { title: "Count", kind: "count" },
    { title: "Bucket from", kind: "ns" },
    { title: "Bucket to", kind: "ns" },
    { title: "Bucket count", kind: "count" },
  ];
  const rows: ReportRow[] = [];
  items.forEach((it, index) => {
    if (it.histogram.buckets.length === 0) rows.push({ index, cells: [...it.cells, it.count, "", "", ""] });
    for (const b of it.histogram.buckets)
      rows.push({ index, cells: [...it.cells, it.count, b.minNs, b.maxNs, b.count] });
  });
  return renderReport(columns, rows, "csv");
}

export async function runTasks(args: ParsedArgs): Promise<number> {
  const a = await annotations(args.operands[0]!);
  if (!a) return 1;
  const format = outputFormat(args);
  const type = args.values.get("type");
  let tasks = a.tasks;
  if (type !== undefined) {
    tasks = tasks.filter((t) => t.type === type);
    if (tasks.length === 0) {
      process.stderr.write(
        `gotrace: no tasks of type ${quoted(type)} (gotrace tasks FILE lists the types)\n`,
      );
      return 1;
    }
  }
  const types = summarizeTaskTypes(tasks);
  if (format === "json") {
    // Streamed, one task a line: a trace can have many tasks with many regions.
    const out = new OutputBuffer();
    out.line(`{"traceStartNs":${a.traceStartNs},"traceEndNs":${a.traceEndNs},`);
    out.line(`"types":${JSON.stringify(types)},`);
    out.line(`"tasks":[`);
    tasks.forEach((t, i) => {
      out.line(`${JSON.stringify(taskJson(t, a.regionTable))}${i + 1 < tasks.length ? "," : ""}`);
    });
    out.line("]}");
    out.flush();
  } else if (type === undefined && tasks.length === 0 && format === "table") {
    // A header over nothing reads like a failure: say what there is.
    process.stdout.write("no user tasks in this trace\n");
  } else if (type === undefined) {
    const items = types.map((t) => ({ ...t, label: quoted(t.type), cells: [t.type] }));
    process.stdout.write(
      format === "csv"
        ? summaryCsv(items, ["Task type"])
        : summaryTable(items, summaryColumns("Task type", "complete tasks")),
    );
  } else {
    const sorted = [...tasks].sort(shortestTaskFirst);
    process.stdout.write(format === "csv" ? taskCsv(sorted) : taskDetails(sorted, a));
  }
  return 0;
}

function taskCsv(tasks: readonly TaskInstance[]): string {
  const columns: ReportColumn[] = [
    { title: "Task", kind: "id" },
    { title: "Type", kind: "text" },
    { title: "Parent", kind: "id" },
    { title: "Start", kind: "ns" },
    { title: "Duration", kind: "ns" },
    { title: "Complete", kind: "text" },
    { title: "Goroutines", kind: "text" },
    { title: "Children", kind: "text" },
    { title: "Regions", kind: "count" },
    { title: "Logs", kind: "count" },
  ];
  const rows = tasks.map((t, index) => ({
    index,
    cells: [
      t.id,
      t.type,
      t.parent ?? "",
      t.startNs,
      t.durNs,
      String(t.complete),
      t.goroutines.join(" "),
      t.children.join(" "),
      t.regions.length,
      t.logs.length,
    ],
  }));
  return renderReport(columns, rows, "csv");
}

interface Line {
  timeNs: number;
  g: number;
  what: string;
}

function regionEdgeText(r: RegionInstance, e: RegionEdge, end: boolean): string {
  if (e.kind === "region") return `region ${quoted(r.type)} ${end ? "end" : "begin"}`;
  const change = `${goStateNames[e.from!]} -> ${goStateNames[e.to!]}`;
  return end ? `${change} (ends region ${quoted(r.type)})` : `${change} (starts region ${quoted(r.type)})`;
}

/** A task's events in time order, as /usertask lists them: begin, end, logs, its regions' ends. */
function taskLines(t: TaskInstance, table: RegionTable): Line[] {
  const lines: Line[] = [];
  if (t.start) {
    const parent = t.parent === undefined ? "none" : String(t.parent);
    lines.push({ ...t.start, what: `task ${quoted(t.type)} begin (id ${t.id}, parent ${parent})` });
  }
  if (t.end) lines.push({ ...t.end, what: "task end" });
  for (const l of t.logs) {
    const category = l.category === "" ? "" : ` (category ${quoted(l.category)})`;
    lines.push({ timeNs: l.timeNs, g: l.g, what: `log ${quoted(l.message)}${category}` });
  }
  for (const r of Array.from(t.regions, (row) => table.get(row))) {
    if (r.start)
      lines.push({ timeNs: r.start.timeNs, g: r.start.g, what: regionEdgeText(r, r.start, false) });
    if (r.end) lines.push({ timeNs: r.end.timeNs, g: r.end.g, what: regionEdgeText(r, r.end, true) });
  }
  return lines.sort((x, y) => x.timeNs - y.timeNs);
}

function taskDetails(tasks: readonly TaskInstance[], a: Annotations): string {
  const columns: ReportColumn[] = [
    { title: "When", kind: "text" },
    { title: "Elapsed", kind: "text" },
    { title: "Goroutine", kind: "text" },
    { title: "Events", kind: "text" },
  ];
  const rows: ReportRow[] = [];
  tasks.forEach((t, index) => {
    const facts = [
      t.complete ? "complete" : "incomplete",
      `parent ${t.parent ?? "none"}`,
      `children ${t.children.join(", ") || "none"}`,
      `goroutines ${t.goroutines.join(", ") || "none"}`,
      `${t.regions.length} regions`,
      `${t.logs.length} logs`,
    ];
    rows.push({
      index,
      cells: [
        when(t.startNs, a.traceStartNs),
        formatGoDuration(t.durNs),
        "",
        `Task ${t.id}: ${facts.join("; ")}`,
      ],
    });
    let last = a.traceStartNs;
    for (const l of taskLines(t, a.regionTable)) {
      rows.push({
        index,
        cells: [when(l.timeNs, a.traceStartNs), `+${formatGoDuration(l.timeNs - last)}`, l.g, l.what],
      });
      last = l.timeNs;
    }
  });
  return renderReport(columns, rows, "table");
}

function frameText(r: { frame?: { func: string; file: string; line: number; pc: number } }): string {
  const f = r.frame;
  if (!f || f.pc === 0) return "";
  const base = f.file.slice(f.file.lastIndexOf("/") + 1);
  return `${f.func} (${base}:${f.line})`;
}

export async function runRegions(args: ParsedArgs): Promise<number> {
  const a = await annotations(args.operands[0]!);
  if (!a) return 1;
  const format = outputFormat(args);
  const type = args.values.get("type");
  const table = a.regionTable;
  let rows = a.regions;
  if (type !== undefined) {
    const id = table.typeId(type);
    rows = rows.filter((row) => table.typeOf(row) === id);
    if (rows.length === 0) {
      process.stderr.write(
        `gotrace: no regions of type ${quoted(type)} (gotrace regions FILE lists the types)\n`,
      );
      return 1;
    }
  }
  const groups = groupRegions(table, rows);
  if (format === "json") {
    // Streamed, one region a line: a trace can have millions.
    const out = new OutputBuffer();
    out.line(`{"traceStartNs":${a.traceStartNs},"traceEndNs":${a.traceEndNs},`);
    out.line(`"groups":${JSON.stringify(groups)},`);
    out.line(`"regions":[`);
    for (let i = 0; i < rows.length; i++) {
      out.line(`${JSON.stringify(table.get(rows[i]!))}${i + 1 < rows.length ? "," : ""}`);
    }
    out.line("]}");
    out.flush();
  } else if (type === undefined && rows.length === 0 && format === "table") {
    process.stdout.write("no user regions in this trace\n");
  } else if (type === undefined) {
    if (format === "csv") {
      const items = groups.map((g) => ({
        ...g,
        cells: [g.type, g.frame.func, g.frame.file, g.frame.line, `0x${g.frame.pc.toString(16)}`],
      }));
      process.stdout.write(summaryCsv(items, ["Region type", "Function", "File", "Line", "PC"]));
    } else {
      const items = groups.map((g) => ({
        ...g,
        label: `${quoted(g.type)}${frameText(g) && ` at ${frameText(g)}`}`,
      }));
      process.stdout.write(
        summaryTable(items, summaryColumns("Region type, where it starts", "all regions")),
      );
    }
  } else {
    // Longest first, as /userregion lists them.
    const sorted = [...rows]
      .sort((x, y) => table.durNs(y) - table.durNs(x) || table.startNs(x) - table.startNs(y))
      .map((row) => table.get(row));
    process.stdout.write(regionList(sorted, a, format));
  }
  return 0;
}

function startText(r: RegionInstance): string {
  if (!r.start) return "before the trace";
  return r.start.kind === "region" ? "begin" : "goroutine creation";
}

function endText(r: RegionInstance): string {
  if (!r.end) return "after the trace";
  return r.end.kind === "region" ? "end" : "goroutine exit";
}

function regionList(regions: readonly RegionInstance[], a: Annotations, format: string): string {
  const columns: ReportColumn[] = [
    { title: "Goroutine", kind: "id" },
    { title: "Task", kind: "id" },
    { title: "Start", kind: format === "csv" ? "ns" : "text" },
    { title: "Duration", kind: "ns" },
    { title: "Opened by", kind: "text" },
    { title: "Closed by", kind: "text" },
    { title: "Started at", kind: "text" },
  ];
  const rows = regions.map((r, index) => ({
    index,
    cells: [
      r.g,
      r.task,
      format === "csv" ? r.startNs - a.traceStartNs : when(r.startNs, a.traceStartNs),
      r.durNs,
      startText(r),
      endText(r),
      frameText(r),
    ],
  }));
  return renderReport(columns, rows, format);
}
