/**
 * Reading a file through streaming analyzers with the one rule for a
 * broken trace (damage.ts), which `gotrace capture` uses to say what of a
 * cut capture is readable; and the column a --sort flag names. The
 * analysis commands themselves answer from the model (timeline-file.ts).
 */
import { statSync } from "node:fs";
import type { Driven } from "../decode/drive.js";
import type { Analyzer } from "../stream/analyzer.js";
import { UsageError } from "./args.js";
import { reportDamage } from "./damage.js";
import { driveFile } from "./decode-thread.js";

/** An analyzer that can forget what it saw after the last Sync, as go tool trace drops it. */
interface Rollback {
  discardPending?: () => void;
}

/**
 * Runs the analyzers over a file. A damaged trace is analysed up to the
 * damage as go tool trace does (analyzers with `discardPending` drop what
 * followed the last Sync), with one warning line on stderr; it is an error
 * (one line, undefined returned) when nothing before the damage is left.
 * Returns how the read ended (its originNs, version, …).
 */
export async function analyzeFile(
  file: string,
  analyzers: readonly (Analyzer<unknown> & Rollback)[],
): Promise<Driven | undefined> {
  const n = analyzers.length;
  const run = await driveFile(file, (ev, r) => {
    for (let i = 0; i < n; i++) analyzers[i]!.event(ev, r);
  });
  if (!reportDamage(file, run, statSync(file).size)) return undefined;
  if (run.error) for (const a of analyzers) a.discardPending?.();
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
