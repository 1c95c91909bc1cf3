/**
 * User tasks and regions as JSON: per type the count and latency histogram,
 * and the instances of one type (optionally of one histogram bucket), for
 * the Tasks and Regions pages. A task's JSON is what `gotrace tasks --json`
 * prints for it.
 */

import { bucketMinNs, bucketOf, type HistogramBucket } from "../../analysis/time-histogram.js";
import type { Annotations, RegionInstance, RegionTable, TaskInstance } from "../../stream/tasks.js";
import type {
  RegionListResponse,
  RegionsResponse,
  TaskJson,
  TaskListResponse,
  TasksResponse,
} from "./protocol.js";

/** A task with its regions spelled out (the CLI's --json line for it). */
export function taskJson(
  t: TaskInstance,
  table: RegionTable,
): TaskJson & Omit<TaskInstance, "parent" | "regions"> {
  const regions = Array.from(t.regions, (row) => table.get(row));
  return { ...t, parent: t.parent ?? null, regions };
}

/** Go's order of one type's tasks (/usertask): shortest first, then earliest, then by ID. */
export function shortestTaskFirst(x: TaskInstance, y: TaskInstance): number {
  return x.durNs - y.durNs || x.startNs - y.startNs || x.id - y.id;
}

export function tasksSummary(a: Annotations): TasksResponse {
  return { traceStartNs: a.traceStartNs, traceEndNs: a.traceEndNs, types: a.taskTypes };
}

function bucketInfo(index: number | undefined): HistogramBucket | null {
  if (index === undefined) return null;
  return { index, minNs: bucketMinNs(index), maxNs: bucketMinNs(index + 1), count: 0 };
}

/**
 * Tasks of one type, shortest first (as /usertask), at most `limit`. With a
 * bucket, only complete tasks whose duration falls in it: the histogram
 * counts complete tasks only.
 */
export function taskList(
  a: Annotations,
  type: string,
  bucket: number | undefined,
  limit: number,
): TaskListResponse {
  let tasks = a.tasks.filter((t) => t.type === type);
  if (bucket !== undefined) tasks = tasks.filter((t) => t.complete && bucketOf(t.durNs) === bucket);
  tasks.sort(shortestTaskFirst);
  const b = bucketInfo(bucket);
  return {
    type,
    tasks: tasks.slice(0, limit).map((t) => taskJson(t, a.regionTable)),
    total: tasks.length,
    bucket: b && { ...b, count: tasks.length },
  };
}

export function regionsSummary(a: Annotations): RegionsResponse {
  return { traceStartNs: a.traceStartNs, traceEndNs: a.traceEndNs, groups: a.regionGroups };
}

/**
 * Regions of one group (type and start PC; every PC when undefined),
 * longest first (as /userregion), at most `limit`.
 */
export function regionList(
  a: Annotations,
  type: string,
  pc: number | undefined,
  bucket: number | undefined,
  limit: number,
): RegionListResponse {
  const table = a.regionTable;
  const id = table.typeId(type);
  const rows: number[] = [];
  for (const row of a.regions) {
    if (table.typeOf(row) !== id) continue;
    if (bucket !== undefined && bucketOf(table.durNs(row)) !== bucket) continue;
    rows.push(row);
  }
  // The pc is the group's key with the type: check it on objects, as few as the type has.
  let regions: RegionInstance[] = rows
    .map((row) => table.get(row))
    .filter((r) => pc === undefined || (r.frame?.pc ?? 0) === pc);
  regions.sort((x, y) => y.durNs - x.durNs || x.startNs - y.startNs);
  const total = regions.length;
  regions = regions.slice(0, limit);
  const b = bucketInfo(bucket);
  return { type, pc, regions, total, bucket: b && { ...b, count: total } };
}
