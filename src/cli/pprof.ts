/**
 * `gotrace pprof --type=net|sync|syscall|sched FILE [-o OUT]` and go tool
 * trace's spelling `gotrace -pprof=TYPE FILE`: a blocking profile as gzipped
 * pprof protobuf (what go tool trace writes too), or with --top a table of
 * the functions with the most delay.
 */
import { statSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import {
  BlockingProfileAnalyzer,
  type ProfileFilter,
  ProfileFilterError,
  type ProfileType,
  profileTypes,
  type RegionFilter,
} from "../analysis/pprof.js";
import { encodePprof } from "../analysis/pprof-encode.js";
import { topFunctions } from "../analysis/pprof-top.js";
import { topFunctionsJson } from "../query/analysis/profiles.js";
import { analyzeFile } from "./analyze.js";
import { formatDuration } from "./format.js";
import { goDurationNs } from "./go-format.js";
import { type Cell, type Column, formatCsv, formatTable, outputFormat } from "./table.js";

export const pprofUsage = `usage: gotrace pprof --type=net|sync|syscall|sched FILE [-o OUT.pb.gz]
         [--group FUNC | --region TYPE [--region-pc HEX] [--latmin DUR] [--latmax DUR]]
         [--top [--limit N] [--json|--csv]]
  net      time blocked on the network          sync     on channels, mutexes, select
  syscall  time in system calls                 sched    runnable, waiting for a thread
  --group FUNC    only goroutines started at FUNC (go tool trace's /io?name=)
  --region TYPE   only time inside regions of TYPE (/regionio?type=), also by the
                  root PC of the region's start stack and latency (Go durations: 10ms)
  --top           functions by delay instead of the profile (--limit N rows, 0 = all)
`;

class UsageError extends Error {}

const withValue = new Set([
  "--type",
  "-o",
  "--output",
  "--group",
  "--region",
  "--region-pc",
  "--latmin",
  "--latmax",
  "--limit",
]);

interface PprofArgs {
  file: string;
  type: ProfileType;
  out: string | undefined;
  filter: ProfileFilter | undefined;
  top: boolean;
  limit: number | undefined;
}

/** Go's time.ParseDuration for the forms people type: "1.5ms", "2s", "1m30s", "0". */
export function parseGoDuration(s: string): number | undefined {
  if (s === "0") return 0;
  const ns = goDurationNs(s);
  return ns === undefined ? undefined : Math.round(ns);
}

function parseArgs(args: readonly string[]): PprofArgs {
  const values = new Map<string, string>();
  const positional: string[] = [];
  let top = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith("-") || a === "-") {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = eq >= 0 ? a.slice(0, eq) : a;
    if (withValue.has(name)) {
      const v = eq >= 0 ? a.slice(eq + 1) : args[++i];
      if (v === undefined) throw new UsageError(`${name} needs a value`);
      values.set(name === "--output" ? "-o" : name, v);
    } else if (a === "--top") top = true;
    else if (a !== "--json" && a !== "--csv") throw new UsageError(`unknown flag ${a}`);
  }
  if (positional.length !== 1)
    throw new UsageError(positional.length ? "one trace file, please" : "missing trace file");
  const type = values.get("--type");
  if (!type) throw new UsageError("--type is required");
  if (!profileTypes.includes(type as ProfileType)) {
    throw new UsageError(`unknown pprof type ${type} (net, sync, syscall or sched)`);
  }
  const group = values.get("--group");
  const regionFlags = ["--region", "--region-pc", "--latmin", "--latmax"].filter((f) => values.has(f));
  if (group !== undefined && regionFlags.length)
    throw new UsageError("--group and --region filters do not combine");
  let filter: ProfileFilter | undefined;
  if (group !== undefined) filter = { group };
  if (regionFlags.length) {
    const duration = (flag: string) => {
      const v = values.get(flag);
      if (v === undefined) return undefined;
      const ns = parseGoDuration(v);
      if (ns === undefined) throw new UsageError(`${flag}: not a duration: ${v}`);
      return ns;
    };
    const pcText = values.get("--region-pc");
    const pc = pcText === undefined ? undefined : Number.parseInt(pcText.replace(/^0x/i, ""), 16);
    if (pc !== undefined && !Number.isFinite(pc))
      throw new UsageError(`--region-pc: not a hex PC: ${pcText}`);
    const region: RegionFilter = {
      type: values.get("--region"),
      pc,
      latMinNs: duration("--latmin"),
      latMaxNs: duration("--latmax"),
    };
    filter = { region };
  }
  const limitText = values.get("--limit");
  const limit = limitText === undefined ? undefined : Number(limitText);
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
    throw new UsageError(`--limit: not a count: ${limitText}`);
  }
  return { file: positional[0]!, type: type as ProfileType, out: values.get("-o"), filter, top, limit };
}

function fail(message: string): number {
  process.stderr.write(`gotrace: ${message}\n`);
  return 1;
}

/** Runs the command; returns the exit status. */
export async function runPprof(args: readonly string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(pprofUsage);
    return 0;
  }
  let a: PprofArgs;
  try {
    a = parseArgs(args);
  } catch (e) {
    if (e instanceof UsageError) return fail(`${e.message}\n${pprofUsage}`);
    throw e;
  }
  try {
    statSync(a.file);
  } catch {
    return fail(`cannot open ${a.file}`);
  }
  const analyzer = new BlockingProfileAnalyzer({ regions: a.filter !== undefined && "region" in a.filter });
  // Like go tool trace: profile the complete generations, fail if there are none.
  if (!(await analyzeFile(a.file, [analyzer], "profiling what came before it"))) return 1;
  const profiles = analyzer.finalize();
  let records: ReturnType<typeof profiles.records>;
  try {
    records = profiles.records(a.type, a.filter);
  } catch (e) {
    if (e instanceof ProfileFilterError) return fail(e.message);
    throw e;
  }
  if (a.top) return writeOutput(a.out, topTable(records, a.limit, outputFormat(args)));
  return writeOutput(a.out, gzipSync(encodePprof(records)));
}

function topTable(
  records: Parameters<typeof topFunctions>[0],
  limit: number | undefined,
  format: string,
): string {
  if (format !== "table") {
    // JSON and CSV list every function unless --limit says otherwise.
    const out = topFunctionsJson(records, limit === 0 ? undefined : limit);
    if (format === "json") return `${JSON.stringify(out, null, 2)}\n`;
    const titles = [
      "function",
      "flat_ns",
      "flat_percent",
      "flat_count",
      "cum_ns",
      "cum_percent",
      "cum_count",
    ];
    return formatCsv(
      titles.map((title) => ({ title })),
      out.map((f) => [f.function, f.flatNs, f.flatPercent, f.flatCount, f.cumNs, f.cumPercent, f.cumCount]),
    );
  }
  const all = topFunctions(records);
  const rows = limit === 0 ? all : all.slice(0, limit ?? 20);
  const total = all.reduce((s, f) => s + f.flatNs, 0);
  const pct = (ns: number) => (total > 0 ? (ns / total) * 100 : 0);
  const columns: Column[] = [
    { title: "Flat", right: true },
    { title: "Flat%", right: true },
    { title: "Sum%", right: true },
    { title: "Cum", right: true },
    { title: "Cum%", right: true },
    { title: "Count", right: true },
    { title: "Function" },
  ];
  let sum = 0;
  const cells: Cell[][] = rows.map((f) => {
    sum += f.flatNs;
    return [
      formatDuration(f.flatNs),
      `${pct(f.flatNs).toFixed(1)}%`,
      `${pct(sum).toFixed(1)}%`,
      formatDuration(f.cumNs),
      `${pct(f.cumNs).toFixed(1)}%`,
      f.flatCount,
      f.func || "(no stack)",
    ];
  });
  const head =
    `Total delay ${formatDuration(total)} in ${records.reduce((s, r) => s + r.count, 0)} intervals` +
    (rows.length < all.length ? `; top ${rows.length} of ${all.length} functions by flat delay` : "");
  return `${head}\n${formatTable(columns, cells)}`;
}

function writeOutput(out: string | undefined, data: string | Uint8Array): number {
  if (out === undefined || out === "-") {
    process.stdout.write(data);
    return 0;
  }
  try {
    writeFileSync(out, data);
  } catch (e) {
    return fail(`cannot write ${out}: ${(e as Error).message}`);
  }
  return 0;
}
