/**
 * The Overview page: what `gotrace stats` prints, as JSON, plus two small
 * series for a chart: heap in use and the number of goroutines, each
 * reduced to at most `seriesPoints` points (the largest value in each slot,
 * so a peak is never lost).
 */
import type { Activity, BlockReason } from "../../analysis/activity.js";
import type { Overview } from "../../analysis/overview-model.js";
import { type Event, EventKind, GoState, ResourceKind } from "../../decode/event.js";
import type { F64Column } from "../../model/columns.js";
import type { Timeline } from "../../model/timeline.js";
import type { OverviewResponse, SeriesPoints } from "./protocol.js";

const seriesPoints = 400;

/** The runtime's own goroutines idling: always long, rarely the question. */
const runtimeIdle = new Set(["system goroutine wait", "GC background sweeper wait"]);

/** The reasons goroutines were blocked longest (runtime idling left out): `gotrace stats` and the Overview page. */
export function topBlocking(a: Activity, top = 5): BlockReason[] {
  return a.blocking.filter((b) => b.totalNs > 0 && !runtimeIdle.has(b.reason)).slice(0, top);
}

/** Heap and goroutine-count samples, one per change (a column pair each). */
export class OverviewSeriesAnalyzer {
  private readonly heapT: number[] = [];
  private readonly heapV: number[] = [];
  private readonly gT: number[] = [];
  private readonly gV: number[] = [];
  private live = 0;

  event(ev: Event): void {
    if (ev.kind === EventKind.Metric) {
      const m = ev.metric();
      if (m.name === "/memory/classes/heap/objects:bytes") {
        this.heapT.push(ev.time);
        this.heapV.push(m.value);
      }
      return;
    }
    if (ev.kind !== EventKind.StateTransition) return;
    const st = ev.stateTransition();
    if (st.resource.kind !== ResourceKind.Goroutine || st.from === st.to) return;
    const was = st.from !== GoState.NotExist && st.from !== GoState.Undetermined;
    const is = st.to !== GoState.NotExist;
    if (was === is) return;
    this.live += is ? 1 : -1;
    this.gT.push(ev.time);
    this.gV.push(this.live);
  }

  finalize(firstNs: number, lastNs: number): { heap: SeriesPoints; goroutineCount: SeriesPoints } {
    return {
      heap: downsample(this.heapT, this.heapV, firstNs, lastNs),
      goroutineCount: downsample(this.gT, this.gV, firstNs, lastNs),
    };
  }
}

/** OverviewSeriesAnalyzer's result from the series the model keeps (model/overview-counts.ts). */
export function overviewSeriesFromModel(
  tl: Timeline,
  firstNs: number,
  lastNs: number,
): ReturnType<OverviewSeriesAnalyzer["finalize"]> {
  const split = (pairs: F64Column) => {
    const times: number[] = [];
    const values: number[] = [];
    for (let i = 0; i < pairs.length; i += 2) {
      times.push(pairs.get(i));
      values.push(pairs.get(i + 1));
    }
    return downsample(times, values, firstNs, lastNs);
  };
  const counts = tl.overviewCounts;
  return { heap: split(counts.heapSeries), goroutineCount: split(counts.goroutineSeries) };
}

/** A step series reduced to one point per slot of the trace's time: the slot's largest value. */
export function downsample(
  times: readonly number[],
  values: readonly number[],
  firstNs: number,
  lastNs: number,
  slots = seriesPoints,
): [number, number][] {
  if (times.length <= slots) return times.map((t, i) => [t, values[i]!]);
  const span = Math.max(1, lastNs - firstNs);
  const out: [number, number][] = [];
  let slot = -1;
  for (let i = 0; i < times.length; i++) {
    const s = Math.min(slots - 1, Math.floor(((times[i]! - firstNs) / span) * slots));
    if (s !== slot) {
      out.push([times[i]!, values[i]!]);
      slot = s;
    } else if (values[i]! > out[out.length - 1]![1]) out[out.length - 1]![1] = values[i]!;
  }
  return out;
}

export function overviewJson(
  o: Overview,
  version: number | undefined,
  series: ReturnType<OverviewSeriesAnalyzer["finalize"]>,
  damage: string | undefined,
): OverviewResponse {
  const a = o.activity;
  return {
    format: version ? `go 1.${version} trace` : "?",
    firstNs: o.firstNs,
    lastNs: o.lastNs,
    durationNs: o.lastNs - o.firstNs,
    generations: o.generations,
    firstGeneration: o.firstGeneration,
    lastGeneration: o.lastGeneration,
    events: o.events,
    eventsByKind: o.eventsByKind,
    goroutines: o.goroutines,
    goroutinesCreated: o.goroutinesCreated,
    goroutinesEnded: o.goroutinesEnded,
    procs: o.procs,
    maxGomaxprocs: o.maxGomaxprocs,
    threads: o.threads,
    gcCycles: a.gcCycles,
    gcMarkNs: a.gcMarkNs,
    stwPauses: a.stwPauses,
    stwTotalNs: a.stwTotalNs,
    stwMaxNs: a.stwMaxNs,
    stwMaxKind: a.stwMaxKind,
    heapPeakBytes: a.heapPeakBytes ?? null,
    heapGoalMaxBytes: a.heapGoalMaxBytes ?? null,
    blocking: topBlocking(a),
    ...series,
    damage: damage ?? null,
  };
}
