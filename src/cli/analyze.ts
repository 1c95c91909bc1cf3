/**
 * What the analysis commands share: read a file once through their
 * analyzers, handle a broken trace as go tool trace does, and find the
 * column a --sort flag names.
 */
import { statSync } from "node:fs";
import type { Analyzer } from "../analysis/analyzer.js";
import type { Driven } from "../decode/drive.js";
import { UsageError } from "./args.js";
import { driveFile } from "./decode-thread.js";
import { formatBytes } from "./format.js";

/** An analyzer that can forget what it saw after the last Sync, as go tool trace drops it. */
interface Rollback {
  discardPending?: () => void;
}

/**
 * Runs the analyzers over a file. A broken trace is analysed up to the
 * damage (analyzers with `discardPending` drop what followed the last Sync),
 * with a note on stderr of what was lost; like go tool trace, it is an error
 * (undefined) only if not even the start of one generation was read.
 * Returns how the read ended (its originNs, version, …).
 */
export async function analyzeFile(
  file: string,
  analyzers: readonly (Analyzer<unknown> & Rollback)[],
  /** What the command does with the part before the damage, for the note on stderr. */
  kept = "showing what was read before it",
  /**
   * Fail (with the reader's message alone) when the damage leaves no whole
   * generation, rather than analysing an empty trace: gotrace stats' rule.
   */
  needWholeGeneration = false,
): Promise<Driven | undefined> {
  const n = analyzers.length;
  const run = await driveFile(file, (ev, r) => {
    for (let i = 0; i < n; i++) analyzers[i]!.event(ev, r);
  });
  const { error } = run;
  if (!error) return run;
  // Broken before the first event: nothing to show.
  if (run.events === 0) {
    process.stderr.write(`gotrace: ${error.message}\n`);
    return undefined;
  }
  if (needWholeGeneration && run.syncs <= 1) {
    process.stderr.write(`gotrace: ${error.message}\n`);
    return undefined;
  }
  if (run.syncs === 0) {
    process.stderr.write(`gotrace: failed to parse any useful part of the trace: ${error.message}\n`);
    return undefined;
  }
  for (const a of analyzers) a.discardPending?.();
  const size = statSync(file).size;
  const lost = size - run.validOffset;
  process.stderr.write(
    `gotrace: lost ${((lost / size) * 100).toFixed(1)}% of ${formatBytes(size)}: ${error.message}; ${kept}\n`,
  );
  return run;
}

/** Lower case, letters and digits only: how --sort names are matched to column titles. */
function squash(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, "");
}

/**
 * The column `wanted` names: the title itself, or else the one title that
 * starts with or contains it, ignoring case, spaces and punctuation.
 */
export function findColumn(titles: readonly string[], wanted: string): number {
  const w = squash(wanted);
  const exact = titles.findIndex((t) => squash(t) === w);
  if (exact >= 0) return exact;
  for (const match of [(t: string) => squash(t).startsWith(w), (t: string) => squash(t).includes(w)]) {
    const hits = titles.map((t, i) => (match(t) ? i : -1)).filter((i) => i >= 0);
    if (hits.length === 1) return hits[0]!;
    if (hits.length > 1)
      throw new UsageError(`--sort ${wanted} is ambiguous: ${hits.map((i) => titles[i]).join(", ")}`);
  }
  throw new UsageError(`no column ${wanted}; columns: ${titles.join(", ")}`);
}
