/**
 * `gotrace dump FILE`: every event as `go tool trace -d=parsed` prints it;
 * with `--wire` (or go tool trace's `-d=wire`) the raw wire events.
 */
import { TraceError } from "../decode/errors.js";
import { formatEvent } from "../decode/event-string.js";
import { readTrace } from "../decode/reader.js";
import { type Command, type ParsedArgs, UsageError } from "./args.js";
import { fileChunks } from "./chunks.js";
import { traceErrorLine } from "./damage.js";
import { OutputBuffer } from "./output.js";
import { dumpWireEvents } from "./wire.js";

export const dumpCommand: Command = {
  name: "dump",
  operands: ["FILE"],
  summary: "print every event as go tool trace -d=parsed does",
  flags: [
    { name: "wire", help: "the raw wire events instead (go tool trace -d=wire)" },
    { name: "d", value: "MODE", help: "go tool trace's spelling: parsed (the default) or wire" },
  ],
  details: "gotrace -d=parsed FILE and gotrace -d=wire FILE do the same.",
  run: runDump,
};

/** Which form `dump`'s flags ask for. */
export function dumpMode(args: ParsedArgs): "parsed" | "wire" {
  const d = args.values.get("d");
  if (d !== undefined && d !== "parsed" && d !== "wire") {
    throw new UsageError(`-d: unknown mode ${JSON.stringify(d)}; want parsed or wire`);
  }
  const wire = args.switches.has("wire");
  if (wire && d === "parsed") throw new UsageError("--wire and -d=parsed do not go together", true);
  return wire || d === "wire" ? "wire" : "parsed";
}

async function runDump(args: ParsedArgs): Promise<number> {
  const file = args.operands[0]!;
  return dumpMode(args) === "wire" ? dumpWireEvents(file) : dumpParsed(file);
}

async function dumpParsed(path: string): Promise<number> {
  const out = new OutputBuffer();
  try {
    await readTrace(fileChunks(path), (ev, r) => out.line(formatEvent(ev, r.originNs)));
  } catch (e) {
    out.flush();
    if (!(e instanceof TraceError)) throw e;
    process.stderr.write(traceErrorLine(path, e));
    return 1;
  }
  out.flush();
  return 0;
}
