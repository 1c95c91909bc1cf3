/**
 * The analysis service answers the same from the model as from the event
 * analyzers. A service given the timeline (fields.ts: each field with a
 * function of the model comes from it, the rest from the events) and one
 * given only the events (every field from the analyzers, which
 * service.test.ts holds to the CLI and pprof.test.ts, goroutines.test.ts,
 * … to go tool trace) answer every page's question alike, as JSON, or fail
 * with the same message: on every fixture (every format), on cut copies
 * (damaged traces), and on the wild corpus when it is there. The profiles
 * are asked whole, per goroutine group, for one goroutine, for two time
 * ranges, per region type with and without a range; the MMU with the
 * default and another choice of GC work, per P.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { describe, it } from "node:test";
import { drive } from "../../decode/drive.js";
import { TraceError } from "../../decode/errors.js";
import { TimelineBuilder } from "../../model/builder.js";
import { fixturesDir, traceFiles, wildOnly, wildTraces } from "../../testing/corpus.js";
import { eventFields, type ModelInput } from "./fields.js";
import type { MMUQuery, ProfileKind, ProfileQuery } from "./protocol.js";
import { AnalysisService, bytesFeed, feedEnd } from "./service.js";

/** The timeline as the engine builds it, with how its read ended; undefined when nothing is readable. */
async function model(bytes: Uint8Array): Promise<ModelInput | undefined> {
  const builder = new TimelineBuilder();
  let firstNs = Number.NaN;
  let run: Awaited<ReturnType<typeof drive>>;
  try {
    run = await drive([bytes], (ev, r) => {
      if (builder.events === 0) firstNs = ev.time;
      builder.event(ev, r);
    });
  } catch (e) {
    if (!(e instanceof TraceError)) throw e;
    return undefined;
  }
  return { tl: builder.finalize(), firstNs, end: feedEnd(run) };
}

/** An answer as the page gets it, or the message it fails with. */
async function outcome(ask: () => Promise<unknown>): Promise<unknown> {
  try {
    return JSON.parse(JSON.stringify((await ask()) ?? null));
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
}

/** Asks both services every question; returns how many profile records were compared. */
async function compare(bytes: Uint8Array): Promise<number> {
  const events = new AnalysisService(bytesFeed(() => [bytes]));
  const m = await model(bytes);
  if (!m) {
    // Nothing readable: the event pass fails with the reader's error too.
    await assert.rejects(events.overview(), TraceError);
    return 0;
  }
  const fromModel = new AnalysisService({ model: async () => m, feed: bytesFeed(() => [bytes]) });
  const same = async (what: string, ask: (s: AnalysisService) => Promise<unknown>) => {
    const want = await outcome(() => ask(events));
    assert.deepEqual(await outcome(() => ask(fromModel)), want, what);
    return want;
  };

  const overview = (await same("overview", (s) => s.overview())) as { firstNs?: number; lastNs?: number };
  const groups = (await same("goroutines", (s) => s.goroutineGroups())) as { groups?: { name: string }[] };
  for (const g of groups.groups ?? []) await same(`group ${g.name}`, (s) => s.goroutineGroup(g.name));
  const filters = (await same("profile filters", (s) => s.profileFilters())) as {
    regionTypes?: string[];
  };
  await same("tasks", (s) => s.tasks());
  const regions = (await same("regions", (s) => s.regions())) as {
    groups?: { type: string; frame: { pc: number } }[];
  };
  for (const r of regions.groups ?? []) {
    await same(`region list ${r.type}`, (s) => s.regionList(r.type, r.frame.pc, undefined));
    await same(`task list ${r.type}`, (s) => s.taskList(r.type, undefined));
  }
  await same("sched latency", (s) => s.schedLatency());
  const mmus: MMUQuery[] = [
    { include: ["stw", "background", "assist"], perProc: false, percentiles: false },
    { include: ["stw", "sweep"], perProc: true, percentiles: true },
  ];
  for (const q of mmus) await same(`mmu ${JSON.stringify(q)}`, (s) => s.mmu(q));

  // Profiles under every filter, times on the analyses' clock (from the trace's origin).
  const first = overview.firstNs ?? 0;
  const d = (overview.lastNs ?? 0) - first;
  const queries: Omit<ProfileQuery, "type">[] = [{}];
  for (const g of groups.groups ?? []) queries.push({ group: g.name });
  if (m.tl.goroutines.length > 0)
    queries.push({ goroutine: m.tl.goroutines.id.get(m.tl.goroutines.length - 1) });
  queries.push(
    { startNs: first + Math.floor(d / 4), endNs: first + Math.floor((3 * d) / 4) },
    { startNs: first, endNs: first + Math.floor(d / 10) },
  );
  for (const region of filters.regionTypes ?? []) {
    queries.push({ region }, { region, startNs: first + Math.floor(d / 3), endNs: first + d });
  }
  let records = 0;
  for (const type of ["net", "sync", "syscall", "sched", "cpu", "wall"] as ProfileKind[]) {
    for (const q of queries) {
      const want = (await same(`profile ${type} ${JSON.stringify(q)}`, (s) =>
        s.profile({ type, ...q }, 100_000),
      )) as { top?: unknown[] };
      records += want.top?.length ?? 0;
    }
  }
  return records;
}

describe("the analysis service from the model = from the events", () => {
  it("the blocking profiles come from the model", () => {
    assert.ok(!eventFields().has("blocking"));
  });

  for (const path of traceFiles(fixturesDir, () => true)) {
    it(basename(path), async () => {
      await compare(readFileSync(path));
    });
  }

  it("has profiles to compare", async () => {
    assert.ok((await compare(readFileSync(`${fixturesDir}/io-go1.26.trace`))) > 50);
  });

  for (const name of [
    "annotations-go1.26.trace",
    "cgocallback-go1.26.trace",
    "io-go1.22.trace",
    "gc-go1.26.trace",
    "sched-go1.21.trace",
  ]) {
    it(`${name} cut at 60%`, async () => {
      const bytes = readFileSync(`${fixturesDir}/${name}`);
      await compare(bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    });
  }

  it("every wild trace", { skip: wildOnly() }, async () => {
    for (const path of wildTraces()) {
      await compare(readFileSync(path)).catch((e: Error) => {
        throw new Error(`${basename(path)}: ${e.message}`);
      });
    }
  });
});
