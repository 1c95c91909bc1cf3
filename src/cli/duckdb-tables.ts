/**
 * Loads traces' tables (export/tables/) into DuckDB, column by column: each
 * table's typed arrays are copied into DuckDB vectors 2,048 rows at a time,
 * appended as data chunks (no SQL, and no JavaScript value, per row). Rows
 * go first into staging tables typed as the arrays are: times as DOUBLE
 * (exact to 2^53), strings as their IDs in the trace's string table (staged
 * once per trace), and "none" as the arrays hold it (NaN, −1), so that no
 * row needs a NULL, which the vectors set a bit at a time. Once every trace
 * is in, each table is a SELECT over its staging table that casts the
 * times, makes the NULLs and looks the strings up (a hash join in DuckDB
 * costs far less than handing it a JavaScript string per row): a view, so
 * a query pays only for the tables it reads, or a table, for a database
 * that is kept; Parquet is written from the same SELECT.
 */
import {
  DOUBLE,
  type DuckDBConnection,
  DuckDBDataChunk,
  DuckDBInstance,
  type DuckDBType,
  type DuckDBVector,
  INTEGER,
  UTINYINT,
  VARCHAR,
} from "@duckdb/node-api";
import type { ColumnData, TableData, TraceTables } from "../export/tables/build.js";
import { type ColumnKind, type ColumnSpec, schema, traceIdColumn } from "../export/tables/schema.js";

/** DuckDB's vector size: rows per appended chunk. */
const chunkRows = 2048;

const stagedType: Record<ColumnKind, DuckDBType> = {
  i64: DOUBLE,
  i32: INTEGER,
  f64: DOUBLE,
  str: INTEGER,
  bool: UTINYINT,
  time: DOUBLE,
};

/** A name as an SQL identifier. */
function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Staging tables live in their own schema, out of the way of the user's `main`. */
const stageSchema = "gotrace_stage";
const stageName = (table: string) => `${stageSchema}.${ident(table)}`;
const stringsName = "gotrace_strings";
const stringsTable = `${stageSchema}.${stringsName}`;

/** A staging table's columns, as CREATE TABLE lists them. */
function stageColumns(t: TableData["spec"]): string {
  return [traceIdColumn, ...t.columns]
    .map((c) => `${ident(c.name)} ${stagedType[c.kind].toString()}`)
    .join(", ");
}

/** The staged column as the schema types it, from the staged table `t` (string c from its join `s_c`). */
function finalExpr(c: ColumnSpec, index: number): string {
  const col = `t.${ident(c.name)}`;
  const as = ident(c.name);
  const orNull = (expr: string) => (c.nullable ? `CASE WHEN isnan(${col}) THEN NULL ELSE ${expr} END` : expr);
  switch (c.kind) {
    case "i64":
      return `${orNull(`CAST(${col} AS BIGINT)`)} AS ${as}`;
    case "time":
      return `${orNull(`make_timestamp(CAST(${col} AS BIGINT))`)} AS ${as}`;
    case "f64":
      return `${orNull(col)} AS ${as}`;
    case "i32":
      return `${c.nullable ? `NULLIF(${col}, -1)` : col} AS ${as}`;
    case "bool":
      return `${col} <> 0 AS ${as}`;
    case "str":
      return `s${index}.s AS ${as}`;
  }
}

/** Loads the tables of traces, one after another, into a DuckDB database. */
export class TableLoader {
  private readonly ids = new Set<number>();

  private constructor(
    readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
  ) {}

  /** A new database in memory, or at `path` (a file that must not exist yet), with empty staging tables. */
  static async create(path = ":memory:"): Promise<TableLoader> {
    const instance = await DuckDBInstance.create(path);
    const connection = await instance.connect();
    const loader = new TableLoader(instance, connection);
    await connection.run(`CREATE SCHEMA ${stageSchema}`);
    for (const t of schema) await loader.createStage(t);
    await connection.run(`CREATE TABLE ${stringsTable} (trace_id DOUBLE, id INTEGER, s VARCHAR)`);
    return loader;
  }

  /** Whether a trace with this ID was added already (the same file's bytes twice). */
  has(traceId: number): boolean {
    return this.ids.has(traceId);
  }

  /** Appends one trace's tables. */
  async add(trace: TraceTables): Promise<void> {
    this.ids.add(trace.traceId);
    for (const table of trace.tables) await this.appendTable(trace.traceId, table);
    // Last: building the tables interns strings.
    await this.stageStrings(trace, 0);
  }

  /**
   * Stages one trace's tables a part at a time, for `part` to copy out:
   * up to about `partRows` rows of one table (the k-th part of it), with
   * every string they use, in a staging table of their own that `part`
   * reads as `from` (TableLoader.select's third argument); the part's rows
   * are dropped after. While `part` runs (in DuckDB, on its threads) the
   * next part is built and staged here, on a second connection: the
   * database holds at most two parts, not the trace.
   */
  async addInParts(
    trace: TraceTables,
    partRows: number,
    part: (table: string, k: number, from: string) => Promise<void>,
  ): Promise<void> {
    this.ids.add(trace.traceId);
    const staging = await this.instance.connect();
    let stagedStrings = 0;
    let current: TableData["spec"] | undefined;
    /** The staging table of the part being staged: its name, and as SQL names it. */
    let staged = "";
    let stagedSQL = "";
    let rows = 0;
    let k = 0;
    let parts = 0;
    /** The part being written, and the staging table it reads. */
    let writing: Promise<void> | undefined;
    let written = "";
    const finishWriting = async () => {
      if (writing === undefined) return;
      await writing;
      writing = undefined;
      // Dropped: a DELETE would leave the rows' memory to DuckDB's later vacuum.
      await staging.run(`DROP TABLE ${written}`);
    };
    const startPart = async (spec: TableData["spec"]) => {
      current = spec;
      staged = `${spec.name}#${parts++}`;
      stagedSQL = `${stageSchema}.${ident(staged)}`;
      await staging.run(`CREATE TABLE ${stagedSQL} (${stageColumns(spec)})`);
    };
    const flush = async () => {
      if (current === undefined || rows === 0) return;
      stagedStrings = await this.stageStrings(trace, stagedStrings, staging);
      await finishWriting();
      written = stagedSQL;
      writing = part(current.name, k++, stagedSQL);
      // Awaited in finishWriting; a failure meanwhile must not be an unhandled rejection.
      writing.catch(() => {});
      await startPart(current);
      rows = 0;
    };
    try {
      for (const table of trace.tables) {
        if (table.spec !== current) {
          await flush();
          if (current !== undefined) await staging.run(`DROP TABLE ${stagedSQL}`);
          await startPart(table.spec);
          k = 0;
        }
        await this.appendTable(trace.traceId, table, staged, staging);
        rows += table.rows;
        if (rows >= partRows) await flush();
      }
      await flush();
      await finishWriting();
      if (current !== undefined) await staging.run(`DROP TABLE ${stagedSQL}`);
      await staging.run(`DELETE FROM ${stringsTable}`);
    } finally {
      await writing?.catch(() => {});
      staging.closeSync();
    }
  }

  private async createStage(t: TableData["spec"]): Promise<void> {
    await this.connection.run(`CREATE TABLE ${stageName(t.name)} (${stageColumns(t)})`);
  }

  /** Appends a table's rows to its staging table, or to staging table `into`, on `via`. */
  private async appendTable(
    traceId: number,
    table: TableData,
    into = table.spec.name,
    via = this.connection,
  ): Promise<void> {
    const types = [traceIdColumn, ...table.spec.columns].map((c) => stagedType[c.kind]);
    await this.append(into, types, traceId, table.rows, via, (chunk, from, n) => {
      table.columns.forEach((data, c) => {
        fillVector(chunk.getColumnVector(c + 1), data, from, n);
      });
    });
  }

  /** Stages the trace's strings from ID `from` on; returns how many are staged. */
  private async stageStrings(trace: TraceTables, from: number, via = this.connection): Promise<number> {
    const { strings } = trace;
    const size = strings.size;
    if (size <= from) return from;
    const ids = Int32Array.from({ length: size - from }, (_, i) => from + i);
    const types = [DOUBLE, INTEGER, VARCHAR];
    await this.append(stringsName, types, trace.traceId, size - from, via, (chunk, at, n) => {
      fillVector(chunk.getColumnVector(1), ids, at, n);
      const v = chunk.getColumnVector(2) as DuckDBVector<string>;
      for (let i = 0; i < n; i++) v.setItem(i, strings.get(from + at + i));
      v.flush();
    });
    return size;
  }

  /**
   * Appends `rows` rows to staging table `table` (its name in the staging
   * schema) on connection `via`, a chunk at a time: column 0 is the trace ID, `fill`
   * sets the others.
   */
  private async append(
    table: string,
    types: readonly DuckDBType[],
    traceId: number,
    rows: number,
    via: DuckDBConnection,
    fill: (chunk: DuckDBDataChunk, from: number, n: number) => void,
  ): Promise<void> {
    const appender = await via.createAppender(table, stageSchema);
    // One chunk, filled again for each 2,048 rows (a new one each time took twice as long).
    const chunk = DuckDBDataChunk.create(types, Math.min(chunkRows, rows));
    const ids = new Float64Array(chunkRows).fill(traceId);
    for (let from = 0; from < rows; from += chunkRows) {
      const n = Math.min(chunkRows, rows - from);
      // The vectors are sized by the row count: set only when it changes (the last chunk).
      if (chunk.rowCount !== n) chunk.rowCount = n;
      fillVector(chunk.getColumnVector(0), ids, 0, n);
      fill(chunk, from, n);
      appender.appendDataChunk(chunk);
    }
    appender.closeSync();
  }

  /**
   * The SELECT that gives table `name` from its staged rows, or from the
   * staging table `from` (without its trace_id column if not `withTraceId`).
   */
  static select(name: string, withTraceId = true, from = stageName(name)): string {
    const t = schema.find((x) => x.name === name)!;
    const columns = [traceIdColumn, ...t.columns];
    const selected = columns.map(finalExpr).slice(withTraceId ? 0 : 1);
    const joins = columns
      .map((c, i) =>
        c.kind === "str"
          ? ` LEFT JOIN ${stringsTable} s${i} ON s${i}.trace_id = t.trace_id AND s${i}.id = t.${ident(c.name)}`
          : "",
      )
      .join("");
    return `SELECT ${selected.join(", ")} FROM ${from} t${joins}`;
  }

  /**
   * Makes the schema's tables: views over the staged rows, or, to keep,
   * tables (and the staged rows dropped).
   */
  async finish(as: "views" | "tables"): Promise<void> {
    for (const t of schema) {
      const kind = as === "views" ? "VIEW" : "TABLE";
      await this.connection.run(`CREATE ${kind} ${ident(t.name)} AS ${TableLoader.select(t.name)}`);
    }
    if (as === "tables") await this.connection.run(`DROP SCHEMA ${stageSchema} CASCADE`);
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/**
 * Rows from..from+n of a column into a vector of the same element type:
 * one copy into the vector's own buffer, which flush() hands to DuckDB,
 * where the vector has one (every numeric vector of this package does);
 * else an item at a time.
 */
function fillVector(vector: DuckDBVector, data: ColumnData, from: number, n: number): void {
  const items = (vector as unknown as { items?: unknown }).items;
  if (
    ArrayBuffer.isView(items) &&
    items.constructor === data.constructor &&
    (items as ColumnData).length >= n
  ) {
    (items as ColumnData).set(data.subarray(from, from + n));
  } else {
    const v = vector as DuckDBVector<number>;
    for (let i = 0; i < n; i++) v.setItem(i, data[from + i]!);
  }
  vector.flush();
}
