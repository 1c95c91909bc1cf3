/**
 * What the analysis service knows about a trace, field by field, and where
 * each field comes from: a function of the model (the Timeline, once it is
 * built) where one exists, else the event analyzers' pass over the trace.
 * Each question names the fields it reads, so a service answers the
 * questions whose fields it has, and a question that needs a field still
 * computed from events goes to where the events are analysed (the view
 * server's and the static page's analysis worker). When every field has a
 * function of the model, no event pass runs and no worker is started.
 */

import type { GoroutineSummary } from "../../analysis/goroutine-stats.js";
import { goroutineSummaries } from "../../analysis/goroutine-summaries.js";
import { MMUCurve } from "../../analysis/mmu.js";
import { overviewFromModel } from "../../analysis/overview-model.js";
import type { BlockingType, ProfileFilter, ProfileRecord, ProfileType } from "../../analysis/profile.js";
import { StateProfiles } from "../../analysis/state-profiles.js";
import { schedLatencyAndWaits } from "../../analysis/state-sched-latency.js";
import { TimeHistogram } from "../../analysis/time-histogram.js";
import type { Timeline } from "../../model/timeline.js";
import { annotationsFromModel } from "../../stream/annotations-model.js";
import { cpuProfileFromModel } from "../../stream/cpu-model.js";
import { mutatorUtilFromModel } from "../../stream/mmu-model.js";
import type { Annotations } from "../../stream/tasks.js";
import { defaultMMUInclude, mmuUtilFlags } from "./mmu.js";
import { overviewJson, overviewSeriesFromModel } from "./overview.js";
import type { OverviewResponse, ProfileKind, SchedLatencyResponse } from "./protocol.js";
import type { AnalysisMethod } from "./requests.js";

/** How a read of the trace ended: plain data, so it can cross threads. */
export interface FeedEnd {
  /** N of the header's `go 1.N trace`. */
  readonly version: number | undefined;
  readonly originNs: number;
  readonly events: number;
  /** Bytes of the trace read. */
  readonly bytes: number;
  /** Sync events seen. */
  readonly syncs: number;
  /** Events other than Syncs up to the last Sync: with damage and none, nothing usable was read. */
  readonly keptEvents: number;
  /** The damage's message when the trace is broken (every event before it was read). */
  readonly damage: string | undefined;
}

/** The model of one trace, as the service takes it. */
export interface ModelInput {
  readonly tl: Timeline;
  /**
   * The first event's time on the analyses' clock (ns from the trace's
   * origin, as the CLI and the pages' queries count); the timeline counts
   * from that event (−1 ns apart on Go ≤ 1.21 traces).
   */
  readonly firstNs: number;
  readonly end: FeedEnd;
}

/** A profile's records under a filter whose times are on the analyses' clock. */
export interface ProfileSource {
  /** CPU samples in the profiled part (0: the cpu profile is refused); blocking-only sources leave it out. */
  readonly cpuSamples?: number;
  records(type: ProfileType, filter?: ProfileFilter): ProfileRecord[];
  /** Does now what the first records() would do first (computing it in the background ahead of the page). */
  prepare?(): void;
}

/** The MMU curve for a set of UtilFlags; throws AnalysisError for a choice the source does not keep. */
export interface MMUSource {
  readonly defaultFlags: number;
  curve(flags: number): MMUCurve;
}

/** Every field, by name, with its type. */
export interface Fields {
  readonly overview: OverviewResponse;
  readonly goroutines: readonly GoroutineSummary[];
  /** The four blocking profiles, every filter. */
  readonly blocking: ProfileSource;
  /** The cpu and wall profiles (CPU samples, with the blocking intervals for wall). */
  readonly cpuProfiles: ProfileSource;
  readonly annotations: Annotations;
  readonly schedLatency: SchedLatencyResponse;
  readonly mmu: MMUSource;
}

export type Field = keyof Fields;

export const allFields: readonly Field[] = [
  "overview",
  "goroutines",
  "blocking",
  "cpuProfiles",
  "annotations",
  "schedLatency",
  "mmu",
];

/**
 * The order fields are computed in the background once the model is built
 * (AnalysisService.precompute): what the pages open first. The profile page
 * asks its filters (goroutines and annotations) beside the blocking profile.
 */
export const precomputeOrder: readonly Field[] = [
  "overview",
  "goroutines",
  "blocking",
  "annotations",
  "schedLatency",
  "mmu",
  "cpuProfiles",
];

/**
 * What the first question of a field computes beyond the field itself
 * (the blocking profiles' intervals, the default MMU curve), done ahead
 * of it by the background precompute.
 */
export const prepareField: { readonly [F in Field]?: (v: Fields[F]) => void } = {
  blocking: (v) => v.prepare?.(),
  cpuProfiles: (v) => v.prepare?.(),
  mmu: (v) => v.curve(v.defaultFlags),
};

export interface ModelOptions {
  /** gotrace diff: unfiltered answers only. */
  readonly unfiltered: boolean;
}

/** How many of the longest scheduler waits the page lists (`gotrace schedlat --top 50`). */
export const schedWorstCount = 50;

/** Scheduler latency from the runnable intervals, with the histogram of every wait. */
function schedLatencyOfModel(m: ModelInput): SchedLatencyResponse {
  const { latency, waits } = schedLatencyAndWaits(m.tl, schedWorstCount);
  const histogram = new TimeHistogram();
  for (const d of waits) histogram.add(d);
  return { ...latency, histogram: histogram.result() };
}

/** One StateProfiles per timeline: the blocking and the wall profiles read the same intervals. */
const stateProfiles = new WeakMap<Timeline, StateProfiles>();

function statesOf(m: ModelInput): StateProfiles {
  let profiles = stateProfiles.get(m.tl);
  if (!profiles) {
    profiles = new StateProfiles(m.tl, { damaged: m.end.damage !== undefined });
    stateProfiles.set(m.tl, profiles);
  }
  return profiles;
}

/** The blocking profiles from the goroutine states, with ranges moved to the timeline's clock. */
function blockingFromModel(m: ModelInput): ProfileSource {
  const profiles = statesOf(m);
  const shift = m.firstNs;
  return {
    prepare: () => profiles.prepare(),
    records(type, filter) {
      const r = filter?.range;
      const moved = r ? { ...filter, range: { startNs: r.startNs - shift, endNs: r.endNs - shift } } : filter;
      return profiles.records(type as BlockingType, moved);
    },
  };
}

/** The cpu profile from the model's CPU samples; the wall profile adds the goroutine states' intervals. */
function cpuProfilesFromModel(m: ModelInput): ProfileSource {
  const cpu = cpuProfileFromModel(m.tl, { damaged: m.end.damage !== undefined });
  return {
    cpuSamples: cpu.cpuSamples,
    prepare: () => statesOf(m).prepare(),
    records(type, filter) {
      if (type === "cpu") return cpu.records(filter);
      return cpu.wallRecords(statesOf(m), filter, m.tl.overviewCounts.firstNs);
    },
  };
}

/**
 * The goroutine summaries; the blocking profiles' intervals, read from the
 * same states, are built on the way unless they are already (the profile
 * page, opened next, then answers without a walk of its own).
 */
function goroutinesOfModel(m: ModelInput): readonly GoroutineSummary[] {
  return goroutineSummaries(m.tl, statesOf(m).build()).goroutines;
}

/** The overview and its charts from the model's counts. */
function overviewOfModel(m: ModelInput): OverviewResponse {
  const o = overviewFromModel(m.tl, { damaged: m.end.damage !== undefined });
  const series = overviewSeriesFromModel(m.tl, o.firstNs, o.lastNs);
  return overviewJson(o, m.end.version, series, m.end.damage);
}

/** The MMU for any choice of GC work, each computed from the model when first asked. */
function mmuFromModel(m: ModelInput): MMUSource {
  const curves = new Map<number, MMUCurve>();
  const damaged = m.end.damage !== undefined;
  return {
    defaultFlags: mmuUtilFlags(defaultMMUInclude, false),
    curve(flags) {
      let curve = curves.get(flags);
      if (!curve) {
        curve = new MMUCurve(mutatorUtilFromModel(m.tl, flags, { damaged }));
        curves.set(flags, curve);
      }
      return curve;
    },
  };
}

/**
 * The fields computed from the model. A field missing here is computed by
 * the event analyzers (service.ts `eventAnalyzers`); adding its line here
 * moves it, and the event pass shrinks by its analyzers.
 */
export const fromModel: { readonly [F in Field]?: (m: ModelInput, o: ModelOptions) => Fields[F] } = {
  overview: overviewOfModel,
  goroutines: goroutinesOfModel,
  blocking: blockingFromModel,
  cpuProfiles: cpuProfilesFromModel,
  annotations: (m) => annotationsFromModel(m.tl, { damaged: m.end.damage !== undefined }),
  schedLatency: schedLatencyOfModel,
  mmu: mmuFromModel,
};

function isBlocking(kind: ProfileKind): kind is BlockingType {
  return kind !== "cpu" && kind !== "wall";
}

/** The fields a question reads. */
export function fieldsOf(method: AnalysisMethod, args: Record<string, unknown>): readonly Field[] {
  switch (method) {
    case "start":
    case "status":
      return [];
    case "overview":
      return ["overview"];
    case "goroutines":
    case "goroutineGroup":
      return ["goroutines"];
    case "profileFilters":
      return ["goroutines", "annotations"];
    case "profile":
    case "profilePprof":
      return [isBlocking((args.query as { type: ProfileKind }).type) ? "blocking" : "cpuProfiles"];
    case "tasks":
    case "taskList":
    case "regions":
    case "regionList":
      return ["annotations"];
    case "mmu":
      return ["mmu"];
    case "schedLatency":
      return ["schedLatency"];
  }
}

/** Questions that read more than one field: where one goes to the events, all go. */
const together: readonly (readonly Field[])[] = [["goroutines", "annotations"]];

/**
 * The fields the event analyzers compute beside a model: those without a
 * function of the model, and with them any field read together with one of
 * them by a question. Empty when the model answers everything.
 */
export function eventFields(model = fromModel): ReadonlySet<Field> {
  const out = new Set(allFields.filter((f) => model[f] === undefined));
  for (const group of together) if (group.some((f) => out.has(f))) for (const f of group) out.add(f);
  return out;
}
