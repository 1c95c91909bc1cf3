/**
 * The wake-up walk on fixtures with known causal chains, checked against
 * Go's own reading of the same traces (`go tool trace -d=parsed`): the
 * chain's goroutines, states, reasons, times and wakers are those of Go's
 * events; and, on every fixture, the consistency rules of any chain.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { StateKind, StateWalker } from "../../model/states.js";
import { MarkKind } from "../../model/tables.js";
import type { Timeline } from "../../model/timeline.js";
import { fixturesDir, goParsed, haveGo, requirement, traceFiles } from "../../testing/corpus.js";
import { buildTimeline } from "../timeline/build.js";
import type { CriticalPathResponse, WhyChainResponse, WhyStep } from "./protocol.js";
import { WhyService } from "./service.js";
import { goroutineStates } from "./states.js";
import { StateCache, walk } from "./walk.js";

const chainTrace = join(fixturesDir, "whychain-go1.26.trace");
const fanoutTrace = join(fixturesDir, "whyfanout-go1.26.trace");

async function timeline(path: string): Promise<Timeline> {
  return (await buildTimeline([readFileSync(path)])).engine.tl;
}

/** Goroutine IDs by the message they logged under `category`. */
function byLog(tl: Timeline, category: string): Map<string, number> {
  const out = new Map<string, number>();
  const m = tl.marks;
  for (let i = 0; i < m.length; i++) {
    if (m.kind.get(i) !== MarkKind.Log) continue;
    const text = tl.strings.get(m.label.get(i));
    const prefix = `[${category}] `;
    if (text.startsWith(prefix)) out.set(text.slice(prefix.length), tl.goroutines.id.get(m.g.get(i)));
    else if (text === category) out.set("", tl.goroutines.id.get(m.g.get(i)));
  }
  return out;
}

/** Go's transitions of each goroutine: time (since the first event), from, to, reason, and the event's goroutine. */
interface GoTransition {
  t: number;
  from: string;
  to: string;
  reason: string;
  by: number;
}
async function goTransitions(path: string): Promise<Map<number, GoTransition[]>> {
  const r = await goParsed(path);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.toString().split("\n");
  const origin = Number(/Time=(\d+)/.exec(lines[0]!)![1]);
  const out = new Map<number, GoTransition[]>();
  for (const line of lines) {
    const m = / G=(-?\d+) StateTransition Time=(\d+) GoID=(\d+) (\w+)->(\w+) Reason="([^"]*)"/.exec(line);
    if (!m) continue;
    const id = Number(m[3]);
    const list = out.get(id) ?? [];
    list.push({ t: Number(m[2]) - origin, from: m[4]!, to: m[5]!, reason: m[6]!, by: Number(m[1]) });
    out.set(id, list);
  }
  return out;
}

/** The last transition of g before (or at) t that matches. */
function lastBefore(list: GoTransition[], t: number, from: string, to: string): GoTransition {
  const hit = list.filter((x) => x.t <= t && x.from === from && x.to === to).pop();
  assert.ok(hit, `no ${from}->${to} before ${t}`);
  return hit;
}

/**
 * A chain's consistency: each step inside its goroutine's life; each step
 * ends where the one before began, except that a wait a goroutine ended is
 * followed by that goroutine's step ending at the wake-up.
 */
function checkConsistent(tl: Timeline, steps: readonly WhyStep[], what: string): void {
  for (const [k, s] of steps.entries()) {
    const g = tl.goroutineIndex(s.goroutine);
    assert.ok(g >= 0, what);
    assert.ok(s.startNs <= s.endNs, `${what}: step ${k} runs backwards`);
    assert.ok(
      s.startNs >= tl.goroutines.createdNs.get(g),
      `${what}: step ${k} before G${s.goroutine} existed`,
    );
    assert.ok(s.endNs <= tl.lifeEndNs(g), `${what}: step ${k} after G${s.goroutine} ended`);
    if (k === 0) continue;
    const prev = steps[k - 1]!;
    const handoff = prev.goroutine !== s.goroutine;
    if (handoff && prev.state === "waiting") {
      assert.equal(prev.wokenBy, s.goroutine, `${what}: step ${k} is not the waker of step ${k - 1}`);
      assert.equal(s.endNs, prev.endNs, `${what}: the waker's step ${k} does not end at the wake-up`);
    } else if (handoff) {
      assert.equal(
        prev.wake,
        "created",
        `${what}: step ${k} changes goroutine without a wake-up or creation`,
      );
      assert.equal(prev.wokenBy, s.goroutine, what);
      assert.equal(s.endNs, prev.startNs, `${what}: the creator's step ${k} does not end at the creation`);
    } else assert.equal(s.endNs, prev.startNs, `${what}: steps ${k} and ${k - 1} are not contiguous`);
  }
}

describe("why: the wake-up chain of whychain (A ← B ← C's sleep)", {
  skip: requirement(existsSync(chainTrace), "testdata/traces") ?? requirement(haveGo(), "go"),
}, () => {
  it("follows A's channel wait to B, B's mutex wait to C, and ends at C's timer, as Go's events say", async () => {
    const tl = await timeline(chainTrace);
    const role = byLog(tl, "role");
    const [A, B, C] = ["A", "B", "C"].map((r) => role.get(r)!);
    assert.ok(A && B && C, "each role logged once");
    const go = await goTransitions(chainTrace);
    const ga = go.get(A)!;
    const gb = go.get(B)!;
    const gc = go.get(C)!;
    // From Go's events: A's wait and who ended it, then B's and C's states before each wake-up.
    const aBlock = ga.find((x) => x.to === "Waiting")!;
    const aWake = ga.find((x) => x.from === "Waiting")!;
    assert.equal(aBlock.reason, "chan receive");
    assert.equal(aWake.by, B, "Go says B woke A");
    const bRun = lastBefore(gb, aWake.t, "Runnable", "Running");
    const bReady = lastBefore(gb, bRun.t, "Waiting", "Runnable");
    const bBlock = lastBefore(gb, bReady.t, "Running", "Waiting");
    assert.equal(bReady.by, C, "Go says C woke B");
    const cRun = lastBefore(gc, bReady.t, "Runnable", "Running");
    const cReady = lastBefore(gc, cRun.t, "Waiting", "Runnable");
    const cBlock = lastBefore(gc, cReady.t, "Running", "Waiting");
    const expected = [
      [A, "waiting", "chan receive", aBlock.t, aWake.t, B, "goroutine"],
      [B, "running", "", bRun.t, aWake.t, null, null],
      [B, "runnable", "", bReady.t, bRun.t, null, null],
      [B, "waiting", bBlock.reason, bBlock.t, bReady.t, C, "goroutine"],
      [C, "running", "", cRun.t, bReady.t, null, null],
      [C, "runnable", "", cReady.t, cRun.t, null, null],
      [C, "waiting", "sleep", cBlock.t, cReady.t, null, "timer"],
    ];

    const why = new WhyService(tl).goroutine(A) as WhyChainResponse;
    assert.ok(!("error" in why));
    assert.deepEqual(
      why.steps.map((s) => [s.goroutine, s.state, s.reason, s.startNs, s.endNs, s.wokenBy, s.wake]),
      expected,
    );
    assert.equal(why.root, "timer");
    assert.equal(bBlock.reason, "sync", "B waited on the mutex");
    // The program's durations: C sleeps 20 ms; B waits for C's mutex about as long; A starts 2 ms later.
    const d = (s: WhyStep) => (s.endNs - s.startNs) / 1e6;
    assert.ok(d(why.steps[6]!) >= 20 && d(why.steps[6]!) < 30, `C slept ${d(why.steps[6]!)} ms`);
    assert.ok(d(why.steps[3]!) >= 18 && d(why.steps[3]!) < 30, `B waited ${d(why.steps[3]!)} ms`);
    assert.ok(d(why.steps[0]!) >= 15 && d(why.steps[0]!) < 28, `A waited ${d(why.steps[0]!)} ms`);
    checkConsistent(tl, why.steps, "A");

    // --at inside A's wait names the same wait.
    const at = new WhyService(tl).goroutine(A, aBlock.t + 1000) as WhyChainResponse;
    assert.deepEqual(at.steps, why.steps);
  });

  it('splits region "wait" on A into time on C\'s sleep, and a little running and runnable', async () => {
    const tl = await timeline(chainTrace);
    const role = byLog(tl, "role");
    const p = new WhyService(tl).region("wait") as CriticalPathResponse;
    assert.ok(!("error" in p));
    assert.equal(p.goroutine, role.get("A"));
    const sum = p.breakdown.reduce((n, s) => n + s.ns, 0);
    assert.ok(Math.abs(sum - p.durNs) < 1, `the shares add up to the region: ${sum} vs ${p.durNs}`);
    const top = p.breakdown[0]!;
    assert.deepEqual(
      [top.category, top.goroutine, top.reason, top.member],
      ["waiting", role.get("C"), "sleep", false],
    );
    assert.ok(top.percent > 95, `C's sleep is ${top.percent}% of the wait`);
  });
});

describe("why: the critical path of whyfanout's request (one worker starved of Ps)", {
  skip: requirement(existsSync(fanoutTrace), "testdata/traces") ?? requirement(haveGo(), "go"),
}, () => {
  it("runs through worker 2, whose runnable time (as Go's events give it) dominates", async () => {
    const tl = await timeline(fanoutTrace);
    const worker = byLog(tl, "worker");
    const slow = worker.get("2")!;
    const p = new WhyService(tl).taskType("request") as CriticalPathResponse;
    assert.ok(!("error" in p));
    const sum = p.breakdown.reduce((n, s) => n + s.ns, 0);
    assert.ok(Math.abs(sum - p.durNs) < 1, `the shares add up to the task: ${sum} vs ${p.durNs}`);
    assert.ok(p.members.includes(slow));
    const top = p.breakdown[0]!;
    assert.deepEqual([top.category, top.goroutine], ["runnable", slow]);
    const exec = p.breakdown.find((s) => s.category === "executing" && s.goroutine === slow)!;
    assert.ok(top.ns > exec.ns, "runnable beats executing for the slow worker");
    assert.ok(top.percent > 50, `runnable is ${top.percent}% of the task`);
    // Go's events: every Runnable interval of worker 2 before it woke the request's goroutine.
    const go = (await goTransitions(fanoutTrace)).get(slow)!;
    const wake = p.steps.find((s) => s.state === "waiting" && s.wokenBy === slow)!;
    let runnable = 0;
    let since = -1;
    for (const x of go) {
      if (x.to === "Runnable") since = x.t;
      if (x.from === "Runnable" && since >= 0 && x.t <= wake.endNs) runnable += x.t - since;
    }
    assert.equal(top.ns, runnable);
    checkConsistent(tl, p.steps, "request");
  });
});

describe("why: every chain is consistent with the model", {
  skip: requirement(existsSync(chainTrace), "testdata/traces"),
}, () => {
  const files = traceFiles(fixturesDir, () => true).filter((f) =>
    /\/(sched|io|gc|annotations|syscalls|startstop|manygen|flightrecorder|whychain|whyfanout|whydiff)-go1\.(21|22|26)\.trace$/.test(
      f,
    ),
  );
  for (const file of files) {
    it(file.slice(fixturesDir.length + 1), async () => {
      const tl = await timeline(file);
      const cache = new StateCache(tl);
      const service = new WhyService(tl);
      let chains = 0;
      const walker = new StateWalker(tl);
      for (let g = 0; g < tl.goroutines.length; g++) {
        const s = goroutineStates(tl, walker, g);
        // States are contiguous within a life and inside it.
        for (let i = 0; i < s.length; i++) {
          assert.ok(s.startNs[i]! <= s.endNs[i]!);
          assert.ok(s.startNs[i]! >= tl.goroutines.createdNs.get(g) && s.endNs[i]! <= tl.lifeEndNs(g));
          if (i > 0)
            assert.ok(s.startNs[i]! >= s.endNs[i - 1]!, `G${tl.goroutines.id.get(g)} overlaps itself`);
        }
        // A chain from every wait.
        for (let i = 0; i < s.length; i++) {
          if (s.state[i] !== StateKind.Waiting) continue;
          const c = walk(cache, g, i, s.startNs[i]!);
          const json = service.goroutine(
            tl.goroutines.id.get(g),
            s.startNs[i]! + (s.endNs[i]! - s.startNs[i]!) / 2,
          );
          assert.ok(!("error" in json));
          assert.equal(json.steps.length, c.steps.length);
          checkConsistent(tl, json.steps, `${file} G${tl.goroutines.id.get(g)} wait ${i}`);
          chains++;
        }
      }
      assert.ok(chains > 0, "some goroutine waited");
      // Every task's and region's critical path: consistent, its shares adding up to its duration.
      const t = tl.tasks;
      for (let i = 0; i < t.length; i++) {
        const p = service.task(t.id.get(i));
        if ("error" in p) continue;
        const sum = p.breakdown.reduce((n, x) => n + x.ns, 0);
        assert.ok(
          Math.abs(sum - p.durNs) < 1e-3 * Math.max(1, p.durNs),
          `task ${p.task}: ${sum} of ${p.durNs}`,
        );
        checkConsistent(tl, p.steps, `${file} task ${p.task}`);
      }
      const types = new Set<number>();
      for (let i = 0; i < tl.regions.length; i++) types.add(tl.regions.name.get(i));
      for (const type of types) {
        const p = service.region(tl.strings.get(type));
        if ("error" in p) continue;
        const sum = p.breakdown.reduce((n, x) => n + x.ns, 0);
        assert.ok(
          Math.abs(sum - p.durNs) < 1e-3 * Math.max(1, p.durNs),
          `region ${p.type}: ${sum} of ${p.durNs}`,
        );
        checkConsistent(tl, p.steps, `${file} region ${p.type}`);
      }
    });
  }
});
