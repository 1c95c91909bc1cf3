/**
 * Tables of analysis results whose columns know what they hold, so one set
 * of rows prints for people (Go's durations, right-aligned numbers) and for
 * spreadsheets (plain nanoseconds), and sorts by any column.
 */

import { findColumn } from "./analyze.js";
import { formatCount } from "./format.js";
import { formatGoDuration, formatGoPercent } from "./go-format.js";
import { type Column, formatCsv, formatTable, formatTableFitting } from "./table.js";

export interface ReportColumn {
  readonly title: string;
  /** ns: a duration in nanoseconds; id: an identifier (sorts ascending); text sorts ascending too. */
  readonly kind: "text" | "id" | "count" | "ns" | "percent";
}

export interface ReportRow {
  /** The row's item in the caller's list. */
  readonly index: number;
  /** One per column; "" for no value. */
  readonly cells: readonly (string | number)[];
}

function formatCell(kind: ReportColumn["kind"], v: string | number): string {
  if (typeof v === "string") return v;
  if (kind === "ns") return formatGoDuration(v);
  if (kind === "percent") return `${formatGoPercent(v)}%`;
  if (kind === "count") return formatCount(v);
  return String(v);
}

/**
 * The rows as CSV or as an aligned table; given a terminal `width`, the
 * table fits it (formatTableFitting, the first column repeated).
 */
export function renderReport(
  columns: readonly ReportColumn[],
  rows: readonly ReportRow[],
  format: "table" | "csv" | string,
  width?: number,
): string {
  if (format === "csv") {
    const cols: Column[] = columns.map((c) => ({ title: c.kind === "ns" ? `${c.title} (ns)` : c.title }));
    return formatCsv(
      cols,
      rows.map((r) => r.cells),
    );
  }
  const cols: Column[] = columns.map((c) => ({ title: c.title, right: c.kind !== "text" }));
  const cells = rows.map((r) => r.cells.map((v, i) => formatCell(columns[i]!.kind, v)));
  return width === undefined ? formatTable(cols, cells) : formatTableFitting(cols, cells, width);
}

/**
 * Rows sorted by the column `wanted` names (see findColumn): numbers largest
 * first, text and IDs in ascending order, empty cells last; ties keep their order.
 */
export function sortReport(
  columns: readonly ReportColumn[],
  rows: readonly ReportRow[],
  wanted: string,
): ReportRow[] {
  const i = findColumn(
    columns.map((c) => c.title),
    wanted,
  );
  const ascending = columns[i]!.kind === "text" || columns[i]!.kind === "id";
  return [...rows].sort((a, b) => {
    const x = a.cells[i]!;
    const y = b.cells[i]!;
    if (x === y) return 0;
    if (x === "") return 1;
    if (y === "") return -1;
    const order = x < y ? -1 : 1;
    return ascending ? order : -order;
  });
}
