/**
 * The vocabulary of the profiles, shared by the profiles computed from the
 * model (state-profiles.ts, the CPU and wall profiles) and the streaming
 * analyzer (stream/pprof.ts): the profile types, a profile's records, its
 * filters and go tool trace's rules that both apply.
 */
import type { StackFrame } from "../model/vocabulary.js";

/** go tool trace's four blocking profiles. */
export type BlockingType = "net" | "sync" | "syscall" | "sched";
export const blockingTypes: readonly BlockingType[] = ["net", "sync", "syscall", "sched"];
/** The blocking profiles, the CPU profile of the trace's CPU samples, and wall (both together). */
export type ProfileType = BlockingType | "cpu" | "wall";
export const profileTypes: readonly ProfileType[] = [...blockingTypes, "cpu", "wall"];

/** One stack with its contention count and total delay (CPU: samples and their time). */
export interface ProfileRecord {
  /** Innermost frame first. */
  readonly stack: readonly StackFrame[];
  readonly count: number;
  readonly delayNs: number;
  /** The cpu and wall profiles keep each goroutine's samples apart, labelled. */
  readonly labels?: ProfileLabels;
}

/** pprof sample labels: which goroutine, started where, and (wall) what it was doing. */
export interface ProfileLabels {
  readonly goroutine?: number;
  readonly startFunction?: string;
  /** wall only: cpu, sync, net, syscall or runnable. */
  readonly kind?: string;
}

/** go tool trace's /regionio?type=&pc=&latmin=&latmax= conditions; all that are set must hold. */
export interface RegionFilter {
  readonly type?: string;
  /** PC of the outermost frame of the region's begin stack. */
  readonly pc?: number;
  readonly latMinNs?: number;
  readonly latMaxNs?: number;
}

/** A time window [startNs, endNs], ns from the trace's origin. */
export interface TimeRange {
  readonly startNs: number;
  readonly endNs: number;
}

/**
 * Either a goroutine group (start function, as /io?name=) or a region filter
 * (as /regionio), each optionally cut to a time range (gotrace's own: the
 * part of each interval inside a range selected on the timeline); or only a
 * time range.
 */
export type ProfileFilter =
  | { readonly group: string; readonly range?: TimeRange }
  /** One goroutine (its ID's last incarnation, as for groups): gotrace's own. */
  | { readonly goroutine: number; readonly range?: TimeRange }
  | { readonly region: RegionFilter; readonly range?: TimeRange }
  | { readonly range: TimeRange };

/** A filter go tool trace would refuse (no goroutine of that name). */
export class ProfileFilterError extends Error {}

/** What go tool trace says when a filter selects no goroutine (one ID, a group, or none at all). */
export function noGoroutinesError(id: number | undefined, name: string | undefined): ProfileFilterError {
  return new ProfileFilterError(
    id !== undefined
      ? `no goroutine ${id} in the trace`
      : name === undefined
        ? "no goroutines in the trace"
        : `no goroutines found with start function "${name}"`,
  );
}

/** Go compares stacks by their first 128 PCs (pprofMaxStack). */
export const maxStackPcs = 128;

/** Go's IsSystemGoroutine: no name, or a runtime function other than runtime.main. */
export function isSystemGoroutine(name: string): boolean {
  return name === "" || (name !== "runtime.main" && name.startsWith("runtime."));
}

/**
 * Go's way of keeping "only the outermost regions": sort by (start, end),
 * then keep a region if it starts at or after the end of the last one kept.
 */
export function outermost(spans: [number, number][]): [number, number][] {
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const kept: [number, number][] = [];
  let last = Number.NEGATIVE_INFINITY;
  for (const s of spans) {
    if (last <= s[0]) {
      kept.push(s);
      last = s[1];
    }
  }
  return kept;
}
