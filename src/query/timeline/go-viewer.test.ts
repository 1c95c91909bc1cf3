/**
 * The proc view against go tool trace's own viewer data: Go serves the
 * timeline as Catapult JSON (/jsontrace?view=proc, times in µs floats).
 * For a few fixtures, old and new, the goroutine slices on each P (name,
 * start, duration), the flow arrows (creation, unblock, syscall exit), the
 * goroutine, heap and running-thread counters, and the goroutine slices on each thread of
 * the thread view must be Go's, to within a nanosecond of rounding.
 *
 * Known, deliberate differences are filtered before comparing, each with
 * its reason: Go draws no unblock arrow from P 0 (it uses the resource ID
 * 0 as "none"); arrows from no P at all (NoProc) have no row to start from
 * in either viewer; and in old traces Go puts a goroutine that was already
 * in a syscall at the start on the P of the batch it is in, where its
 * slice overlaps the goroutines really running there, while gotrace ends
 * it (empty) when the first of those starts. In the thread view, Go names
 * a slice with what it knew of the goroutine when the slice ended, so a
 * goroutine whose first stack came later (cgo callbacks) has early slices
 * named just "G34"; gotrace names every slice of it alike.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, it } from "node:test";
import type { CounterTrack } from "../../model/counters.js";
import { fixturesDir, haveGo, requirement } from "../../testing/corpus.js";
import { startGoTraceServer } from "../../testing/go-trace-pages.js";
import { buildTimeline } from "./build.js";
import type { Engine } from "./engine.js";
import { flowsInWindow } from "./flows.js";
import { HeadRow } from "./rows.js";

const files = [
  "gc-go1.26.trace",
  "io-go1.26.trace",
  "annotations-go1.25.trace",
  "cpuprofile-go1.24.trace",
  "gomaxprocs-go1.22.trace",
  "gc-go1.21.trace",
  "io-go1.21.trace",
  "cgocallback-go1.26.trace",
  "flightrecorder-go1.26.trace",
  "iterpull-go1.24.trace",
  "manygen-go1.26.trace",
  "syscalls-go1.26.trace",
  "sched-go1.23.trace",
  "startstop-go1.22.trace",
].map((f) => join(fixturesDir, f));

/** Go's special tracks (internal/trace/traceviewer/fakep.go). */
const netpollP = 1000002;
const syscallP = 1000003;

interface ViewerEvent {
  args?: Record<string, number>;
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  id?: number;
}

const ns = (us: number) => Math.round(us * 1000);

const startOf = (s: string) => Number(s.split("@")[1]!.split(" ")[0]);
const endOf = (s: string) => startOf(s) + Number(s.split("+").at(-1));

function goSlices(events: ViewerEvent[], misplaced: Set<string>): Map<number, string[]> {
  const byP = new Map<number, string[]>();
  for (const e of events) {
    if (e.ph !== "X" || e.pid !== 0 || e.tid >= netpollP - 2 || !/^G\d+/.test(e.name)) continue;
    const list = byP.get(e.tid) ?? [];
    list.push(`${e.name} @${ns(e.ts)} +${ns(e.dur ?? 0)}`);
    byP.set(e.tid, list);
  }
  for (const [p, list] of byP) {
    list.sort((a, b) => startOf(a) - startOf(b) || endOf(b) - endOf(a));
    // A slice that overlaps the next one on its P is one Go misplaced.
    const kept = list.filter((s, k) => {
      const overlaps = k + 1 < list.length && endOf(s) > startOf(list[k + 1]!);
      if (overlaps) misplaced.add(s.split(" +")[0]!);
      return !overlaps;
    });
    byP.set(p, kept);
  }
  return byP;
}

function mySlices(engine: Engine, misplaced: Set<string>): Map<number, string[]> {
  const tl = engine.tl;
  const byP = new Map<number, string[]>();
  for (let p = 0; p < tl.procs; p++) {
    const list: string[] = [];
    for (let i = tl.execByP[p + 1]!; i < tl.execByP[p + 2]!; i++) {
      const s = tl.exec.startNs.get(i);
      const slice = `${tl.sliceName(i)} @${s} +${tl.exec.endNs.get(i) - s}`;
      if (tl.exec.endNs.get(i) === s && misplaced.has(slice.split(" +")[0]!)) continue;
      list.push(slice);
    }
    if (list.length > 0) byP.set(p, list);
  }
  return byP;
}

function goFlows(events: ViewerEvent[]): string[] {
  const starts = new Map<number, ViewerEvent>();
  const out: string[] = [];
  for (const e of events) {
    if (e.pid !== 0 || (e.ph !== "s" && e.ph !== "t")) continue;
    if (e.ph === "s") {
      starts.set(e.id!, e);
      continue;
    }
    const s = starts.get(e.id!);
    // Arrows from NoProc (2^64−1) start nowhere.
    if (!s || s.tid > syscallP) continue;
    const kind = s.name === "go" ? "create" : s.name.startsWith("unblock") ? "unblock" : "syscall";
    out.push(`${kind} ${s.tid}@${ns(s.ts)} → ${e.tid}@${ns(e.ts)}`);
  }
  return out.sort();
}

function myFlows(engine: Engine): string[] {
  const rows = engine.viewRows("proc");
  const tidOf = new Map<number, number>([
    [HeadRow.Network, netpollP],
    [HeadRow.Syscalls, syscallP],
  ]);
  for (const [p, row] of rows.rowOfResource) tidOf.set(row, p);
  const { flows } = flowsInWindow(engine.tl, rows, 0, engine.info().durationNs, 0, rows.specs.length, 1e9);
  return flows
    .filter((f) => f.kind !== "task")
    .map((f) => ({ ...f, kind: f.kind === "unblock" && f.fromRow === HeadRow.Network ? "unblock" : f.kind }))
    .filter((f) => !(f.kind === "unblock" && tidOf.get(f.fromRow) === 0))
    .map((f) => `${f.kind} ${tidOf.get(f.fromRow)}@${f.fromNs} → ${tidOf.get(f.toRow)}@${f.toNs}`)
    .sort();
}

/** Goroutine slices per thread in the thread view, keyed by M ID. */
function myThreadSlices(engine: Engine): Map<number, string[]> {
  const tl = engine.tl;
  const byM = new Map<number, string[]>();
  for (let m = 0; m < tl.threadIDs.length; m++) {
    const list: string[] = [];
    const { order, starts } = tl.execByM;
    for (let k = starts[m]!; k < starts[m + 1]!; k++) {
      const i = order[k]!;
      const s = tl.exec.startNs.get(i);
      list.push(`${tl.sliceName(i)} @${s} +${tl.exec.threadEnd(i) - s}`);
    }
    if (list.length > 0) byM.set(tl.threadIDs[m]!, list);
  }
  return byM;
}

describe("thread view against go tool trace's /jsontrace?view=thread", () => {
  for (const file of files.filter((f) => !f.includes("1.21"))) {
    it(basename(file), async (t) => {
      if (requirement(haveGo(), "go")) return t.skip();
      const server = await startGoTraceServer(file);
      let events: ViewerEvent[];
      try {
        events = (JSON.parse(await server.get("/jsontrace?view=thread")) as { traceEvents: ViewerEvent[] })
          .traceEvents;
      } finally {
        server.close();
      }
      const { engine } = await buildTimeline([readFileSync(file)]);
      const go = goSlices(events, new Set());
      const mine = myThreadSlices(engine);
      assert.deepEqual(
        [...mine.keys()].sort((a, b) => a - b),
        [...go.keys()].sort((a, b) => a - b),
        "threads with goroutine slices",
      );
      for (const [m, list] of go) {
        // Go's bare "G34 @t +d" stands for gotrace's "G34 runtime.cgocallback @t +d".
        const named = list.map((s, k) => {
          const other = mine.get(m)?.[k] ?? "";
          const bare = /^(G\d+) (@.*)$/.exec(s);
          return bare && other.startsWith(`${bare[1]} `) && other.endsWith(` ${bare[2]}`) ? other : s;
        });
        assert.deepEqual(mine.get(m), named, `goroutine slices on thread ${m}`);
      }
    });
  }
});

describe("proc view against go tool trace's /jsontrace", () => {
  for (const file of files) {
    it(basename(file), async (t) => {
      if (requirement(haveGo(), "go")) return t.skip();
      const server = await startGoTraceServer(file);
      let events: ViewerEvent[];
      try {
        events = (JSON.parse(await server.get("/jsontrace?view=proc")) as { traceEvents: ViewerEvent[] })
          .traceEvents;
      } finally {
        server.close();
      }
      const { engine } = await buildTimeline([readFileSync(file)]);
      const misplaced = new Set<string>();
      const go = goSlices(events, misplaced);
      const mine = mySlices(engine, misplaced);
      assert.deepEqual([...mine.keys()].sort(), [...go.keys()].sort(), "Ps with goroutine slices");
      for (const [p, list] of go) assert.deepEqual(mine.get(p), list, `goroutine slices on P${p}`);
      assert.deepEqual(myFlows(engine), goFlows(events));
      // Counters: goroutines running and runnable, heap allocated and to goal, sample by sample.
      const goCounter = (name: string, keys: string[]) =>
        events
          .filter((e) => e.ph === "C" && e.name === name)
          .map((e) => `${ns(e.ts)} ${keys.map((k) => e.args?.[k] ?? 0).join(" ")}`);
      // Samples whose shown series did not change are left out (Go also counts GC-waiting
      // goroutines its own way), starting from all zeros.
      const values = (line: string) => line.slice(line.indexOf(" ") + 1);
      const dedupe = (lines: string[]) => {
        let last = "0 0";
        return lines.filter((l) => {
          const same = values(l) === last;
          last = values(l);
          return !same;
        });
      };
      const myCounter = (c: CounterTrack, series: number[]) =>
        dedupe(c.samples().map((s) => `${s.timeNs} ${series.map((i) => s.values[i]).join(" ")}`));
      // gotrace keeps the goal itself (drawn as a line); Go's viewer stacks the goal's distance above the heap.
      const heap = engine.tl.heapCounter
        .samples()
        .map((s) => `${s.timeNs} ${s.values[0]} ${Math.max(0, s.values[1]! - s.values[0]!)}`);
      assert.deepEqual(dedupe(heap), dedupe(goCounter("Heap", ["Allocated", "NextGC"])), "heap counter");
      assert.deepEqual(
        myCounter(engine.tl.goroutineCounter, [0, 1]),
        dedupe(goCounter("Goroutines", ["Running", "Runnable"])),
        "goroutine counter",
      );
      // Threads: Go's Running is the threads holding a running P; gotrace's first series is the same.
      // (Go ≥ 1.22 never counts InSyscall; gotrace counts there the syscalls that lost their P.)
      // Not for Go 1.21 traces: Go back-dates a P first seen mid-trace to time 0, so its
      // samples there go back in time.
      if (file.includes("go1.21")) return;
      const dedupe1 = (lines: string[]) => {
        let last = "0";
        return lines.filter((l) => {
          const same = values(l) === last;
          last = values(l);
          return !same;
        });
      };
      assert.deepEqual(
        dedupe1(engine.tl.threadCounter.samples().map((s) => `${s.timeNs} ${s.values[0]}`)),
        dedupe1(goCounter("Threads", ["Running"])),
        "threads counter, Running",
      );
    });
  }
});
