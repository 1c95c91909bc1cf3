/** The diff's own rules: where a stack blocked, and how rows are ranked. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { blockingSite, diffSides, isRuntimeGoroutine } from "./diff.js";

describe("diff", () => {
  it("names the innermost frame outside the standard library as where a stack blocked", () => {
    const f = (...funcs: string[]) => funcs.map((func) => ({ func }));
    assert.equal(
      blockingSite(f("runtime.gopark", "sync.(*Mutex).Lock", "main.lookup", "main.main")),
      "main.lookup",
    );
    assert.equal(
      blockingSite(f("internal/sync.(*Mutex).lockSlow", "example.com/x/y.(*T).Get", "main.main")),
      "example.com/x/y.(*T).Get",
    );
    assert.equal(blockingSite(f("runtime.chanrecv1", "net/http.(*conn).serve")), "runtime.chanrecv1");
    assert.equal(blockingSite([]), "(no stack)");
  });

  it("leaves the runtime's own goroutines out, but not runtime.main", () => {
    assert.ok(isRuntimeGoroutine("runtime.bgsweep"));
    assert.ok(isRuntimeGoroutine("runtime/trace.(*traceMultiplexer).startLocked.func1"));
    assert.ok(!isRuntimeGoroutine("runtime.main"));
    assert.ok(!isRuntimeGoroutine("main.worker"));
  });

  it("ranks time changes by size across tables, ties to the more specific table, and drops unchanged zeros", () => {
    type Side = Parameters<typeof diffSides>[0];
    const side = (rows: [string, string, string, "ns" | "count", number][]): Side => {
      const m: Side = new Map();
      for (const [table, key, metric, unit, value] of rows) {
        const t = m.get(table as never) ?? new Map();
        t.set(`${key}\0${metric}`, { key, metric, unit, value });
        m.set(table as never, t);
      }
      return m;
    };
    const a = side([
      ["goroutines", "main.w", "blocked: sync", "ns", 10],
      ["profiles", "main.f", "sync delay", "ns", 10],
      ["tasks", "req", "p50", "ns", 5],
      ["tasks", "req", "count", "count", 3],
      ["gc", "GC", "cycles", "count", 0],
    ]);
    const b = side([
      ["goroutines", "main.w", "blocked: sync", "ns", 110],
      ["profiles", "main.f", "sync delay", "ns", 110],
      ["tasks", "req", "p50", "ns", 2],
      ["tasks", "req", "count", "count", 900],
      ["sched", "all goroutines", "p99", "ns", 50],
    ]);
    const d = diffSides(a, b);
    assert.deepEqual(
      d.top.map((r) => [r.table, r.key, r.metric, r.delta]),
      [
        ["profiles", "main.f", "sync delay", 100],
        ["goroutines", "main.w", "blocked: sync", 100],
        ["sched", "all goroutines", "p99", 50],
        ["tasks", "req", "p50", -3],
      ],
    );
    const tasks = d.tables.find((t) => t.table === "tasks")!.rows;
    // Time first, then counts, whatever their size.
    assert.deepEqual(
      tasks.map((r) => r.metric),
      ["p50", "count"],
    );
    assert.equal(d.tables.find((t) => t.table === "gc")!.rows.length, 0, "0 → absent is no row");
    assert.equal(d.tables.find((t) => t.table === "sched")!.rows[0]!.ratio, null, "new: no ratio");
  });
});
