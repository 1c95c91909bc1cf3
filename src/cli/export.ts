/**
 * `gotrace export --format=FORMAT FILE… -o OUT`: the trace in another
 * tool's format. Formats:
 *
 * - `perfetto`: Perfetto's protobuf trace (src/export/perfetto/), for
 *   ui.perfetto.dev and its trace processor. One FILE. Its packets are
 *   deflated a 1 MiB chunk at a time into Perfetto's compressed packets
 *   (node:zlib on the thread pool, beside the encoding), unless
 *   --uncompressed.
 * - `parquet`: the tables of any number of traces (docs/tables.md) as a
 *   directory of Parquet files partitioned by trace_id (parquet.ts), for
 *   DuckDB, Spark, Trino. FILE… may be files, directories and globs; the
 *   directory is made whole beside OUT and renamed.
 *
 * The output is written to a temporary file beside OUT and renamed to OUT
 * only when complete, so OUT is never a partial file; on failure the
 * temporary file is removed, as it is when the export is interrupted
 * (SIGINT, SIGTERM, SIGHUP; interrupt.ts). A pipe or device (`-o /dev/stdout`) is
 * written directly. A damaged trace is exported up to the damage,
 * with one warning line. A large trace is decoded on worker threads, as
 * the analysis commands decode it, while the timeline is built here.
 */
import { randomBytes } from "node:crypto";
import { statSync } from "node:fs";
import { type FileHandle, open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { promisify } from "node:util";
import { deflate } from "node:zlib";
import type { Driven } from "../decode/drive.js";
import type { TraceReader } from "../decode/reader.js";
import { compressingSink } from "../export/perfetto/compressed.js";
import { exportPerfetto, type PerfettoSink } from "../export/perfetto/export.js";
import { TimelineBuilder } from "../model/builder.js";
import type { Timeline } from "../model/timeline.js";
import { type Command, type ParsedArgs, UsageError } from "./args.js";
import { reportDamage } from "./damage.js";
import { driveFile, fileVersion } from "./decode-thread.js";
import { CommandError, checkInputFile, fileErrorReason } from "./errors.js";
import { formatBytes } from "./format.js";
import { removeOnInterrupt } from "./interrupt.js";
import { exportParquet } from "./parquet.js";

/** Each format: what it writes into the temporary file for `output`, given the trace's path; true when done. */
interface Format {
  readonly help: string;
  write(file: string, out: FileHandle, output: string, args: ParsedArgs): Promise<boolean>;
}

const formats: Readonly<Record<string, Format>> = {
  perfetto: {
    help: "Perfetto's protobuf trace (open it in ui.perfetto.dev)",
    write: writePerfetto,
  },
  // Further formats go here, one line each.
};

/** Formats of any number of traces, written to a directory (OUT) by their own code. */
const directoryFormats: Readonly<
  Record<string, { help: string; write(operands: readonly string[], output: string): Promise<number> }>
> = {
  parquet: {
    help: "the tables of docs/tables.md as Parquet in directory OUT, by trace_id (DuckDB, Spark, Trino)",
    write: exportParquet,
  },
};

export const exportCommand: Command = {
  name: "export",
  operands: ["FILE…"],
  variadic: true,
  checksInputs: true,
  summary: "the trace in another tool's format (Perfetto), or traces' tables as Parquet",
  flags: [
    {
      name: "format",
      value: "FORMAT",
      help: [...Object.entries(formats), ...Object.entries(directoryFormats)]
        .map(([name, f]) => `${name}: ${f.help}`)
        .join("\n"),
    },
    { name: "output", short: "o", value: "OUT", help: "where to write it (replaced only once complete)" },
    {
      name: "uncompressed",
      help: "perfetto: plain packets, not deflated into compressed packets (about 4.5× larger)",
    },
  ],
  details:
    "Example: gotrace export --format=perfetto app.trace -o app.pftrace\n" +
    "         gotrace export --format=parquet traces/ -o tables/\n" +
    "perfetto takes one FILE; parquet any number of files, directories and globs, and\n" +
    "OUT must not exist, or be an empty directory.\n" +
    "A damaged trace is exported up to the damage, with a warning.",
  run: runExport,
};

export async function runExport(args: ParsedArgs): Promise<number> {
  const file = args.operands[0]!;
  const name = args.values.get("format");
  const output = args.values.get("output");
  const choices = [...Object.keys(formats), ...Object.keys(directoryFormats)].join(", ");
  const many = name === undefined ? undefined : directoryFormats[name];
  // One trace file, checked before anything else as every command checks its file.
  if (!many) {
    if (args.operands.length > 1)
      throw new UsageError(
        `unexpected argument ${JSON.stringify(args.operands[1])} (${name ?? "perfetto"} takes one FILE)`,
        true,
      );
    checkInputFile(file);
  }
  if (name === undefined) throw new UsageError(`--format is required (${choices})`, true);
  const format = formats[name];
  if (!format && !many) throw new UsageError(`--format ${name}: unknown format (${choices})`, true);
  if (output === undefined) throw new UsageError("-o OUT is required", true);
  if (many) {
    if (args.switches.has("uncompressed"))
      throw new UsageError(`--uncompressed is for --format perfetto`, true);
    return many.write(args.operands, output);
  }
  return writeAtomically(output, (out) => format!.write(file, out, output, args));
}

/**
 * Runs `write` on a new temporary file beside `output`, then renames it to
 * `output` if `write` returns true; otherwise, or on any error, removes it.
 */
async function writeAtomically(
  output: string,
  write: (out: FileHandle) => Promise<boolean>,
): Promise<number> {
  let kind: "none" | "file" | "directory" | "special" = "none";
  try {
    const st = statSync(output);
    kind = st.isFile() ? "file" : st.isDirectory() ? "directory" : "special";
  } catch {
    // Not there (or not reachable): opening the temporary file beside it says why.
  }
  // A directory would refuse the rename only after the whole export.
  if (kind === "directory") throw new CommandError(`${output}: cannot write: is a directory`);
  // A pipe or a device (/dev/stdout) is written in place: a rename would replace it.
  if (kind === "special") return writeInPlace(output, write);
  const temp = join(dirname(output), `.${basename(output)}.${randomBytes(4).toString("hex")}.tmp`);
  let out: FileHandle;
  try {
    out = await open(temp, "wx");
  } catch (e) {
    throw new CommandError(`${output}: cannot write: ${fileErrorReason(e) ?? String(e)}`);
  }
  let done = false;
  const forget = removeOnInterrupt(temp);
  try {
    const ok = await write(out);
    await out.close();
    if (!ok) return 1;
    await rename(temp, output).catch((e: unknown) => {
      throw new CommandError(`${output}: cannot write: ${fileErrorReason(e) ?? String(e)}`);
    });
    done = true;
    return 0;
  } finally {
    if (!done) {
      await out.close().catch(() => {});
      await unlink(temp).catch(() => {});
    }
    forget();
  }
}

async function writeInPlace(output: string, write: (out: FileHandle) => Promise<boolean>): Promise<number> {
  let out: FileHandle;
  try {
    out = await open(output, "w");
  } catch (e) {
    throw new CommandError(`${output}: cannot write: ${fileErrorReason(e) ?? String(e)}`);
  }
  try {
    return (await write(out)) ? 0 : 1;
  } finally {
    await out.close().catch(() => {});
  }
}

/**
 * The timeline of a trace file, read as the analysis commands read it
 * (a large file decoded on worker threads while the timeline is built
 * here), and how the read ended. `workers` as GOTRACE_DECODE_WORKERS.
 */
export async function readTimeline(file: string, workers?: number): Promise<{ tl: Timeline; run: Driven }> {
  const builder = new TimelineBuilder();
  // Events decoded on a worker come without their reader: the builder asks it only the version.
  const header = { version: fileVersion(file) } as TraceReader;
  const run = await driveFile(file, (ev, reader) => builder.event(ev, reader ?? header), { workers });
  return { tl: builder.finalize(), run };
}

const deflateAsync = promisify(deflate);

async function writePerfetto(
  file: string,
  out: FileHandle,
  output: string,
  args: ParsedArgs,
): Promise<boolean> {
  const size = statSync(file).size;
  const { tl, run } = await readTimeline(file);
  if (!reportDamage(file, run, size, "exported")) return false;
  const write: PerfettoSink = async (chunk) => {
    try {
      for (let at = 0; at < chunk.length; ) at += (await out.write(chunk, at)).bytesWritten;
    } catch (e) {
      throw new CommandError(`${output}: cannot write: ${fileErrorReason(e) ?? String(e)}`);
    }
  };
  // Level 1: on the 16 MiB benchmark trace, 0.19 of the packets' size at 0.8 s of
  // compression (level 6: 0.15 at 2.5 s).
  const compressed = args.switches.has("uncompressed")
    ? undefined
    : compressingSink(write, (data) => deflateAsync(data, { level: 1 }));
  const summary = await exportPerfetto(tl, compressed?.sink ?? write, { processName: basename(file) });
  await compressed?.finish();
  const bytes = compressed?.bytes ?? summary.bytes;
  const packed = compressed ? ` (${formatBytes(summary.bytes)} of packets, compressed)` : "";
  process.stderr.write(
    `gotrace: exported ${file}: ${formatBytes(bytes)}${packed}, ${summary.packets.toLocaleString("en-US")} packets\n`,
  );
  return true;
}
