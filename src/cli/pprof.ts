/**
 * `gotrace pprof --type=net|sync|syscall|sched|cpu|wall FILE [-o OUT]` and go
 * tool trace's spelling `gotrace -pprof=TYPE FILE`: a blocking profile, the
 * CPU profile of the trace's CPU samples, or both together (wall), as
 * gzipped pprof protobuf (what go tool trace writes too), or with --top a
 * table of the functions with the most delay.
 */
import { writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { noCpuSamplesMessage } from "../analysis/cpu-samples.js";
import { encodePprof, pprofLayout } from "../analysis/pprof-encode.js";
import { topFunctions } from "../analysis/pprof-top.js";
import {
  type ProfileFilter,
  ProfileFilterError,
  type ProfileType,
  profileTypes,
  type RegionFilter,
  type TimeRange,
} from "../analysis/profile.js";
import { topFunctionsJson } from "../query/analysis/profiles.js";
import { type Command, countFlag, type ParsedArgs, UsageError } from "./args.js";
import { formatDuration } from "./format.js";
import { goDurationNs } from "./go-format.js";
import { type Cell, type Column, formatCsv, formatTable, outputFormat } from "./table.js";
import { modelField, readModel } from "./timeline-file.js";

export const pprofCommand: Command = {
  name: "pprof",
  operands: ["FILE"],
  summary: "a blocking, CPU or wall profile (gzipped pprof), or its top functions",
  flags: [
    {
      name: "type",
      value: "TYPE",
      help:
        "which profile (required): net (the network), sync (channels, mutexes,\nselect), syscall (system calls), sched (runnable, waiting to run),\n" +
        "cpu (the CPU profiler's samples, 10ms each; needs a trace taken with\nit on) or wall (cpu and the four waits, labelled kind=cpu|net|sync|\nsyscall|runnable)",
    },
    { name: "output", short: "o", value: "FILE", help: "write the profile to FILE (- for stdout)" },
    { name: "group", value: "FUNC", help: "only goroutines started at FUNC (go tool trace's /io?name=)" },
    { name: "goroutine", value: "ID", help: "only that goroutine (the last to have the ID)" },
    { name: "region", value: "TYPE", help: "only time inside regions of TYPE (/regionio?type=)" },
    {
      name: "region-pc",
      value: "HEX",
      help: "with --region: only regions whose start stack's root is at this PC",
    },
    {
      name: "latmin",
      value: "DUR",
      help: "with --region: only regions lasting at least DUR (Go's 10ms, 1.5s)",
    },
    { name: "latmax", value: "DUR", help: "with --region: only regions lasting at most DUR" },
    {
      name: "from",
      value: "DUR",
      help: "only what falls after DUR since the trace's first event (the\ntimeline's 0), a Go duration: --from 1.5s",
    },
    { name: "to", value: "DUR", help: "only what falls before DUR since the trace's first event: --to 2s" },
    { name: "top", help: "the functions with the most delay, as a table, instead of the profile" },
    { name: "limit", value: "N", help: "with --top: N rows (default 20; 0 = all; JSON and CSV: all)" },
    { name: "json", help: "with --top: JSON, durations in nanoseconds" },
    { name: "csv", help: "with --top: CSV, durations in nanoseconds" },
  ],
  exclusive: [
    ["json", "csv"],
    ["group", "goroutine", "region"],
  ],
  details: "go tool trace's spelling: gotrace -pprof=TYPE FILE > OUT.pb.gz",
  run: runPprof,
};

interface PprofArgs {
  file: string;
  type: ProfileType;
  out: string | undefined;
  filter: ProfileFilter | undefined;
  /** --from/--to, ns since the trace's first event (the timeline's 0). */
  range: TimeRange | undefined;
  top: boolean;
  limit: number | undefined;
}

/** Go's time.ParseDuration for the forms people type: "1.5ms", "2s", "1m30s", "0". */
export function parseGoDuration(s: string): number | undefined {
  if (s === "0") return 0;
  const ns = goDurationNs(s);
  return ns === undefined ? undefined : Math.round(ns);
}

function pprofArgs(args: ParsedArgs): PprofArgs {
  const values = args.values;
  const type = values.get("type");
  if (!type) throw new UsageError("--type is required (net, sync, syscall, sched, cpu or wall)", true);
  if (!profileTypes.includes(type as ProfileType)) {
    throw new UsageError(`unknown pprof type ${type}; want net, sync, syscall, sched, cpu or wall`);
  }
  const top = args.switches.has("top");
  for (const f of ["limit", "json", "csv"]) {
    if (!top && (values.has(f) || args.switches.has(f))) throw new UsageError(`--${f} needs --top`, true);
  }
  const group = values.get("group");
  const regionFlags = ["region", "region-pc", "latmin", "latmax"].filter((f) => values.has(f));
  if (regionFlags.length && !values.has("region")) {
    throw new UsageError(`--${regionFlags[0]} needs --region`, true);
  }
  let filter: ProfileFilter | undefined;
  if (group !== undefined) filter = { group };
  const goroutineText = values.get("goroutine");
  if (goroutineText !== undefined) {
    const goroutine = Number(goroutineText);
    if (!/^\d+$/.test(goroutineText) || !Number.isSafeInteger(goroutine)) {
      throw new UsageError(`--goroutine: not a goroutine ID: ${JSON.stringify(goroutineText)}`);
    }
    filter = { goroutine };
  }
  if (regionFlags.length) {
    const duration = (flag: string) => {
      const v = values.get(flag);
      if (v === undefined) return undefined;
      const ns = parseGoDuration(v);
      if (ns === undefined) throw new UsageError(`--${flag}: not a duration: ${JSON.stringify(v)}`);
      return ns;
    };
    const pcText = values.get("region-pc");
    const pc =
      pcText === undefined
        ? undefined
        : /^(0x)?[0-9a-f]+$/i.test(pcText)
          ? Number.parseInt(pcText.replace(/^0x/i, ""), 16)
          : Number.NaN;
    if (pc !== undefined && !Number.isFinite(pc))
      throw new UsageError(`--region-pc: not a hex PC: ${JSON.stringify(pcText)}`);
    const region: RegionFilter = {
      type: values.get("region"),
      pc,
      latMinNs: duration("latmin"),
      latMaxNs: duration("latmax"),
    };
    filter = { region };
  }
  const limit = values.has("limit") ? countFlag(args, "limit", 0) : undefined;
  return {
    file: args.operands[0]!,
    type: type as ProfileType,
    out: values.get("output"),
    filter,
    range: timeRange(values.get("from"), values.get("to")),
    top,
    limit,
  };
}

/** --from/--to: Go durations since the trace's first event; either end may be left open. */
function timeRange(from: string | undefined, to: string | undefined): TimeRange | undefined {
  if (from === undefined && to === undefined) return undefined;
  const ns = (flag: string, v: string | undefined, open: number) => {
    if (v === undefined) return open;
    const d = parseGoDuration(v);
    if (d === undefined || d < 0) {
      throw new UsageError(`--${flag}: not a duration since the trace's start: ${JSON.stringify(v)}`);
    }
    return d;
  };
  const startNs = ns("from", from, Number.NEGATIVE_INFINITY);
  const endNs = ns("to", to, Number.POSITIVE_INFINITY);
  if (!(startNs < endNs)) throw new UsageError(`--from ${from} is not before --to ${to}`);
  return { startNs, endNs };
}

/**
 * A gzipped profile is not for reading: without -o it goes to stdout only
 * when that is not a terminal (a pipe or a file, as `> out.pb.gz`).
 */
export function refusesTerminal(
  args: { top: boolean; out: string | undefined },
  stdoutIsTTY: boolean,
): boolean {
  return stdoutIsTTY && !args.top && args.out === undefined;
}

function fail(message: string): number {
  process.stderr.write(`gotrace: ${message}\n`);
  return 1;
}

/** Runs the command; returns the exit status. */
export async function runPprof(args: ParsedArgs): Promise<number> {
  const a = pprofArgs(args);
  if (refusesTerminal(a, process.stdout.isTTY === true)) {
    throw new UsageError("not writing a gzipped profile to a terminal: give -o FILE, or --top for a table");
  }
  // Like go tool trace: profile the complete generations, fail if there are none.
  const model = await readModel(a.file);
  if (!model) return 1;
  const profiles = modelField(model, a.type === "cpu" || a.type === "wall" ? "cpuProfiles" : "blocking");
  if (a.type === "cpu" && profiles.cpuSamples === 0) return fail(noCpuSamplesMessage);
  // The profiled part, on the profiles' clock (from the trace's origin): from the first
  // event to the last, or to the last Sync of a damaged trace (Go's startTime and endTime).
  const { tl, firstNs } = model;
  const endNs = firstNs + (model.damaged ? Math.min(tl.lastSyncNs, tl.durationNs) : tl.durationNs);
  // The range counts from the first event, as the timeline does; the profiles from the trace's origin.
  const range = a.range && {
    startNs: a.range.startNs + firstNs,
    endNs: a.range.endNs + firstNs,
  };
  const filter = range ? { ...a.filter, range } : a.filter;
  let records: ReturnType<typeof profiles.records>;
  try {
    records = profiles.records(a.type, filter);
  } catch (e) {
    if (e instanceof ProfileFilterError) return fail(e.message);
    throw e;
  }
  if (a.top) return writeOutput(a.out, topTable(records, a.limit, outputFormat(args), a.type));
  const durationNs =
    Math.min(range?.endNs ?? Number.POSITIVE_INFINITY, endNs) -
    Math.max(range?.startNs ?? Number.NEGATIVE_INFINITY, firstNs);
  return writeOutput(a.out, gzipSync(encodePprof(records, pprofLayout(a.type), durationNs)));
}

function topTable(
  records: Parameters<typeof topFunctions>[0],
  limit: number | undefined,
  format: string,
  type: ProfileType,
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
  const what = type === "cpu" ? "CPU time" : type === "wall" ? "wall time" : "delay";
  const units = type === "cpu" ? "samples" : type === "wall" ? "samples and waits" : "intervals";
  const head =
    `Total ${what} ${formatDuration(total)} in ${records.reduce((s, r) => s + r.count, 0)} ${units}` +
    (rows.length < all.length
      ? `; top ${rows.length} of ${all.length} functions by flat ${type === "cpu" || type === "wall" ? "time" : "delay"}`
      : "");
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
