/**
 * `gotrace convert IN OUT`: between the binary form of a trace and its text
 * form (Go's `.test` trace syntax). The direction follows the input: a binary
 * trace becomes text; a text trace, or a `.test` archive, becomes binary.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { readHeader } from "../format/header.js";
import { readRawTrace } from "../format/raw-reader.js";
import { writeRawTrace } from "../format/raw-writer.js";
import { parseTestTrace } from "../format/test-trace.js";
import { readTextTrace, TextTraceError } from "../format/text-reader.js";
import { writeTextTrace } from "../format/text-writer.js";
import type { Command } from "./args.js";

export const convertCommand: Command = {
  name: "convert",
  operands: ["IN", "OUT"],
  summary: "binary trace → text form, or text / .test → binary",
  flags: [],
  details:
    "A binary trace becomes Go's text form (as in its .test files); a text trace,\n" +
    "or a .test archive, becomes a binary trace.",
  run: (args) => runConvert(args.operands[0]!, args.operands[1]!),
};

export function runConvert(input: string, output: string): number {
  const bytes = readFileSync(input);
  if (readHeader(bytes).ok) {
    const raw = readRawTrace(bytes);
    if (raw.error || raw.version === undefined) {
      process.stderr.write(`gotrace: ${input}: ${raw.error?.message ?? "not a modern trace"}\n`);
      return 1;
    }
    writeFileSync(output, writeTextTrace(raw.version, raw.events));
    return 0;
  }
  const text = bytes.toString("utf8");
  try {
    const parsed = text.startsWith("Trace ") ? readTextTrace(text) : parseTestTrace(text, input);
    writeFileSync(output, writeRawTrace(parsed.version, parsed.events));
    return 0;
  } catch (e) {
    if (e instanceof TextTraceError || e instanceof SyntaxError || e instanceof Error) {
      process.stderr.write(`gotrace: ${input}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
