/**
 * What Go's summarizer (internal/trace/summary.go) says of each goroutine,
 * as go tool trace's /goroutines and /goroutine?name=… pages show it, and
 * the pages' groups and columns: the result of the goroutine summaries from
 * the model (goroutine-summaries.ts) and of the streaming analyzer
 * (stream/goroutines.ts) alike.
 */

export interface GoroutineSummary {
  readonly id: number;
  /** Start function: the root frame of the first stack seen on one of its transitions ("" if none was). */
  readonly name: string;
  /** PC of that frame (0 if none). */
  readonly pc: number;
  /** When it was created, or for one that already existed, the Sync before it first showed up. */
  readonly creationNs: number;
  /** First time it ran, if it did. */
  readonly startNs: number | undefined;
  /** When it ended (or blocked "forever", which Go counts as the end), if it did. */
  readonly endNs: number | undefined;
  /** Its time in the trace; the stats below add up to at most this (the rest is unknown time). */
  readonly totalNs: number;
  readonly execNs: number;
  readonly schedWaitNs: number;
  readonly syscallNs: number;
  /** Time in syscalls after its P was taken away (the P went idle). */
  readonly syscallBlockNs: number;
  /** Time blocked, by the reason of the block ("chan receive", "sync", "sleep", …). */
  readonly blockNs: ReadonlyMap<string, number>;
  /** Time in special ranges (GC mark assist, STW, sweeping…); overlaps the other stats. */
  readonly rangeNs: ReadonlyMap<string, number>;
  /**
   * CPU profiler samples taken while it ran (0 when the profiler was off):
   * gotrace's own, Go's summary has none. Each stands for about
   * cpuSamplePeriodNs of CPU time.
   */
  readonly cpuSamples: number;
}

export interface GoroutineAnalysis {
  /** Every goroutine seen, by ID. */
  readonly goroutines: readonly GoroutineSummary[];
}

function add(m: Map<string, number>, key: string, ns: number): void {
  m.set(key, (m.get(key) ?? 0) + ns);
}

/** Total time not in any of the non-overlapping stats (never negative). */
export function unknownNs(g: GoroutineSummary): number {
  let sum = g.execNs + g.schedWaitNs + g.syscallNs + g.syscallBlockNs;
  for (const ns of g.blockNs.values()) sum += ns;
  return sum < g.totalNs ? g.totalNs - sum : 0;
}

/**
 * The non-overlapping stats under go tool trace's names ("Execution time",
 * "Block time (chan receive)", …). They add up to the total.
 */
export function nonOverlappingStats(g: GoroutineSummary): Map<string, number> {
  const stats = new Map<string, number>([
    ["Execution time", g.execNs],
    ["Sched wait time", g.schedWaitNs],
    ["Syscall execution time", g.syscallNs],
    ["Block time (syscall)", g.syscallBlockNs],
    ["Unknown time", unknownNs(g)],
  ]);
  // A block reason "syscall" would share its column with syscall blocking, as in Go.
  for (const [reason, ns] of g.blockNs) add(stats, `Block time (${reason})`, ns);
  return stats;
}

/** go tool trace's column order: execution time first, the rest by name. */
export function compareStatNames(a: string, b: string): number {
  if (a === b) return 0;
  if (a === "Execution time") return -1;
  if (b === "Execution time") return 1;
  return a < b ? -1 : 1;
}

export interface GoroutineGroup {
  /** The start function shared by the group ("" for goroutines without a stack). */
  readonly name: string;
  readonly count: number;
  readonly execNs: number;
  /** execNs as a percentage of all goroutines' execution time (0 when nothing ran). */
  readonly execPercent: number;
  /** The members' CPU profiler samples. */
  readonly cpuSamples: number;
}

/** Goroutines grouped by start function, most execution time first (ties by name). */
export function goroutineGroups(goroutines: readonly GoroutineSummary[]): GoroutineGroup[] {
  const byName = new Map<string, { count: number; execNs: number; cpuSamples: number }>();
  let totalExecNs = 0;
  for (const g of goroutines) {
    totalExecNs += g.execNs;
    const group = byName.get(g.name) ?? { count: 0, execNs: 0, cpuSamples: 0 };
    group.count++;
    group.execNs += g.execNs;
    group.cpuSamples += g.cpuSamples;
    byName.set(g.name, group);
  }
  return [...byName]
    .map(([name, { count, execNs, cpuSamples }]) => ({
      name,
      count,
      execNs,
      // Go's float64 arithmetic, so the printed percentage is Go's.
      execPercent: totalExecNs > 0 ? (execNs / totalExecNs) * 100 : 0,
      cpuSamples,
    }))
    .sort((a, b) => b.execNs - a.execNs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
