/**
 * Scheduler latency's result: the distribution of the waits from runnable
 * to running (percentiles) overall and per goroutine group, and the longest
 * waits, from the goroutine states (state-sched-latency.ts) or the streaming
 * analyzer (stream/sched-latency.ts) alike.
 */

export interface LatencyStats {
  readonly count: number;
  readonly totalNs: number;
  /** Percentiles by nearest rank (a value that occurred); 0 when there are no waits. */
  readonly p50Ns: number;
  readonly p90Ns: number;
  readonly p99Ns: number;
  readonly maxNs: number;
}

export interface GroupLatency extends LatencyStats {
  /** Start function of the goroutines ("" for goroutines without a stack). */
  readonly name: string;
}

export interface SchedWait {
  /** When the goroutine became runnable. */
  readonly startNs: number;
  readonly durNs: number;
  readonly goroutine: number;
  readonly name: string;
  /** Why it became runnable: "created", "unblocked", "syscall", or the stop reason ("preempted", …). */
  readonly cause: string;
}

export interface SchedLatency {
  readonly overall: LatencyStats;
  /** Per start function, most total wait first. */
  readonly groups: readonly GroupLatency[];
  /** The longest waits, longest first (earlier first among equal ones). */
  readonly worst: readonly SchedWait[];
  /** Waits that ended in the trace but began before it showed the goroutine (not counted: their length is unknown). */
  readonly unknownStart: number;
  /** Goroutines still runnable when the trace ends (not counted). */
  readonly stillWaiting: number;
}

/**
 * The p-th percentile of ascending `sorted` by nearest rank: the smallest
 * value with at least p% of the values at or below it.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * n));
  return sorted[Math.min(rank, n) - 1]!;
}

/** Stats of a set of durations; sorts `values` in place. */
export function latencyStats(values: Float64Array): LatencyStats {
  values.sort();
  let totalNs = 0;
  for (let i = 0; i < values.length; i++) totalNs += values[i]!;
  return {
    count: values.length,
    totalNs,
    p50Ns: percentile(values, 50),
    p90Ns: percentile(values, 90),
    p99Ns: percentile(values, 99),
    maxNs: values.length > 0 ? values[values.length - 1]! : 0,
  };
}

/**
 * The result from the counted waits: `durs[i]` was waited by goroutine
 * record `who[i]`, whose start function is `names[who[i]]`.
 */
export function schedLatencyOf(
  durs: Float64Array,
  who: ArrayLike<number>,
  names: readonly string[],
  worst: readonly SchedWait[],
  unknownStart: number,
  stillWaiting: number,
): SchedLatency {
  // Number the groups, then partition the waits by group (a counting
  // sort) and sort each part.
  const groupIndex = new Map<string, number>();
  const groupNames: string[] = [];
  const groupOf = new Int32Array(names.length);
  names.forEach((name, i) => {
    let k = groupIndex.get(name);
    if (k === undefined) {
      k = groupNames.length;
      groupIndex.set(name, k);
      groupNames.push(name);
    }
    groupOf[i] = k;
  });
  const starts = new Int32Array(groupNames.length + 1);
  for (let i = 0; i < who.length; i++) starts[groupOf[who[i]!]! + 1]!++;
  for (let k = 0; k < groupNames.length; k++) starts[k + 1]! += starts[k]!;
  const byGroup = new Float64Array(durs.length);
  const next = starts.slice(0, groupNames.length);
  for (let i = 0; i < durs.length; i++) byGroup[next[groupOf[who[i]!]!]!++] = durs[i]!;
  const groups: GroupLatency[] = [];
  groupNames.forEach((name, k) => {
    if (starts[k + 1]! > starts[k]!)
      groups.push({ name, ...latencyStats(byGroup.subarray(starts[k]!, starts[k + 1]!)) });
  });
  groups.sort((a, b) => b.totalNs - a.totalNs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    // Every group's part is sorted already: sorting the whole of it gives every wait in order, without a copy.
    overall: latencyStats(byGroup),
    groups,
    worst,
    unknownStart,
    stillWaiting,
  };
}
