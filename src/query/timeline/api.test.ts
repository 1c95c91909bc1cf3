/**
 * The engine's questions besides windows, on fixtures whose content is
 * known (testdata/programs): find, slice and goroutine details, range
 * totals, and rows of each view (which of them are empty), checked against
 * the model they come from.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fixturesDir, requirement, traceFiles } from "../../testing/corpus.js";
import { buildTimeline } from "./build.js";
import type { Engine } from "./engine.js";
import { forEachSegment } from "./goroutine-lanes.js";
import { type Frame, viewKinds } from "./protocol.js";

async function engineFor(name: string): Promise<Engine> {
  return (await buildTimeline([readFileSync(join(fixturesDir, name))])).engine;
}

const have = traceFiles(fixturesDir, () => true).length > 0;

describe("engine questions", () => {
  it("find: goroutine IDs, functions, tasks, regions and logs", async (t) => {
    if (requirement(have, "testdata/traces")) return t.skip();
    const engine = await engineFor("annotations-go1.26.trace");
    const g1 = engine.find("G1", 10);
    assert.equal(g1.matches[0]?.kind, "goroutine");
    assert.deepEqual(g1.goroutines, [1]);
    assert.deepEqual(engine.find("1", 10).goroutines, [1]);
    const tasks = engine.find("query", 50).matches.filter((m) => m.kind === "task");
    assert.equal(tasks.length, 1);
    const task = engine.slice("proc", tasks[0]!.sliceId!);
    assert.equal(task?.kind, "task");
    assert.equal(task?.title, "query");
    assert.match(task?.args?.["parent"] ?? "", /db$/);
    const regions = engine.find("sql", 50).matches.filter((m) => m.kind === "region");
    assert.ok(regions.length >= 1);
    const region = engine.slice("goroutine", regions[0]!.sliceId!);
    assert.equal(region?.title, "sql");
    assert.equal(region?.goroutine, regions[0]!.goroutine);
    assert.ok(region!.startStack.length > 0, "region begin stack");
    const logs = engine.find("worker goroutine", 50).matches;
    assert.deepEqual(
      logs.map((m) => m.label),
      ["[stage] ending on worker goroutine"],
    );
    const limited = engine.find("main", 1);
    assert.equal(limited.matches.length, 1);
    assert.equal(limited.truncated, true);
    assert.deepEqual(engine.find("no such thing anywhere", 10).matches, []);
  });

  it("find searches the functions and files of the goroutines' event stacks", async (t) => {
    if (requirement(have, "testdata/traces")) return t.skip();
    const engine = await engineFor("annotations-go1.26.trace");
    const has = (f: Frame, needle: string) => `${f.func}\n${f.file}`.toLowerCase().includes(needle);
    for (const needle of ["time.sleep", "sync.(*waitgroup).wait", "runtime/chan.go", "trace/annotation.go"]) {
      const found = engine.find(needle, 10_000);
      const byStack = found.matches.filter((m) => m.kind === "stack");
      const byFunction = new Set(found.matches.filter((m) => m.kind === "function").map((m) => m.goroutine));
      for (const m of byStack) {
        assert.ok(m.frame && has(m.frame, needle), `${needle}: G${m.goroutine}'s match names its frame`);
        assert.ok(!byFunction.has(m.goroutine), `${needle}: G${m.goroutine} is matched once`);
        assert.equal(
          found.matches.filter((x) => x.goroutine === m.goroutine && x.kind === "stack").length,
          1,
        );
      }
      // Every goroutine whose details show a stack with such a frame is found.
      const shown = new Set<number>();
      for (const g of found.goroutines) assert.ok(engine.goroutine(g), `G${g} exists`);
      for (const r of engine.rows("goroutine")) {
        if (r.goroutine === undefined) continue;
        const d = engine.goroutine(r.goroutine)!;
        const stacks = [d.createdBy?.stack ?? [], ...d.events.map((e) => e.stack)];
        if (stacks.some((st) => st.some((f) => has(f, needle)))) shown.add(r.goroutine);
      }
      assert.ok(shown.size > 0, `${needle} is on some goroutine's stacks`);
      for (const g of shown) assert.ok(found.goroutines.includes(g), `${needle}: G${g} is found`);
      assert.ok(byStack.length > 0, `${needle} is found in stacks, not only start functions`);
    }
  });

  it("rows say they are empty exactly when the whole trace puts nothing in them", async (t) => {
    if (requirement(have, "testdata/traces")) return t.skip();
    let emptySubRows = 0;
    for (const name of ["gc-go1.26.trace", "annotations-go1.26.trace", "io-go1.21.trace"]) {
      const engine = await engineFor(name);
      const tl = engine.tl;
      for (const view of viewKinds) {
        const rows = engine.rows(view);
        const w = engine.window({
          view,
          startNs: 0,
          endNs: engine.info().durationNs + 1,
          widthPx: 1 << 16,
          rowFrom: 0,
          rowTo: rows.length,
        });
        const slices = new Set(w.slices.map((c) => c.row));
        // Marks other than a P's start and stop; a merged mark is asked for again, closer.
        const others = (row: number, startNs: number, endNs: number): number => {
          const z = engine.window({ view, startNs, endNs, widthPx: 1 << 16, rowFrom: row, rowTo: row + 1 });
          let n = 0;
          for (const c of z.marks)
            c.id.forEach((id, k) => {
              const t = c.timeNs[k]!;
              if (id < 0 && endNs - startNs > 2)
                n += others(row, t - 1, t + (endNs - startNs) / (1 << 16) + 1);
              else if (!/^proc (start|stop)$/.test(z.labels[c.label[k]!] ?? "")) n += c.count[k]!;
            });
          return n;
        };
        const marks = new Map<number, number>();
        for (const c of w.marks) marks.set(c.row, others(c.row, w.startNs, w.endNs));
        for (const r of rows) {
          if (r.kind === "counter") {
            assert.equal(r.empty, undefined, `${name} ${view} ${r.label}`);
            continue;
          }
          const holds = slices.has(r.index) || (marks.get(r.index) ?? 0) > 0;
          assert.equal(r.empty === true, !holds, `${name} ${view} ${r.label}: empty is ${r.empty}`);
        }
      }
      for (const view of viewKinds)
        emptySubRows += engine.rows(view).filter((r) => r.empty && / syscalls/.test(r.label)).length;
      assert.ok(tl.procs > 0);
    }
    assert.ok(emptySubRows > 0, "some P's or thread's syscall row is empty");
  });

  it("slice details: stacks, end reason, creator", async (t) => {
    if (requirement(have, "testdata/traces")) return t.skip();
    const engine = await engineFor("gc-go1.26.trace");
    const tl = engine.tl;
    const w = engine.window({
      view: "proc",
      startNs: 0,
      endNs: engine.info().durationNs,
      widthPx: 1 << 16,
      rowFrom: 0,
      rowTo: engine.rows("proc").length,
    });
    let checked = 0;
    for (const cols of w.slices) {
      cols.id.forEach((id, k) => {
        if (id < 0 || cols.color[k]! < 0) return;
        const d = engine.slice("proc", id)!;
        assert.equal(d.kind, "goroutine");
        assert.equal(d.goroutine, cols.color[k]);
        assert.equal(d.startNs, cols.startNs[k]);
        assert.equal(d.durNs, cols.endNs[k]! - cols.startNs[k]!);
        assert.equal(d.row, cols.row);
        assert.ok(d.endReason, "end reason");
        // Goroutines created during the trace name their creator; older ones cannot.
        const creator = tl.goroutines.creator.get(tl.goroutineIndex(d.goroutine!));
        if (creator >= 0) assert.equal(d.createdBy?.goroutine, tl.goroutines.id.get(creator));
        else assert.equal(d.createdBy, undefined);
        checked++;
      });
    }
    assert.ok(checked > 100);
    // Something blocked on a channel or sync says so, with the stack it blocked at.
    const blocked = [...Array(tl.exec.length).keys()].find((i) =>
      tl.strings.get(tl.exec.endState.get(i)).startsWith("blocked: "),
    );
    assert.ok(blocked !== undefined);
    const d = engine.slice("proc", blocked * 16)!;
    assert.ok(d.endStack.length > 0 && d.endStack[0]!.func.length > 0 && d.endStack[0]!.line > 0);
    assert.equal(engine.slice("proc", 1e12), undefined);
    assert.equal(engine.slice("proc", -5), undefined);
  });

  it("goroutine details list its life in order", async (t) => {
    if (requirement(have, "testdata/traces")) return t.skip();
    const engine = await engineFor("io-go1.26.trace");
    const g = engine.goroutine(1)!;
    assert.equal(g.goroutine, 1);
    assert.match(g.name, /^G1 main\.main/);
    assert.ok(g.events.length > 3);
    for (let k = 1; k < g.events.length; k++) assert.ok(g.events[k]!.timeNs >= g.events[k - 1]!.timeNs);
    assert.ok(g.events.some((e) => /^running on P\d+$/.test(e.what)));
    assert.equal(engine.goroutine(987654321), undefined);
    const row = engine.rows("goroutine")[g.row]!;
    assert.equal(row.goroutine, 1);
  });

  it("range totals add up to the goroutines' lives and the Ps' slices", async (t) => {
    if (requirement(have, "testdata/traces")) return t.skip();
    const engine = await engineFor("gc-go1.22.trace");
    const tl = engine.tl;
    const dur = engine.info().durationNs;
    const r = engine.range(0, dur);
    let lives = 0;
    for (let g = 0; g < tl.goroutines.length; g++) forEachSegment(tl, g, (s, e) => (lives += e - s));
    assert.equal(
      r.states.reduce((a, s) => a + s.ns, 0),
      lives,
    );
    for (const { proc, busyNs } of r.procs) {
      let sum = 0;
      for (let i = tl.execByP[proc + 1]!; i < tl.execByP[proc + 2]!; i++)
        sum += tl.exec.endNs.get(i) - tl.exec.startNs.get(i);
      assert.equal(busyNs, sum, `P${proc}`);
    }
    const half = engine.range(dur / 4, (dur * 3) / 4);
    for (const p of half.procs) assert.ok(p.busyNs <= dur / 2);
    // States within a part of the trace, by state, against every segment clipped to it.
    const want = new Map<string, number>();
    for (let g = 0; g < tl.goroutines.length; g++)
      forEachSegment(tl, g, (s, e, _part, _exec, state) => {
        const ns = Math.min(e, (dur * 3) / 4) - Math.max(s, dur / 4);
        const name = tl.strings.get(state);
        if (ns > 0) want.set(name, (want.get(name) ?? 0) + ns);
      });
    assert.deepEqual(new Map(half.states.map((s) => [s.state, s.ns])), want);
    const slices = (x: typeof r) => x.events.find((e) => e.kind === "goroutine slice")?.count ?? 0;
    assert.equal(slices(r), tl.exec.length - (tl.execByP[1]! - tl.execByP[0]!));
    assert.ok(slices(half) < slices(r));
  });

  it("rows: counters, global rows, then two per P, per thread, one per goroutine", async (t) => {
    if (requirement(have, "testdata/traces")) return t.skip();
    const engine = await engineFor("gomaxprocs-go1.26.trace");
    const info = engine.info();
    const proc = engine.rows("proc");
    assert.deepEqual(
      proc.slice(0, 8).map((r) => r.label),
      ["Goroutines", "Heap", "Threads", "GC", "STW", "Network", "Syscalls", "Tasks"],
    );
    assert.equal(proc.length, 8 + 2 * info.procs);
    assert.equal(engine.rows("thread").length, 8 + 2 * info.threads);
    const gr = engine.rows("goroutine");
    assert.equal(gr.length, 8 + info.goroutines);
    const ids = gr.slice(8).map((r) => r.goroutine!);
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => a - b),
    );
    for (const [i, r] of proc.entries()) assert.equal(r.index, i);
  });
});
