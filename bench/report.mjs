// Formats the benchmark's results as Markdown and writes them into
// BENCHMARKS.md between the markers below, leaving the rest of the file
// (hand-written notes, profiles) alone.
import { existsSync, readFileSync, writeFileSync } from "node:fs";

export const startMarker = "<!-- bench:start (written by bench/run.mjs; edits here are overwritten) -->";
export const endMarker = "<!-- bench:end -->";

const MB = 1e6;
const MiB = 2 ** 20;

function fixed(x, digits) {
  return x === undefined ? "–" : x.toFixed(digits);
}

function count(n) {
  return n === undefined ? "–" : n.toLocaleString("en-US");
}

function millions(x) {
  return x === undefined ? "–" : `${(x / 1e6).toFixed(2)} M`;
}

/**
 * rows: {trace, reader, result, ref, refLabel} where result is measure()'s
 * answer or {pending: reason}, and ref is the Go x/exp/trace result for that
 * trace, or the row named by refLabel (its ratios are marked †).
 */
export function formatTable(rows) {
  const lines = [
    "| trace | reader | wall s | events | events/s | MB/s | peak RSS MiB | time ÷ Go | RSS ÷ Go |",
    "|---|---|--:|--:|--:|--:|--:|--:|--:|",
  ];
  for (const { trace, reader, result, ref, refLabel } of rows) {
    if (!result.ok) {
      const why = result.pending ? `pending: ${result.pending}` : `**failed**: ${result.error}`;
      lines.push(`| ${trace.label} | ${reader} | ${why} | | | | | | |`);
      continue;
    }
    const events = result.events ?? ref?.events;
    const mismatch =
      result.events !== undefined && ref?.events !== undefined && result.events !== ref.events
        ? ` ⚠ Go read ${count(ref.events)}`
        : "";
    const timeRatio = ref?.ok ? result.wallSec / ref.wallSec : undefined;
    const rssRatio =
      ref?.ok && ref.maxRssKiB && result.maxRssKiB ? result.maxRssKiB / ref.maxRssKiB : undefined;
    lines.push(
      `| ${trace.label} | ${reader} | ${fixed(result.wallSec, 2)} | ${count(events)}${mismatch} | ` +
        `${millions(events === undefined ? undefined : events / result.wallSec)} | ` +
        `${fixed(trace.bytes / MB / result.wallSec, 1)} | ` +
        `${fixed(result.maxRssKiB === undefined ? undefined : (result.maxRssKiB * 1024) / MiB, 0)} | ` +
        `${fixed(timeRatio, 2)}${refLabel ? " †" : ""} | ${fixed(rssRatio, 2)}${refLabel ? " †" : ""} |`,
    );
  }
  return lines.join("\n");
}

/** The whole generated section: environment, inputs, table, failures. */
export function formatSection({ env, traces, rows, runs, notes }) {
  const out = [];
  out.push(`Measured ${env.date} on ${env.commit}.`, "");
  out.push(
    `- Machine: ${env.nproc} cores, ${env.cpu}, ${env.memGiB} GiB memory, ${env.os}`,
    `- Node ${env.node}; ${env.go}; golang.org/x/exp ${env.xexp}`,
    `- Peak RSS from ${env.rssSource}; every number is the median of ${runs} runs of a fresh process, ` +
      "the readers taken in turn (round-robin).",
    `- 1-minute load average: ${env.load} the measurements (above ${env.nproc} means other work shared the cores).`,
    "",
  );
  out.push("| trace file | format | size | events (Go) | made by |", "|---|---|--:|--:|---|");
  for (const t of traces) {
    out.push(
      `| \`${t.file}\` | go 1.${t.version} | ${(t.bytes / MB).toFixed(1)} MB (${(t.bytes / MiB).toFixed(1)} MiB) | ` +
        `${count(t.events)} | ${t.madeBy} |`,
    );
  }
  out.push("", formatTable(rows), "");
  out.push(
    "wall s is the whole process (start-up included); events/s and MB/s (10^6 bytes) divide by it. " +
      "The ratios divide by the `Go x/exp/trace` row of the same trace.",
  );
  for (const label of new Set(rows.map((r) => r.refLabel).filter(Boolean))) {
    out.push("", `† divided by the \`${label}\` row of the same trace instead.`);
  }
  if (notes.length) out.push("", ...notes.map((n) => `- ${n}`));
  return out.join("\n");
}

const template = (section) => `# Benchmarks

How fast gotrace reads a large Go execution trace, next to Go's own reader.
Run \`npm run bench\` to measure again: it rewrites the section between the
markers below and leaves the rest of this file alone.

${startMarker}
${section}
${endMarker}
`;

/**
 * Replaces the section between the markers (or creates the file); other
 * markers (the view rows' own) name another section of the same file.
 */
export function writeBenchmarksMd(path, section, markers = { start: startMarker, end: endMarker }) {
  if (!existsSync(path) && markers.start === startMarker) {
    writeFileSync(path, template(section));
    return;
  }
  if (!existsSync(path)) writeFileSync(path, "# Benchmarks\n");
  const text = readFileSync(path, "utf8");
  const a = text.indexOf(markers.start);
  const b = text.indexOf(markers.end);
  if (a < 0 || b < a) {
    writeFileSync(path, `${text.trimEnd()}\n\n${markers.start}\n${section}\n${markers.end}\n`);
    return;
  }
  writeFileSync(path, `${text.slice(0, a + markers.start.length)}\n${section}\n${text.slice(b)}`);
}
