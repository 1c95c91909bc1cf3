/**
 * The profiles' time-range filter (gotrace's own; go tool trace has none),
 * checked three ways on fixtures:
 *
 * - a range covering the whole trace gives exactly the unfiltered profile;
 * - the delays of consecutive ranges that tile the trace add up to it;
 * - any range agrees with a naive recomputation straight from the events:
 *   every interval a goroutine spends in the profile's state, clipped to
 *   [first run, end] and to the range, summed by stack.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { type BlockingType, blockingTypes, type ProfileRecord } from "../analysis/profile.js";
import { type Event, EventKind, GoState, ResourceKind, stackFrames } from "../decode/event.js";
import { readTrace } from "../decode/reader.js";
import { fixturesDir } from "../testing/corpus.js";
import { runAnalyzers } from "./analyzer.js";
import { BlockingProfileAnalyzer, type BlockingProfiles } from "./pprof.js";

const fixtures = ["sched-go1.26.trace", "annotations-go1.26.trace", "gc-go1.26.trace", "sched-go1.21.trace"];

function stackKey(frames: readonly { pc: number }[]): string {
  let n = frames.length;
  while (n > 0 && frames[n - 1]!.pc === 0) n--;
  return frames
    .slice(0, n)
    .map((f) => f.pc)
    .join(",");
}

/** Stack → delay, the records' view that the naive check can rebuild. */
function delays(records: readonly ProfileRecord[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of records) {
    const k = stackKey(r.stack);
    out.set(k, (out.get(k) ?? 0) + r.delayNs);
  }
  return out;
}

async function profiles(path: string): Promise<BlockingProfiles> {
  const a = new BlockingProfileAnalyzer({ regions: true });
  const run = await runAnalyzers([readFileSync(path)], [a]);
  assert.equal(run.error, undefined);
  return a.finalize();
}

interface Interval {
  g: number;
  type: BlockingType;
  startNs: number;
  endNs: number;
  stack: string;
}

/** Every profile interval of every goroutine, and each goroutine's [first run, end], from the events. */
async function naiveIntervals(path: string) {
  const intervals: Interval[] = [];
  const open = new Map<string, { startNs: number; stack: string }>();
  const firstRun = new Map<number, number>();
  const end = new Map<number, number>();
  const inProfile = (type: BlockingType, to: GoState, reason: string) =>
    type === "net"
      ? to === GoState.Waiting && reason === "network"
      : type === "sync"
        ? to === GoState.Waiting && /chan|sync|select/.test(reason)
        : type === "syscall"
          ? to === GoState.Syscall
          : to === GoState.Runnable;
  await readTrace([readFileSync(path)], (ev: Event) => {
    if (ev.kind !== EventKind.StateTransition) return;
    const st = ev.stateTransition();
    if (st.resource.kind !== ResourceKind.Goroutine || st.from === st.to) return;
    const g = st.resource.id;
    if (st.to === GoState.Running && !firstRun.has(g)) firstRun.set(g, ev.time);
    if (st.to === GoState.NotExist || (st.to === GoState.Waiting && st.reason === "forever"))
      end.set(g, ev.time);
    for (const type of blockingTypes) {
      const key = `${g}/${type}`;
      const o = open.get(key);
      const isIn = inProfile(type, st.to as GoState, st.reason);
      if (o && !isIn) {
        intervals.push({ g, type, startNs: o.startNs, endNs: ev.time, stack: o.stack });
        open.delete(key);
      } else if (!o && isIn) {
        open.set(key, { startNs: ev.time, stack: stackKey(stackFrames(ev.stack())) });
      }
    }
  });
  return { intervals, firstRun, end };
}

function naiveDelays(
  n: Awaited<ReturnType<typeof naiveIntervals>>,
  type: BlockingType,
  lo: number,
  hi: number,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const iv of n.intervals) {
    if (iv.type !== type) continue;
    const from = Math.max(iv.startNs, n.firstRun.get(iv.g) ?? Number.NEGATIVE_INFINITY, lo);
    const to = Math.min(iv.endNs, n.end.get(iv.g) ?? Number.POSITIVE_INFINITY, hi);
    if (to > from) out.set(iv.stack, (out.get(iv.stack) ?? 0) + to - from);
  }
  return out;
}

/** Records in a fixed order: equal delays and counts may come in either order. */
function canonical(records: readonly ProfileRecord[]): string[] {
  return records.map((r) => JSON.stringify(r)).sort();
}

function sorted(m: Map<string, number>): [string, number][] {
  return [...m].sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

describe("profile time ranges", () => {
  for (const name of fixtures) {
    const path = join(fixturesDir, name);
    it(`${name}: the whole trace as a range is the unfiltered profile`, async () => {
      const p = await profiles(path);
      for (const type of blockingTypes) {
        const whole = p.records(type, { range: { startNs: p.firstNs, endNs: p.endNs } });
        assert.deepEqual(canonical(whole), canonical(p.records(type)), type);
      }
    });

    it(`${name}: ranges that tile the trace add up to it`, async () => {
      const p = await profiles(path);
      const cuts = 7;
      const step = Math.ceil((p.endNs - p.firstNs) / cuts);
      for (const type of blockingTypes) {
        const sum = new Map<string, number>();
        for (let i = 0; i < cuts; i++) {
          const range = { startNs: p.firstNs + i * step, endNs: p.firstNs + (i + 1) * step };
          for (const [k, v] of delays(p.records(type, { range }))) sum.set(k, (sum.get(k) ?? 0) + v);
        }
        assert.deepEqual(sorted(sum), sorted(delays(p.records(type))), type);
      }
    });

    it(`${name}: a range agrees with a naive count from the events`, async () => {
      const p = await profiles(path);
      const naive = await naiveIntervals(path);
      const span = p.endNs - p.firstNs;
      const ranges: [number, number][] = [
        [p.firstNs, p.endNs],
        [p.firstNs + Math.floor(span / 3), p.firstNs + Math.floor((2 * span) / 3)],
        [p.firstNs + Math.floor(span / 10), p.firstNs + Math.floor(span / 7) * 3],
      ];
      let nonEmpty = 0;
      for (const type of blockingTypes) {
        for (const [lo, hi] of ranges) {
          const got = delays(p.records(type, { range: { startNs: lo, endNs: hi } }));
          assert.deepEqual(sorted(got), sorted(naiveDelays(naive, type, lo, hi)), `${type} [${lo}, ${hi}]`);
          if (got.size > 0) nonEmpty++;
        }
      }
      assert.ok(nonEmpty > 0, "some range has samples");
    });
  }

  it("combines with a goroutine group", async () => {
    const p = await profiles(join(fixturesDir, "sched-go1.26.trace"));
    const group = [...p.groups().keys()].find((g) => g.startsWith("main."))!;
    const range = { startNs: p.firstNs, endNs: p.endNs };
    assert.deepEqual(
      canonical(p.records("sched", { group, range })),
      canonical(p.records("sched", { group })),
    );
    assert.deepEqual(p.records("sched", { group, range: { startNs: p.endNs + 1, endNs: p.endNs + 2 } }), []);
  });
});
