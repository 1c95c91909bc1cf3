/**
 * `gotrace schedlat FILE [--top N] [--sort COLUMN] [--json|--csv [--worst]]`:
 * how long goroutines waited between becoming runnable and running, as a
 * distribution overall and per goroutine group, and the longest waits.
 */
import { schedLatencyFromModel } from "../analysis/state-sched-latency.js";
import { type Command, countFlag, type ParsedArgs, UsageError } from "./args.js";
import { formatCount } from "./format.js";
import { type ReportColumn, type ReportRow, renderReport, sortReport } from "./report.js";
import { formatFlags, outputFormat } from "./table.js";
import { readModel } from "./timeline-file.js";

const all = "(all goroutines)";
const noName = "(no stack trace sampled)";

export const schedlatCommand: Command = {
  name: "schedlat",
  operands: ["FILE"],
  summary: "scheduler latency: runnable→running waits, percentiles, longest",
  flags: [
    { name: "top", value: "N", help: "keep the N longest waits (default 10)" },
    { name: "sort", value: "COLUMN", help: "sort the groups by this column (any part of its name)" },
    ...formatFlags,
    { name: "worst", help: "with --csv: the longest waits instead of the distribution" },
  ],
  exclusive: [["json", "csv"]],
  run: runSchedLatency,
};

export async function runSchedLatency(flags: ParsedArgs): Promise<number> {
  const top = countFlag(flags, "top", 10);
  const format = outputFormat(flags);
  if (flags.switches.has("worst") && format !== "csv") throw new UsageError("--worst needs --csv", true);
  const model = await readModel(flags.operands[0]!);
  if (!model) return 1;
  // The service's field keeps the page's 50 longest waits; the command keeps --top of them.
  const r = schedLatencyFromModel(model.tl, top);
  if (format === "json") {
    process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    return 0;
  }

  const groupColumns: ReportColumn[] = [
    { title: "Goroutines", kind: "text" },
    { title: "Waits", kind: "count" },
    { title: "Total", kind: "ns" },
    { title: "p50", kind: "ns" },
    { title: "p90", kind: "ns" },
    { title: "p99", kind: "ns" },
    { title: "Max", kind: "ns" },
  ];
  const stats = [{ ...r.overall, name: all }, ...r.groups];
  let groupRows: ReportRow[] = stats.map((s, index) => ({
    index,
    cells: [
      index > 0 && s.name === "" ? noName : s.name,
      s.count,
      s.totalNs,
      s.p50Ns,
      s.p90Ns,
      s.p99Ns,
      s.maxNs,
    ],
  }));
  const sort = flags.values.get("sort");
  if (sort !== undefined) {
    groupRows = [groupRows[0]!, ...sortReport(groupColumns, groupRows.slice(1), sort)];
  }
  const worstColumns: ReportColumn[] = [
    { title: "When", kind: "ns" },
    { title: "Wait", kind: "ns" },
    { title: "Goroutine", kind: "id" },
    { title: "Start location", kind: "text" },
    { title: "Runnable after", kind: "text" },
  ];
  const worstRows = r.worst.map((w, index) => ({
    index,
    cells: [w.startNs, w.durNs, w.goroutine, w.name || noName, w.cause],
  }));
  if (format === "csv") {
    process.stdout.write(
      flags.switches.has("worst")
        ? renderReport(worstColumns, worstRows, format)
        : renderReport(groupColumns, groupRows, format),
    );
    return 0;
  }

  let text = `Scheduler latency: from runnable to running, ${formatCount(r.overall.count)} waits`;
  const notCounted: string[] = [];
  if (r.unknownStart > 0)
    notCounted.push(`${formatCount(r.unknownStart)} that began before the trace showed them`);
  if (r.stillWaiting > 0) notCounted.push(`${formatCount(r.stillWaiting)} still waiting at the end`);
  if (notCounted.length > 0) text += ` (not counted: ${notCounted.join(", ")})`;
  text += `\n\n${renderReport(groupColumns, groupRows, format)}`;
  if (worstRows.length > 0) {
    text += `\nLongest waits (When = became runnable, from the trace start):\n`;
    text += renderReport(worstColumns, worstRows, format);
  }
  process.stdout.write(text);
  return 0;
}
