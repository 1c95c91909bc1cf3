/**
 * `gotrace mmu FILE [--include stw,background,assist,sweep] [--per-proc]
 * [--windows W1,W2,…] [--worst N] [--percentiles] [--json]`: the minimum
 * mutator utilization curve of go tool trace's /mmu page and, for each
 * window size, the worst windows (its "details").
 *
 * Window start times are given relative to the trace start (as go tool
 * trace's timeline shows them); JSON also gives them as absolute trace
 * time, the `Time` of /mmu?mode=details.
 */
import { defaultMMUInclude, mmuIncludeFlags, mmuJson, mmuUtilFlags } from "../query/analysis/mmu.js";
import type { MMUInclude } from "../query/analysis/protocol.js";
import { type Command, countFlag, type ParsedArgs, UsageError } from "./args.js";
import { formatGoDuration, goDurationNs } from "./go-format.js";
import { type ReportColumn, renderReport } from "./report.js";
import { formatFlags, outputFormat } from "./table.js";
import { modelField, readModel } from "./timeline-file.js";

/** A window size: Go's duration syntax ("1ms", "2.5µs", "1m30s") or a number of nanoseconds. */
export function parseWindow(s: string): number {
  if (/^\d+$/.test(s)) return Number(s);
  const ns = s === "" ? 0 : goDurationNs(s);
  if (ns === undefined)
    throw new UsageError(`bad window ${JSON.stringify(s)}: want a duration such as 1ms or 250µs`);
  if (ns < 1) throw new UsageError(`bad window ${JSON.stringify(s)}: want at least 1ns`);
  return Math.trunc(ns);
}

function seconds(ns: number): string {
  return `${(ns / 1e9).toFixed(9)}s`;
}

export const mmuCommand: Command = {
  name: "mmu",
  operands: ["FILE"],
  summary: "minimum mutator utilization curve and the worst windows",
  flags: [
    {
      name: "include",
      value: "LIST",
      help: `what counts as GC: some of stw, background, assist, sweep\n(default ${defaultMMUInclude.join(",")})`,
    },
    { name: "per-proc", help: "one P at a time (go tool trace's per-goroutine view)" },
    {
      name: "windows",
      value: "W1,W2,…",
      help: "these window sizes (1ms, 250µs, or nanoseconds) instead of 1-2-5 steps",
    },
    { name: "worst", value: "N", help: "the N worst windows of each size (default 10)" },
    { name: "percentiles", help: "add the p99.9, p99 and p95 mutator utilization" },
    ...formatFlags,
  ],
  exclusive: [["json", "csv"]],
  run: runMMU,
};

export async function runMMU(flags: ParsedArgs): Promise<number> {
  const include = (flags.values.get("include") ?? defaultMMUInclude.join(","))
    .split(",")
    .filter((s) => s !== "");
  for (const name of include) {
    if (!Object.hasOwn(mmuIncludeFlags, name))
      throw new UsageError(`--include: unknown ${name}; want some of stw, background, assist, sweep`);
  }
  const perProc = flags.switches.has("per-proc");
  const utilFlags = mmuUtilFlags(include as MMUInclude[], perProc);
  const windows = flags.values.get("windows")?.split(",").map(parseWindow);
  const nWorst = countFlag(flags, "worst", 10);
  const percentiles = flags.switches.has("percentiles");
  const format = outputFormat(flags);

  const file = flags.operands[0]!;
  const model = await readModel(file);
  if (!model) return 1;
  const curve = modelField(model, "mmu").curve(utilFlags);
  if (curve.empty) {
    process.stderr.write("gotrace: no mutator utilization: the trace never says what GOMAXPROCS is\n");
    return 1;
  }
  // Absolute time of relative 0, for the absolute start times in JSON.
  const originNs = model.end.originNs;

  // go tool trace's 100 plot windows for JSON; 1-2-5 steps over the same range for people.
  const out = mmuJson(curve, originNs, {
    include,
    perProc,
    percentiles,
    windows,
    goWindows: !windows && format === "json",
    nWorst,
  });
  const { curve: points, worst } = out;
  if (format === "json") {
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  const curveColumns: ReportColumn[] = [
    { title: "Window", kind: "ns" },
    { title: "MMU", kind: "text" },
    ...(percentiles
      ? ["p99.9 MU", "p99 MU", "p95 MU"].map((title): ReportColumn => ({ title, kind: "text" }))
      : []),
  ];
  const num = (x: number) => (format === "csv" ? String(x) : x.toFixed(4));
  const curveRows = points.map((p, index) => ({
    index,
    cells: [p.windowNs, num(p.mmu), ...(p.percentiles ?? []).map(num)],
  }));
  if (format === "csv") {
    process.stdout.write(renderReport(curveColumns, curveRows, "csv"));
    return 0;
  }
  const view = perProc ? "per goroutine (each P alone)" : "system-wide";
  let text = `Minimum mutator utilization, ${view}, counting ${include.join(", ") || "nothing"} as GC:\n`;
  text += renderReport(curveColumns, curveRows, "table");
  const worstColumns: ReportColumn[] = [
    { title: "Start", kind: "text" },
    { title: "End", kind: "text" },
    { title: "Mutator utilization", kind: "text" },
  ];
  for (const w of worst) {
    text += `\nWorst ${formatGoDuration(w.windowNs)} windows (times from the trace start):\n`;
    const rows = w.windows.map((x, index) => ({
      index,
      cells: [seconds(x.startNs), seconds(x.endNs), x.util.toFixed(4)],
    }));
    text += renderReport(worstColumns, rows, "table");
  }
  process.stdout.write(text);
  return 0;
}
