/** `gotrace stats FILE`: a one-screen overview of a trace. */
import { statSync } from "node:fs";
import type { Activity } from "../analysis/activity.js";
import { overviewFromModel } from "../analysis/overview-model.js";
import { topBlocking } from "../query/analysis/overview.js";
import type { Command, ParsedArgs } from "./args.js";
import { formatBytes, formatCount, formatDuration, goReleasesFor } from "./format.js";
import { type Cell, formatTable } from "./table.js";
import { readModel } from "./timeline-file.js";

export const statsCommand: Command = {
  name: "stats",
  operands: ["FILE"],
  summary: "a short overview of the trace",
  flags: [],
  run: runStats,
};

export async function runStats(args: ParsedArgs): Promise<number> {
  const file = args.operands[0]!;
  const size = statSync(file).size;
  // Damage is handled as by every analysis command: what came before it is shown.
  const model = await readModel(file);
  if (!model) return 1;
  const run = model.end;
  const o = overviewFromModel(model.tl, { damaged: model.damaged });
  const lines: [string, string][] = [
    ["File", `${file} (${formatBytes(size)})`],
    ["Format", run.version ? `go 1.${run.version} trace (written by ${goReleasesFor(run.version)})` : "?"],
    ["Duration", formatDuration(o.lastNs - o.firstNs)],
    [
      "Generations",
      o.generations > 0 ? `${o.generations} (numbered ${o.firstGeneration}–${o.lastGeneration})` : "0",
    ],
    ["Events", formatCount(o.events)],
  ];
  const width = 13;
  let text = "";
  for (const [k, v] of lines) text += `${`${k}:`.padEnd(width)}${v}\n`;
  const kindWidth = Math.max(...o.eventsByKind.map(([k]) => k.length));
  for (const [k, n] of o.eventsByKind) text += `  ${k.padEnd(kindWidth)}  ${formatCount(n).padStart(12)}\n`;
  const more: [string, string][] = [
    [
      "Goroutines",
      `${formatCount(o.goroutines)} (${formatCount(o.goroutinesCreated)} created, ${formatCount(o.goroutinesEnded)} ended during the trace)`,
    ],
    // Traces older than Go 1.22 carry no GOMAXPROCS metric.
    ["Procs", o.maxGomaxprocs > 0 ? `${o.procs} (GOMAXPROCS up to ${o.maxGomaxprocs})` : `${o.procs}`],
    ["Threads", formatCount(o.threads)],
    ...activityLines(o.activity),
  ];
  for (const [k, v] of more) text += `${`${k}:`.padEnd(width)}${v}\n`;
  text += blockingLines(o.activity, o.lastNs - o.firstNs);
  process.stdout.write(text);
  return 0;
}

function activityLines(a: Activity): [string, string][] {
  const lines: [string, string][] = [
    [
      "GC cycles",
      a.gcCycles > 0 ? `${formatCount(a.gcCycles)} (marking ${formatDuration(a.gcMarkNs)} in total)` : "0",
    ],
  ];
  if (a.stwPauses > 0) {
    lines.push([
      "STW pauses",
      `${formatCount(a.stwPauses)} (${formatDuration(a.stwTotalNs)} in total, longest ${formatDuration(a.stwMaxNs)}: ${a.stwMaxKind})`,
    ]);
  }
  if (a.heapPeakBytes !== undefined) {
    const goal = a.heapGoalMaxBytes !== undefined ? `, goal up to ${formatBytes(a.heapGoalMaxBytes)}` : "";
    lines.push(["Heap", `peak ${formatBytes(a.heapPeakBytes)} in use${goal}`]);
  }
  return lines;
}

/**
 * The reasons goroutines were blocked longest. Each total is goroutine-time
 * summed over every goroutine, so it can far exceed the trace's duration;
 * divided by the duration it is how many goroutines were blocked for that
 * reason at an average moment, which is printed beside it.
 */
function blockingLines(a: Activity, durationNs: number, top = 5): string {
  const reasons = topBlocking(a, top);
  if (reasons.length === 0) return "";
  const rows: Cell[][] = reasons.map((b) => [
    b.reason || noReason(b.count),
    formatDuration(b.totalNs),
    durationNs > 0 ? (b.totalNs / durationNs).toFixed(1) : "",
    b.count > 0 ? formatCount(b.count) : "-",
  ]);
  const table = formatTable(
    [
      { title: "reason" },
      { title: "total", right: true },
      { title: "avg", right: true },
      { title: "times", right: true },
    ],
    rows,
  );
  return (
    "Blocked:     time blocked by reason, summed over all goroutines; avg: goroutines blocked at a time\n" +
    "             (total / duration); times: how often goroutines blocked (runtime idling left out)\n" +
    table
      .trimEnd()
      .split("\n")
      .map((l) => `  ${l}\n`)
      .join("")
  );
}

/**
 * Blocked time with no reason: goroutines already blocked when a generation
 * first showed them (no block event, so blocked 0 times), or, in traces
 * older than Go 1.22, blocks the runtime gave no reason for.
 */
function noReason(count: number): string {
  return count === 0 ? "(already blocked when first seen)" : "(no reason given)";
}
