/**
 * `gotrace sql "QUERY" FILE… [--json|--csv] [--save DB]`: SQL over the
 * tables of one trace or many (docs/tables.md), with DuckDB embedded. The
 * tables of every named trace (files, directories, globs) are loaded once;
 * the query runs over them all. `--save DB` keeps the loaded database in a
 * DuckDB file, and a DuckDB file given instead of traces is queried as it
 * is, without reading any trace again.
 */
import { closeSync, openSync, readSync, renameSync, rmSync } from "node:fs";
import { type DuckDBConnection, DuckDBInstance, type DuckDBResultReader } from "@duckdb/node-api";
import { type Command, type ParsedArgs, UsageError } from "./args.js";
import { TableLoader } from "./duckdb-tables.js";
import { CommandError, fileErrorReason } from "./errors.js";
import { type Cell, formatCsv, formatTable, outputFormat } from "./table.js";
import { expandInputs, readTraceTables } from "./trace-tables.js";

export const sqlCommand: Command = {
  name: "sql",
  operands: ["QUERY", "FILE…"],
  variadic: true,
  checksInputs: true,
  summary: "SQL over the tables of traces (files, directories, globs), with DuckDB",
  flags: [
    { name: "json", help: "the rows as a JSON array of objects (BIGINTs beyond 2^53 as strings)" },
    { name: "csv", help: "the rows as CSV" },
    { name: "save", value: "DB", help: "also write the loaded tables to the DuckDB file DB, to query again" },
  ],
  exclusive: [["json", "csv"]],
  details:
    "The tables and their columns are described in docs/tables.md; every table has a\n" +
    "trace_id. A DuckDB file (one written by --save) may be given instead of traces:\n" +
    'it is queried without reading the traces again. With --save, QUERY may be ""\n' +
    "to only write the database. A failing query prints DuckDB's message on one line.",
  run: runSql,
};

/** Whether a file is a DuckDB database (its header's magic "DUCK" at byte 8). */
export function isDuckDBFile(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const head = Buffer.alloc(12);
    const n = readSync(fd, head, 0, 12, 0);
    return n === 12 && head.toString("latin1", 8, 12) === "DUCK";
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** DuckDB's message on one line: its first line (the kind of error and why). */
export function sqlErrorLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split("\n")[0]!.trim();
}

/**
 * Loads the tables of `files` (trace files, in order) into a new database
 * (in memory, or at `path`), as views or tables (TableLoader.finish). A
 * trace whose bytes equal an earlier one's is loaded once.
 * `doing` is said of a damaged trace's part before the damage.
 */
export async function loadTraces(
  files: readonly string[],
  doing: string,
  as: "views" | "tables",
  path?: string,
): Promise<TableLoader> {
  const loader = await TableLoader.create(path);
  try {
    for (const file of files) {
      const tables = await readTraceTables(file, doing);
      if (loader.has(tables.traceId)) {
        process.stderr.write(`gotrace: note: ${file} is a trace already given (same bytes); loaded once\n`);
        continue;
      }
      await loader.add(tables);
    }
    await loader.finish(as);
  } catch (e) {
    loader.close();
    throw e;
  }
  return loader;
}

async function runSql(args: ParsedArgs): Promise<number> {
  const [query, ...operands] = args.operands as [string, ...string[]];
  const save = args.values.get("save");
  const format = outputFormat(args);
  if (query.trim() === "" && save === undefined) throw new UsageError("QUERY is empty", true);

  // A DuckDB database given instead of traces: query it as it is.
  const db = operands.find(isDuckDBFile);
  if (db !== undefined) {
    if (operands.length > 1)
      throw new UsageError(`a DuckDB file (${db}) is queried alone, without other files`);
    if (save !== undefined)
      throw new UsageError(`${db} is a DuckDB file already; --save copies traces' tables`);
    const instance = await DuckDBInstance.create(db, { access_mode: "READ_ONLY" });
    const connection = await instance.connect();
    try {
      return await runQuery(connection, query, format);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  }

  const files = expandInputs(operands);
  if (save === undefined) {
    const loader = await loadTraces(files, "loaded", "views");
    try {
      return await runQuery(loader.connection, query, format);
    } finally {
      loader.close();
    }
  }

  // Written beside DB under another name, renamed once whole: never a partial database as DB.
  const temp = `${save}.tmp-${process.pid}`;
  const removeTemp = () => {
    for (const p of [temp, `${temp}.wal`]) {
      try {
        rmSync(p, { force: true });
      } catch {
        // Nothing there to remove.
      }
    }
  };
  removeTemp();
  // Whether DB's directory takes a file is known before the traces are read, not after.
  try {
    closeSync(openSync(temp, "wx"));
    rmSync(temp);
  } catch (e) {
    throw savingError(e, save);
  }
  let loader: TableLoader;
  try {
    loader = await loadTraces(files, "loaded", "tables", temp);
  } catch (e) {
    removeTemp();
    throw savingError(e, save);
  }
  let status = 0;
  try {
    if (query.trim() !== "") status = await runQuery(loader.connection, query, format);
    await loader.connection.run("CHECKPOINT");
  } finally {
    loader.close();
  }
  try {
    renameSync(temp, save);
  } catch (e) {
    removeTemp();
    throw savingError(e, save);
  }
  rmSync(`${temp}.wal`, { force: true });
  return status;
}

/** An error while writing DB, worded as a file error when it is one. */
function savingError(e: unknown, path: string): unknown {
  if (e instanceof CommandError || e instanceof UsageError) return e;
  const reason = fileErrorReason(e);
  if (reason !== undefined) return new CommandError(`${path}: cannot write: ${reason}`);
  // DuckDB's own words when it cannot open the file ("IO Error: Cannot open file …").
  return new CommandError(`${path}: cannot write: ${sqlErrorLine(e)}`);
}

/** Runs the query and prints its result; a failing query is one line and status 1. */
async function runQuery(
  connection: DuckDBConnection,
  query: string,
  format: "table" | "json" | "csv",
): Promise<number> {
  let result: DuckDBResultReader;
  try {
    result = await connection.runAndReadAll(query);
  } catch (e) {
    process.stderr.write(`gotrace: sql: ${sqlErrorLine(e)}\n`);
    return 1;
  }
  const names = result.columnNames();
  // Times as DuckDB writes them (to the microsecond), not as a JavaScript Date (to the millisecond).
  const text = result.getRowsJson();
  const rows = result
    .getRowsJS()
    .map((r, i) => r.map((v, j) => (v instanceof Date ? text[i]![j]! : jsonValue(v))));
  process.stdout.write(renderResult(names, rows, format));
  return 0;
}

type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

/** A DuckDB value as JSON: integers beyond 2^53 as strings, times as ISO text, nested values kept. */
export function jsonValue(v: unknown): JsonValue {
  if (v === null || v === undefined) return null;
  if (typeof v === "bigint") {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : v.toString();
  }
  if (typeof v === "number") return Number.isFinite(v) ? v : String(v);
  if (typeof v === "string" || typeof v === "boolean") return v;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (Array.isArray(v)) return v.map(jsonValue);
  if (v instanceof Uint8Array) return Buffer.from(v).toString("hex");
  if (typeof v === "object") {
    const out: { [k: string]: JsonValue } = {};
    for (const [k, x] of Object.entries(v)) out[k] = jsonValue(x);
    return out;
  }
  return String(v);
}

function cellText(v: JsonValue, nullText: string): string {
  if (v === null) return nullText;
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/** The result as an aligned table (numbers right-aligned, NULL shown), JSON (an array of objects) or CSV. */
export function renderResult(names: readonly string[], rows: readonly JsonValue[][], format: string): string {
  if (format === "json") {
    const objects = rows.map((r) => Object.fromEntries(names.map((n, i) => [n, r[i] ?? null])));
    return `${JSON.stringify(objects, null, 2)}\n`;
  }
  const numeric = names.map(
    (_, i) => rows.length > 0 && rows.every((r) => r[i] === null || typeof r[i] === "number"),
  );
  const columns = names.map((title, i) => ({ title, right: numeric[i] }));
  if (format === "csv")
    return formatCsv(
      columns,
      rows.map((r) => r.map((v) => cellText(v, "")) as Cell[]),
    );
  return formatTable(
    columns,
    rows.map((r) => r.map((v) => cellText(v, "NULL"))),
  );
}
