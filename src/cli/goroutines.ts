/**
 * `gotrace goroutines FILE [--group NAME] [--sort COLUMN] [--json|--csv]`:
 * go tool trace's goroutine analysis. Without --group, the goroutines
 * grouped by start function (its /goroutines page); with it, that group's
 * goroutines and where their time went (its /goroutine?name=… page).
 */
import {
  compareStatNames,
  type GoroutineSummary,
  goroutineGroups,
  nonOverlappingStats,
} from "../analysis/goroutine-stats.js";
import {
  cpuNs,
  defaultMemberOrder,
  groupDetailJson,
  groupExecShare,
  groupListJson,
  groupMembers,
  noStackGroupName as noName,
} from "../query/analysis/goroutines.js";
import type { Command, ParsedArgs } from "./args.js";
import { formatGoPercent } from "./go-format.js";
import { type ReportColumn, type ReportRow, renderReport, sortReport } from "./report.js";
import { formatFlags, outputFormat, terminalWidth } from "./table.js";
import { modelField, readModel } from "./timeline-file.js";

export const goroutinesCommand: Command = {
  name: "goroutines",
  operands: ["FILE"],
  summary: "goroutines by start function, or one group's time breakdown",
  flags: [
    { name: "group", value: "FUNC", help: "the goroutines started at FUNC, and where their time went" },
    { name: "sort", value: "COLUMN", help: "sort by this column (any part of its name)" },
    ...formatFlags,
  ],
  exclusive: [["json", "csv"]],
  run: runGoroutines,
};

export async function runGoroutines(flags: ParsedArgs): Promise<number> {
  const file = flags.operands[0]!;
  const model = await readModel(file);
  if (!model) return 1;
  const goroutines = modelField(model, "goroutines");
  const format = outputFormat(flags);
  const sort = flags.values.get("sort");
  const group = flags.values.get("group");
  if (group === undefined) {
    process.stdout.write(groupList(goroutines, format, sort));
    return 0;
  }
  const members = groupMembers(goroutines, group);
  if (members.length === 0) {
    process.stderr.write(
      `gotrace: no goroutines start at ${group} (gotrace goroutines FILE lists the groups)\n`,
    );
    return 1;
  }
  process.stdout.write(groupDetail(goroutines, members, format, sort));
  return 0;
}

function groupList(
  goroutines: readonly GoroutineSummary[],
  format: string,
  sort: string | undefined,
): string {
  const groups = goroutineGroups(goroutines);
  // With CPU samples in the trace, each group's samples and the CPU time they stand for.
  const withCpu = groups.some((g) => g.cpuSamples > 0);
  const columns = withCpu ? [...listColumns, ...cpuColumns] : listColumns;
  const listRow = (g: (typeof groups)[number], index: number) => ({
    index,
    cells: [
      g.name,
      g.count,
      g.execNs,
      g.execPercent,
      ...(withCpu ? [g.cpuSamples, cpuNs(g.cpuSamples)] : []),
    ],
  });
  if (format === "json") {
    const sorted = sort
      ? sortReport(columns, groups.map(listRow), sort).map((r) => groups[r.index]!)
      : groups;
    return `${JSON.stringify(groupListJson(sorted), null, 2)}\n`;
  }
  let rows: ReportRow[] = groups.map(listRow);
  if (sort) rows = sortReport(columns, rows, sort);
  if (format === "table")
    rows = rows.map((r) => ({ ...r, cells: [r.cells[0] || noName, ...r.cells.slice(1)] }));
  return renderReport(columns, rows, format, terminalWidth());
}

const listColumns: ReportColumn[] = [
  { title: "Start location", kind: "text" },
  { title: "Count", kind: "count" },
  { title: "Total execution time", kind: "ns" },
  { title: "Share of execution", kind: "percent" },
];

/** Shown when the trace has CPU samples: their count and the CPU time they stand for (10ms each). */
const cpuColumns: ReportColumn[] = [
  { title: "CPU samples", kind: "count" },
  { title: "Est. CPU time", kind: "ns" },
];

function groupDetail(
  all: readonly GoroutineSummary[],
  members: readonly GoroutineSummary[],
  format: string,
  sort: string | undefined,
): string {
  // Columns: the stats any member has (Go's page does the same), then the special ranges.
  const statNames = new Set<string>();
  const rangeNames = new Set<string>();
  const stats = members.map((g) => {
    const s = nonOverlappingStats(g);
    for (const k of s.keys()) statNames.add(k);
    for (const k of g.rangeNs.keys()) rangeNames.add(k);
    return s;
  });
  const statCols = [...statNames].sort(compareStatNames);
  const rangeCols = [...rangeNames].sort();
  // Beside execution time (always the first stat), when the trace has CPU samples.
  const cpuCols = all.some((g) => g.cpuSamples > 0) ? cpuColumns : [];
  const columns: ReportColumn[] = [
    { title: "Goroutine", kind: "id" },
    { title: "Total", kind: "ns" },
    ...statCols.slice(0, 1).map((title): ReportColumn => ({ title, kind: "ns" })),
    ...cpuCols,
    ...statCols.slice(1).map((title): ReportColumn => ({ title, kind: "ns" })),
    ...rangeCols.map((title): ReportColumn => ({ title, kind: "ns" })),
    { title: "Created", kind: "ns" },
    { title: "Started", kind: "ns" },
    { title: "Ended", kind: "ns" },
  ];
  // Go's default order: longest total first.
  const order = defaultMemberOrder(members);
  let rows: ReportRow[] = order.map((i) => {
    const g = members[i]!;
    return {
      index: i,
      cells: [
        g.id,
        g.totalNs,
        ...statCols.slice(0, 1).map((k) => stats[i]!.get(k) ?? 0),
        ...(cpuCols.length ? [g.cpuSamples, cpuNs(g.cpuSamples)] : []),
        ...statCols.slice(1).map((k) => stats[i]!.get(k) ?? 0),
        ...rangeCols.map((k) => g.rangeNs.get(k) ?? 0),
        g.creationNs,
        g.startNs ?? "",
        g.endNs ?? "",
      ],
    };
  });
  if (sort) rows = sortReport(columns, rows, sort);

  if (format === "json") {
    const out = groupDetailJson(
      all,
      members,
      rows.map((r) => r.index),
    );
    return `${JSON.stringify(out, null, 2)}\n`;
  }
  if (format === "csv") return renderReport(columns, rows, format);

  const name = members[0]!.name || noName;
  let text = `Goroutine start location: ${name}\nCount: ${members.length}\n`;
  const { execPercent } = groupExecShare(all, members);
  if (execPercent !== undefined) {
    text += `Execution time: ${formatGoPercent(execPercent)}% of total program execution time\n`;
  }
  const breakdown = 2 + statCols.length + cpuCols.length;
  // On a terminal the breakdown (a dozen columns, ~290 characters) fits its width; pipes get it whole.
  const width = terminalWidth();
  text += `\n${renderReport(
    columns.slice(0, breakdown),
    rows.map((r) => ({ ...r, cells: r.cells.slice(0, breakdown) })),
    format,
    width,
  )}`;
  if (rangeCols.length > 0) {
    const ranged = rows.filter((r) => rangeCols.some((_, j) => r.cells[breakdown + j] !== 0));
    if (ranged.length > 0) {
      const pick = <T>(xs: readonly T[]): T[] => [
        xs[0]!,
        xs[1]!,
        ...xs.slice(breakdown, breakdown + rangeCols.length),
      ];
      text += `\nSpecial ranges (overlapping the times above):\n${renderReport(
        pick(columns),
        ranged.map((r) => ({ ...r, cells: pick(r.cells) })),
        format,
        width,
      )}`;
    }
  }
  return text;
}
