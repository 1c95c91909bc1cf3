/**
 * Mutator utilization as go tool trace's /mmu page asks for it: the choice
 * of GC work that takes time from the mutator (UtilFlags, as in a `flags=`
 * parameter) and the utilization functions themselves (UtilSeries), which
 * the streaming analyzer (stream/mutator-util.ts) computes and mmu.ts turns
 * into the MMU curve.
 */

/** Which GC work takes time from the mutator (Go's UtilFlags, same bits). */
export enum UtilFlags {
  /** Stop-the-world pauses whose reason mentions GC: every P is taken. */
  STW = 1,
  /** Background mark workers, while they run. */
  Background = 2,
  /** Mark assists, while the assisting goroutine runs. */
  Assist = 4,
  /** Incremental sweeping. */
  Sweep = 8,
  /** One utilization function per P (0 or 1) instead of one for the whole program. */
  PerProc = 16,
}

/** The flag names go tool trace's /mmu page uses in its `flags=` parameter. */
export const utilFlagNames: ReadonlyArray<readonly [string, UtilFlags]> = [
  ["perProc", UtilFlags.PerProc],
  ["stw", UtilFlags.STW],
  ["background", UtilFlags.Background],
  ["assist", UtilFlags.Assist],
  ["sweep", UtilFlags.Sweep],
];

/**
 * A step function: from timesNs[i] on, utilization is utils[i] (in [0, 1]),
 * until the next time. Times never decrease; the last point (utilization 0)
 * marks the end. Stored as columns: a series can have a point per event.
 */
export class UtilSeries {
  timesNs: Float64Array;
  utils: Float64Array;
  length = 0;

  constructor(capacity = 16) {
    this.timesNs = new Float64Array(capacity);
    this.utils = new Float64Array(capacity);
  }

  static of(points: ReadonlyArray<readonly [number, number]>): UtilSeries {
    const s = new UtilSeries(Math.max(1, points.length));
    for (const [t, u] of points) s.push(t, u);
    return s;
  }

  push(timeNs: number, util: number): void {
    if (this.length === this.timesNs.length) {
      const times = new Float64Array(this.length * 2);
      const utils = new Float64Array(this.length * 2);
      times.set(this.timesNs);
      utils.set(this.utils);
      this.timesNs = times;
      this.utils = utils;
    }
    this.timesNs[this.length] = timeNs;
    this.utils[this.length] = util;
    this.length++;
  }

  /**
   * Records a change, as Go's addUtil: nothing if the utilization is the
   * last one; at the last point's time, keep the lower of the two.
   */
  add(timeNs: number, util: number): void {
    const n = this.length;
    if (n > 0) {
      const last = this.utils[n - 1]!;
      if (util === last) return;
      if (timeNs === this.timesNs[n - 1]) {
        if (util < last) this.utils[n - 1] = util;
        return;
      }
    }
    this.push(timeNs, util);
  }

  points(): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 0; i < this.length; i++) out.push([this.timesNs[i]!, this.utils[i]!]);
    return out;
  }
}

/** Parses go tool trace's `flags=` value (names joined by "|"); unknown names count for nothing, as in Go. */
export function parseUtilFlags(s: string): UtilFlags {
  let flags = 0;
  for (const name of s.split("|")) flags |= utilFlagNames.find(([n]) => n === name)?.[1] ?? 0;
  return flags;
}
