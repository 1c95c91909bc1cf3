/**
 * `gotrace schedlat FILE [--top N] [--sort COLUMN] [--json|--csv [--worst]]`:
 * how long goroutines waited between becoming runnable and running, as a
 * distribution overall and per goroutine group, and the longest waits.
 */
import { SchedLatencyAnalyzer } from "../analysis/sched-latency.js";
import { analyzeFile, parseFlags, UsageError } from "./analyze.js";
import { formatCount } from "./format.js";
import { type ReportColumn, type ReportRow, renderReport, sortReport } from "./report.js";
import { outputFormat } from "./table.js";

const all = "(all goroutines)";
const noName = "(no stack trace sampled)";

export async function runSchedLatency(args: string[]): Promise<number> {
  const flags = parseFlags(args, ["--top", "--sort"]);
  const top = Number(flags.values.get("--top") ?? 10);
  if (!Number.isInteger(top) || top < 0)
    throw new UsageError(`--top wants a count, not ${flags.values.get("--top")}`);
  const analyzer = new SchedLatencyAnalyzer(top);
  if (!(await analyzeFile(flags.positional[0]!, [analyzer]))) return 1;
  const r = analyzer.finalize();
  const format = outputFormat(args);
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
  if (flags.values.has("--sort")) {
    groupRows = [groupRows[0]!, ...sortReport(groupColumns, groupRows.slice(1), flags.values.get("--sort")!)];
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
      flags.switches.has("--worst")
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
