/**
 * The summarizer's corner cases on a trace built for them (go tool trace
 * is compared on the same trace in go-trace-server.test.ts): goroutines
 * inheriting their creator's task, regions closed by a goroutine's exit,
 * system goroutines losing theirs, a region end whose begin was not traced.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { GoState } from "../decode/event.js";
import { annotatedTraceText } from "../testing/annotated-trace.js";
import { buildTrace } from "../testing/build-trace.js";
import { runAnalyzers } from "./analyzer.js";
import { TasksAnalyzer } from "./tasks.js";

it("keeps tasks and regions as Go's summarizer does", async () => {
  const tasks = new TasksAnalyzer();
  const run = await runAnalyzers([buildTrace(annotatedTraceText)], [tasks]);
  assert.equal(run.error, undefined);
  const a = tasks.finalize();
  // Times: events every 10 ns from 10 ns after the trace start.
  assert.equal(a.traceStartNs, 0);
  const end = a.traceEndNs;

  const region = (row: number) => a.regionTable.get(row);
  const job = a.tasks.find((t) => t.id === 1)!;
  assert.deepEqual(
    [job.type, job.parent, job.complete, job.startNs, job.endNs, job.goroutines],
    ["job", undefined, true, 10, 150, [1, 5]],
  );
  assert.deepEqual(job.logs, [{ timeNs: 70, g: 1, category: "cat", message: "msg" }]);
  // Its own regions only: not the stand-ins goroutines 5 and 6 inherit from "outer".
  assert.deepEqual(
    Array.from(job.regions, region).map((r) => [r.type, r.g, r.startNs, r.endNs]),
    [
      ["outer", 1, 20, 50],
      ["inner", 5, 100, 110],
    ],
  );

  // The end of "orphan" came without a begin: the region starts with the trace.
  const orphan = a.tasks.find((t) => t.id === 7)!;
  assert.deepEqual(
    Array.from(orphan.regions, region).map((r) => [r.type, r.start, r.startNs, r.endNs]),
    [["orphan", undefined, 0, 60]],
  );
  assert.equal(orphan.type, "");

  // Goroutine 5 (main.worker) ran inside "outer" when created, so it holds a
  // stand-in region of task 1 from its creation; its exit closes that and
  // "inner". Goroutine 6 is a runtime goroutine: its stand-in is dropped.
  const byG = (g: number) =>
    [...a.regions]
      .map(region)
      .filter((r) => r.g === g)
      .map((r) => [r.type, r.task, r.startNs, r.endNs]);
  // In the order they ended, those still open at the end last.
  assert.deepEqual(byG(1), [
    ["outer", 1, 20, 50],
    ["orphan", 7, 0, 60],
    ["open", 0, 160, end],
  ]);
  assert.deepEqual(byG(5), [
    ["", 1, 30, 110],
    ["inner", 1, 100, 110],
  ]);
  assert.deepEqual(byG(6), []);
  const inherited = [...a.regions].map(region).find((r) => r.g === 5 && r.type === "")!;
  assert.deepEqual(inherited.start, {
    timeNs: 30,
    g: 5,
    kind: "goroutine",
    from: GoState.NotExist,
    to: GoState.Runnable,
  });
  assert.deepEqual(inherited.end, {
    timeNs: 110,
    g: 5,
    kind: "goroutine",
    from: GoState.Running,
    to: GoState.NotExist,
  });
  assert.equal(inherited.frame?.func, "main.main");

  // Groups: by type, then the PC of the start stack's outermost frame.
  assert.deepEqual(
    a.regionGroups.map((g) => [g.type, g.frame.func, g.count]),
    [
      ["", "main.main", 1],
      ["inner", "main.worker", 1],
      ["open", "main.main", 1],
      ["orphan", "", 1],
      ["outer", "main.main", 1],
    ],
  );
  assert.deepEqual(
    a.taskTypes.map((t) => [t.type, t.count, t.histogram.count]),
    [
      ["", 2, 0],
      ["job", 1, 1],
    ],
  );
});
