/**
 * A Profiles page query (type, goroutine group or goroutine, region type,
 * time range) turned into the pprof core's filter, and its answer: flame
 * graph, top functions, totals. Group, goroutine and region filters do not
 * combine (as in the CLI): the region filter wins, then the goroutine.
 */
import { noCpuSamplesMessage } from "../../analysis/cpu-samples.js";
import {
  type ProfileFilter,
  ProfileFilterError,
  type ProfileRecord,
  type TimeRange,
} from "../../analysis/profile.js";
import type { ProfileSource } from "./fields.js";
import { noStackGroupName } from "./goroutines.js";
import { flameTree, topFunctionsJson } from "./profiles.js";
import type { ProfileQuery, ProfileResponse } from "./protocol.js";

export function profileFilter(q: ProfileQuery): ProfileFilter | undefined {
  const range: TimeRange | undefined =
    q.startNs !== undefined || q.endNs !== undefined
      ? { startNs: q.startNs ?? Number.NEGATIVE_INFINITY, endNs: q.endNs ?? Number.POSITIVE_INFINITY }
      : undefined;
  if (q.region !== undefined) return { region: { type: q.region }, range };
  if (q.goroutine !== undefined) return { goroutine: q.goroutine, range };
  // The group of goroutines without a stack travels under go tool trace's name for it.
  if (q.group !== undefined) return { group: q.group === noStackGroupName ? "" : q.group, range };
  return range ? { range } : undefined;
}

/** The records for a query, or the reason there are none (go tool trace's refusal). */
export function profileRecords(
  profiles: ProfileSource,
  q: ProfileQuery,
): { records: ProfileRecord[]; error: null } | { records: []; error: string } {
  // As the CLI says it: a trace recorded without the CPU profiler has no cpu profile.
  if (q.type === "cpu" && profiles.cpuSamples === 0) return { records: [], error: noCpuSamplesMessage };
  try {
    return { records: profiles.records(q.type, profileFilter(q)), error: null };
  } catch (e) {
    if (e instanceof ProfileFilterError) return { records: [], error: e.message };
    throw e;
  }
}

export function profileJson(profiles: ProfileSource, q: ProfileQuery, topLimit: number): ProfileResponse {
  const { records, error } = profileRecords(profiles, q);
  const root = flameTree(records);
  return {
    query: q,
    totalNs: root.totalNs,
    count: root.count,
    root,
    top: topFunctionsJson(records, topLimit),
    error,
  };
}
