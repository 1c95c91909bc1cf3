/**
 * Scheduler latency: how long goroutines waited to run once they could.
 * Every wait from becoming runnable (created, unblocked, preempted, back
 * from a blocking syscall) to running, as a distribution (percentiles)
 * overall and per goroutine group, plus the longest waits with their time.
 *
 * go tool trace only shows these waits summed (the /sched profile, the
 * "Sched wait time" column); the distribution is gotrace's.
 */
import { type Event, EventKind, GoState, goStateNames, ResourceKind } from "../decode/event.js";
import { rootFrame } from "./goroutines.js";

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
  for (const v of values) totalNs += v;
  return {
    count: values.length,
    totalNs,
    p50Ns: percentile(values, 50),
    p90Ns: percentile(values, 90),
    p99Ns: percentile(values, 99),
    maxNs: values.length > 0 ? values[values.length - 1]! : 0,
  };
}

/** A growable column of numbers (one entry per wait: no object per wait). */
class Column {
  data = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

interface Pending {
  startNs: number;
  cause: string;
}

export class SchedLatencyAnalyzer {
  private readonly durs = new Column();
  private readonly gids = new Column();
  /** Goroutines now runnable, with when and why (startNs NaN: since before the trace showed them). */
  private readonly runnable = new Map<number, Pending>();
  private readonly names = new Map<number, string>();
  private worst: { startNs: number; durNs: number; goroutine: number; cause: string }[] = [];
  private unknownStart = 0;

  /** @param keepWorst how many of the longest waits to keep. */
  constructor(private readonly keepWorst = 10) {}

  event(ev: Event): void {
    if (ev.kind !== EventKind.StateTransition) return;
    const st = ev.stateTransition();
    if (st.resource.kind !== ResourceKind.Goroutine || st.from === st.to) return;
    const g = st.resource.id;
    if (!this.names.get(g)) {
      const root = rootFrame(st.stack);
      if (root?.func) this.names.set(g, root.func);
    }
    if (st.from === GoState.Runnable) {
      const p = this.runnable.get(g);
      this.runnable.delete(g);
      if (st.to !== GoState.Running || !p) return;
      if (Number.isNaN(p.startNs)) {
        this.unknownStart++;
        return;
      }
      const durNs = ev.time - p.startNs;
      this.durs.push(durNs);
      this.gids.push(g);
      this.noteWorst(p.startNs, durNs, g, p.cause);
    } else if (st.to === GoState.Runnable) {
      this.runnable.set(g, {
        startNs: st.from === GoState.Undetermined ? Number.NaN : ev.time,
        cause: causeOf(st.from, st.reason),
      });
    }
  }

  private noteWorst(startNs: number, durNs: number, goroutine: number, cause: string): void {
    const w = this.worst;
    if (w.length === this.keepWorst && (this.keepWorst === 0 || durNs <= w[w.length - 1]!.durNs)) return;
    let i = w.length;
    while (i > 0 && w[i - 1]!.durNs < durNs) i--;
    w.splice(i, 0, { startNs, durNs, goroutine, cause });
    if (w.length > this.keepWorst) w.pop();
  }

  finalize(): SchedLatency {
    const durs = this.durs.view();
    const gids = this.gids.view();
    const nameOf = (g: number) => this.names.get(g) ?? "";

    // Partition the waits by group (a counting sort), then sort each part.
    const groupIndex = new Map<string, number>();
    const groupNames: string[] = [];
    const groupOfWait = new Int32Array(durs.length);
    const groupOfG = new Map<number, number>();
    for (let i = 0; i < durs.length; i++) {
      const g = gids[i]!;
      let k = groupOfG.get(g);
      if (k === undefined) {
        const name = nameOf(g);
        k = groupIndex.get(name);
        if (k === undefined) {
          k = groupNames.length;
          groupIndex.set(name, k);
          groupNames.push(name);
        }
        groupOfG.set(g, k);
      }
      groupOfWait[i] = k;
    }
    const starts = new Int32Array(groupNames.length + 1);
    for (const k of groupOfWait) starts[k + 1]!++;
    for (let k = 0; k < groupNames.length; k++) starts[k + 1]! += starts[k]!;
    const byGroup = new Float64Array(durs.length);
    const next = starts.slice(0, groupNames.length);
    for (let i = 0; i < durs.length; i++) byGroup[next[groupOfWait[i]!]!++] = durs[i]!;
    const groups: GroupLatency[] = groupNames.map((name, k) => ({
      name,
      ...latencyStats(byGroup.subarray(starts[k]!, starts[k + 1]!)),
    }));
    groups.sort((a, b) => b.totalNs - a.totalNs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

    return {
      overall: latencyStats(Float64Array.from(durs)),
      groups,
      worst: this.worst.map((w) => ({ ...w, name: nameOf(w.goroutine) })),
      unknownStart: this.unknownStart,
      stillWaiting: this.runnable.size,
    };
  }
}

function causeOf(from: GoState, reason: string): string {
  switch (from) {
    case GoState.NotExist:
      return "created";
    case GoState.Waiting:
      return "unblocked";
    case GoState.Syscall:
      return "syscall";
    case GoState.Running:
      return reason || "stopped";
    default:
      return goStateNames[from]!.toLowerCase();
  }
}
