/**
 * The one rule for a damaged trace, shared by every command that reads
 * one (the analyses, pprof and view): what go tool trace keeps before the
 * damage is used, with one warning line on stderr saying where the damage
 * is, why, and what it cost; if nothing is left to use, one error line
 * instead and the command fails.
 */
import type { DriveResult } from "../decode/drive.js";
import type { TraceError } from "../decode/errors.js";
import { formatBytes, formatCount } from "./format.js";

/** What the rule needs of a read: how it ended and what it kept. */
export type ReadEnd = Pick<DriveResult, "keptEvents" | "validOffset"> & {
  readonly error: TraceError | undefined;
};

/** One line for a trace that could not be used at all: the file, then the reader's reason and offset. */
export function traceErrorLine(file: string, error: TraceError): string {
  return `gotrace: ${file}: ${error.message}\n`;
}

/** The warning line for a damaged trace whose part before the damage is used. */
export function damageWarningLine(
  file: string,
  end: ReadEnd & { error: TraceError },
  sizeBytes: number,
  doing: string,
): string {
  const { error } = end;
  const offset = error.offset ?? end.validOffset;
  const generation = error.generation === undefined ? "" : ` in generation ${error.generation}`;
  const lost = Math.max(0, sizeBytes - end.validOffset);
  const share = sizeBytes > 0 ? ((lost / sizeBytes) * 100).toFixed(1) : "0.0";
  const events = `${formatCount(end.keptEvents)} ${end.keptEvents === 1 ? "event" : "events"}`;
  return (
    `gotrace: warning: ${file}: damaged at byte offset ${offset}${generation} (${error.reason}); ` +
    `${doing} the ${events} before it, lost ${share}% of ${formatBytes(sizeBytes)}\n`
  );
}

/**
 * Applies the rule to a finished read of `file` (`sizeBytes` long): prints
 * nothing for a whole trace, the warning line for a damaged one with
 * events kept before the damage, the error line for one without. Returns
 * whether there is anything to show; the command exits 1 when there is not.
 * `doing` says what the command does with the kept part ("analysed").
 */
export function reportDamage(file: string, end: ReadEnd, sizeBytes: number, doing = "analysed"): boolean {
  const { error } = end;
  if (!error) return true;
  if (end.keptEvents === 0) {
    process.stderr.write(traceErrorLine(file, error));
    return false;
  }
  process.stderr.write(damageWarningLine(file, { ...end, error }, sizeBytes, doing));
  return true;
}
