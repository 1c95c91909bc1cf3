/**
 * Invariants of the timeline on every fixture and every wild trace, old
 * and new: slices on one P (and one thread) never overlap and lie inside
 * the trace; counters never go negative; a goroutine's state segments
 * cover its life exactly; merged windows stay within one item per pixel
 * per lane, and their counts and busy times equal the raw items they
 * stand for; a window at full resolution is the raw items.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { describe, it } from "node:test";
import { fixturesDir, requirement, traceFiles, wildOnly, wildTraces } from "../../testing/corpus.js";
import { buildTimeline } from "./build.js";
import type { Engine } from "./engine.js";
import { goroutineSegments } from "./goroutine-lanes.js";
import { firstVisible } from "./lod.js";
import { viewKinds } from "./protocol.js";

const fixtures = traceFiles(fixturesDir, () => true);
const wild = wildTraces();

async function build(file: string): Promise<Engine> {
  const { engine } = await buildTimeline([readFileSync(file)]);
  return engine;
}

function checkTimeline(engine: Engine, name: string): void {
  const tl = engine.tl;
  const info = engine.info();
  const dur = info.durationNs;
  const x = tl.exec;
  for (let i = 0; i < x.length; i++) {
    const s = x.startNs.get(i);
    assert.ok(
      s >= 0 && s <= x.endNs.get(i) && x.endNs.get(i) <= x.threadEnd(i) && x.threadEnd(i) <= dur,
      `${name}: slice ${i} [${s}, ${x.endNs.get(i)}] outside [0, ${dur}]`,
    );
  }
  for (const view of viewKinds) {
    for (const spec of engine.viewRows(view).specs) {
      for (const lane of engine.lanes(spec)) {
        for (let k = 0; k < lane.n; k++) {
          assert.ok(
            lane.start(k) >= 0 && lane.end(k) <= dur && lane.start(k) <= lane.end(k),
            `${name} ${view} ${spec.row.label}: item ${k} outside the trace`,
          );
          if (k > 0 && spec.row.label !== "Tasks")
            assert.ok(
              lane.end(k - 1) <= lane.start(k),
              `${name} ${view} ${spec.row.label} depth ${lane.depth}: items ${k - 1} and ${k} overlap`,
            );
        }
      }
      if (spec.counter) {
        for (const s of spec.counter.samples()) {
          for (const v of s.values)
            assert.ok(v >= 0, `${name}: ${spec.row.label} counter negative at ${s.timeNs}`);
        }
      }
    }
  }
  for (let g = 0; g < tl.goroutines.length; g++) {
    // Segments follow each other without gaps, except after the goroutine
    // ended and its ID was used again (cgo callbacks), from creation to end.
    let at = Number.NaN;
    let first = Number.NaN;
    let ended = false;
    goroutineSegments(tl, g, (s) => {
      if (Number.isNaN(first)) first = s.startNs;
      else if (ended)
        assert.ok(s.startNs >= at, `${name}: G${tl.goroutines.id.get(g)} lives again before it ended`);
      else assert.equal(s.startNs, at, `${name}: G${tl.goroutines.id.get(g)} has a gap or overlap at ${at}`);
      at = s.endNs;
      ended = s.exec >= 0 && s.part === 0 && tl.strings.get(x.endState.get(s.exec)) === "ended";
    });
    const end = Number.isNaN(tl.goroutines.endNs.get(g)) ? dur : tl.goroutines.endNs.get(g);
    if (Number.isNaN(first)) continue;
    assert.equal(
      first,
      Math.min(tl.goroutines.createdNs.get(g), end),
      `${name}: G${tl.goroutines.id.get(g)} begins before its creation`,
    );
    assert.equal(
      at,
      end,
      `${name}: G${tl.goroutines.id.get(g)}'s segments end at ${at}, not at its end ${end}`,
    );
  }
}

/** Merged windows against the raw lanes they come from. */
function checkWindows(engine: Engine, name: string): void {
  const dur = engine.info().durationNs;
  if (dur <= 0) return;
  for (const view of viewKinds) {
    const rows = engine.viewRows(view);
    const rowTo = Math.min(rows.specs.length, 200);
    for (const [startNs, endNs, widthPx] of [
      [0, dur, 500],
      [dur * 0.3, dur * 0.35, 700],
      [0, dur, 3],
    ] as const) {
      const w = engine.window({ view, startNs, endNs, widthPx, rowFrom: 0, rowTo, flows: true });
      for (const cols of w.slices) {
        const lanes = engine.lanes(rows.specs[cols.row]!);
        for (const lane of lanes) {
          const mine = cols.depth.map((d, i) => (d === lane.depth ? i : -1)).filter((i) => i >= 0);
          assert.ok(
            mine.length <= widthPx,
            `${name} ${view} row ${cols.row}: ${mine.length} items for ${widthPx} px`,
          );
          let count = 0;
          let busy = 0;
          for (let k = firstVisible(lane, startNs); k < lane.n && lane.start(k) < endNs; k++) {
            count++;
            busy += lane.end(k) - lane.start(k);
          }
          assert.equal(
            mine.reduce((a, i) => a + cols.count[i]!, 0),
            count,
            `${name} ${view} row ${cols.row}: counts`,
          );
          assert.equal(
            mine.reduce((a, i) => a + cols.busyNs[i]!, 0),
            busy,
            `${name} ${view} row ${cols.row}: busy time`,
          );
          for (const i of mine) {
            if (cols.count[i] === 1) assert.ok(cols.id[i]! >= 0 && cols.label[i]! < w.labels.length);
            else assert.equal(cols.id[i], -1);
          }
        }
      }
      for (const c of w.counters) {
        assert.ok(
          c.timeNs.length <= widthPx + 1,
          `${name}: counter row ${c.row} has ${c.timeNs.length} samples for ${widthPx} px`,
        );
        for (const series of c.values) for (const v of series) assert.ok(v >= 0);
      }
      for (const m of w.marks) assert.ok(m.timeNs.length <= widthPx);
      assert.ok(w.flows.length <= 2000);
      for (const f of w.flows)
        assert.ok(
          f.fromRow >= 0 && f.fromRow < rows.specs.length && f.toNs >= f.fromNs - 1,
          `${name}: flow ${JSON.stringify(f)}`,
        );
    }
    // Full resolution: half a nanosecond per pixel over a short span shows each raw item alone.
    const span = Math.min(dur, 20_000);
    const startNs = Math.floor(dur / 2);
    const w = engine.window({ view, startNs, endNs: startNs + span, widthPx: span * 2, rowFrom: 0, rowTo });
    for (const cols of w.slices) {
      for (const lane of engine.lanes(rows.specs[cols.row]!)) {
        const raw: string[] = [];
        for (let k = firstVisible(lane, startNs); k < lane.n && lane.start(k) < startNs + span; k++)
          if (lane.end(k) > lane.start(k)) raw.push(`${lane.id(k)}@${lane.start(k)}-${lane.end(k)}`);
        const got: string[] = [];
        cols.depth.forEach((d, i) => {
          if (d === lane.depth && cols.endNs[i]! > cols.startNs[i]!)
            got.push(`${cols.id[i]}@${cols.startNs[i]}-${cols.endNs[i]}`);
        });
        assert.deepEqual(got, raw, `${name} ${view} row ${cols.row} at full resolution`);
      }
    }
  }
}

describe("timeline invariants", () => {
  it("hold on every fixture", async (t) => {
    if (requirement(fixtures.length > 0, "testdata/traces")) return t.skip();
    for (const file of fixtures) {
      const engine = await build(file);
      checkTimeline(engine, basename(file));
      checkWindows(engine, basename(file));
    }
  });

  it("hold on every wild trace", { skip: wildOnly() }, async () => {
    assert.ok(wild.length > 0, "no wild traces");
    for (const file of wild) {
      const engine = await build(file);
      checkTimeline(engine, basename(file));
      checkWindows(engine, basename(file));
    }
  });
});
