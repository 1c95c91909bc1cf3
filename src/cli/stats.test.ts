/** The GC, pause, heap and blocking lines of `gotrace stats`. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { it } from "node:test";
import { fixturesDir, repoRoot } from "../testing/corpus.js";

const cli = join(repoRoot, "dist", "cli", "main.js");

it("stats shows GC cycles, pauses, heap and the top blocking reasons", () => {
  const r = spawnSync(process.execPath, [cli, "stats", join(fixturesDir, "gc-go1.26.trace")]);
  assert.equal(r.status, 0, r.stderr.toString());
  const out = r.stdout.toString();
  assert.match(out, /\nGC cycles: +19 \(marking [\d.]+(ms|s|µs) in total\)\n/);
  assert.match(out, /\nSTW pauses: +42 \([\d.]+ms in total, longest [\d.]+µs: GC sweep termination\)\n/);
  assert.match(out, /\nHeap: +peak [\d.]+ MiB in use, goal up to [\d.]+ MiB\n/);
  const blocked = out.split("\nBlocked: ")[1]!.trimEnd().split("\n").slice(1);
  assert.equal(blocked.length, 5);
  assert.match(blocked[1]!, /^ {2}sync +[\d.]+ms +\(83\)$/);
  // The runtime's idle goroutines are left out.
  assert.doesNotMatch(out, /system goroutine wait/);
});
