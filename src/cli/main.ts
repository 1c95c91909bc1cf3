#!/usr/bin/env node
/**
 * The gotrace command line: a command and its flags, each parsed by the one
 * parser in args.ts, plus go tool trace's own spellings (`gotrace FILE`,
 * `-http=ADDR`, `-d=parsed|wire`, `-pprof=TYPE`) for scripts written
 * against it.
 *
 * Exit status: 0 done; 1 the command could not do its work (a file that
 * cannot be read or is not a trace); 2 a mistake in the command line.
 */
import { existsSync, readFileSync } from "node:fs";
import { type Command, commandHelp, parseCommandArgs, UsageError } from "./args.js";
import { captureCommand, isTraceURL } from "./capture.js";
import { convertCommand } from "./convert.js";
import { diffCommand } from "./diff.js";
import { dumpCommand } from "./dump.js";
import { CommandError, checkInputFile, fileErrorReason } from "./errors.js";
import { exportCommand } from "./export.js";
import { goroutinesCommand } from "./goroutines.js";
import { mmuCommand } from "./mmu.js";
import { pprofCommand } from "./pprof.js";
import { schedlatCommand } from "./schedlat.js";
import { serveWebCommand } from "./serve-web.js";
import { sqlCommand } from "./sql.js";
import { statsCommand } from "./stats.js";
import { regionsCommand, tasksCommand } from "./tasks.js";
import { isTraceList, viewCommand } from "./view.js";
import { whyCommand } from "./why.js";

const commands: readonly Command[] = [
  viewCommand,
  statsCommand,
  dumpCommand,
  goroutinesCommand,
  schedlatCommand,
  tasksCommand,
  regionsCommand,
  mmuCommand,
  pprofCommand,
  whyCommand,
  diffCommand,
  convertCommand,
  exportCommand,
  captureCommand,
  serveWebCommand,
  sqlCommand,
];

function usage(): string {
  const left = commands.map((c) => `${c.name} ${c.operands.join(" ")}`);
  const width = Math.max(...left.map((s) => s.length)) + 2;
  let text = "usage: gotrace COMMAND [flags] FILE\n\ncommands:\n";
  commands.forEach((c, i) => {
    text += `  ${left[i]!.padEnd(width)}${c.summary}\n`;
  });
  return `${text}
go tool trace's spellings:
  gotrace FILE, gotrace -http=HOST:PORT FILE   view
  gotrace -d=parsed FILE, gotrace -d=wire FILE  dump, dump --wire
  gotrace -pprof=TYPE FILE > OUT.pb.gz          pprof --type=TYPE

gotrace help COMMAND (or gotrace COMMAND --help) lists a command's flags.
gotrace --version prints the version.
`;
}

/** The version in package.json, beside dist/ both in a checkout and in an installed package. */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
  return String(pkg.version);
}

/** An error that ends the command: one line on stderr, and the exit status. */
function report(e: unknown, command: string | undefined, input: string | undefined): number {
  if (e instanceof UsageError) {
    // Mistakes are the command's; failures below are the file's, named by it.
    const who = command ? `gotrace ${command}` : "gotrace";
    const hint = e.showHelp ? ` (see gotrace help${command ? ` ${command}` : ""})` : "";
    process.stderr.write(`${who}: ${e.message}${hint}\n`);
    return 2;
  }
  if (e instanceof CommandError) {
    process.stderr.write(`gotrace: ${e.message}\n`);
    return 1;
  }
  // Failures of the file system met while reading (EIO): the file and why.
  const reason = fileErrorReason(e);
  if (reason !== undefined) {
    const path = (e as NodeJS.ErrnoException).path ?? input;
    process.stderr.write(`gotrace: ${path === undefined ? "" : `${path}: `}${reason}\n`);
    return 1;
  }
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`gotrace: internal error: ${msg.split("\n")[0]}\n`);
  return 2;
}

/**
 * The command argv names, and its arguments: go tool trace's flags before
 * the file stand for the commands that do what they do.
 */
function dispatch(argv: readonly string[]): { command: Command; args: string[] } | "help" | "version" {
  const [first = "", ...rest] = argv;
  if (first === "help" || first === "-h" || first === "--help") return "help";
  if (first === "version" || first === "--version" || first === "-version") return "version";
  const named = commands.find((c) => c.name === first);
  if (named) return { command: named, args: rest };
  if (/^--?d(=|$)/.test(first)) return { command: dumpCommand, args: [...argv] };
  // -pprof=TYPE, -pprof TYPE: pprof's --type.
  const pprof = /^--?pprof(?==|$)/.exec(first);
  if (pprof) {
    if (first === pprof[0] && (rest[0] === undefined || rest[0].startsWith("-"))) {
      throw new UsageError(`${first} needs a value (${first}=TYPE)`, true);
    }
    return { command: pprofCommand, args: [`--type${first.slice(pprof[0].length)}`, ...rest] };
  }
  if (/^--?(http|no-open)(=|$)/.test(first)) return { command: viewCommand, args: [...argv] };
  if (first.startsWith("-")) throw new UsageError(`unknown flag ${first.split("=")[0]}`, true);
  // `gotrace FILE`: anything that exists, or looks like a path, is a file to view.
  if (existsSync(first) || /[./\\]/.test(first)) return { command: viewCommand, args: [...argv] };
  throw new UsageError(`unknown command ${first}`, true);
}

export async function main(argv: readonly string[]): Promise<number> {
  if (argv.length === 0) {
    process.stderr.write(usage());
    return 2;
  }
  let command: Command | undefined;
  let input: string | undefined;
  try {
    const what = dispatch(argv);
    if (what === "version") {
      process.stdout.write(`gotrace ${version()}\n`);
      return 0;
    }
    if (what === "help") {
      const name = argv[1];
      if (name === undefined) {
        process.stdout.write(usage());
        return 0;
      }
      const c = commands.find((x) => x.name === name);
      if (!c) throw new UsageError(`unknown command ${name}`, true);
      process.stdout.write(commandHelp(c));
      return 0;
    }
    command = what.command;
    const args = parseCommandArgs(command, what.args);
    if (args.help) {
      process.stdout.write(commandHelp(command));
      return 0;
    }
    // The file that errors of the file system name when they name none: the first FILE operand.
    input =
      args.operands[
        Math.max(
          0,
          command.operands.findIndex((o) => o.startsWith("FILE")),
        )
      ];
    // A trace's address, or (view) a folder or pattern of traces, is not a file to open; nor are
    // the operands of a command that checks its own (sql, export: directories, globs).
    const notFile =
      input === undefined ||
      command.checksInputs === true ||
      command === captureCommand ||
      (command === viewCommand && (isTraceURL(input) || isTraceList(input)));
    if (!notFile) checkInputFile(input!);
    return await command.run(args);
  } catch (e) {
    return report(e, command?.name, input);
  }
}

// A failure exits at once: `view` may have started a server and a worker that would keep it running.
main(process.argv.slice(2)).then(
  (status) => {
    if (status !== 0) process.exit(status);
  },
  (e: unknown) => process.exit(report(e, undefined, undefined)),
);
