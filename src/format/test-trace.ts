/**
 * Go's `.test` trace files (src/internal/trace/testdata/tests/): a txtar
 * archive holding `expect`, then `trace` in the text form. The text becomes
 * wire bytes through the raw writer, exactly what Go's test harness
 * (testtrace.ParseFile) hands to its parser, and `expect` says whether that
 * parse must succeed or fail with an error matching a regexp.
 */
import { quoteGo, unquoteGo } from "./go-quote.js";
import type { RawEvent } from "./raw.js";
import { writeRawTrace } from "./raw-writer.js";
import { readTextTrace, TextTraceError } from "./text-reader.js";
import { parseTxtar } from "./txtar.js";

export type Expectation =
  | { readonly kind: "success" }
  | { readonly kind: "failure"; readonly pattern: RegExp };

export interface TestTrace {
  readonly expectation: Expectation;
  readonly version: number;
  readonly events: readonly RawEvent[];
  /** The wire form, header included. */
  readonly traceBytes: Uint8Array;
}

const utf8Decoder = new TextDecoder();

/**
 * A Go (RE2) regexp as a JS RegExp. The expectations Go ships are plain text
 * with `.*`, where the two syntaxes agree, and so does unanchored matching
 * (Go's MatchString is JS's test). Also translated: leading flags `(?ims)` and
 * named groups `(?P<name>…)`. Go-only syntax such as `\z`, `\Q…\E` or
 * `[[:alpha:]]` is not: JS rejects it or reads it differently.
 */
export function goRegExp(pattern: string): RegExp {
  let src = pattern;
  let flags = "";
  const lead = /^\(\?([ims]+)\)/.exec(src);
  if (lead) {
    flags = [...new Set(lead[1])].join("");
    src = src.slice(lead[0].length);
  }
  src = src.replaceAll("(?P<", "(?<");
  try {
    return new RegExp(src, `${flags}u`);
  } catch {
    // The u flag rejects escapes like \- that Go accepts; retry without it.
    return new RegExp(src, flags);
  }
}

/**
 * testtrace.ParseExpectation: the first line is `SUCCESS`, or `FAILURE `
 * and a Go-quoted regexp. An empty text expects success, as in Go.
 */
export function parseExpectation(text: string): Expectation {
  const nl = text.indexOf("\n");
  let line = nl < 0 ? text : text.slice(0, nl);
  if (line.endsWith("\r")) line = line.slice(0, -1);
  if (text === "") return { kind: "success" };
  const sp = line.indexOf(" ");
  const word = sp < 0 ? line : line.slice(0, sp);
  if (word === "SUCCESS") return { kind: "success" };
  if (word !== "FAILURE") throw new Error(`bad header line: ${quoteGo(line)}`);
  if (sp < 0) throw new Error(`bad header line for FAILURE: ${quoteGo(line)}`);
  const quoted = line.slice(sp + 1);
  let pattern: string;
  try {
    pattern = utf8Decoder.decode(unquoteGo(quoted));
  } catch (e) {
    throw new Error(`malformed pattern: not correctly quoted: ${quoted}: ${(e as Error).message}`);
  }
  try {
    return { kind: "failure", pattern: goRegExp(pattern) };
  } catch (e) {
    throw new Error(`malformed pattern: not a valid regexp: ${pattern}: ${(e as Error).message}`);
  }
}

/** Parses a `.test` file's text. Throws Error with Go's wording (TextTraceError's line number kept in the message). */
export function parseTestTrace(text: string, name = "test"): TestTrace {
  const ar = parseTxtar(text);
  if (ar.files.length !== 2) throw new Error(`malformed test ${name}: wrong number of files`);
  if (ar.files[0]!.name !== "expect")
    throw new Error(`malformed test ${name}: bad filename ${ar.files[0]!.name}`);
  if (ar.files[1]!.name !== "trace")
    throw new Error(`malformed test ${name}: bad filename ${ar.files[1]!.name}`);
  let trace: ReturnType<typeof readTextTrace>;
  try {
    trace = readTextTrace(ar.files[1]!.data);
  } catch (e) {
    if (e instanceof TextTraceError) throw new Error(`malformed test ${name}: bad trace file: ${e.message}`);
    throw e;
  }
  const traceBytes = writeRawTrace(trace.version, trace.events);
  let expectation: Expectation;
  try {
    expectation = parseExpectation(ar.files[0]!.data);
  } catch (e) {
    const quoted = quoteGo(ar.files[0]!.data);
    throw new Error(
      `internal error during ${name}: failed to parse expectation ${quoted}: ${(e as Error).message}`,
    );
  }
  return { expectation, version: trace.version, events: trace.events, traceBytes };
}
