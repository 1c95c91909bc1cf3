/**
 * Trace versions (the N of the header `go 1.N trace`) and the slice of the
 * spec table each one may use.
 */
import { Ev, type EventSpec, specs } from "./spec.js";

/** Versions of the old per-P family (read by conversion). */
export const v1Versions: readonly number[] = [5, 7, 8, 9, 10, 11, 19, 21];
/** Versions of the modern per-M, generation-based family. */
export const v2Versions: readonly number[] = [22, 23, 25, 26];

/** The newest version gotrace knows. */
export const currentVersion = 26;

/** The events a trace of version `v` may contain, indexed by type byte. */
export function specsFor(v: number): readonly (EventSpec | undefined)[] {
  switch (v) {
    case 22:
      return specs.slice(0, Ev.UserLog + 1);
    case 23:
      return specs.slice(0, Ev.ExperimentalBatch + 1);
    case 25:
      return specs.slice(0, Ev.ClockSnapshot + 1);
    case 26:
      return specs;
    default:
      return [];
  }
}

const specsByVersion = new Map(v2Versions.map((v) => [v, specsFor(v)]));

/** Like specsFor, but cached. */
export function specsOf(v: number): readonly (EventSpec | undefined)[] {
  return specsByVersion.get(v) ?? [];
}

/** The event name Go prints for a type byte of a version. */
export function eventName(v: number, type: number): string {
  const s = specsOf(v);
  if (s.length === 0) return v1Versions.includes(v) ? "<v1 trace event type>" : "<invalid trace version>";
  const sp = s[type];
  return sp && sp.name !== "" ? sp.name : `Invalid(${type})`;
}
