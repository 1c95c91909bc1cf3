/**
 * Old traces (Go 1.5–1.21), read by conversion into the modern event model.
 *
 * Go 1.11–1.21: gotrace's dump must equal Go's, byte for byte. Go's own
 * output varies from run to run (two loops over maps), so the exact
 * comparison is against Go's reader built with those two loops sorted
 * (testing/go-v1-oracle.ts); against `go tool trace` itself, the same events
 * must come out, in an order that may differ only where Go's does.
 *
 * Go 1.5–1.10, which Go no longer reads: every file reads and passes the
 * validator, or fails with one TraceError; the same test program's traces
 * from different Go versions tell the same story.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { OverviewAnalyzer } from "../../stream/overview.js";
import {
  fixturesDir,
  goParsed,
  goTracesDir,
  haveGo,
  haveWild,
  headerVersion,
  mapLimit,
  requirement,
  traceFiles,
  wildTrace,
  wildTraces,
} from "../../testing/corpus.js";
import { dumpParsed } from "../../testing/dump.js";
import { buildGoV1Oracle, type GoV1Oracle } from "../../testing/go-v1-oracle.js";
import { validateTrace } from "../../validate/validator.js";
import { TraceError } from "../errors.js";
import { readTrace } from "../reader.js";

/** The old versions Go still reads. */
const goReads = (v: number) => v === 11 || v === 19 || v === 21;
/** The old versions only gotrace reads. */
const goRefuses = (v: number) => v < 11;

/** Trace files under `dir`, at any depth, whose header version passes `accept`. */
function traceFilesDeep(dir: string, accept: (v: number) => boolean): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (statSync(p).size >= 16 && !p.endsWith(".md")) {
        const v = headerVersion(p);
        if (v !== undefined && accept(v)) out.push(p);
      }
    }
  };
  walk(dir);
  return out.sort();
}

function goAcceptedFiles(): string[] {
  return [
    ...traceFilesDeep(goTracesDir, goReads),
    ...wildTraces(goReads),
    ...traceFiles(fixturesDir, goReads).filter((f) => f.endsWith("-go1.21.trace")),
  ];
}

function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const line = a.slice(0, i).split("\n").length;
  const ctx = (s: string) => s.slice(Math.max(0, i - 80), i + 120);
  return `first difference at line ${line}:\n--- gotrace\n${ctx(a)}\n--- go\n${ctx(b)}`;
}

/**
 * Numbers past 2^53 print rounded (README, Known limits): only damaged files
 * have them. Invalid UTF-8 from the trace is held as stand-in characters
 * (U+DC80 + byte); Go's output, decoded as text, has U+FFFD there.
 */
const roundBig = (s: string) => s.replace(/\d{16,}/g, "<big>");
const asPrinted = (s: string) => s.replace(/[\uDC80-\uDCFF]/g, "\uFFFD");

/** Our dump and Go's (exit status 0, 1 with a message, or 2 for a panic) must agree. */
function assertSameAsGo(
  name: string,
  ours: { text: string; error: TraceError | undefined },
  go: { stdout: Buffer; status: number; stderr: string },
): void {
  const goText = go.stdout.toString("utf8");
  const text = asPrinted(ours.text);
  if (text !== goText) assert.fail(`${name}: ${firstDifference(text, goText)}`);
  assert.equal(
    ours.error !== undefined,
    go.status !== 0,
    `${name}: ours ${ours.error?.message}, go ${go.stderr}`,
  );
  if (go.status === 1) assert.equal(roundBig(ours.error!.reason), roundBig(go.stderr.trim()), name);
}

/**
 * A Go 1.11+ trace with every absolute tick (batch bases, syscall exit times,
 * CPU sample times) moved by `shift`, re-encoded in the same event shapes.
 */
function shiftTicks(src: Uint8Array, shift: bigint): Uint8Array {
  let off = 16;
  const out: number[] = [...src.subarray(0, 16)];
  const read = (): bigint => {
    let v = 0n;
    for (let s = 0n; ; s += 7n) {
      const b = src[off++]!;
      v |= BigInt(b & 0x7f) << s;
      if (b < 0x80) return v;
    }
  };
  const write = (v: bigint, to: number[]) => {
    for (; v >= 0x80n; v >>= 7n) to.push(Number(v & 0x7fn) | 0x80);
    to.push(Number(v));
  };
  const copyBytes = (n: bigint) => {
    for (let i = 0; i < Number(n); i++) out.push(src[off++]!);
  };
  while (off < src.length) {
    const b = src[off++]!;
    const typ = b & 0x3f;
    const c = b >> 6;
    out.push(b);
    if (typ === 37) {
      // String [id, len, bytes].
      write(read(), out);
      const n = read();
      write(n, out);
      copyBytes(n);
      continue;
    }
    if (typ === 1) {
      // Batch [p, ticks].
      write(read(), out);
      write(read() + shift, out);
      continue;
    }
    const args: bigint[] = [];
    if (c < 3) {
      for (let i = 0; i <= c; i++) args.push(read());
    } else {
      const len = Number(read());
      const end = off + len;
      while (off < end) args.push(read());
    }
    if (typ === 29 && args[3] !== 0n) args[3]! += shift; // GoSysExit [dt, g, seq, ts]
    if (typ === 49) args[1]! += shift; // CPUSample [dt, ts, p, g, stack]
    if (c < 3) {
      for (const a of args) write(a, out);
    } else {
      const body: number[] = [];
      for (const a of args) write(a, body);
      write(BigInt(body.length), out);
      out.push(...body);
    }
    if (typ === 48) {
      // UserLog's message [len, bytes].
      const n = read();
      write(n, out);
      copyBytes(n);
    }
  }
  return Uint8Array.from(out);
}

/** The events of a dump with their times removed, sorted: what no ordering choice can change. */
function eventMultiset(text: string): string[] {
  return text
    .split(/\n(?=M=)/)
    .map((e) => e.replace(/ Time=-?\d+/, ""))
    .sort();
}

describe("Go 1.11–1.21 traces dump exactly as Go's reader prints them", () => {
  const skip = requirement(haveGo(), "the go command");
  let oracle: GoV1Oracle | undefined;
  before(() => {
    if (!skip) oracle = buildGoV1Oracle();
  });
  after(() => oracle?.dispose());

  it("on every go 1.11/1.19/1.21 trace in go-traces, wild-traces and our fixtures", {
    skip,
    timeout: 120_000,
  }, async () => {
    const files = goAcceptedFiles();
    // 37 in go-traces (tracev1 testdata, its older copies, traceparser's), 11 fixtures, 13 wild.
    assert.ok(files.length >= 48 + (haveWild ? 13 : 0), `found ${files.length} traces`);
    let failing = 0;
    await mapLimit(files, 4, async (f) => {
      const bytes = readFileSync(f);
      const [go, ours] = await Promise.all([oracle!.run(f), dumpParsed(bytes)]);
      assertSameAsGo(basename(f), ours, go);
      if (go.status !== 0) failing++;
    });
    console.log(`# ${files.length} traces identical to Go's reader (${failing} of them failing as Go fails)`);
  });

  it("and go tool trace itself prints the same events, in an order that differs only where Go's varies", {
    skip,
    timeout: 120_000,
  }, async () => {
    const files = goAcceptedFiles();
    await mapLimit(files, 4, async (f) => {
      const [go, ours] = await Promise.all([goParsed(f), dumpParsed(readFileSync(f))]);
      const name = basename(f);
      assert.equal(
        ours.error !== undefined,
        go.status !== 0,
        `${name}: ${ours.error?.message} vs ${go.stderr}`,
      );
      if (go.status !== 0) assert.equal(ours.error!.reason, go.stderr.trim(), name);
      const goText = go.stdout.toString("utf8");
      if (ours.text === goText) return;
      assert.deepEqual(eventMultiset(ours.text), eventMultiset(goText), `${name}: different events`);
    });
  });

  it("ticks past 2^53 stay exact", { skip, timeout: 60_000 }, async () => {
    // Hosts up for long enough write tick counts that a double cannot hold; gotrace
    // keeps them relative to the first batch. Shift every absolute tick by 2^60.
    const dir = mkdtempSync(join(tmpdir(), "gotrace-v1-ticks-"));
    try {
      const g = join(goTracesDir, "src/internal/trace/internal/tracev1/testdata");
      for (const name of ["fmt_1_21_pprof_good", "http_1_19_good", "stress_start_stop_1_11_good"]) {
        const original = readFileSync(join(g, name));
        const shifted = shiftTicks(original, 1n << 60n);
        const file = join(dir, name);
        writeFileSync(file, shifted);
        const [go, ours, unshifted] = await Promise.all([
          oracle!.run(file),
          dumpParsed(shifted),
          dumpParsed(original),
        ]);
        assertSameAsGo(name, ours, go);
        assert.equal(ours.text, unshifted.text, `${name}: shifting the clock changed the events`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("damaged copies: the same events and the same error as Go", { skip, timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "gotrace-v1-damaged-"));
    try {
      const g = join(goTracesDir, "src/internal/trace/internal/tracev1/testdata");
      const bases = [
        join(g, "user_task_region_1_11_good"),
        join(g, "user_task_region_1_21_good"),
        join(g, "stress_start_stop_1_19_good"),
        join(g, "http_1_21_good"),
        join(fixturesDir, "cpuprofile-go1.21.trace"),
      ].map((f) => readFileSync(f));
      let seed = 20_240_507;
      const rand = (n: number) => {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
        return Math.floor((seed / 2 ** 31) * n);
      };
      const cases: { name: string; bytes: Uint8Array }[] = [];
      for (let k = 0; k < 240; k++) {
        const b = Buffer.from(bases[k % bases.length]!);
        const body = b.length - 16;
        let m: Buffer;
        switch (k % 3) {
          case 0: // overwrite a few bytes
            m = b;
            for (let j = 0, n = 1 + rand(4); j < n; j++) m[16 + rand(body)] = rand(256);
            break;
          case 1: // truncate
            m = b.subarray(0, 16 + rand(body));
            break;
          default: {
            // cut a few bytes out
            const at = 16 + rand(body);
            m = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + rand(8))]);
          }
        }
        const name = join(dir, `case-${k}`);
        writeFileSync(name, m);
        cases.push({ name, bytes: m });
      }
      await mapLimit(cases, 4, async (c) => {
        const [go, ours] = await Promise.all([oracle!.run(c.name), dumpParsed(c.bytes)]);
        assertSameAsGo(basename(c.name), ours, go);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Reads and validates a file: undefined if both pass, else the TraceError. Anything else is a bug. */
async function readAndValidate(path: string): Promise<TraceError | undefined> {
  try {
    await validateTrace([readFileSync(path)]);
    return undefined;
  } catch (e) {
    if (e instanceof TraceError) return e;
    throw new Error(`${basename(path)}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

describe("Go 1.5–1.10 traces (read by gotrace only)", () => {
  const repoTestdata = join(goTracesDir, "src/internal/trace/testdata");

  it("every *_good trace of Go's repository reads and passes the validator", async () => {
    const files = traceFilesDeep(repoTestdata, goRefuses).filter(
      (f) => dirname(f) === repoTestdata && f.endsWith("_good"),
    );
    // http, stress and stress_start_stop for 1.5, 1.7, 1.9 and 1.10 (there never was a 1.8 one).
    assert.equal(files.length, 12);
    for (const f of files) assert.equal(await readAndValidate(f), undefined, basename(f));
  });

  it("every 1.5–1.10 file in the corpus reads and validates, or fails with one TraceError", {
    timeout: 60_000,
  }, async () => {
    const files = [...traceFilesDeep(goTracesDir, goRefuses), ...wildTraces(goRefuses)];
    assert.ok(files.length >= 21 + (haveWild ? 6 : 0), `found ${files.length}`);
    const failed: string[] = [];
    for (const f of files) {
      const err = await readAndValidate(f);
      if (err) failed.push(`${basename(f)}: ${err.message}`);
    }
    // The fuzz inputs of a reverted parser (traceparser), and two files from the Go 1.9
    // development cycle, written before GCSweepDone got its arguments.
    for (const line of failed) {
      assert.match(
        line,
        /\.(weird|bad)|^stress(_start_stop)?_1_9_good: GCSweepDone|^stress_1_5_unordered/,
        line,
      );
    }
    console.log(`# ${files.length - failed.length} of ${files.length} Go 1.5–1.10 files read and validated`);
  });

  it("stress_1_5_unordered is caught as Go's old parser caught it", async () => {
    const err = await readAndValidate(join(repoTestdata, "stress_1_5_unordered"));
    assert.equal(err?.reason, "time stamps out of order");
  });

  it("traceparser's good, bad and weird inputs: a validated read or one TraceError, never a crash", async () => {
    const dir = join(goTracesDir, "src/internal/traceparser/testdata");
    const files = readdirSync(dir).filter((f) => /\.(good|bad|weird)$/.test(f));
    assert.equal(files.length, 18);
    let read = 0;
    for (const f of files) if ((await readAndValidate(join(dir, f))) === undefined) read++;
    assert.ok(read >= 1);
  });

  it("Go 1.5 stacks name each frame by its PC", async () => {
    const { text } = await dumpParsed(readFileSync(join(repoTestdata, "stress_1_5_good")));
    assert.match(text, /\n\t0x([0-9a-f]+) @ 0x\1\n\t\t\?:0\n/);
  });
});

/** A hand-made old trace: a header, then per event its type and values (timestamp delta first). */
function oldTrace(version: number, events: [number, ...number[]][]): Uint8Array {
  const out: number[] = [...new TextEncoder().encode(`go 1.${version} trace`.padEnd(16, "\0"))];
  // −1 stands for 2^64−1 ("no P").
  const write = (x: number, to: number[]) => {
    let v = x === -1 ? 2n ** 64n - 1n : BigInt(x);
    for (; v >= 0x80n; v >>= 7n) to.push(Number(v & 0x7fn) | 0x80);
    to.push(Number(v));
  };
  for (const [typ, ...values] of events) {
    if (values.length <= 3) {
      out.push(typ | ((values.length - 1) << 6));
      for (const v of values) write(v, out);
    } else {
      out.push(typ | (3 << 6));
      const body: number[] = [];
      for (const v of values) write(v, body);
      write(body.length, out);
      out.push(...body);
    }
  }
  return Uint8Array.from(out);
}

describe("Go 1.5–1.10 rules, on hand-made traces", () => {
  it("a futile wakeup disappears with its unblock, start and block, as in Go's old parser", async () => {
    // Event types: Batch 1, Frequency 2, Gomaxprocs 4, ProcStart 5, GoCreate 13, GoStart 14,
    // GoSched 17, GoUnblock 21, GoBlockSend 22, FutileWakeup 36.
    const bytes = oldTrace(7, [
      [1, 0, 100], // batch of P 0 at tick 100
      [5, 10, 1], // ProcStart on thread 1
      [13, 10, 1, 0, 0], // GoCreate g1
      [13, 10, 2, 0, 0], // GoCreate g2
      [4, 10, 1, 0], // Gomaxprocs 1: the trace's start is over
      [14, 10, 1, 1], // GoStart g1 (seq 1)
      [22, 10, 0], // g1 blocks on a channel send
      [14, 10, 2, 1], // GoStart g2 (seq 1)
      [21, 10, 1, 2, 0], // g2 unblocks g1 (seq 2)
      [17, 10, 0], // g2 yields
      [14, 10, 1, 3], // GoStart g1 (seq 3)
      [36, 10], // but the wakeup was futile
      [22, 10, 0], // g1 blocks again
      [1, -1, 0], // the footer's batch (no P)
      [2, 1e9], // 1 tick per ns
    ]);
    const { text, error } = await dumpParsed(bytes);
    assert.equal(error, undefined);
    const lines = text.split("\n").filter((l) => l.startsWith("M="));
    assert.deepEqual(
      lines.map((l) => l.replace(/ Time=-?\d+/, "")),
      [
        "M=-1 P=-1 G=-1 Sync N=1",
        'M=1 P=0 G=-1 StateTransition ProcID=0 Undetermined->Running Reason=""',
        'M=-1 P=-1 G=-1 StateTransition GoID=1 Undetermined->Runnable Reason=""',
        'M=-1 P=-1 G=-1 StateTransition GoID=2 Undetermined->Runnable Reason=""',
        'M=1 P=0 G=1 StateTransition GoID=1 Runnable->Running Reason=""',
        'M=1 P=0 G=1 StateTransition GoID=1 Running->Waiting Reason="chan send"',
        'M=1 P=0 G=2 StateTransition GoID=2 Runnable->Running Reason=""',
        'M=1 P=0 G=2 StateTransition GoID=2 Running->Runnable Reason="runtime.Gosched"',
        "M=-1 P=-1 G=-1 Sync N=2",
      ],
    );
    await validateTrace([bytes]);
  });

  it("stop-the-world written on every P before Go 1.10 is one range", async () => {
    // STWStart 9 and STWDone 10 had no arguments before 1.10.
    const bytes = oldTrace(9, [
      [1, 0, 100],
      [5, 10, 1], // ProcStart P0 on thread 1
      [13, 10, 1, 0, 0], // GoCreate g1
      [4, 10, 2, 0], // Gomaxprocs 2
      [14, 10, 1, 1], // GoStart g1
      [9, 10], // g1 stops the world
      [1, 1, 150],
      [5, 10, 2], // ProcStart P1 on thread 2
      [9, 10], // P1 helps: its own start…
      [10, 10], // …and end
      [1, 0, 190],
      [10, 10], // g1 starts the world again
      [1, -1, 0],
      [2, 1e9],
    ]);
    const { text, error } = await dumpParsed(bytes);
    assert.equal(error, undefined);
    const stw = text.split("\n").filter((l) => l.includes("stop-the-world"));
    assert.deepEqual(
      stw.map((l) => l.replace(/ Time=-?\d+/, "")),
      [
        'M=1 P=0 G=1 RangeBegin Name="stop-the-world (GC mark termination)" Scope=Goroutine(1)',
        'M=1 P=0 G=1 RangeEnd Name="stop-the-world (GC mark termination)" Scope=Goroutine(1) Attributes=[]',
      ],
    );
    await validateTrace([bytes]);
  });
});

describe("old traces pushed in pieces", () => {
  it("give the same events whatever the chunk size", async () => {
    const dir = join(goTracesDir, "src/internal/trace/testdata");
    for (const name of ["http_1_5_good", "stress_start_stop_1_9_good", "user_task_region_1_21_good"]) {
      const bytes = readFileSync(join(dir, name));
      const whole = await dumpParsed(bytes, bytes.length);
      assert.equal(whole.error, undefined, name);
      for (const size of [1, 7, 4096]) {
        const chunked = await dumpParsed(bytes, size);
        assert.equal(chunked.text, whole.text, `${name} in ${size}-byte chunks`);
      }
    }
  });
});

describe("every old trace that reads passes the validator", () => {
  it("Go 1.11–1.21", { timeout: 60_000 }, async () => {
    let read = 0;
    for (const f of goAcceptedFiles()) {
      const err = await readAndValidate(f);
      if (err === undefined) read++;
    }
    assert.ok(read >= (haveWild ? 40 : 36), `${read} read`);
  });
});

describe("damaged old traces of every dialect: events or one TraceError, never a crash", () => {
  it("overwritten, truncated and cut copies", { timeout: 60_000 }, async () => {
    const dir = join(goTracesDir, "src/internal/trace/testdata");
    const bases = [
      "http_1_5_good",
      "stress_start_stop_1_7_good",
      "http_1_9_good",
      "stress_start_stop_1_10_good",
    ]
      .map((f) => join(dir, f))
      .concat(wildTrace("campoy__justforfunc__22-perf_traces_workers-buffered.trace") ?? [])
      .map((f) => readFileSync(f));
    let seed = 1_005;
    const rand = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return Math.floor((seed / 2 ** 31) * n);
    };
    let errors = 0;
    for (let k = 0; k < 400; k++) {
      const b = Buffer.from(bases[k % bases.length]!);
      const body = b.length - 16;
      let m: Buffer = b;
      if (k % 3 === 0) for (let j = 0, n = 1 + rand(4); j < n; j++) m[16 + rand(body)] = rand(256);
      else if (k % 3 === 1) m = b.subarray(0, 16 + rand(body));
      else {
        const at = 16 + rand(body);
        m = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + rand(8))]);
      }
      try {
        await readTrace([m], () => {});
      } catch (e) {
        if (!(e instanceof TraceError)) throw new Error(`case ${k}: ${e instanceof Error ? e.stack : e}`);
        errors++;
      }
    }
    assert.ok(errors > 100, `${errors} of 400 damaged copies were rejected`);
  });
});

describe("the same program traced by different Go versions tells the same story", () => {
  const dir = join(goTracesDir, "src/internal/trace/testdata");

  async function overview(name: string) {
    const a = new OverviewAnalyzer();
    await readTrace([readFileSync(join(dir, name))], (ev) => a.event(ev));
    return a.finalize();
  }

  // runtime/trace's TestTraceStress: 26–28 goroutines created, 15–16 ending; the test
  // forces GCs, 241–349 in these files. (Go 1.5's stress test was a different, shorter one.)
  it("stress, Go 1.7–1.21: goroutines and GC cycles", async () => {
    for (const v of [7, 9, 10, 11, 19, 21]) {
      const o = await overview(`stress_1_${v}_good`);
      const what = `stress_1_${v}_good: ${JSON.stringify(o)}`;
      assert.ok(o.goroutines >= 30 && o.goroutines <= 40, what);
      assert.ok(o.goroutinesCreated >= 24 && o.goroutinesCreated <= 30, what);
      assert.ok(o.goroutinesEnded >= 14 && o.goroutinesEnded <= 18, what);
      assert.ok(o.gcCycles >= 200 && o.gcCycles <= 400, what);
    }
    const o5 = await overview("stress_1_5_good");
    assert.ok(o5.goroutinesCreated >= 10 && o5.gcCycles >= 1, JSON.stringify(o5));
  });

  // TestTraceStressStartStop: tracing starts and stops around a busy program; one or two
  // goroutines start inside each window and none ends.
  it("stress_start_stop, Go 1.9–1.21", async () => {
    for (const v of [9, 10, 11, 19, 21]) {
      const o = await overview(`stress_start_stop_1_${v}_good`);
      const what = `stress_start_stop_1_${v}_good: ${JSON.stringify(o)}`;
      assert.ok(o.goroutinesCreated >= 1 && o.goroutinesCreated <= 2, what);
      assert.equal(o.goroutinesEnded, 0, what);
      assert.ok(o.goroutines >= 15 && o.gcCycles >= 2 && o.gcCycles <= 6, what);
    }
  });

  // The canned http traces of Go 1.7–1.11: one request, 6–7 goroutines, 2 created, 1 ended, no GC.
  it("http, Go 1.7–1.11", async () => {
    for (const v of [7, 9, 10, 11]) {
      const o = await overview(`http_1_${v}_good`);
      const what = `http_1_${v}_good: ${JSON.stringify(o)}`;
      assert.ok(o.goroutines >= 6 && o.goroutines <= 7, what);
      assert.equal(o.goroutinesCreated, 2, what);
      assert.equal(o.goroutinesEnded, 1, what);
      assert.equal(o.gcCycles, 0, what);
      assert.equal(o.generations, 1, what);
    }
  });
});
