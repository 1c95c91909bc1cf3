/**
 * The text form of traces, read as Go's internal/trace/raw.TextReader reads
 * it (the `trace` part of `.test` files):
 *
 *     Trace Go1.22
 *     EventBatch gen=1 m=18446744073709551615 time=28113086279559 size=5
 *     Stack id=5 nframes=1
 *         pc=1241251 func=3 file=6 line=124
 *     String id=5
 *         data="hello world\x00"
 *
 * Tokens are separated by any Unicode space; a token starting with `#` ends
 * the line, and lines holding no token are skipped. Argument names must be
 * the spec's, in its order. Error messages are Go's, plus the line number.
 */
import { isGoSpace, quoteGo, trimGoSpace, unquoteGo } from "./go-quote.js";
import { frameFields, isKnownVersion, type RawEvent, rawSpecOf } from "./raw.js";
import type { EventSpec } from "./v2/spec.js";
import { specsOf } from "./v2/version.js";

export class TextTraceError extends Error {
  /** The reason alone, worded as Go words it. */
  readonly reason: string;
  /** 1-based line number of the line at fault; one past the last line for a premature end. */
  readonly line: number;

  constructor(reason: string, line: number) {
    super(`${reason} (line ${line})`);
    this.name = "TextTraceError";
    this.reason = reason;
    this.line = line;
  }
}

export interface TextTrace {
  readonly version: number;
  readonly events: RawEvent[];
}

/** bufio.Scanner's default limit: a line of 64 KiB or more (before its newline) fails the scan. */
const maxLineBytes = 64 * 1024 - 1;

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

interface Token {
  readonly token: string;
  /** Index in the line where the rest begins. */
  readonly rest: number;
}

/**
 * Go's readToken: skip spaces; a `#` there means no token (and no rest);
 * otherwise the token runs to the next space or `#`. Spaces and `#` are all
 * in the BMP, so scanning UTF-16 units finds the same boundaries as Go's runes.
 */
function readToken(s: string, from: number): Token {
  let start = from;
  while (start < s.length && isGoSpace(s.charCodeAt(start))) start++;
  if (start >= s.length || s.charCodeAt(start) === 0x23) return { token: "", rest: s.length };
  let end = start;
  while (end < s.length && !isGoSpace(s.charCodeAt(end)) && s.charCodeAt(end) !== 0x23) end++;
  return { token: s.slice(start, end), rest: end };
}

function isAllSpace(s: string, from: number): boolean {
  for (let i = from; i < s.length; i++) if (!isGoSpace(s.charCodeAt(i))) return false;
  return true;
}

const maxU64 = (1n << 64n) - 1n;

/** strconv.ParseUint(s, 10, 64), throwing Go's error message. */
function parseUint64(s: string): bigint {
  if (s === "") throw new Error(`strconv.ParseUint: parsing ${quoteGo(s)}: invalid syntax`);
  let v = 0n;
  for (let i = 0; i < s.length; i++) {
    const d = s.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) throw new Error(`strconv.ParseUint: parsing ${quoteGo(s)}: invalid syntax`);
    v = v * 10n + BigInt(d);
    if (v > maxU64) throw new Error(`strconv.ParseUint: parsing ${quoteGo(s)}: value out of range`);
  }
  return v;
}

/** Go's %v of a []uint64. */
const formatArgs = (args: readonly bigint[]): string => `[${args.join(" ")}]`;

/** Go's readArgs: `name=value` per expected name, then nothing but spaces. Throws with Go's message. */
function readArgs(line: string, from: number, names: readonly string[]): bigint[] {
  const args: bigint[] = [];
  let at = from;
  for (const name of names) {
    const { token, rest } = readToken(line, at);
    if (token === "") throw new Error("no argument");
    const eq = token.indexOf("=");
    if (eq < 0) throw new Error(`malformed argument: ${quoteGo(token)}`);
    const arg = token.slice(0, eq);
    const val = token.slice(eq + 1);
    let value: bigint;
    try {
      value = parseUint64(val);
    } catch {
      throw new Error(`failed to parse argument value ${quoteGo(val)} for arg ${quoteGo(arg)}`);
    }
    if (arg !== name) throw new Error(`expected argument ${quoteGo(name)}, but got ${quoteGo(arg)}`);
    args.push(value);
    at = rest;
  }
  if (!isAllSpace(line, at)) {
    throw new Error(`encountered unexpected non-space at the end of an event: ${quoteGo(line.slice(at))}`);
  }
  return args;
}

/** Go's readData: `data=` then a Go-quoted string, spaces allowed around both. */
function readData(line: string): Uint8Array {
  const eq = line.indexOf("=");
  if (eq < 0 || trimGoSpace(line.slice(0, eq)) !== "data") {
    throw new Error(`malformed data: ${quoteGo(line)}`);
  }
  try {
    return unquoteGo(trimGoSpace(line.slice(eq + 1)));
  } catch (e) {
    throw new Error(`failed to parse data: ${quoteGo(line)}: ${(e as Error).message}`);
  }
}

/** Lines as bufio.Scanner yields them: split on \n, one trailing \r dropped, no empty line after a final \n. */
function scanLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** Reads a whole text trace. Throws TextTraceError. */
export function readTextTrace(text: string): TextTrace {
  const lines = scanLines(text);
  let next = 0; // index of the next line to scan
  let lineNo = 0; // 1-based number of the line last returned
  /** The next line holding a token, or undefined at the end (Go's io.EOF). */
  const nextLine = (): string | undefined => {
    while (next < lines.length) {
      let line = lines[next++]!;
      lineNo = next;
      if (line.length > maxLineBytes / 3 && utf8Length(line) > maxLineBytes) {
        throw new TextTraceError("bufio.Scanner: token too long", lineNo);
      }
      if (line.endsWith("\r")) line = line.slice(0, -1);
      if (readToken(line, 0).token !== "") return line;
    }
    lineNo = lines.length + 1;
    return undefined;
  };
  const fail = (reason: string, line = lineNo): never => {
    throw new TextTraceError(reason, line);
  };

  const header = nextLine();
  if (header === undefined) fail("EOF");
  const trace = readToken(header!, 0);
  if (trace.token !== "Trace") fail("failed to parse header");
  const gover = readToken(header!, trace.rest);
  if (!gover.token.startsWith("Go1.")) fail("failed to parse header Go version");
  let raw = 0n;
  try {
    raw = parseUint64(gover.token.slice("Go1.".length));
  } catch (e) {
    fail(`failed to parse header Go version: ${(e as Error).message}`);
  }
  // Go keeps the version in a uint32, so Go1.4294967318 is Go1.22.
  const version = Number(BigInt.asUintN(32, raw));
  if (!isKnownVersion(version)) fail(`unknown or unsupported Go version 1.${version}`);
  if (!isAllSpace(header!, gover.rest)) {
    fail(`encountered unexpected non-space at the end of the header: ${quoteGo(header!.slice(gover.rest))}`);
  }

  const specs = specsOf(version);
  const byName = new Map<string, number>();
  specs.forEach((s, i) => {
    if (s !== undefined) byName.set(s.name, i);
  });

  const events: RawEvent[] = [];
  for (let line = nextLine(); line !== undefined; line = nextLine()) {
    const eventLine = lineNo;
    const name = readToken(line, 0);
    const type = byName.get(name.token);
    if (type === undefined) fail(`unidentified event: ${name.token}`);
    const spec: EventSpec = rawSpecOf(version, type!)!;
    let args: bigint[] = [];
    try {
      args = readArgs(line, name.rest, spec.args);
    } catch (e) {
      fail(`reading args for ${name.token}: ${(e as Error).message}`);
    }
    if (spec.isStack) {
      // Go's int(uint64): from 2^63 on it is negative and no frame is read.
      const nframes = args[1]! >= 1n << 63n ? 0n : args[1]!;
      for (let i = 0n; i < nframes; i++) {
        const frameLine = nextLine();
        if (frameLine === undefined)
          fail(`unexpected EOF while reading stack: args=${formatArgs(args)}`, eventLine);
        try {
          args.push(...readArgs(frameLine!, 0, frameFields));
        } catch (e) {
          fail((e as Error).message);
        }
      }
    }
    let data: Uint8Array | undefined;
    if (spec.hasData) {
      const dataLine = nextLine();
      if (dataLine === undefined) {
        fail(`unexpected EOF while reading data for ${name.token}: args=${formatArgs(args)}`, eventLine);
      }
      try {
        data = readData(dataLine!);
      } catch (e) {
        fail((e as Error).message);
      }
    }
    events.push(data === undefined ? { type: type!, args } : { type: type!, args, data });
  }
  return { version, events };
}
