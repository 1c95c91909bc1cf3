/**
 * One argument parser for every gotrace command, driven by a table of each
 * command's flags that also prints its help.
 *
 * Splitting uses node:util's parseArgs (built into Node, no dependency);
 * what it does not do is done here: go tool trace's single-dash spellings
 * (`-http=:6060`, `-d wire`, `-pprof=sync`, which Go's flag package reads
 * like `--http`) are rewritten to the double-dash form first, and parseArgs
 * runs unstrict so that every mistake is reported in our own words, one
 * line naming the flag as the user typed it.
 */
import { parseArgs } from "node:util";

/** A mistake in the command line: the command's help says what it takes; exit status 2. */
export class UsageError extends Error {
  /** Whether the message should point to `gotrace help CMD`. */
  readonly showHelp: boolean;
  constructor(message: string, showHelp = false) {
    super(message);
    this.showHelp = showHelp;
  }
}

export interface Flag {
  /** The long name, without dashes: `--top`, or go tool trace's `-top`. */
  readonly name: string;
  /** A one-letter name (`-o`). */
  readonly short?: string;
  /** What the flag's value is called in help (`N`, `FILE`); a flag without one is a switch. */
  readonly value?: string;
  readonly help: string;
}

export interface CommandSpec {
  readonly name: string;
  /** The positional arguments, as help names them: `["FILE"]`, `["IN", "OUT"]`; `"[B]"` (last) is optional. */
  readonly operands: readonly string[];
  /** One line for the list of commands. */
  readonly summary: string;
  readonly flags: readonly Flag[];
  /** The last operand may be given more than once (`FILE…`). */
  readonly variadic?: boolean;
  /** The command checks its operands itself; otherwise the first must be a readable file. */
  readonly checksInputs?: boolean;
  /** Sets of flags of which at most one may be given. */
  readonly exclusive?: readonly (readonly string[])[];
  /** Paragraphs after the flags in `gotrace help CMD`. */
  readonly details?: string;
}

export interface ParsedArgs {
  readonly command: string;
  /** The positional arguments, as many as the command's operands (fewer when the last are optional). */
  readonly operands: readonly string[];
  /** The values of the flags given one, by long name. */
  readonly values: ReadonlyMap<string, string>;
  /** The switches given, by long name. */
  readonly switches: ReadonlySet<string>;
  /** `--help` or `-h` was given: nothing else was checked. */
  readonly help: boolean;
}

const helpFlag: Flag = { name: "help", short: "h", help: "show this help" };

function flagsOf(spec: CommandSpec): readonly Flag[] {
  return [...spec.flags, helpFlag];
}

/** How help and errors spell a flag: `-d` for one letter, `--top` otherwise. */
export function flagName(name: string): string {
  return name.length === 1 ? `-${name}` : `--${name}`;
}

/** An argument that is a flag (not `-`, not a negative number). */
const flagLike = /^--?[A-Za-z]/;

/**
 * Rewrites go tool trace's spellings to parseArgs': `-name[=v]` → `--name[=v]`,
 * a short name to its long one. Values of flags given apart are left alone
 * (`--top -1`), and so is everything after `--`.
 */
function normalise(spec: CommandSpec, argv: readonly string[]): string[] {
  const flags = flagsOf(spec);
  const out: string[] = [];
  let valueNext = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      out.push(...argv.slice(i));
      break;
    }
    if (valueNext || !flagLike.test(a) || a.startsWith("--")) {
      out.push(a);
      valueNext = a.startsWith("--") && !a.includes("=") && isValueFlag(flags, a.slice(2));
      continue;
    }
    const eq = a.indexOf("=");
    const name = eq < 0 ? a.slice(1) : a.slice(1, eq);
    const long = flags.find((f) => f.short === name)?.name ?? name;
    out.push(`--${long}${eq < 0 ? "" : a.slice(eq)}`);
    valueNext = eq < 0 && isValueFlag(flags, long);
  }
  return out;
}

function isValueFlag(flags: readonly Flag[], name: string): boolean {
  return flags.some((f) => f.name === name && f.value !== undefined);
}

/**
 * Parses a command's arguments: every flag must be the command's, with a
 * value if it takes one and none if it does not, given once; at most one of
 * each exclusive set; exactly the command's operands. Throws UsageError.
 */
export function parseCommandArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const flags = flagsOf(spec);
  const args = normalise(spec, argv);
  const options: Record<string, { type: "string" | "boolean" }> = {};
  for (const f of flags) options[f.name] = { type: f.value === undefined ? "boolean" : "string" };
  const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  const values = new Map<string, string>();
  const switches = new Set<string>();
  const operands: string[] = [];
  const typed = (index: number) => {
    const raw = argv[index]!;
    const eq = raw.indexOf("=");
    return eq < 0 ? raw : raw.slice(0, eq);
  };
  if (tokens.some((t) => t.kind === "option" && t.name === "help")) {
    return { command: spec.name, operands, values, switches, help: true };
  }
  for (const t of tokens) {
    if (t.kind === "positional") {
      operands.push(t.value);
      continue;
    }
    if (t.kind !== "option") continue;
    const flag = flags.find((f) => f.name === t.name);
    const name = typed(t.index);
    if (!flag) throw new UsageError(`unknown flag ${name}`, true);
    if (flag.value === undefined) {
      if (t.value !== undefined) throw new UsageError(`${name} takes no value`, true);
      switches.add(flag.name);
      continue;
    }
    // parseArgs takes the next argument whatever it is; a flag there means the value was forgotten.
    if (t.value === undefined || (t.inlineValue === false && flagLike.test(t.value))) {
      throw new UsageError(`${name} needs a value (${name} ${flag.value})`, true);
    }
    if (values.has(flag.name)) throw new UsageError(`${flagName(flag.name)} given twice`, true);
    values.set(flag.name, t.value);
  }
  for (const set of spec.exclusive ?? []) {
    const given = set.filter((n) => values.has(n) || switches.has(n));
    if (given.length > 1) {
      throw new UsageError(`${given.map(flagName).join(" and ")} do not go together`, true);
    }
  }
  const want = spec.operands;
  // Operands written "[NAME]" may be left out (at the end).
  const required = want.filter((o) => !o.startsWith("[")).length;
  if (operands.length < required)
    throw new UsageError(`missing ${want.slice(operands.length, required).join(" ")}`, true);
  if (operands.length > want.length && !spec.variadic) {
    throw new UsageError(`unexpected argument ${JSON.stringify(operands[want.length])}`, true);
  }
  return { command: spec.name, operands, values, switches, help: false };
}

/** A flag's value as a whole number ≥ 0, or `fallback` when it is not given. */
export function countFlag(args: ParsedArgs, name: string, fallback: number): number {
  const text = args.values.get(name);
  if (text === undefined) return fallback;
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n)) {
    throw new UsageError(`${flagName(name)}: want a whole number, got ${JSON.stringify(text)}`);
  }
  return n;
}

/** `gotrace help CMD`: the synopsis, the summary, each flag with its help, and the details. */
export function commandHelp(spec: CommandSpec): string {
  const flags = flagsOf(spec);
  const left = flags.map((f) => {
    const names = f.short ? `-${f.short}, ${flagName(f.name)}` : flagName(f.name);
    return f.value === undefined ? names : `${names} ${f.value}`;
  });
  const width = Math.max(...left.map((s) => s.length)) + 2;
  let text = `${`usage: gotrace ${spec.name} [flags] ${spec.operands.join(" ")}`.trimEnd()}\n\n${spec.summary}\n\nflags:\n`;
  flags.forEach((f, i) => {
    const lines = f.help.split("\n");
    text += `  ${left[i]!.padEnd(width)}${lines[0]}\n`;
    for (const more of lines.slice(1)) text += `  ${" ".repeat(width)}${more}\n`;
  });
  if (spec.exclusive?.length) {
    for (const set of spec.exclusive) text += `  (${set.map(flagName).join(", ")}: at most one)\n`;
  }
  if (spec.details) text += `\n${spec.details.trimEnd()}\n`;
  return text;
}

/** A command: its flags, and what runs it once they are parsed; returns the exit status. */
export interface Command extends CommandSpec {
  run(args: ParsedArgs): Promise<number> | number;
}
