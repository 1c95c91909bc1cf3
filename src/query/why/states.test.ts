/**
 * Goroutine states read a piece at a time (LazyStates, what the walks use)
 * against the same goroutine's states read whole (goroutineStates, one
 * pass of the model's StateWalker over its life): the same intervals, the
 * same interval found for every time, and the same answers to every "why"
 * question, on fixtures of every format, on damaged (cut) traces, and with
 * pieces as small as one slice so that every piece boundary is crossed.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, it } from "node:test";
import { StateWalker } from "../../model/states.js";
import type { Timeline } from "../../model/timeline.js";
import { fixturesDir, goTracesDir, traceFiles } from "../../testing/corpus.js";
import { buildTimeline } from "../timeline/build.js";
import { WhyService } from "./service.js";
import { type GoroutineStates, goroutineStates, handleBase, LazyStates } from "./states.js";
import { StateCache, whyGoroutine } from "./walk.js";

const columns = ["state", "startNs", "endNs", "reason", "stack", "wokenBy", "wake", "wakeStack"] as const;

/** The interval of g going on just before t (start < t ≤ end), on whole states: the walk's wake-up lookup. */
function beforeWhole(s: GoroutineStates, t: number): number {
  // The last interval starting before t: starts increase through the whole states.
  let lo = -1;
  let hi = s.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (s.startNs[mid]! < t) lo = mid;
    else hi = mid;
  }
  return lo >= 0 && t <= s.endNs[lo]! ? lo : -1;
}

/** Times worth asking about on g: every interval's start, end and middle, and just around them. */
function timesOf(s: GoroutineStates): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const a = s.startNs[i]!;
    const b = s.endNs[i]!;
    out.push(a, b, a + (b - a) / 2, a - 0.5, b + 0.5);
  }
  return out;
}

/** Checks g's lazy states (pieces of `piece` slices) against its whole states; returns the intervals compared. */
function compareStates(tl: Timeline, walker: StateWalker, g: number, piece: number, times: number[]): number {
  const whole = goroutineStates(tl, walker, g);
  const lazy = new LazyStates(tl, walker, g, piece);
  // Handle → index in the whole states, by walking the pieces in order.
  const index = new Map<number, number>();
  let n = 0;
  for (let h = lazy.next(-1); h >= 0; h = lazy.next(h)) {
    const where = `G${tl.goroutines.id.get(g)} interval ${n} (pieces of ${piece})`;
    assert.ok(n < whole.length, `${where}: more intervals than the whole walk's ${whole.length}`);
    const p = lazy.piece(Math.floor(h / handleBase));
    for (const c of columns) assert.equal(p[c][h % handleBase], whole[c][n], `${where}: ${c}`);
    if (n > 0) assert.equal(index.get(lazy.prev(h)), n - 1, `${where}: prev`);
    index.set(h, n++);
  }
  assert.equal(n, whole.length, `G${tl.goroutines.id.get(g)}: interval count`);
  // A fresh LazyStates for the lookups, so that they read pieces in the order a question does.
  const fresh = new LazyStates(tl, walker, g, piece);
  const asIndex = (h: number) => (h < 0 ? -1 : index.get(h));
  for (const t of times) {
    assert.equal(asIndex(fresh.at(t)), whole.at(t), `G${tl.goroutines.id.get(g)} at ${t}`);
    assert.equal(asIndex(fresh.before(t)), beforeWhole(whole, t), `G${tl.goroutines.id.get(g)} before ${t}`);
  }
  return n;
}

/** A seeded generator (xorshift), so a failure repeats. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

async function timeline(bytes: Uint8Array): Promise<Timeline> {
  return (await buildTimeline([bytes])).engine.tl;
}

/** Every question about the trace, answered from whole states and from pieces of `piece` slices. */
function compareAnswers(tl: Timeline, piece: number, questions: [number, number | undefined][]): void {
  const whole = new WhyService(tl, 2 ** 31);
  const lazy = new WhyService(tl, piece);
  // Goroutine questions as the walk's chains (stack IDs, not frames: chains run to 10,000 steps);
  // the service turns a chain into its answer the same way whichever states it came from.
  const wholeCache = new StateCache(tl, 2 ** 31);
  const lazyCache = new StateCache(tl, piece);
  let steps = 0;
  for (const [id, at] of questions) {
    const g = tl.goroutineIndex(id);
    const chain = whyGoroutine(lazyCache, g, at);
    const got = JSON.stringify(chain);
    const want = JSON.stringify(whyGoroutine(wholeCache, g, at));
    if (got !== want) assert.deepEqual(JSON.parse(got), JSON.parse(want), `why G${id} at ${at}`);
    // Enough: a million steps compared (long chains on the stress traces).
    steps += chain?.steps.length ?? 0;
    if (steps > 1_000_000) break;
  }
  for (const [id, at] of questions.slice(0, 100)) {
    assert.deepEqual(lazy.goroutine(id, at), whole.goroutine(id, at), `why G${id} at ${at}`);
  }
  for (let i = 0; i < tl.tasks.length; i++) {
    const id = tl.tasks.id.get(i);
    assert.deepEqual(lazy.task(id), whole.task(id), `task ${id}`);
  }
  const types = new Set<string>();
  for (let i = 0; i < tl.regions.length; i++) types.add(tl.strings.get(tl.regions.name.get(i)));
  for (const type of types) assert.deepEqual(lazy.region(type), whole.region(type), `region ${type}`);
}

describe("goroutine states read a piece at a time equal those read whole", () => {
  const files = [
    ...traceFiles(fixturesDir, () => true).filter((f) =>
      /\/(sched|io|gc|annotations|syscalls|cgocallback|startstop|manygen|flightrecorder|whychain|whyfanout|whydiff|whydiff-slow)-go1\.(21|22|26)\.trace$/.test(
        f,
      ),
    ),
    // Older formats, from Go's own test data.
    ...["stress_1_5_good", "stress_1_11_good", "stress_start_stop_1_11_good", "http_1_19_good"].map((f) =>
      join(goTracesDir, "src/internal/trace/testdata", f),
    ),
  ];
  it("has fixtures", () => assert.ok(files.length >= 10, `${files.length} fixtures`));
  for (const file of files) {
    it(basename(file), async () => {
      const tl = await timeline(readFileSync(file));
      const walker = new StateWalker(tl);
      const questions: [number, number | undefined][] = [];
      let intervals = 0;
      for (let g = 0; g < tl.goroutines.length; g++) {
        const times = timesOf(goroutineStates(tl, walker, g));
        for (const piece of [1, 3]) intervals += compareStates(tl, walker, g, piece, times);
        const id = tl.goroutines.id.get(g);
        questions.push([id, undefined]);
        for (const t of times) questions.push([id, t]);
      }
      assert.ok(intervals > 0);
      // At most 3000 questions, spread over the goroutines and their lives (a chain may have 10,000 steps).
      const stride = Math.max(1, Math.floor(questions.length / 3000));
      const asked = questions.filter((_, k) => k % stride === 0);
      // In a seeded random order, so that a budget of steps still reaches every goroutine.
      const next = random(asked.length);
      for (let k = asked.length - 1; k > 0; k--) {
        const j = Math.floor(next() * (k + 1));
        [asked[k], asked[j]] = [asked[j]!, asked[k]!];
      }
      compareAnswers(tl, 1, asked);
      compareAnswers(
        tl,
        2,
        asked.filter((_, k) => k % 5 === 0),
      );
    });
  }

  // Cut traces keep their whole generations (older formats keep nothing): those with several.
  for (const [name, cut] of [
    ["manygen-go1.22.trace", 0.6],
    ["manygen-go1.26.trace", 0.6],
    ["manygen-go1.27.trace", 0.8],
    ["flightrecorder-go1.26.trace", 0.6],
    ["cpuhot-go1.26.trace", 0.8],
  ] as const) {
    it(`${name} cut at ${cut * 100}%, random goroutines and times`, async () => {
      const bytes = readFileSync(`${fixturesDir}/${name}`);
      const tl = await timeline(bytes.subarray(0, Math.floor(bytes.length * cut)));
      assert.ok(tl.goroutines.length > 0, "the cut trace keeps goroutines");
      const walker = new StateWalker(tl);
      const next = random(name.length * 7919);
      const questions: [number, number | undefined][] = [];
      for (let k = 0; k < 300; k++) {
        const g = Math.floor(next() * tl.goroutines.length);
        const t = Math.round(next() * tl.durationNs);
        compareStates(tl, walker, g, 1 + Math.floor(next() * 4), [t]);
        questions.push([tl.goroutines.id.get(g), t]);
      }
      compareAnswers(tl, 1, questions);
    });
  }
});
