/**
 * Fuzzing the reader. Every input, however broken, must be read to the end
 * or stop with one TraceError: never another exception, never a hang, never
 * memory out of proportion to the input. A sample is also checked against
 * `go tool trace -d=parsed`, which must print the same.
 *
 * The inputs (testing/fuzz-cases.ts) are random bytes after each modern header,
 * random headers, synthetic traces of plausible random events, and real
 * fixtures with bits flipped, bytes inserted, deleted or cut off, traces
 * spliced, batches dropped, copied or swapped, and varints rewritten to
 * claim sizes like 2^63, 10^9 frames, 2^40-byte strings or IDs out of range.
 * The seed is fixed (GOTRACE_FUZZ_SEED overrides it), so every run reads the
 * same cases; `npm run fuzz` runs the same generators for minutes.
 *
 * Reader bugs the fuzzer found have a minimal reproducer below, a
 * regression test once fixed. One is a known limit, listed in the README:
 * numbers past 2^53. Its reproducers check what gotrace prints today (a
 * clean read, the numbers rounded) beside what Go prints, and fuzz cases
 * showing it are counted and listed, not failed.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import { writeHeader } from "../format/header.js";
import { Ev } from "../format/v2/spec.js";
import { mapLimit, requirement } from "../testing/corpus.js";
import { dumpParsed } from "../testing/dump.js";
import {
  applyMutations,
  caseKind,
  caseKinds,
  checkCase,
  encodeUvarint,
  FuzzProblem,
  generateCase,
  interestingValues,
  type Mutation,
  siteRoles,
} from "../testing/fuzz-cases.js";
import {
  compareWithGo,
  type FuzzFailure,
  goBytes,
  goTraceCommand,
  type KnownIssue,
  knownIssues,
  knownProblem,
  loadCorpus,
  memory,
  runFuzz,
  runGoParsed,
} from "../testing/fuzz-main.js";

const seed = Number(process.env.GOTRACE_FUZZ_SEED ?? 0x60_7ace) >>> 0;
const bulkCases = 10_000;
const fastCheckRuns = 400;
const differentialCases = 300;

const corpus = loadCorpus();
const go = goTraceCommand();

function describeFailure(f: FuzzFailure): string {
  return `case ${f.index} (${f.kind}) ${f.problem}: ${f.message.split("\n")[0]}\n    ${f.label}`;
}

function countBy<T>(items: readonly T[]): Map<T, number> {
  const m = new Map<T, number>();
  for (const x of items) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
}

describe(`fuzzing the reader (seed ${seed})`, () => {
  it(`${bulkCases} generated and mutated traces: success or one TraceError, bounded time and memory`, {
    timeout: 180_000,
  }, async () => {
    console.log(
      `fuzz seed ${seed} (set GOTRACE_FUZZ_SEED to change it); ${corpus.length} fixtures to mutate`,
    );
    assert.ok(corpus.length >= 50, `expected the 1.22+ fixtures, found ${corpus.length}`);
    const s = await runFuzz({ seed, cases: bulkCases, workers: 2 });
    console.log(`${s.cases} cases in ${(s.elapsedMs / 1000).toFixed(1)} s (2 worker threads)`);
    for (const k of caseKinds)
      console.log(`  ${k.padEnd(20)} ${s.byKind[k].ok} read, ${s.byKind[k].error} TraceError`);
    const known = s.failures.filter((f) => f.known);
    for (const [k, n] of countBy(known.map((f) => f.known!))) {
      console.log(
        `  known reader bug ${k}: ${n} cases, e.g. ${describeFailure(known.find((f) => f.known === k)!)}`,
      );
    }
    assert.equal(s.cases, bulkCases);
    // The cases must reach deep into the reader, or this test proves little.
    assert.ok(s.reasons.size >= 40, `only ${s.reasons.size} different errors: the cases are too shallow`);
    assert.ok(s.byKind.mutated.ok > 20 && s.byKind.synthetic.ok > 0, "too few cases read to the end");
    const unknown = s.failures.filter((f) => !f.known);
    assert.deepEqual(
      unknown.map(describeFailure),
      [],
      "the reader failed on fuzz cases (npm run fuzz -- --seed S --case N saves one)",
    );
  });

  it(`fast-check: ${fastCheckRuns} mutation lists on fixtures, shrunk to a minimal one on failure`, () => {
    const frac = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
    const byte = fc.integer({ min: 0, max: 255 });
    const mutation = fc.oneof(
      fc.record({ op: fc.constant("flip" as const), at: frac, bit: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ op: fc.constant("set" as const), at: frac, value: byte }),
      fc.record({
        op: fc.constant("insert" as const),
        at: frac,
        bytes: fc.array(byte, { minLength: 1, maxLength: 16 }),
      }),
      fc.record({ op: fc.constant("delete" as const), at: frac, length: fc.integer({ min: 1, max: 256 }) }),
      fc.record({ op: fc.constant("truncate" as const), at: frac }),
      fc.record({ op: fc.constant("splice" as const), at: frac, other: frac, from: frac }),
      fc.record({
        op: fc.constant("varint" as const),
        role: fc.constantFrom(...siteRoles),
        site: frac,
        value: fc.oneof(fc.constantFrom(...interestingValues), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })),
        relative: fc.constant(false),
        length: fc.constantFrom(0, 0, 0, 2, 10, 11),
        fixSize: fc.boolean(),
      }),
      fc.record({ op: fc.constant("dropBatch" as const), batch: frac }),
      fc.record({
        op: fc.constant("copyBatch" as const),
        other: fc.oneof(fc.constant(-1), frac),
        batch: frac,
        to: frac,
      }),
      fc.record({ op: fc.constant("swapBatches" as const), a: frac, b: frac }),
    ) as fc.Arbitrary<Mutation>;
    fc.assert(
      fc.property(
        fc.nat({ max: corpus.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        (src, mutations) => {
          const s = corpus[src]!;
          const bytes = applyMutations(s.bytes, mutations, corpus, s.layout);
          try {
            checkCase({ index: 1, kind: "mutated", label: s.name, bytes }, memory);
          } catch (e) {
            if (e instanceof FuzzProblem && knownProblem(bytes, e.problem, e.message)) return;
            throw e;
          }
        },
      ),
      { seed, numRuns: fastCheckRuns },
    );
  });

  it(`${differentialCases} mutated fixtures print what go tool trace -d=parsed prints`, {
    skip: requirement(go !== undefined, "the go command"),
    timeout: 180_000,
  }, async () => {
    const t0 = performance.now();
    const mutated = Array.from({ length: bulkCases }, (_, i) => i).filter((i) => caseKind(i) === "mutated");
    const step = Math.floor(mutated.length / differentialCases);
    const picked = mutated.filter((_, k) => k % step === 0).slice(0, differentialCases);
    const tmp = mkdtempSync(join(tmpdir(), "gotrace-fuzz-diff-"));
    const differ: string[] = [];
    const goCrashes: string[] = [];
    const known: [KnownIssue, string][] = [];
    let same = 0;
    try {
      await mapLimit(picked, 2, async (i) => {
        const c = generateCase(seed, i, corpus);
        const r = await compareWithGo(c.bytes, join(tmp, `case-${i}.trace`), go!);
        rmSync(join(tmp, `case-${i}.trace`), { force: true });
        const what = `case ${i}: ${c.label}\n    ${r.detail.split("\n").join("\n    ")}`;
        if (r.verdict === "same") same++;
        else if (r.verdict === "go-crash") goCrashes.push(what);
        else if (r.known) known.push([r.known, what]);
        else differ.push(what);
      });
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    console.log(
      `${picked.length} cases against Go in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${same} same, ${differ.length} differ, ${known.length} known reader bugs, ${goCrashes.length} where Go crashed`,
    );
    for (const [k, n] of countBy(known.map(([k]) => k))) console.log(`  known reader bug ${k}: ${n} cases`);
    for (const c of goCrashes.slice(0, 5)) console.log(`  go crashed on ${c}`);
    assert.equal(picked.length, differentialCases);
    assert.ok(same >= differentialCases / 2, `only ${same} cases compared equal`);
    assert.deepEqual(differ, [], "gotrace differs from go tool trace -d=parsed");
  });
});

// ---------------------------------------------------------------------------
// Reproducers of the reader bugs the fuzzer found, made minimal by hand.
// Each prints, under Go 1.26's go tool trace -d=parsed, exactly `go` (and
// exits 0 if `ok`); the last test checks that against Go itself.

interface TestBatch {
  readonly gen: bigint;
  readonly m: bigint;
  readonly time: bigint;
  /** Bytes as numbers, varints as bigints. */
  readonly payload: readonly (number | bigint)[];
}

/** A trace from batches; "end" is Go 1.26's lone end-of-generation byte. */
function traceOf(version: number, batches: readonly (TestBatch | "end")[]): Uint8Array {
  const out: number[] = [...writeHeader(version)];
  for (const b of batches) {
    if (b === "end") {
      out.push(Ev.EndOfGeneration);
      continue;
    }
    const payload = b.payload.flatMap((x) => (typeof x === "bigint" ? encodeUvarint(x) : [x]));
    out.push(Ev.EventBatch, ...encodeUvarint(b.gen), ...encodeUvarint(b.m), ...encodeUvarint(b.time));
    out.push(...encodeUvarint(BigInt(payload.length)), ...payload);
  }
  return Uint8Array.from(out);
}

const batch = (
  gen: number,
  m: bigint | number,
  time: bigint | number,
  payload: (number | bigint)[],
): TestBatch => ({
  gen: BigInt(gen),
  m: BigInt(m),
  time: BigInt(time),
  payload,
});
/** A Go 1.22–1.23 frequency batch: 64 ns per tick. */
const freq = batch(1, 0, 1, [Ev.Frequency, 15_625_000n]);
/** A Go 1.25+ sync batch: 64 ns per tick and a clock snapshot. */
const sync = batch(1, 0, 1, [
  Ev.Sync,
  Ev.Frequency,
  15_625_000n,
  Ev.ClockSnapshot,
  0n,
  1000n,
  1_700_000_000n,
  0n,
]);
/** ProcStatus: proc p is idle, dt ticks after the previous event. */
const procIdle = (p: number, dt = 1n): (number | bigint)[] => [Ev.ProcStatus, dt, BigInt(p), 2n];

interface Reproducer {
  /** A known limit (a key of knownIssues), or what a fixed bug was (a regression test). */
  readonly issue: KnownIssue | `fixed: ${string}`;
  readonly name: string;
  readonly bytes: Uint8Array;
  /** What Go prints. */
  readonly go: string;
  /** For a known limit, what gotrace prints instead: any change to it is news, good or bad. */
  readonly ours?: string;
  readonly ok: boolean;
}

const syncLine = (time: number, n: number) => `M=-1 P=-1 G=-1 Sync Time=${time} N=${n}\n`;
const idleLine = (m: string, time: string, p: number) =>
  `M=${m} P=-1 G=-1 StateTransition Time=${time} ProcID=${p} Undetermined->Idle Reason=""\n`;

const reproducers: readonly Reproducer[] = [
  {
    issue: "fixed: a bare EOF in a special batch ends the trace cleanly, as in Go",
    name: "go 1.26 sync batch that ends after the Frequency byte",
    bytes: traceOf(26, [batch(1, 0, 1, [Ev.Sync, Ev.Frequency])]),
    go: syncLine(1, 1),
    ok: true,
  },
  {
    issue: "fixed: a bare EOF in a special batch ends the trace cleanly, as in Go",
    name: "go 1.22 frequency batch that ends after the Frequency byte",
    bytes: traceOf(22, [batch(1, 0, 1, [Ev.Frequency])]),
    go: syncLine(1, 1),
    ok: true,
  },
  {
    issue: "fixed: frequency 0 made formatEvent throw RangeError",
    name: "go 1.22 trace with frequency 0",
    bytes: traceOf(22, [batch(1, 0, 1, [Ev.Frequency, 0n]), batch(1, 1, 2, procIdle(0))]),
    go: syncLine(1, 1) + idleLine("1", "2", 0) + syncLine(3, 2),
    ok: true,
  },
  {
    issue: "past-2^53",
    name: "thread ID 2^53+1",
    bytes: traceOf(22, [freq, batch(1, 2n ** 53n + 1n, 2, procIdle(0))]),
    go: syncLine(64, 1) + idleLine("9007199254740993", "192", 0) + syncLine(193, 2),
    ours: syncLine(64, 1) + idleLine("9007199254740992", "192", 0) + syncLine(193, 2),
    ok: true,
  },
  {
    issue: "past-2^53",
    name: "thread ID 2^64−2 (int64 −2, not −1 'no thread')",
    bytes: traceOf(22, [freq, batch(1, 2n ** 64n - 2n, 2, procIdle(0))]),
    go: syncLine(64, 1) + idleLine("-2", "192", 0) + syncLine(193, 2),
    ours: syncLine(64, 1) + idleLine("-1", "192", 0) + syncLine(193, 2),
    ok: true,
  },
  {
    issue: "past-2^53",
    name: "two events at the same time 2^56 ns after the start",
    bytes: traceOf(22, [freq, batch(1, 1, 2n ** 50n, [...procIdle(0, 0n), ...procIdle(1, 0n)])]),
    go:
      syncLine(64, 1) +
      idleLine("1", "72057594037927936", 0) +
      idleLine("1", "72057594037927937", 1) +
      "M=-1 P=-1 G=-1 Sync Time=72057594037927938 N=2\n",
    ours:
      syncLine(64, 1) +
      idleLine("1", "72057594037927936", 0) +
      idleLine("1", "72057594037927936", 1) +
      "M=-1 P=-1 G=-1 Sync Time=72057594037927936 N=2\n",
    ok: true,
  },
  {
    issue: "fixed: tick→ns conversion clamps as Go's float→int64 does",
    name: "batch time 2^64−1 ticks: the ns overflow int64 and Go's conversion gives −2^63",
    bytes: traceOf(22, [freq, batch(1, 1, 2, procIdle(0, 0n)), batch(1, 2, 2n ** 64n - 1n, procIdle(1, 0n))]),
    go: syncLine(64, 1) + idleLine("2", "65", 1) + idleLine("1", "128", 0) + syncLine(129, 2),
    ok: true,
  },
  {
    issue: "fixed: statuses are uint8 in Go",
    name: "GoStatus with status 65537 (uint8: 1, Runnable)",
    bytes: traceOf(22, [freq, batch(1, 1, 2, [Ev.GoStatus, 1n, 1n, 1n, 65537n])]),
    go:
      syncLine(64, 1) +
      'M=1 P=-1 G=-1 StateTransition Time=192 GoID=1 Undetermined->Runnable Reason=""\n' +
      syncLine(193, 2),
    ok: true,
  },
  {
    issue: "fixed: in Go 1.26 any batch starting with the end-of-generation byte ends a generation",
    name: "go 1.26 generation ended by a whole batch holding the EndOfGeneration byte",
    bytes: traceOf(26, [sync, batch(1, 1, 2, procIdle(0)), batch(7, 0, 1, [Ev.EndOfGeneration])]),
    go:
      "M=-1 P=-1 G=-1 Sync Time=64 N=1 Trace=64 Mono=1000 Wall=2023-11-14T22:13:20Z\n" +
      idleLine("1", "192", 0) +
      syncLine(193, 2),
    ok: true,
  },
];

describe("reader bugs found by fuzzing: fixed ones stay fixed, known limits stay as they are", () => {
  for (const r of reproducers) {
    const limit = !r.issue.startsWith("fixed: ");
    const title = limit ? `known limit ${r.issue}` : r.issue;
    it(`${title}: ${r.name}`, async () => {
      let out: Awaited<ReturnType<typeof dumpParsed>>;
      try {
        out = await dumpParsed(r.bytes);
      } catch (e) {
        assert.fail(`gotrace threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
      }
      if (limit) {
        assert.ok(
          r.ours !== undefined && r.ours !== r.go,
          `says how gotrace differs: ${knownIssues[r.issue as KnownIssue]}`,
        );
        assert.equal(
          out.text,
          r.ours,
          "gotrace's output changed: if it now equals Go's, mark this reproducer fixed",
        );
      } else {
        assert.equal(out.text, r.go);
      }
      if (r.ok) assert.equal(out.error, undefined, `gotrace failed: ${out.error?.message}`);
      else assert.ok(out.error, "gotrace read to the end where Go fails");
    });
  }

  it("Go prints what the reproducers above expect", {
    skip: requirement(go !== undefined, "the go command"),
  }, async () => {
    const tmp = mkdtempSync(join(tmpdir(), "gotrace-repro-"));
    try {
      for (const [i, r] of reproducers.entries()) {
        const file = join(tmp, `repro-${i}.trace`);
        writeFileSync(file, r.bytes);
        const run = await runGoParsed(go!, file);
        assert.equal(run.stdout.toString("utf8"), r.go, `${r.name}: ${run.stderr}`);
        assert.equal(run.status === 0, r.ok, `${r.name}: exit ${run.status} ${run.stderr}`);
        assert.ok(goBytes(r.go).equals(run.stdout));
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
