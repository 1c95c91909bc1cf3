/** The GC, pause, heap and blocking lines of `gotrace stats`. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { it } from "node:test";
import { fixturesDir, repoRoot } from "../testing/corpus.js";
import { parseGoDuration } from "../testing/go-trace-pages.js";

const cli = join(repoRoot, "dist", "cli", "main.js");

it("stats shows GC cycles, pauses, heap and the top blocking reasons", () => {
  const r = spawnSync(process.execPath, [cli, "stats", join(fixturesDir, "gc-go1.26.trace")]);
  assert.equal(r.status, 0, r.stderr.toString());
  const out = r.stdout.toString();
  assert.match(out, /\nGC cycles: +19 \(marking [\d.]+(ms|s|µs) in total\)\n/);
  assert.match(out, /\nSTW pauses: +42 \([\d.]+ms in total, longest [\d.]+µs: GC sweep termination\)\n/);
  assert.match(out, /\nHeap: +peak [\d.]+ MiB in use, goal up to [\d.]+ MiB\n/);
  const blocked = out.split("\nBlocked: ")[1]!.trimEnd().split("\n").slice(2);
  assert.match(blocked[0]!, /^ {2}reason +total +avg +times$/);
  assert.equal(blocked.length, 1 + 5);
  assert.match(blocked[2]!, /^ {2}sync +[\d.]+ms +\d+\.\d +83$/);
  // Goroutines already blocked when first seen have time but no block events: said so, not "(0)".
  assert.match(blocked[1]!, /^ {2}\(already blocked when first seen\) +[\d.]+ms +\d+\.\d +-$/);
  assert.doesNotMatch(out, /no reason given/);
  // avg is the summed time over the trace's duration: goroutines blocked at a time.
  const durationNs = parseGoDuration(/\nDuration: +(\S+)\n/.exec(out)![1]!)!;
  for (const line of blocked.slice(1)) {
    const [, total, avg] = /(\S+) +(\d+\.\d) +\S+$/.exec(line)!;
    assert.equal(avg, (parseGoDuration(total!)! / durationNs).toFixed(1), line);
  }
  // The runtime's idle goroutines are left out.
  assert.doesNotMatch(out, /system goroutine wait/);
});

it("stats says that blocked time is summed over goroutines", () => {
  const r = spawnSync(process.execPath, [cli, "stats", join(fixturesDir, "gc-go1.21.trace")]);
  assert.equal(r.status, 0, r.stderr.toString());
  const out = r.stdout.toString();
  assert.match(out, /\nBlocked: +time blocked by reason, summed over all goroutines;/);
  // Go 1.21's generic blocks have no reason but do have events: counted, and named as such.
  assert.match(out, /\n {2}\(no reason given\) +[\d.]+ms +\d+\.\d +\d+\n/);
});
