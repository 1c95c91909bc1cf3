/**
 * Totals for a selected time range: goroutine-time by state, busy time per
 * P, and counts of events. States are summed over every goroutine's
 * segments clipped to the range in one tight pass over the execution
 * slices (no per-segment objects): about 50 ms for 8M slices.
 */
import { GlobalKind, type MarkKind } from "../../model/tables.js";
import type { Timeline } from "../../model/timeline.js";
import { firstVisible } from "./lod.js";
import type { RangeSummary } from "./protocol.js";

function overlap(a: number, b: number, lo: number, hi: number): number {
  const d = Math.min(b, hi) - Math.max(a, lo);
  return Math.max(d, 0);
}

export function summarizeRange(tl: Timeline, startNs: number, endNs: number): RangeSummary {
  const lo = Number.isFinite(startNs) ? startNs : 0;
  const hi = Number.isFinite(endNs) ? endNs : tl.durationNs;
  const x = tl.exec;
  const G = tl.goroutines;
  const byState = new Map<number, number>();
  const addState = (state: number, ns: number) => {
    if (ns > 0) byState.set(state, (byState.get(state) ?? 0) + ns);
  };
  const runnable = tl.strings.intern("runnable");
  const running = tl.strings.intern("running");
  const ended = tl.strings.intern("ended");
  const { order, starts } = tl.execByG;
  for (let g = 0; g < G.length; g++) {
    const lifeEnd = tl.lifeEndNs(g);
    const from = starts[g]!;
    const to = starts[g + 1]!;
    // Before the first run: blocked (if created blocked) until ready, then runnable.
    const first = from < to ? x.startNs.get(order[from]!) : lifeEnd;
    const created = Math.min(G.createdNs.get(g), first);
    const r0 = G.firstReadyNs.get(g);
    const ready0 = Number.isNaN(r0) ? first : Math.min(Math.max(r0, created), first);
    addState(G.firstState.get(g), overlap(created, ready0, lo, hi));
    addState(runnable, overlap(ready0, first, lo, hi));
    // Slices before the range, but the last one (its gap may reach into it), are skipped by binary search.
    let a = from;
    let b = to;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (x.startNs.get(order[mid]!) <= lo) a = mid + 1;
      else b = mid;
    }
    for (let k = Math.max(from, a - 1); k < to; k++) {
      const i = order[k]!;
      const s = x.startNs.get(i);
      if (s >= hi) break;
      const e = x.threadEnd(i);
      addState(running, overlap(s, e, lo, hi));
      const next = k + 1 < to ? x.startNs.get(order[k + 1]!) : lifeEnd;
      if (next <= e || x.endState.get(i) === ended) continue;
      const r = x.readyNs.get(i);
      const ready = Number.isNaN(r) ? next : Math.min(Math.max(r, e), next);
      addState(x.endState.get(i), overlap(e, ready, lo, hi));
      addState(runnable, overlap(ready, next, lo, hi));
    }
  }
  const states = [...byState]
    .map(([s, ns]) => ({ state: tl.strings.get(s) || "unknown", ns }))
    .sort((a, b) => b.ns - a.ns);

  const procs: { proc: number; busyNs: number }[] = [];
  const startsArr = x.startNs.array;
  for (let p = 0; p < tl.procs; p++) {
    const a = tl.execByP[p + 1]!;
    const b = tl.execByP[p + 2]!;
    const src = {
      n: b - a,
      start: (k: number) => startsArr[a + k]!,
      end: (k: number) => x.endNs.get(a + k),
      prefix: () => 0,
    };
    let busy = 0;
    for (let k = firstVisible(src, lo); k < src.n && src.start(k) < hi; k++)
      busy += overlap(src.start(k), src.end(k), lo, hi);
    procs.push({ proc: p, busyNs: busy });
  }

  const counts = new Map<string, number>();
  const count = (kind: string, t: number) => {
    if (t >= lo && t < hi) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  };
  for (let g = 0; g < G.length; g++)
    if (G.creator.get(g) >= 0) count("goroutine created", G.createdNs.get(g));
  for (let g = 0; g < G.length; g++)
    if (!Number.isNaN(G.endNs.get(g))) count("goroutine ended", G.endNs.get(g));
  for (let p = 0; p < tl.procs; p++) {
    const a = tl.execByP[p + 1]!;
    const b = tl.execByP[p + 2]!;
    const src = { n: b - a, start: (k: number) => startsArr[a + k]!, end: () => 0, prefix: () => 0 };
    // Slices starting in [lo, hi): two binary searches per P.
    const first = lowerBound(src, lo);
    const last = lowerBound(src, hi);
    if (last > first) counts.set("goroutine slice", (counts.get("goroutine slice") ?? 0) + last - first);
  }
  const gr = tl.globalRanges;
  for (let i = 0; i < gr.length; i++)
    count(gr.kind.get(i) === GlobalKind.STW ? "STW" : "GC", gr.startNs.get(i));
  const sys = tl.syscalls;
  for (let i = 0; i < sys.length; i++)
    count(sys.blocked.get(i) ? "syscall (blocked)" : "syscall", sys.startNs.get(i));
  const pr = tl.procRanges;
  for (let i = 0; i < pr.length; i++) count(tl.strings.get(pr.name.get(i)), pr.startNs.get(i));
  const markNames = [
    "CPU sample",
    "log",
    "network unblock",
    "blocked syscall exit",
    "proc start",
    "proc stop",
  ];
  const mk = tl.marks;
  for (let i = 0; i < mk.length; i++)
    count(markNames[mk.kind.get(i) as MarkKind] ?? "mark", mk.timeNs.get(i));
  const rg = tl.regions;
  for (let i = 0; i < rg.length; i++) count("region", rg.startNs.get(i));
  const tt = tl.tasks;
  for (let i = 0; i < tt.length; i++) count("task", tt.startNs.get(i));
  const events = [...counts].map(([kind, n]) => ({ kind, count: n })).sort((a, b) => b.count - a.count);
  return { startNs: lo, endNs: hi, states, procs, events };
}

function lowerBound(src: { n: number; start(k: number): number }, t: number): number {
  let a = 0;
  let b = src.n;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (src.start(mid) < t) a = mid + 1;
    else b = mid;
  }
  return a;
}
