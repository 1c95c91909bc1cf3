/** The README's runnable example runs and says something true about the trace. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { it } from "node:test";
import { fixturesDir, repoRoot } from "./testing/corpus.js";

it("examples/goroutine-states.mjs runs on a fixture", () => {
  const r = spawnSync(process.execPath, [
    join(repoRoot, "examples", "goroutine-states.mjs"),
    join(fixturesDir, "sched-go1.26.trace"),
  ]);
  assert.equal(r.status, 0, r.stderr.toString());
  const out = r.stdout.toString();
  const counts = /transitions into each state: \{ (.*) \}/.exec(out)?.[1] ?? "";
  // The sched program's goroutines block on channels: that must show.
  assert.match(counts, /Waiting: \d+/);
  assert.match(out, /blocked \d+× \(.*chan (send|receive)/);
});
