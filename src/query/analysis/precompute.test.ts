/**
 * The background precompute (AnalysisService.precompute): once the model
 * is built and the host has been quiet a moment, every field is computed,
 * one per timer step, never while a question is being answered nor right
 * after a request; and the answers after it are those of the event
 * analyzers (the oracle model-service.test.ts holds the model to), on
 * fixtures with goroutines, regions, GC and CPU samples.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { drive } from "../../decode/drive.js";
import { TimelineBuilder } from "../../model/builder.js";
import { fixturesDir } from "../../testing/corpus.js";
import { allFields, type Field, type ModelInput } from "./fields.js";
import type { MMUQuery, ProfileKind } from "./protocol.js";
import { AnalysisService, bytesFeed, feedEnd, type PrecomputeOptions } from "./service.js";

async function model(bytes: Uint8Array): Promise<ModelInput> {
  const builder = new TimelineBuilder();
  let firstNs = Number.NaN;
  const run = await drive([bytes], (ev, r) => {
    if (builder.events === 0) firstNs = ev.time;
    builder.event(ev, r);
  });
  return { tl: builder.finalize(), firstNs, end: feedEnd(run) };
}

/**
 * A clock that only the precompute's sleeps move, and a log of what was
 * computed at each sleep. Each sleep also lets the event loop turn.
 */
function fakeTimers(service: AnalysisService) {
  let nowMs = 1000;
  const readyAtSleep: Field[][] = [];
  const sleeps: number[] = [];
  const options: PrecomputeOptions = {
    now: () => nowMs,
    quietMs: 50,
    sleep: async (ms) => {
      readyAtSleep.push(service.ready());
      sleeps.push(ms);
      nowMs += ms;
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
  return { options, readyAtSleep, sleeps, advance: (ms: number) => (nowMs += ms) };
}

const fixtures = ["annotations-go1.26.trace", "cpuhot-go1.26.trace", "gc-go1.26.trace", "sched-go1.21.trace"];

describe("analysis precompute", () => {
  for (const name of fixtures) {
    it(`${name}: every field computed, one per step, with the event analyzers' answers`, async () => {
      const bytes = readFileSync(`${fixturesDir}/${name}`);
      const m = await model(bytes);
      const service = new AnalysisService({ model: async () => m });
      const t = fakeTimers(service);
      assert.deepEqual(service.ready(), []);
      await service.precompute(t.options);
      assert.deepEqual(service.ready(), allFields);
      // A timer step before each computation, and at most one field more at each.
      for (let i = 1; i < t.readyAtSleep.length; i++)
        assert.ok(t.readyAtSleep[i]!.length - t.readyAtSleep[i - 1]!.length <= 1, `step ${i}`);
      assert.ok(t.readyAtSleep.length >= allFields.length);

      const events = new AnalysisService(bytesFeed(() => [bytes]));
      const same = async (what: string, ask: (s: AnalysisService) => Promise<unknown>) =>
        assert.deepEqual(
          JSON.parse(JSON.stringify(await ask(service))),
          JSON.parse(JSON.stringify(await ask(events))),
          what,
        );
      await same("overview", (s) => s.overview());
      await same("goroutines", (s) => s.goroutineGroups());
      await same("profile filters", (s) => s.profileFilters());
      await same("regions", (s) => s.regions());
      await same("sched latency", (s) => s.schedLatency());
      const o = await events.overview();
      const first = o.firstNs ?? 0;
      const d = (o.lastNs ?? 0) - first;
      for (const type of ["sync", "sched", "syscall", "cpu", "wall"] as ProfileKind[]) {
        await same(`${type} profile`, (s) => s.profile({ type }, 100_000));
        const range = { startNs: first + Math.floor(d / 2), endNs: first + d };
        await same(`${type} profile, second half`, (s) => s.profile({ type, ...range }, 100_000));
      }
      const mmu: MMUQuery = { include: ["stw", "sweep"], perProc: true, percentiles: true };
      await same("mmu", (s) => s.mmu(mmu));
    });
  }

  it("waits while a question is answered, and for a quiet moment after any request", async () => {
    const m = await model(readFileSync(`${fixturesDir}/sched-go1.26.trace`));
    const service = new AnalysisService({ model: async () => m });
    const t = fakeTimers(service);
    let answerNow: () => void = () => {};
    const question = service.asked(
      () =>
        new Promise<void>((resolve) => {
          answerNow = resolve;
        }),
    );
    const done = service.precompute(t.options);
    // However long the question takes, nothing is computed meanwhile.
    while (t.sleeps.length < 20) await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(service.ready(), []);
    answerNow();
    await question;
    const after = t.sleeps.length;
    while (service.ready().length === 0) await new Promise((resolve) => setImmediate(resolve));
    // It waited quietMs of the clock after the answer before the first field.
    assert.ok(t.sleeps.slice(after).reduce((a, b) => a + b, 0) >= 50);
    // A timeline request in between: the next field waits quietMs after it.
    service.noteActivity();
    const noted = t.sleeps.length;
    const had = service.ready().length;
    while (service.ready().length === had) await new Promise((resolve) => setImmediate(resolve));
    assert.ok(t.sleeps.slice(noted).reduce((a, b) => a + b, 0) >= 50);
    await done;
    assert.deepEqual(service.ready(), allFields);
  });

  it("a question for a field not computed yet is answered at once, before the precompute reaches it", async () => {
    const m = await model(readFileSync(`${fixturesDir}/sched-go1.26.trace`));
    const service = new AnalysisService({ model: async () => m });
    const t = fakeTimers(service);
    void service.precompute(t.options);
    const latency = await service.asked(() => service.schedLatency());
    assert.ok(latency.groups.length > 0);
    assert.ok(service.ready().includes("schedLatency"));
    assert.ok(!service.ready().includes("mmu"));
  });

  it("ends at once when the model fails", async () => {
    const service = new AnalysisService({ model: () => Promise.reject(new Error("no trace")) });
    const t = fakeTimers(service);
    await service.precompute(t.options);
    assert.deepEqual(service.ready(), []);
    assert.equal(t.sleeps.length, 0);
  });
});
