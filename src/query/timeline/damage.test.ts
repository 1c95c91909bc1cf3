/**
 * A damaged trace: the timeline keeps what came before the damage, exactly
 * as the whole trace has it, and TraceInfo.damage says where it happened
 * and how much was lost.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { it } from "node:test";
import { fixturesDir, requirement } from "../../testing/corpus.js";
import { buildTimeline } from "./build.js";
import type { Engine } from "./engine.js";

const files = [
  "manygen-go1.26.trace",
  "flightrecorder-go1.25.trace",
  "io-go1.23.trace",
  "gc-go1.21.trace",
].map((f) => join(fixturesDir, f));

/** Slices that ended before `beforeNs`, as "P g start end". */
function endedSlices(engine: Engine, beforeNs: number): string[] {
  const x = engine.tl.exec;
  const out: string[] = [];
  for (let i = 0; i < x.length; i++) {
    if (x.endNs.get(i) >= beforeNs) continue;
    out.push(
      `P${x.p.get(i)} G${engine.tl.goroutines.id.get(x.g.get(i))} ${x.startNs.get(i)}-${x.endNs.get(i)}`,
    );
  }
  return out.sort();
}

it("a cut trace keeps what came before the cut and says what was lost", async (t) => {
  if (requirement(files.length > 0, "testdata/traces")) return t.skip();
  for (const file of files) {
    const bytes = readFileSync(file);
    const whole = await buildTimeline([bytes]);
    assert.equal(whole.engine.info().damage, undefined);
    let kept = 0;
    for (const fraction of [0.3, 0.6, 0.9]) {
      const cut = Math.floor(bytes.length * fraction);
      const broken = await buildTimeline([bytes.subarray(0, cut)], { totalBytes: bytes.length });
      const info = broken.engine.info();
      const name = `${basename(file)} cut at ${cut}`;
      assert.ok(info.damage, `${name}: no damage reported`);
      assert.ok(broken.error, `${name}: no error returned`);
      assert.ok(info.damage.offset <= cut, `${name}: damage at ${info.damage.offset}`);
      assert.ok(
        info.damage.lostBytes >= bytes.length - cut && info.damage.lostBytes <= bytes.length,
        `${name}: lost ${info.damage.lostBytes}`,
      );
      assert.ok(info.damage.message.length > 0);
      assert.ok(info.format.startsWith("go 1."), `${name}: format ${info.format}`);
      // Slices closed before the cut are the whole trace's, exactly (those open at the cut end there).
      const end = info.durationNs;
      const mine = endedSlices(broken.engine, end);
      const theirs = endedSlices(whole.engine, end);
      assert.deepEqual(mine, theirs, `${name}: slices before the cut`);
      kept += mine.length;
    }
    // Traces of several generations keep the complete ones before the cut.
    if (/manygen|flightrecorder/.test(file))
      assert.ok(kept > 0, `${basename(file)}: nothing kept before any cut`);
  }
});
