/**
 * Loads traces' tables (export/tables/) into DuckDB, column by column: each
 * table's typed arrays fill DuckDB vectors 2,048 rows at a time, appended as
 * data chunks (no SQL per row). Rows go first into staging tables typed as
 * the arrays are (times as DOUBLE, exact to 2^53), which one
 * `CREATE TABLE … AS SELECT` per table casts to the schema's types once
 * every trace is in.
 */
import {
  BOOLEAN,
  DOUBLE,
  type DuckDBConnection,
  DuckDBDataChunk,
  DuckDBInstance,
  type DuckDBType,
  type DuckDBVector,
  INTEGER,
  VARCHAR,
} from "@duckdb/node-api";
import type { ColumnData, TraceTables } from "../export/tables/build.js";
import { type ColumnKind, type ColumnSpec, schema, traceIdColumn } from "../export/tables/schema.js";

/** DuckDB's vector size: rows per appended chunk. */
const chunkRows = 2048;

const stagedType: Record<ColumnKind, DuckDBType> = {
  i64: DOUBLE,
  i32: INTEGER,
  f64: DOUBLE,
  str: VARCHAR,
  bool: BOOLEAN,
  time: DOUBLE,
};

/** A name as an SQL identifier. */
function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

const stageName = (table: string) => `gotrace_stage_${table}`;

/** The staged column cast to its schema type. */
function finalExpr(c: ColumnSpec): string {
  const col = ident(c.name);
  if (c.kind === "i64") return `CAST(${col} AS BIGINT) AS ${col}`;
  if (c.kind === "time") return `make_timestamp(CAST(${col} AS BIGINT)) AS ${col}`;
  return col;
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
    for (const t of schema) {
      const cols = [traceIdColumn, ...t.columns].map(
        (c) => `${ident(c.name)} ${stagedType[c.kind].toString()}`,
      );
      await connection.run(`CREATE TABLE ${ident(stageName(t.name))} (${cols.join(", ")})`);
    }
    return loader;
  }

  /** Whether a trace with this ID was added already (the same file's bytes twice). */
  has(traceId: number): boolean {
    return this.ids.has(traceId);
  }

  /** Appends one trace's tables. */
  async add(trace: TraceTables): Promise<void> {
    this.ids.add(trace.traceId);
    for (const table of trace.tables) {
      const appender = await this.connection.createAppender(stageName(table.spec.name));
      const specs = [traceIdColumn, ...table.spec.columns];
      const types = specs.map((c) => stagedType[c.kind]);
      for (let from = 0; from < table.rows; from += chunkRows) {
        const n = Math.min(chunkRows, table.rows - from);
        const chunk = DuckDBDataChunk.create(types, n);
        const id = chunk.getColumnVector(0) as DuckDBVector<number>;
        for (let i = 0; i < n; i++) id.setItem(i, trace.traceId);
        id.flush();
        table.columns.forEach((data, c) => {
          fillVector(chunk.getColumnVector(c + 1), specs[c + 1]!, data, from, n, trace.strings);
        });
        chunk.rowCount = n;
        appender.appendDataChunk(chunk);
      }
      appender.closeSync();
    }
  }

  /** Casts the staged rows into the schema's tables. */
  async finish(): Promise<void> {
    for (const t of schema) {
      const cols = [traceIdColumn, ...t.columns].map(finalExpr).join(", ");
      await this.connection.run(
        `CREATE TABLE ${ident(t.name)} AS SELECT ${cols} FROM ${ident(stageName(t.name))}; DROP TABLE ${ident(stageName(t.name))}`,
      );
    }
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/** Rows from..from+n of a column into a vector, NULLs as the schema says. */
function fillVector(
  vector: DuckDBVector,
  spec: ColumnSpec,
  data: ColumnData,
  from: number,
  n: number,
  strings: { get(id: number): string },
): void {
  switch (spec.kind) {
    case "str": {
      const v = vector as DuckDBVector<string>;
      for (let i = 0; i < n; i++) {
        const s = data[from + i]!;
        v.setItem(i, s < 0 ? null : strings.get(s));
      }
      break;
    }
    case "bool": {
      const v = vector as DuckDBVector<boolean>;
      for (let i = 0; i < n; i++) v.setItem(i, data[from + i] !== 0);
      break;
    }
    case "i32": {
      const v = vector as DuckDBVector<number>;
      const nullable = spec.nullable === true;
      for (let i = 0; i < n; i++) {
        const x = data[from + i]!;
        v.setItem(i, nullable && x === -1 ? null : x);
      }
      break;
    }
    default: {
      const v = vector as DuckDBVector<number>;
      for (let i = 0; i < n; i++) {
        const x = data[from + i]!;
        v.setItem(i, Number.isNaN(x) ? null : x);
      }
    }
  }
  vector.flush();
}
