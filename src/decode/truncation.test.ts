/**
 * Truncated traces, the commonest damage in the wild (a program killed
 * before trace.Stop, a copy cut short). Every Go 1.22+ fixture and small
 * wild trace is cut at random offsets, and two many-generation fixtures at
 * every generation boundary and one byte either side. For each cut:
 *
 * (a) `gotrace dump` prints what `go tool trace -d=parsed` prints, and both
 *     fail or both succeed;
 * (b) `gotrace stats` keeps the complete generations and nothing else: the
 *     generation count it prints is the number of generations of the uncut
 *     file that end before the cut (found by framing the file, not by the
 *     reader under test), it exits 0 when they hold at least one event (1
 *     with the reader's error alone when they hold none), and its
 *     warning line names the reader's offset and reason, the events kept,
 *     and a loss that agrees with TraceReader.validOffset.
 *
 * Go before 1.26 marks no generation ends: a cut just after a batch of a
 * new generation cannot be told from the end of the trace, so Go (and
 * gotrace) may present that last generation as complete. The checks below
 * allow exactly that and no more.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fixturesDir, mapLimit, repoRoot, requirement, traceFiles, wildTraces } from "../testing/corpus.js";
import { caseSeed, Rng, type TraceLayout, traceLayout } from "../testing/fuzz-cases.js";
import { firstDifference, goBytes, goTraceCommand, isGoCrash, runGoParsed } from "../testing/fuzz-main.js";
import { TraceError } from "./errors.js";
import { EvSync } from "./event.js";
import { formatEvent } from "./event-string.js";
import { NeedInput, TraceReader } from "./reader.js";

const seed = Number(process.env.GOTRACE_TRUNCATION_SEED ?? 20260522) >>> 0;
const cutsPerFile = 3;
const wildMaxBytes = 500_000;
const cli = join(repoRoot, "dist", "cli", "main.js");

interface Source {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly layout: TraceLayout | undefined;
  /** The uncut file reads without error and frames to its last byte: the structural checks apply. */
  readonly clean: boolean;
}

interface Cut {
  readonly source: Source;
  readonly at: number;
  readonly why: string;
  /** Also run `gotrace stats` (a Node start, ~100 ms of CPU: not for every random cut). */
  readonly stats: boolean;
}

/** What the reader made of a cut file, and what the stats logic should keep of it. */
interface Observed {
  readonly text: string;
  readonly error: TraceError | undefined;
  readonly validOffset: number;
  /** Generations (Syncs with a table) before the last Sync: the ones stats keeps. */
  readonly generations: number;
  /** Events before the last Sync on error, all events on success. */
  readonly events: number;
  /** The same without Syncs: what the warning line says was analysed. */
  readonly others: number;
  /** Syncs with a table: one per generation read. */
  readonly tables: number;
}

function readCut(bytes: Uint8Array): Observed {
  const r = new TraceReader();
  r.push(bytes);
  r.end();
  const parts: string[] = [];
  let tables = 0;
  let events = 0;
  let others = 0;
  let kept = { generations: 0, events: 0, others: 0 };
  let error: TraceError | undefined;
  for (;;) {
    let ev: ReturnType<TraceReader["read"]>;
    try {
      ev = r.read();
    } catch (e) {
      if (!(e instanceof TraceError)) throw e;
      error = e;
      break;
    }
    if (ev === null) break;
    if (ev === NeedInput) throw new Error("NeedInput after end()");
    // Like gotrace stats: a Sync closes what came before it.
    if (ev.type === EvSync) kept = { generations: tables, events, others };
    else others++;
    if (ev.type === EvSync && ev.table) tables++;
    events++;
    parts.push(formatEvent(ev, r.originNs), "\n");
  }
  if (!error) kept = { generations: tables, events, others };
  return { text: parts.join(""), error, validOffset: r.validOffset, tables, ...kept };
}

function loadSource(path: string): Source {
  const bytes = readFileSync(path);
  const layout = traceLayout(bytes);
  const whole = readCut(bytes);
  const clean = whole.error === undefined && layout !== undefined && layout.framedTo === bytes.length;
  // The framing (which the expectations rest on) must see the generations the reader sees.
  if (clean) {
    assert.equal(layout.generations.length, whole.tables, `${basename(path)}: generations framed vs read`);
  }
  return { name: basename(path), bytes, layout, clean };
}

function randomCuts(s: Source): Cut[] {
  let h = 0;
  for (const c of s.name) h = (Math.imul(h, 31) + c.charCodeAt(0)) | 0;
  const rng = new Rng(caseSeed(seed, h));
  return Array.from({ length: cutsPerFile }, (_, i) => ({
    source: s,
    at: 16 + rng.int(s.bytes.length - 16),
    why: "random",
    stats: i === 0,
  }));
}

function boundaryCuts(s: Source): Cut[] {
  const cuts: Cut[] = [];
  for (const [i, g] of (s.layout?.generations ?? []).entries()) {
    if (g.end >= s.bytes.length) continue;
    for (const d of [-1, 0, 1])
      cuts.push({
        source: s,
        at: g.end + d,
        why: `end of generation #${i + 1} ${d < 0 ? "−1" : d > 0 ? "+1" : ""}`,
        stats: true,
      });
  }
  return cuts;
}

/**
 * The structural expectation for a cut of a clean file: how many generations
 * end at or before the cut, and where the one after them starts.
 */
function expectation(s: Source, at: number) {
  const layout = s.layout!;
  const gens = layout.generations;
  let complete = 0;
  while (complete < gens.length && gens[complete]!.end <= at) complete++;
  const next = gens[complete];
  // The first batch of the next generation, if the cut leaves all of it.
  const firstBatch = next && layout.batches.find((b) => b.offset === next.start);
  return {
    version: layout.version,
    complete,
    /** Where the first incomplete generation starts: validOffset when it is dropped. */
    keptUpTo: complete > 0 ? gens[complete - 1]!.end : 16,
    /** At a generation end: a clean end of file for Go and gotrace. */
    atBoundary: at === 16 || gens.some((g) => g.end === at),
    /** Before 1.26 the first partial generation may be read as if complete (only once a whole batch of it is there). */
    partialPossible: layout.version < 26 && firstBatch !== undefined && firstBatch.end <= at,
    /** Before 1.26 a cut between two batches is a clean end of file too. */
    betweenBatches: layout.batches.some((b) => b.end === at),
    batchStarts: new Set(layout.batches.map((b) => b.offset)),
    nextStart: next?.start,
  };
}

function runStats(file: string): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, "stats", file]);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}

interface Tally {
  cuts: number;
  goRuns: number;
  statsRuns: number;
  goCrashes: string[];
  failed: number;
  succeeded: number;
  problems: string[];
}

async function checkCut(
  cut: Cut,
  tmp: string,
  go: readonly string[],
  tally: Tally,
  slot: number,
): Promise<void> {
  try {
    await checkCutIn(cut, join(tmp, `cut-${slot}.trace`), go, tally);
  } finally {
    rmSync(join(tmp, `cut-${slot}.trace`), { force: true });
  }
}

async function checkCutIn(cut: Cut, file: string, go: readonly string[], tally: Tally): Promise<void> {
  const { source, at } = cut;
  const where = `${source.name} cut at ${at} of ${source.bytes.length} (${cut.why})`;
  const bytes = source.bytes.subarray(0, at);
  writeFileSync(file, bytes);
  const problem = (msg: string) => tally.problems.push(`${where}: ${msg}`);
  const ours = readCut(bytes);
  tally.cuts++;
  if (ours.error) tally.failed++;
  else tally.succeeded++;

  // (a) the same output and outcome as Go.
  const goRun = await runGoParsed(go, file);
  tally.goRuns++;
  if (isGoCrash(goRun)) {
    tally.goCrashes.push(`${where}: ${goRun.stderr.split("\n")[0]}; gotrace: ${ours.error?.message ?? "ok"}`);
  } else {
    const ourBytes = goBytes(ours.text);
    if (!ourBytes.equals(goRun.stdout)) problem(firstDifference(ourBytes, goRun.stdout));
    if ((goRun.status === 0) !== (ours.error === undefined)) {
      problem(`go exit ${goRun.status} (${goRun.stderr.trim()}), gotrace ${ours.error?.message ?? "ok"}`);
    }
  }

  // (b) stats keeps the complete generations and reports the loss.
  if (cut.stats) await checkStats(file, at, ours, problem, tally);
  checkStructure(source, at, ours, problem);
}

async function checkStats(
  file: string,
  at: number,
  ours: Observed,
  problem: (msg: string) => void,
  tally: Tally,
): Promise<void> {
  const stats = await runStats(file);
  tally.statsRuns++;
  const lost =
    /^gotrace: warning: \S+: damaged at byte offset (\d+)(?: in generation \d+)? \((.*)\); analysed the ([\d,]+) events? before it, lost ([\d.]+)% of [\d.]+ [KMG]?i?B\n$/.exec(
      stats.stderr,
    );
  const genLine = /^Generations:\s+(\d+)/m.exec(stats.stdout);
  const eventsLine = /^Events:\s+([\d,]+)/m.exec(stats.stdout);
  if (ours.others > 0 && stats.status !== 0) problem(`stats exited ${stats.status}: ${stats.stderr.trim()}`);
  if (ours.others === 0 && ours.error && stats.status === 0)
    problem(`stats exited 0 with no event before the damage: ${stats.stderr.trim()}`);
  if (stats.status === 0) {
    if (!genLine || Number(genLine[1]) !== ours.generations) {
      problem(`stats printed ${genLine?.[0]}, expected ${ours.generations} generations`);
    }
    if (!eventsLine || Number(eventsLine[1]!.replace(/,/g, "")) !== ours.events) {
      problem(`stats printed ${eventsLine?.[0]}, expected ${ours.events} events`);
    }
    if (ours.error) {
      const want = (((at - ours.validOffset) / at) * 100).toFixed(1);
      if (!lost) problem(`no "lost X% of" line: ${stats.stderr.trim()}`);
      else {
        if (lost[4] !== want)
          problem(`stats lost ${lost[4]}%, validOffset ${ours.validOffset} gives ${want}%`);
        if (lost[2] !== ours.error.reason || Number(lost[1]) !== (ours.error.offset ?? ours.validOffset))
          problem(`stats reported "${lost[0].trim()}", the reader "${ours.error.message}"`);
        if (Number(lost[3]!.replace(/,/g, "")) !== ours.others)
          problem(`stats analysed ${lost[3]} events, expected ${ours.others}`);
      }
    } else if (stats.stderr !== "") problem(`stats wrote to stderr for a good trace: ${stats.stderr.trim()}`);
  } else if (ours.others === 0 && ours.error) {
    if (stats.stderr.trim() !== `gotrace: ${file}: ${ours.error.message}`)
      problem(`stats said ${stats.stderr.trim()}`);
  }
}

/** The reader's account against the file's structure. */
function checkStructure(source: Source, at: number, ours: Observed, problem: (msg: string) => void): void {
  if (!source.clean) return;
  const x = expectation(source, at);
  if (x.atBoundary && ours.error) problem(`error at a generation end: ${ours.error.message}`);
  if (!x.atBoundary && !ours.error && (x.version >= 26 || !x.betweenBatches)) {
    problem("no error for a cut inside a generation");
  }
  const allowed = x.partialPossible ? [x.complete, x.complete + 1] : [x.complete];
  if (!allowed.includes(ours.generations)) {
    problem(`kept ${ours.generations} generations; ${x.complete} end before the cut`);
  }
  if (ours.error) {
    if (ours.generations === x.complete && ours.validOffset !== x.keptUpTo) {
      problem(`validOffset ${ours.validOffset}, but the complete generations end at ${x.keptUpTo}`);
    }
    if (
      ours.generations === x.complete + 1 &&
      !(ours.validOffset > x.nextStart! && ours.validOffset <= at && x.batchStarts.has(ours.validOffset))
    ) {
      problem(`validOffset ${ours.validOffset} is not a batch start inside the partial generation`);
    }
  }
}

describe("truncated traces", () => {
  const go = goTraceCommand();
  const noGo = requirement(go !== undefined, "the go command");
  let tmp = "";
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), "gotrace-truncation-"));
    console.log(`truncation seed ${seed}`);
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  const report = (what: string, t: Tally, ms: number) => {
    console.log(
      `${what}: ${t.cuts} cuts (${t.failed} fail, ${t.succeeded} read cleanly), ${t.goRuns} go runs, ${t.statsRuns} stats runs, ${t.goCrashes.length} go crashes, ${(ms / 1000).toFixed(1)} s`,
    );
    for (const c of t.goCrashes.slice(0, 5)) console.log(`  go crashed: ${c}`);
    assert.deepEqual(t.problems, [], t.problems.slice(0, 20).join("\n"));
  };
  const tally = (): Tally => ({
    cuts: 0,
    goRuns: 0,
    statsRuns: 0,
    goCrashes: [],
    failed: 0,
    succeeded: 0,
    problems: [],
  });

  it("every 1.22+ fixture and small wild trace, cut at random offsets", {
    skip: noGo,
    timeout: 300_000,
  }, async () => {
    const t0 = performance.now();
    const paths = traceFiles(fixturesDir, (v) => v >= 22);
    assert.ok(paths.length >= 50, `expected the 1.22+ fixtures, found ${paths.length}`);
    paths.push(...wildTraces((v) => v >= 22).filter((p) => statSync(p).size < wildMaxBytes));
    const sources = paths.map(loadSource);
    const cuts = sources.flatMap(randomCuts);
    const t = tally();
    await mapLimit(
      cuts.map((c, i) => [c, i] as const),
      2,
      ([c, i]) => checkCut(c, tmp, go!, t, i),
    );
    report("random cuts", t, performance.now() - t0);
  });

  it("manygen (1.25 and 1.26) cut at every generation end and one byte either side", {
    skip: noGo,
    timeout: 300_000,
  }, async () => {
    const t0 = performance.now();
    const sources = ["manygen-go1.25.trace", "manygen-go1.26.trace"].map((f) =>
      loadSource(join(fixturesDir, f)),
    );
    for (const s of sources) {
      assert.ok(s.clean, `${s.name} should read cleanly and frame to its end`);
      assert.ok(s.layout!.generations.length >= 10, `${s.name}: ${s.layout!.generations.length} generations`);
    }
    const cuts = sources.flatMap(boundaryCuts);
    const t = tally();
    await mapLimit(
      cuts.map((c, i) => [c, i] as const),
      2,
      ([c, i]) => checkCut(c, tmp, go!, t, i),
    );
    report("generation-boundary cuts", t, performance.now() - t0);
  });
});
