/**
 * Reads trace files into their tables (export/tables/) for `gotrace sql`
 * and `gotrace export --format=parquet`: one pass over each file builds its
 * timeline while hashing its bytes (the trace_id) and noting its first
 * clock snapshot (the wall-clock start). The operands may be files,
 * directories (every trace file under them) or globs (`*`, `?`, `**`),
 * quoted so the shell leaves them alone.
 */
import { createHash } from "node:crypto";
import { closeSync, createReadStream, openSync, readdirSync, readSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { type ClockSnapshot, EventKind } from "../decode/event.js";
import type { TraceReader } from "../decode/reader.js";
import { type TraceTables, traceIdOf, traceTables } from "../export/tables/build.js";
import { headerSize, readHeader } from "../format/header.js";
import { TimelineBuilder } from "../model/builder.js";
import { damageWarningLine } from "./damage.js";
import { driveFile } from "./decode-thread.js";
import { CommandError, checkInputFile, FileError, fileErrorReason } from "./errors.js";

/** The SHA-256 of a file, in hex. */
function hashFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(path, { highWaterMark: 1 << 20 })
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}

/** N of the file's `go 1.N trace` header, or undefined when it has none. */
function headerVersion(path: string): number | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const head = new Uint8Array(headerSize);
    const n = readSync(fd, head, 0, headerSize, 0);
    const h = readHeader(head.subarray(0, n));
    return h.ok ? h.version : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Whether the file begins with a trace header (`go 1.N trace`). */
export function isTraceFile(path: string): boolean {
  return headerVersion(path) !== undefined;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** A glob as a regular expression over paths: `**` any directories, `*` and `?` within one name. */
function globRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*" && glob[i + 1] === "*") {
      re += ".*";
      i++;
      if (glob[i + 1] === "/") i++;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/**
 * The trace files the operands name, in order, each once: a file as it is
 * (it must exist; whether it is a trace is found when it is read), the
 * trace files in a directory or matching a glob (other files are passed over).
 */
export function expandInputs(operands: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (p: string) => {
    if (!seen.has(p)) {
      seen.add(p);
      out.push(p);
    }
  };
  for (const op of operands) {
    if (/[*?]/.test(op) && !exists(op)) {
      const parts = op.split("/");
      const first = parts.findIndex((s) => /[*?]/.test(s));
      const base = parts.slice(0, first).join("/") || (op.startsWith("/") ? "/" : ".");
      const re = globRegExp(op);
      let files: string[] = [];
      try {
        files = walk(base);
      } catch {
        // No such directory: no matches.
      }
      const matched = files
        .map((f) => (base === "." && !op.startsWith("./") ? relative(".", f) : f))
        .filter((f) => re.test(f.split(sep).join("/")) && isTraceFile(f));
      if (matched.length === 0) throw new CommandError(`${op}: no trace files match`);
      for (const f of matched) add(f);
      continue;
    }
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(op);
    } catch (e) {
      throw new FileError(op, fileErrorReason(e) ?? String(e));
    }
    if (st.isDirectory()) {
      const traces = walk(op).filter(isTraceFile);
      if (traces.length === 0) throw new CommandError(`${op}: no trace files in the directory`);
      for (const f of traces) add(f);
    } else {
      checkInputFile(op);
      add(op);
    }
  }
  return out;
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * One trace file's tables. A damaged trace gives the tables of what was
 * read before the damage, with one warning line on stderr (`doing` says
 * what is done with it: "loaded", "exported"); a file with nothing
 * readable is an error naming it.
 */
export async function readTraceTables(path: string, doing: string): Promise<TraceTables> {
  const size = statSync(path).size;
  // Hashed beside the read, which a large file gets on worker threads (decode-thread.ts).
  const hashing = hashFile(path);
  // Its failure is reported when it is awaited, after the read's.
  hashing.catch(() => {});
  const builder = new TimelineBuilder();
  const version = headerVersion(path);
  const reader = { version } as TraceReader;
  let firstNs = Number.NaN;
  let clock: ClockSnapshot | undefined;
  const run = await driveFile(path, (ev) => {
    builder.event(ev, reader);
    if (Number.isNaN(firstNs)) firstNs = ev.time;
    if (clock === undefined && ev.kind === EventKind.Sync) clock = ev.sync().clockSnapshot;
  }).catch((e: unknown) => {
    // A failure of the file system (EIO) names this file, whichever of many it is.
    const reason = fileErrorReason(e);
    throw reason === undefined ? e : new FileError(path, reason);
  });
  // Event times count from the read's origin; the snapshot's trace time is absolute.
  const startWallUs =
    clock && clock.wallSec * 1e6 + clock.wallNsec / 1e3 - (clock.traceNs - run.originNs - firstNs) / 1e3;
  const sha256 = await hashing;
  const { error } = run;
  // Nothing usable: the reader's one line, as every command gives it.
  if (error && run.keptEvents === 0) throw new CommandError(`${path}: ${error.message}`);
  // The tables keep every event read before the damage (the timeline's rule,
  // as gotrace view shows it), not only those up to the last Sync: say so.
  const damage =
    error && damageWarningLine(path, { ...run, error, keptEvents: run.events - run.syncs }, size, doing);
  if (damage) process.stderr.write(damage);
  return traceTables(builder.finalize(), {
    traceId: traceIdOf(sha256),
    path,
    sizeBytes: size,
    sha256,
    ...(run.version !== undefined && { version: run.version }),
    ...(startWallUs !== undefined && { startWallUs: Math.round(startWallUs) }),
    ...(damage && { damage: damageText(damage, path) }),
  });
}

/** The warning line without its "gotrace: warning: FILE: " prefix and newline. */
function damageText(line: string, path: string): string {
  const prefix = `gotrace: warning: ${path}: `;
  const text = line.trimEnd();
  return text.startsWith(prefix) ? text.slice(prefix.length) : text;
}
