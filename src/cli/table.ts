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

/** The terminal's width when stdout is one; undefined for a pipe or file, which get tables whole. */
export function terminalWidth(): number | undefined {
  return process.stdout.isTTY && process.stdout.columns > 0 ? process.stdout.columns : undefined;
}

/**
 * An aligned table for a terminal `width` characters wide. A table that
 * fits is formatTable's. Otherwise titles of the form "Kind (detail)" take
 * two lines, and the columns that still do not fit continue in further
 * blocks below, each repeating the first `keep` columns (the row's name) so
 * every block reads on its own. A single column wider than the terminal is
 * left to wrap.
 */
export function formatTableFitting(
  columns: readonly Column[],
  rows: readonly (readonly Cell[])[],
  width: number,
  keep = 1,
): string {
  const whole = formatTable(columns, rows);
  if (Math.max(...whole.split("\n").map((l) => l.length)) <= width) return whole;
  const titles = columns.map((c): [string, string] => {
    const at = c.title.indexOf(" (");
    return at > 0 ? [c.title.slice(0, at), c.title.slice(at + 1)] : [c.title, ""];
  });
  const text = rows.map((r) => r.map((c) => String(c)));
  const widths = columns.map((_, i) =>
    Math.max(titles[i]![0].length, titles[i]![1].length, ...text.map((r) => (r[i] ?? "").length)),
  );
  const kept = Array.from({ length: Math.min(keep, columns.length) }, (_, i) => i);
  const keptWidth = kept.reduce((sum, i) => sum + widths[i]! + 2, 0);
  const blocks: number[][] = [];
  let block = [...kept];
  let used = keptWidth;
  for (let i = kept.length; i < columns.length; i++) {
    if (block.length > kept.length && used + widths[i]! > width) {
      blocks.push(block);
      block = [...kept];
      used = keptWidth;
    }
    block.push(i);
    used += widths[i]! + 2;
  }
  blocks.push(block);
  const line = (cols: number[], cell: (i: number) => string) =>
    cols
      .map((i) => (columns[i]!.right ? cell(i).padStart(widths[i]!) : cell(i).padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return blocks
    .map((cols) => {
      const head = [line(cols, (i) => titles[i]![0])];
      if (cols.some((i) => titles[i]![1] !== "")) head.push(line(cols, (i) => titles[i]![1]));
      return `${[...head, ...text.map((r) => line(cols, (i) => r[i] ?? ""))].join("\n")}\n`;
    })
    .join("\n");
}

function csvCell(c: Cell): string {
  const s = String(c);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function formatCsv(columns: readonly Column[], rows: readonly (readonly Cell[])[]): string {
  return `${[columns.map((c) => csvCell(c.title)), ...rows.map((r) => r.map(csvCell))].map((r) => r.join(",")).join("\n")}\n`;
}
