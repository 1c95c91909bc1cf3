/**
 * `gotrace export --format=parquet FILE… -o DIR`: the tables of the traces
 * (docs/tables.md) as Parquet, one directory per table, partitioned by
 * trace_id the hive way (`DIR/goroutines/trace_id=N/data_0.parquet`), which
 * DuckDB, Spark, Trino and others read as one table. Each trace's tables
 * are staged in an in-memory DuckDB (as `gotrace sql` loads them) a part of
 * up to 1M rows at a time, and each part written from its table's SELECT
 * by `COPY … TO '…/trace_id=N/data_K.parquet'` (without the trace_id
 * column, which the directory names), then dropped: memory holds the
 * timeline and one part, not every row of every trace. Everything is
 * written into a directory beside DIR and renamed to DIR once whole, so DIR
 * never holds a partial export; the directory beside it is removed on
 * failure, and when the export is interrupted (interrupt.ts).
 */
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { schema } from "../export/tables/schema.js";
import { TableLoader } from "./duckdb-tables.js";
import { CommandError, fileErrorReason } from "./errors.js";
import { removeOnInterrupt } from "./interrupt.js";
import { expandInputs, readTraceTables } from "./trace-tables.js";

/** Rows of a table staged before they are written out as one Parquet file (about 100 MiB staged). */
const partRows = 1 << 20;

/** A path as an SQL string literal. */
function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** Throws unless `dir` can become the export: absent, or an empty directory. */
function checkOutputDir(dir: string): void {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
    throw new CommandError(`${dir}: cannot write: ${fileErrorReason(e) ?? String(e)}`);
  }
  if (!st.isDirectory()) throw new CommandError(`${dir}: exists and is not a directory`);
  if (readdirSync(dir).length > 0) throw new CommandError(`${dir}: exists and is not empty`);
}

/** Writes the Parquet export of the trace files `operands` name (files, directories, globs) to `outDir`. */
export async function exportParquet(operands: readonly string[], outDir: string): Promise<number> {
  const files = expandInputs(operands);
  checkOutputDir(outDir);
  const temp = join(dirname(outDir), `.${basename(outDir)}.tmp-${process.pid}`);
  try {
    mkdirSync(temp);
  } catch (e) {
    throw new CommandError(`${outDir}: cannot write: ${fileErrorReason(e) ?? String(e)}`);
  }
  const forget = removeOnInterrupt(temp);
  try {
    for (const t of schema) mkdirSync(join(temp, t.name));
    const loader = await TableLoader.create();
    try {
      for (const file of files) {
        const tables = await readTraceTables(file, "exported");
        if (loader.has(tables.traceId)) {
          process.stderr.write(
            `gotrace: note: ${file} is a trace already given (same bytes); exported once\n`,
          );
          continue;
        }
        await loader.addInParts(tables, partRows, async (table, k, from) => {
          const dir = join(temp, table, `trace_id=${tables.traceId}`);
          if (k === 0) mkdirSync(dir);
          const to = join(dir, `data_${k}.parquet`);
          await loader.connection.run(
            `COPY (${TableLoader.select(table, false, from)}) TO ${sqlString(to)} (FORMAT parquet)`,
          );
        });
      }
    } finally {
      loader.close();
    }
    // An empty directory at DIR is replaced (rename(2) does that); anything else was refused above.
    renameSync(temp, outDir);
  } catch (e) {
    rmSync(temp, { recursive: true, force: true });
    const reason = fileErrorReason(e);
    if (reason !== undefined) throw new CommandError(`${outDir}: cannot write: ${reason}`);
    throw e;
  } finally {
    forget();
  }
  return 0;
}
