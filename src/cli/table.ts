/**
 * Output of tabular results in the three forms every analysis command offers:
 * an aligned table for people, JSON for programs, CSV for spreadsheets.
 */

export type Cell = string | number;

export interface Column {
  readonly title: string;
  /** Right-align (numbers). */
  readonly right?: boolean;
}

export type OutputFormat = "table" | "json" | "csv";

/** Picks the format from the switches given: --json, --csv, else table. */
export function outputFormat(args: { readonly switches: ReadonlySet<string> }): OutputFormat {
  if (args.switches.has("json")) return "json";
  if (args.switches.has("csv")) return "csv";
  return "table";
}

/** The flags that choose the output format, for a command's flag table. */
export const formatFlags = [
  { name: "json", help: "JSON, durations in nanoseconds" },
  { name: "csv", help: "CSV, durations in nanoseconds" },
] as const;

export function formatTable(columns: readonly Column[], rows: readonly (readonly Cell[])[]): string {
  const text = rows.map((r) => r.map((c) => String(c)));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...text.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (columns[i]?.right ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return `${[line(columns.map((c) => c.title)), ...text.map(line)].join("\n")}\n`;
}

function csvCell(c: Cell): string {
  const s = String(c);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function formatCsv(columns: readonly Column[], rows: readonly (readonly Cell[])[]): string {
  return `${[columns.map((c) => csvCell(c.title)), ...rows.map((r) => r.map(csvCell))].map((r) => r.join(",")).join("\n")}\n`;
}
