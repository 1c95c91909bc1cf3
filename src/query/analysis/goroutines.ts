/**
 * The goroutine analysis as JSON: the groups (go tool trace's /goroutines)
 * and one group's goroutines (/goroutine?name=…). `gotrace goroutines --json`
 * prints these, and the UI's Goroutines page shows the same objects.
 */
import { cpuSamplePeriodNs } from "../../analysis/cpu-samples.js";
import {
  type GoroutineGroup,
  type GoroutineSummary,
  goroutineGroups,
  unknownNs,
} from "../../analysis/goroutine-stats.js";
import type { GoroutineGroupResponse, GoroutineGroupsResponse, GoroutineJson } from "./protocol.js";

/** How go tool trace shows the group of goroutines that never had a stack. */
export const noStackGroupName = "(Inactive, no stack trace sampled)";

/** The groups in the given order (default: most execution time first), with the total they share. */
export function groupListJson(groups: readonly GoroutineGroup[] = []): GoroutineGroupsResponse {
  const totalExecNs = groups.reduce((s, g) => s + g.execNs, 0);
  const cpuSamples = groups.reduce((s, g) => s + g.cpuSamples, 0);
  return { totalExecNs, cpuSamples, groups: groups.map((g) => ({ ...g, cpuNs: cpuNs(g.cpuSamples) })) };
}

/** CPU time estimated from profiler samples: each stands for one sampling period (10ms). */
export function cpuNs(samples: number): number {
  return samples * cpuSamplePeriodNs;
}

export function goroutineGroupsJson(goroutines: readonly GoroutineSummary[]): GoroutineGroupsResponse {
  return groupListJson(goroutineGroups(goroutines));
}

/** The members of group `name` ("" or go tool trace's no-stack name for goroutines without a stack). */
export function groupMembers(goroutines: readonly GoroutineSummary[], name: string): GoroutineSummary[] {
  return goroutines.filter((g) => g.name === name || (g.name === "" && name === noStackGroupName));
}

/** Go's default order of a group's goroutines: longest total first (stable). */
export function defaultMemberOrder(members: readonly GoroutineSummary[]): number[] {
  return members.map((_, i) => i).sort((a, b) => members[b]!.totalNs - members[a]!.totalNs || a - b);
}

export function goroutineJson(g: GoroutineSummary): GoroutineJson {
  return {
    id: g.id,
    name: g.name,
    creationNs: g.creationNs,
    startNs: g.startNs ?? null,
    endNs: g.endNs ?? null,
    totalNs: g.totalNs,
    execNs: g.execNs,
    schedWaitNs: g.schedWaitNs,
    blockNs: Object.fromEntries(g.blockNs),
    syscallNs: g.syscallNs,
    syscallBlockNs: g.syscallBlockNs,
    unknownNs: unknownNs(g),
    rangeNs: Object.fromEntries(g.rangeNs),
    cpuSamples: g.cpuSamples,
    cpuNs: cpuNs(g.cpuSamples),
  };
}

/** The members' execution time and its share of all goroutines' (undefined when nothing executed). */
export function groupExecShare(
  all: readonly GoroutineSummary[],
  members: readonly GoroutineSummary[],
): { execNs: number; execPercent: number | undefined } {
  const totalExecNs = all.reduce((s, g) => s + g.execNs, 0);
  const execNs = members.reduce((s, g) => s + g.execNs, 0);
  return { execNs, execPercent: totalExecNs > 0 ? (execNs / totalExecNs) * 100 : undefined };
}

/** One group's goroutines in `order` (indices into members), with its share of all execution time. */
export function groupDetailJson(
  all: readonly GoroutineSummary[],
  members: readonly GoroutineSummary[],
  order: readonly number[] = defaultMemberOrder(members),
): GoroutineGroupResponse {
  const { execNs, execPercent } = groupExecShare(all, members);
  const cpuSamples = members.reduce((s, g) => s + g.cpuSamples, 0);
  return {
    name: members[0]?.name ?? "",
    count: members.length,
    execNs,
    execPercent: execPercent ?? null,
    cpuSamples,
    cpuNs: cpuNs(cpuSamples),
    goroutines: order.map((i) => goroutineJson(members[i]!)),
  };
}
