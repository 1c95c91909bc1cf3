/**
 * The functions of a blocking profile by delay, as `go tool pprof -top` ranks
 * them: flat is the delay of samples whose innermost frame is the function,
 * cum of samples with the function anywhere in the stack (once per stack,
 * however often it recurses).
 */
import type { ProfileRecord } from "./profile.js";

export interface TopFunction {
  readonly func: string;
  /** Delay with the function as the innermost frame, and those samples' contentions. */
  readonly flatNs: number;
  readonly flatCount: number;
  /** Delay with the function anywhere on the stack, and those samples' contentions. */
  readonly cumNs: number;
  readonly cumCount: number;
}

export function topFunctions(records: readonly ProfileRecord[]): TopFunction[] {
  const byFunc = new Map<string, { flatNs: number; flatCount: number; cumNs: number; cumCount: number }>();
  const get = (func: string) => {
    let f = byFunc.get(func);
    if (!f) {
      f = { flatNs: 0, flatCount: 0, cumNs: 0, cumCount: 0 };
      byFunc.set(func, f);
    }
    return f;
  };
  for (const r of records) {
    // A sample without a stack is still delay: pprof shows it under no function.
    const leaf = get(r.stack[0]?.func ?? "");
    leaf.flatNs += r.delayNs;
    leaf.flatCount += r.count;
    const seen = new Set<string>();
    for (const frame of r.stack.length ? r.stack : [{ func: "" }]) {
      if (seen.has(frame.func)) continue;
      seen.add(frame.func);
      const f = get(frame.func);
      f.cumNs += r.delayNs;
      f.cumCount += r.count;
    }
  }
  return [...byFunc]
    .map(([func, f]) => ({ func, ...f }))
    .sort(
      (a, b) => b.flatNs - a.flatNs || b.cumNs - a.cumNs || (a.func < b.func ? -1 : a.func > b.func ? 1 : 0),
    );
}
