#!/usr/bin/env node
/**
 * The gotrace command line. Subcommands, plus go tool trace's own flags
 * (`-d=parsed`, `-d=wire`) for scripts written against it.
 */
import { statSync } from "node:fs";
import { TraceError } from "../decode/errors.js";
import { formatEvent } from "../decode/event-string.js";
import { readTrace } from "../decode/reader.js";
import { UsageError } from "./analyze.js";
import { fileChunks } from "./chunks.js";
import { runConvert } from "./convert.js";
import { runGoroutines } from "./goroutines.js";
import { runMMU } from "./mmu.js";
import { OutputBuffer } from "./output.js";
import { runPprof } from "./pprof.js";
import { runSchedLatency } from "./schedlat.js";
import { runStats } from "./stats.js";
import { runRegions, runTasks } from "./tasks.js";
import { runView } from "./view.js";
import { dumpWireEvents } from "./wire.js";

const usage = `usage: gotrace <command> [flags] FILE

commands:
  view FILE [--http HOST:PORT] [--no-open]
                     the timeline and analysis pages in a browser, served on
                     127.0.0.1 at a free port; FILE alone means the same
  dump FILE          print every event as go tool trace -d=parsed does
  dump --wire FILE   print the raw wire events (go tool trace -d=wire)
  stats FILE         a short overview of the trace
  goroutines FILE [--group NAME] [--sort COLUMN] [--json|--csv]
                     goroutines by start function, or one group's time breakdown
  schedlat FILE [--top N] [--sort COLUMN] [--json|--csv [--worst]]
                     scheduler latency: runnable→running waits, percentiles, longest
  tasks FILE [--type NAME] [--json|--csv]
                     user tasks by type with latency histograms, or one type's tasks
  regions FILE [--type NAME] [--json|--csv]
                     user regions by type and start location, or one type's regions
  mmu FILE [--include stw,background,assist,sweep] [--per-proc] [--windows W1,W2,…]
           [--worst N] [--percentiles] [--json|--csv]
                     minimum mutator utilization curve and the worst windows
  convert IN OUT     binary trace → text form, or text / .test → binary
  pprof --type=net|sync|syscall|sched FILE [-o OUT.pb.gz] [--group FUNC | --region TYPE] [--top]
                     a blocking profile (gzipped pprof), or its top functions

go tool trace compatible:
  gotrace [-http=HOST:PORT] FILE
  gotrace -d=parsed FILE
  gotrace -d=wire FILE
  gotrace -pprof=net|sync|syscall|sched FILE > out.pb
`;

const commands = new Set([
  "view",
  "dump",
  "stats",
  "goroutines",
  "schedlat",
  "tasks",
  "regions",
  "mmu",
  "convert",
  "pprof",
]);

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function fail(message: string): never {
  process.stderr.write(`gotrace: ${message}\n`);
  process.exit(1);
}

async function dumpParsed(path: string): Promise<void> {
  const out = new OutputBuffer();
  try {
    await readTrace(fileChunks(path), (ev, r) => out.line(formatEvent(ev, r.originNs)));
  } catch (e) {
    out.flush();
    if (e instanceof TraceError) fail(e.message);
    throw e;
  }
  out.flush();
}

export async function main(argv: string[]): Promise<void> {
  const args = [...argv];
  let command = args.shift();
  if (command === undefined || command === "-h" || command === "--help" || command === "help") {
    process.stdout.write(usage);
    return;
  }
  // go tool trace's spelling: -d=parsed / -d=wire / -d parsed.
  if (command === "-d" || command.startsWith("-d=")) {
    const mode = command === "-d" ? args.shift() : command.slice(3);
    command = mode === "wire" ? "dump-wire" : mode === "parsed" ? "dump" : undefined;
    if (!command) fail(`invalid debug mode ${mode}, want one of: parsed, wire`);
  }
  // go tool trace's spelling: -pprof=TYPE / -pprof TYPE.
  if (command === "-pprof" || command.startsWith("-pprof=")) {
    args.unshift(`--type=${command === "-pprof" ? (args.shift() ?? "") : command.slice(7)}`);
    command = "pprof";
  }
  // go tool trace's spelling: `gotrace -http=:6060 FILE`, or a file alone.
  const viewFlag = /^--?(http|no-open)(=|$)/;
  if (viewFlag.test(command) || (!commands.has(command) && !command.startsWith("-") && isFile(command))) {
    args.unshift(command);
    command = "view";
  }
  if (command === "view") {
    try {
      process.exitCode = await runView(args);
    } catch (e) {
      if (e instanceof UsageError) fail(e.message);
      throw e;
    }
    return;
  }
  if (command === "pprof") {
    process.exitCode = await runPprof(args);
    return;
  }
  if (command === "dump" && (args[0] === "--wire" || args[0] === "-wire")) {
    args.shift();
    command = "dump-wire";
  }
  // The first argument that is neither a flag nor the value of one.
  const withValue = new Set(["--group", "--sort", "--top", "--type", "--include", "--windows", "--worst"]);
  const file = args.find((a, i) => !a.startsWith("-") && !withValue.has(args[i - 1] ?? ""));
  if (!file) fail(`missing trace file\n${usage}`);
  try {
    statSync(file);
  } catch {
    fail(`cannot open ${file}`);
  }
  switch (command) {
    case "dump":
      return dumpParsed(file);
    case "dump-wire":
      process.exitCode = await dumpWireEvents(file);
      return;
    case "convert":
      process.exitCode = runConvert(file, args[args.indexOf(file) + 1]);
      return;
    case "stats":
      process.exitCode = await runStats(file, args);
      return;
    case "tasks":
    case "regions":
    case "mmu":
      try {
        process.exitCode = await (command === "tasks" ? runTasks : command === "mmu" ? runMMU : runRegions)(
          args,
        );
      } catch (e) {
        if (e instanceof UsageError) fail(e.message);
        throw e;
      }
      return;
    case "goroutines":
    case "schedlat":
      try {
        process.exitCode = await (command === "goroutines" ? runGoroutines : runSchedLatency)(args);
      } catch (e) {
        if (e instanceof UsageError) fail(e.message);
        throw e;
      }
      return;
    default:
      fail(`unknown command ${command}\n${usage}`);
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`gotrace: internal error: ${msg}\n`);
  process.exit(2);
});
