/**
 * The Perfetto export, read back by Perfetto's own protobuf bindings
 * (check_pftrace.py, run with the PyPI `perfetto` package): every packet
 * parses, interning and incremental state are used as the format requires,
 * slices nest and flows join existing slices; the tracks and their slices
 * are the model's, and each goroutine's "running" slices add up to its
 * execution time as the goroutine analysis (and `gotrace goroutines
 * --json`) has it. On old-format and new-format fixtures, every other one
 * written as the CLI writes it by default: deflated into compressed packets.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, describe, it } from "node:test";
import { promisify } from "node:util";
import { deflate } from "node:zlib";
import { GlobalKind, MarkKind } from "../../model/tables.js";
import type { Timeline } from "../../model/timeline.js";
import { buildTimeline } from "../../query/timeline/build.js";
import { runAnalyzers } from "../../stream/analyzer.js";
import { GoroutineAnalyzer } from "../../stream/goroutines.js";
import { fixturesDir, repoRoot, requirement } from "../../testing/corpus.js";
import { pythonPath, pythonSkip } from "../../testing/python.js";
import { compressingSink } from "./compressed.js";
import { exportPerfetto, type PerfettoSummary } from "./export.js";

const checker = join(repoRoot, "src", "export", "perfetto", "check_pftrace.py");
const cli = join(repoRoot, "dist", "cli", "main.js");

/** Old (Go 1.21) and new formats; tasks, regions, logs, GC, syscalls, cgo callbacks, flight recorder. */
const fixtures = [
  "annotations-go1.21.trace",
  "annotations-go1.26.trace",
  "cpuprofile-go1.21.trace",
  "io-go1.21.trace",
  "gc-go1.26.trace",
  "syscalls-go1.26.trace",
  "sched-go1.22.trace",
  "cgocallback-go1.24.trace",
  "flightrecorder-go1.25.trace",
  "startstop3-go1.23.trace",
  "manygen-go1.27.trace",
];

interface TrackFacts {
  uuid: number;
  kind: "process" | "thread" | "counter" | "track";
  name: string;
  parent: number;
  tid: number | null;
  slices: number;
  /** The slices' start times added up, made absolute from the incremental clock's deltas. */
  startSum: number;
  instants: number;
  counters: number;
  byName: Record<string, [number, number]>;
}

interface Facts {
  packets: number;
  tracks: TrackFacts[];
  flows: number;
  slicesWithStacks: number;
  callstacks: number;
  problems: string[];
}

function check(path: string): Facts {
  const r = spawnSync(pythonPath, [checker, path], { maxBuffer: 1 << 28, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Facts;
}

const deflateAsync = promisify(deflate);

async function exportFile(tl: Timeline, path: string, compress: boolean): Promise<PerfettoSummary> {
  const chunks: Uint8Array[] = [];
  const written: Uint8Array[] = [];
  const keep = (c: Uint8Array) => void chunks.push(c.slice());
  const compressed = compressingSink(
    (c) => void written.push(c.slice()),
    (d) => deflateAsync(d),
    3,
  );
  // Small chunks, to go through the flushing path many times.
  const summary = await exportPerfetto(
    tl,
    compress
      ? (c) => {
          keep(c);
          return compressed.sink(c);
        }
      : keep,
    { chunkBytes: 4096 },
  );
  await compressed.finish();
  writeFileSync(path, Buffer.concat(compress ? written : chunks));
  if (compress) assert.equal(written.length, chunks.length, "one compressed packet per chunk");
  // Bounded: the output reaches the sink as it is made, a chunk at a time,
  // each at most one packet (a few KiB, with a new deep stack) past the chunk size.
  const largest = Math.max(...chunks.map((c) => c.length));
  assert.ok(largest <= 4096 + 16384, `a chunk of ${largest} bytes`);
  assert.ok(chunks.length >= summary.bytes / (4096 + 16384));
  return summary;
}

/** Goroutine IDs used for several lives (cgo callbacks): the analysis keeps only the last. */
function reusedIDs(tl: Timeline): Set<number> {
  const ended = tl.strings.intern("ended");
  const lives = new Map<number, number>();
  for (let i = 0; i < tl.exec.length; i++)
    if (tl.exec.endState.get(i) === ended) {
      const g = tl.exec.g.get(i);
      lives.set(g, (lives.get(g) ?? 0) + 1);
    }
  const out = new Set<number>();
  for (const [g, n] of lives)
    if (n > 1 || Number.isNaN(tl.goroutines.endNs.get(g))) out.add(tl.goroutines.id.get(g));
  return out;
}

const skip = pythonSkip("perfetto") ?? requirement(fixtures.length > 0, "testdata/traces");

describe("Perfetto export, read by Perfetto's Python bindings", { skip }, () => {
  const tmp = mkdtempSync(join(tmpdir(), "gotrace-perfetto-"));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  fixtures.forEach((name, k) => {
    const compress = k % 2 === 1;
    it(`${name}${compress ? ", compressed" : ""}`, async () => {
      const file = join(fixturesDir, name);
      const bytes = readFileSync(file);
      const { engine } = await buildTimeline([bytes]);
      const tl = engine.tl;
      const out = join(tmp, `${basename(name)}.pftrace`);
      const summary = await exportFile(tl, out, compress);
      const facts = check(out);

      assert.deepEqual(facts.problems, []);
      assert.equal(facts.packets, summary.packets);
      assert.equal(summary.clipped, 0, "slices cut to nest");
      assert.equal(facts.flows, summary.flows);
      assert.ok(facts.slicesWithStacks > 0 && facts.callstacks > 0, "callstacks on slices");

      const byUUID = new Map(facts.tracks.map((t) => [t.uuid, t]));
      const top = facts.tracks.filter((t) => t.kind === "process");
      assert.equal(top.length, 1);
      const group = (n: string) => facts.tracks.find((t) => t.name === n && t.parent === top[0]!.uuid);
      const children = (parent: TrackFacts | undefined) =>
        parent ? facts.tracks.filter((t) => t.parent === parent.uuid) : [];

      // One track per P, with its execution slices.
      const procs = children(group("Procs"));
      assert.equal(procs.length, tl.procs);
      const durationNs = (t: TrackFacts) => Object.values(t.byName).reduce((n, [, ns]) => n + ns, 0);
      for (const t of procs) {
        const p = Number(/^Proc (\d+)$/.exec(t.name)![1]);
        assert.equal(t.slices, tl.execByP[p + 2]! - tl.execByP[p + 1]!, t.name);
        let ns = 0;
        let starts = 0;
        for (let i = tl.execByP[p + 1]!; i < tl.execByP[p + 2]!; i++) {
          ns += Math.round(tl.exec.endNs.get(i)) - Math.round(tl.exec.startNs.get(i));
          starts += Math.round(tl.exec.startNs.get(i));
        }
        assert.equal(durationNs(t), ns, `${t.name}: time`);
        assert.equal(t.startSum, starts, `${t.name}: start times`);
      }

      // One thread track per M: its execution slices and its syscalls.
      const threads = facts.tracks.filter((t) => t.kind === "thread");
      assert.equal(threads.length, tl.threadIDs.length);
      for (const t of threads) {
        const m = tl.threadIDs.indexOf(t.tid! - 1);
        assert.ok(m >= 0, t.name);
        const want =
          tl.execByM.starts[m + 1]! -
          tl.execByM.starts[m]! +
          tl.syscallsByM.starts[m + 1]! -
          tl.syscallsByM.starts[m]!;
        assert.equal(t.slices, want, t.name);
      }

      // One track per goroutine, its regions on a child track, its logs as instants.
      const goroutines = children(group("Goroutines"));
      assert.equal(goroutines.length, tl.goroutines.length);
      const trackOfID = new Map<number, TrackFacts>();
      for (const t of goroutines) trackOfID.set(Number(/^G(\d+)/.exec(t.name)![1]), t);
      // Logs and CPU samples as instants: on their goroutine's track, or else (samples) their P's or thread's.
      let onGoroutines = 0;
      let elsewhere = 0;
      for (let i = 0; i < tl.marks.length; i++) {
        const kind = tl.marks.kind.get(i);
        if (kind !== MarkKind.Log && kind !== MarkKind.CPUSample) continue;
        if (tl.marks.g.get(i) >= 0) onGoroutines++;
        else if (kind === MarkKind.CPUSample && (tl.marks.p.get(i) >= 0 || tl.marks.m.get(i) >= 0))
          elsewhere++;
      }
      assert.equal(
        goroutines.reduce((n, t) => n + t.instants, 0),
        onGoroutines,
      );
      assert.equal(
        facts.tracks.reduce((n, t) => n + t.instants, 0),
        onGoroutines + elsewhere,
      );
      assert.equal(summary.instants, onGoroutines + elsewhere);
      let regions = 0;
      for (const t of facts.tracks) {
        const parent = byUUID.get(t.parent);
        if (parent && goroutines.includes(parent)) regions += t.slices;
      }
      assert.equal(regions, tl.regions.length);

      // Tasks, GC and STW.
      assert.equal(
        children(group("Tasks")).reduce((n, t) => n + t.slices, 0),
        tl.tasks.length,
      );
      const globals = (kind: GlobalKind) => {
        let n = 0;
        for (let i = 0; i < tl.globalRanges.length; i++) if (tl.globalRanges.kind.get(i) === kind) n++;
        return n;
      };
      assert.equal(group("GC")!.slices, globals(GlobalKind.GC));
      assert.equal(group("STW")!.slices, globals(GlobalKind.STW));
      let stwNs = 0;
      let stwStarts = 0;
      for (let i = 0; i < tl.globalRanges.length; i++)
        if (tl.globalRanges.kind.get(i) === GlobalKind.STW) {
          stwNs += Math.round(tl.globalRanges.endNs.get(i)) - Math.round(tl.globalRanges.startNs.get(i));
          stwStarts += Math.round(tl.globalRanges.startNs.get(i));
        }
      assert.equal(durationNs(group("STW")!), stwNs);
      assert.equal(group("STW")!.startSum, stwStarts, "STW start times");
      assert.ok(
        facts.tracks
          .filter((t) => t.kind === "counter")
          .every((t) => t.counters > 0 || t.name.includes("GC")),
      );

      // Running slices add up to each goroutine's execution time.
      const analyzer = new GoroutineAnalyzer();
      await runAnalyzers([bytes], [analyzer]);
      const reused = reusedIDs(tl);
      let compared = 0;
      let total = 0;
      for (const g of analyzer.finalize().goroutines) {
        const running = trackOfID.get(g.id)?.byName.running?.[1] ?? 0;
        total += running;
        if (reused.has(g.id)) continue;
        assert.equal(running, g.execNs, `G${g.id} execution time`);
        compared++;
      }
      assert.ok(compared > 0);

      // And so does the whole program's, as `gotrace goroutines --json` prints it.
      if (reused.size === 0) {
        const r = spawnSync(process.execPath, [cli, "goroutines", "--json", file], { encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
        const all = [...trackOfID.values()].reduce((n, t) => n + (t.byName.running?.[1] ?? 0), 0);
        assert.equal(all, JSON.parse(r.stdout).totalExecNs);
        assert.equal(all, total);
      }
    });
  });
});
