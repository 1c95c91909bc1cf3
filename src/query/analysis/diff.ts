/**
 * `gotrace diff A B`: what changed between two traces, from each trace's
 * analyses (AnalysisService): goroutine groups (count, execution, time
 * blocked by reason), each blocking profile by the function that blocked,
 * task and region latency percentiles per type, GC (cycles, STW, MMU at
 * 1, 10 and 100 ms) and scheduler latency percentiles. Every row compares
 * one number; rows are sorted by the size of the change, and `top` ranks
 * the rows measured in time across all tables. The runtime's own goroutines
 * are left out of the groups (they idle as long as the trace lasts, so they
 * change with its length and say nothing). Nothing here depends on the
 * traces' format: any two traces the reader takes can be compared.
 */
import { blockingTypes } from "../../analysis/profile.js";
import { percentile } from "../../analysis/sched-stats.js";
import type { DiffResponse, DiffRow, DiffTable, DiffUnit } from "./protocol.js";
import type { AnalysisService, Common } from "./service.js";

/** One trace's numbers, keyed by table, then row key and metric. */
type Side = Map<DiffTable, Map<string, { key: string; metric: string; unit: DiffUnit; value: number }>>;

/** The MMU windows the diff compares. */
export const diffMMUWindowsNs = [1e6, 10e6, 100e6] as const;

/** Tables in the order ties are broken: the most specific first. */
export const diffTables: readonly DiffTable[] = ["profiles", "tasks", "regions", "goroutines", "gc", "sched"];

/**
 * The function a blocking stack blocked in, as a user reads it: its
 * innermost frame outside the standard library (a package path whose
 * first element has no dot, other than main), else the innermost frame.
 */
export function blockingSite(stack: readonly { func: string }[]): string {
  for (const f of stack) {
    const pkg = f.func.replace(/^(.*\/)?([^./]*).*$/, (_m, dir: string | undefined, first: string) =>
      dir ? dir.split("/")[0]! : first,
    );
    if (pkg === "main" || pkg.includes(".")) return f.func;
  }
  return stack[0]?.func ?? "(no stack)";
}

function put(side: Side, table: DiffTable, key: string, metric: string, unit: DiffUnit, value: number): void {
  let t = side.get(table);
  if (!t) {
    t = new Map();
    side.set(table, t);
  }
  t.set(`${key}\0${metric}`, { key, metric, unit, value });
}

function percentiles(side: Side, table: DiffTable, key: string, durs: number[]): void {
  const sorted = Float64Array.from(durs).sort();
  put(side, table, key, "count", "count", sorted.length);
  for (const p of [50, 90, 99]) put(side, table, key, `p${p}`, "ns", percentile(sorted, p));
  put(side, table, key, "max", "ns", sorted.length ? sorted[sorted.length - 1]! : 0);
}

/** The runtime's own goroutines (runtime.* but runtime.main, and runtime/trace's reader). */
export function isRuntimeGoroutine(name: string): boolean {
  return (name.startsWith("runtime.") && name !== "runtime.main") || name.startsWith("runtime/trace.");
}

/** One trace's side of a diff. */
export async function diffSide(service: AnalysisService): Promise<Side> {
  const c: Common = await service.common();
  const side: Side = new Map();
  // Goroutine groups.
  const groups = new Map<
    string,
    { count: number; exec: number; sched: number; block: Map<string, number> }
  >();
  for (const g of c.goroutines) {
    // The runtime's own goroutines idle for as long as the trace lasts: left out, as gotrace stats leaves out runtime idling.
    if (isRuntimeGoroutine(g.name)) continue;
    let e = groups.get(g.name);
    if (!e) {
      e = { count: 0, exec: 0, sched: 0, block: new Map() };
      groups.set(g.name, e);
    }
    e.count++;
    e.exec += g.execNs;
    e.sched += g.schedWaitNs;
    for (const [reason, ns] of g.blockNs) e.block.set(reason, (e.block.get(reason) ?? 0) + ns);
  }
  for (const [name, e] of groups) {
    const key = name || "(no stack)";
    put(side, "goroutines", key, "count", "count", e.count);
    put(side, "goroutines", key, "execution", "ns", e.exec);
    put(side, "goroutines", key, "runnable", "ns", e.sched);
    for (const [reason, ns] of e.block)
      put(side, "goroutines", key, reason ? `blocked: ${reason}` : "blocked", "ns", ns);
  }
  // Blocking profiles, by the function that blocked.
  for (const type of blockingTypes) {
    const byFunc = new Map<string, number>();
    for (const r of c.blocking.records(type)) {
      const f = blockingSite(r.stack);
      byFunc.set(f, (byFunc.get(f) ?? 0) + r.delayNs);
    }
    for (const [f, ns] of byFunc) put(side, "profiles", f, `${type} delay`, "ns", ns);
  }
  // Task and region latency per type (complete tasks; every region).
  const taskDurs = new Map<string, number[]>();
  for (const t of c.annotations.tasks) {
    if (!t.complete || t.type === "") continue;
    const d = taskDurs.get(t.type);
    if (d) d.push(t.durNs);
    else taskDurs.set(t.type, [t.durNs]);
  }
  for (const [type, d] of taskDurs) percentiles(side, "tasks", type, d);
  const rt = c.annotations.regionTable;
  const regionDurs = new Map<string, number[]>();
  for (const row of c.annotations.regions) {
    const type = rt.typeName(rt.typeOf(row));
    const d = regionDurs.get(type);
    if (d) d.push(rt.durNs(row));
    else regionDurs.set(type, [rt.durNs(row)]);
  }
  for (const [type, d] of regionDurs) percentiles(side, "regions", type, d);
  // GC.
  const o = c.overview;
  put(side, "gc", "GC", "cycles", "count", o.gcCycles);
  put(side, "gc", "GC", "mark time", "ns", o.gcMarkNs);
  put(side, "gc", "STW", "pauses", "count", o.stwPauses);
  put(side, "gc", "STW", "total", "ns", o.stwTotalNs);
  put(side, "gc", "STW", "longest", "ns", o.stwMaxNs);
  const mmu = await service.mmuAt(diffMMUWindowsNs);
  diffMMUWindowsNs.forEach((w, i) => {
    if (mmu[i] !== undefined) put(side, "gc", "MMU", `${w / 1e6}ms`, "ratio", mmu[i]!);
  });
  // Scheduler latency.
  const s = c.schedLatency.overall;
  put(side, "sched", "all goroutines", "waits", "count", s.count);
  put(side, "sched", "all goroutines", "p50", "ns", s.p50Ns);
  put(side, "sched", "all goroutines", "p90", "ns", s.p90Ns);
  put(side, "sched", "all goroutines", "p99", "ns", s.p99Ns);
  put(side, "sched", "all goroutines", "max", "ns", s.maxNs);
  put(side, "sched", "all goroutines", "total", "ns", s.totalNs);
  return side;
}

/** How much a row changed, comparable within a unit. */
function size(r: DiffRow): number {
  return Math.abs(r.delta);
}

/** Compares two sides: every row either has, sorted by the size of the change, and the top time changes. */
export function diffSides(a: Side, b: Side, top = 20): DiffResponse {
  const tables = diffTables.map((table) => {
    const ta = a.get(table) ?? new Map();
    const tb = b.get(table) ?? new Map();
    const rows: DiffRow[] = [];
    for (const k of new Set([...ta.keys(), ...tb.keys()])) {
      const ra = ta.get(k);
      const rb = tb.get(k);
      const r = (ra ?? rb)!;
      const va = ra?.value ?? 0;
      const vb = rb?.value ?? 0;
      if (va === 0 && vb === 0) continue;
      rows.push({
        table,
        key: r.key,
        metric: r.metric,
        unit: r.unit,
        a: va,
        b: vb,
        delta: vb - va,
        ratio: va === 0 ? null : vb / va,
      });
    }
    // Time first, then counts, then ratios; each by the size of its change.
    const unitRank = (u: DiffUnit) => (u === "ns" ? 0 : u === "count" ? 1 : 2);
    rows.sort(
      (x, y) =>
        unitRank(x.unit) - unitRank(y.unit) ||
        size(y) - size(x) ||
        x.key.localeCompare(y.key) ||
        x.metric.localeCompare(y.metric),
    );
    return { table, rows };
  });
  // Across tables: time changes, largest first (ties: the more specific table).
  const timed = tables.flatMap((t) => t.rows.filter((r) => r.unit === "ns" && r.delta !== 0));
  const rank = (t: DiffTable) => diffTables.indexOf(t);
  timed.sort((x, y) => size(y) - size(x) || rank(x.table) - rank(y.table));
  return { tables, top: timed.slice(0, top) };
}
