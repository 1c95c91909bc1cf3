import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import fc from "fast-check";
import { goTracesDir, inCI, mapLimit, repoRoot, runProcess, wildTraces } from "../testing/corpus.js";
import { unquoteGo } from "./go-quote.js";
import { formatRawEvent, type RawEvent } from "./raw.js";
import { RawFormatError, RawReader, readRawTrace, scanHeader } from "./raw-reader.js";
import { writeRawTrace } from "./raw-writer.js";
import { Ev } from "./v2/spec.js";

const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const concat = (...parts: (Uint8Array | number[])[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const h22 = latin1("go 1.22 trace\0\0\0");
const h23 = latin1("go 1.23 trace\0\0\0");
const h26 = latin1("go 1.26 trace\0\0\0");

/** What `go tool trace -d=wire` prints on stdout for a read. */
function wireDump(bytes: Uint8Array): { stdout: string; error?: RawFormatError } {
  const t = readRawTrace(bytes);
  let stdout = "";
  for (const ev of t.events) stdout += `${formatRawEvent(t.version!, ev)}\n`;
  return t.error ? { stdout, error: t.error } : { stdout };
}

test("scanHeader accepts what Go's fmt.Fscanf accepts, and says how much it read", () => {
  const ok = (s: string, version: number, length: number) =>
    assert.deepEqual(scanHeader(latin1(s), true), { kind: "ok", version, length }, JSON.stringify(s));
  const bad = (s: string) => assert.equal(scanHeader(latin1(s), true).kind, "error", JSON.stringify(s));
  ok("go 1.22 trace\0\0\0X", 22, 16);
  ok("go 1.022 trace\0\0\0X", 22, 17);
  ok("go  1.22\ttrace\0\0\0X", 22, 17);
  ok("go 1. 22 trace\0\0\0", 22, 17);
  ok("go\t1.22 trace\0\0\0\0", 22, 16);
  ok("go 1.22\xc2\xa0trace\0\0\0", 22, 17); // U+00A0 is a space to fmt
  for (const s of ["go 1.+22 trace\0\0\0", "go 1.2_2 trace\0\0\0", "go 1.22trace\0\0\0", "go 1.22 trace\0\0"])
    bad(s);
  for (const s of [
    "go 1.22\ntrace\0\0\0",
    "go 1.22 \r\ntrace\0\0\0",
    " go 1.22 trace\0\0\0",
    "go 1.4294967318 trace\0\0\0",
  ])
    bad(s);
  assert.deepEqual(scanHeader(latin1("go 1.9 trace\0\0\0\0"), true), {
    kind: "error",
    reason: "unknown or unsupported trace version go 1.9",
  });
  assert.deepEqual(scanHeader(latin1("go 1.2"), false), { kind: "more" });
  assert.deepEqual(scanHeader(latin1("go 1.22 trace\0\0"), false), { kind: "more" });
  assert.deepEqual(scanHeader(latin1("gO"), false).kind, "error");
});

test("v1 headers are accepted but every event byte after them is invalid", () => {
  const v1 = latin1("go 1.21 trace\0\0\0");
  assert.deepEqual(wireDump(v1), { stdout: "" });
  const r = wireDump(concat(v1, [0x41, 0]));
  assert.equal(r.error?.reason, "invalid event type: 65");
  assert.equal(r.error?.offset, 16);
  assert.equal(
    wireDump(latin1("go 1.10 trace\0\0\0")).error?.reason,
    "unknown or unsupported trace version go 1.10",
  );
});

test("the table bounds: type 0, holes, experimental events, types past the version", () => {
  assert.equal(wireDump(concat(h23, [0])).error?.reason, "invalid event type: 0");
  assert.equal(wireDump(concat(h23, [Ev.EndOfGeneration])).error?.reason, "invalid event type: 52");
  assert.equal(wireDump(concat(h26, [Ev.EndOfGeneration])).stdout, "EndOfGeneration\n");
  assert.equal(
    wireDump(concat(h26, [60, Ev.Span, 1, 2, 3, 4])).stdout,
    "\nSpan dt=1 id=2 npages_value=3 kindclass=4\n",
  );
  assert.equal(wireDump(concat(h26, [137])).error?.reason, "invalid event type: 137");
});

test("end of input: clean at a varint boundary or inside data, an error inside a varint", () => {
  // Cut before a varint: the event vanishes, as with Go's io.EOF.
  const cut = readRawTrace(concat(h23, [Ev.Stack, 1, 2, 1, 2, 3, 4, 5]));
  assert.deepEqual(cut.events, []);
  assert.equal(cut.error, undefined);
  assert.equal(cut.ignoredTailBytes, 8);
  // Cut inside the data trailer: also silent.
  assert.equal(wireDump(concat(h23, [Ev.String, 1, 5, 0x61, 0x62])).stdout, "");
  // Cut inside a varint.
  const mid = wireDump(concat(h23, [Ev.Frequency, 7, Ev.String, 0x81]));
  assert.equal(mid.stdout, "Frequency freq=7\n");
  assert.equal(mid.error?.reason, "unexpected EOF");
  assert.equal(mid.error?.offset, 20);
  assert.equal(mid.error?.message, "unexpected EOF at byte offset 20");
});

test("lengths of 2^63 and more count as zero, as Go's int() makes them negative", () => {
  const max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
  assert.equal(wireDump(concat(h23, [Ev.Stack, 1], max)).stdout, "Stack id=1 nframes=18446744073709551615\n");
  assert.equal(
    wireDump(concat(h23, [Ev.String, 1], max, [Ev.Frequency, 3])).stdout,
    "String id=1\nFrequency freq=3\n",
  );
  assert.equal(wireDump(concat(h23, [Ev.String, 1, 0])).stdout, "String id=1\n", "length 0 is nil data");
});

test("varint overflow is Go's error, at the varint's offset", () => {
  const r = wireDump(concat(h23, [Ev.String], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]));
  assert.equal(r.error?.reason, "binary: varint overflows a 64-bit integer");
  assert.equal(r.error?.offset, 17);
  const eleven = wireDump(concat(h23, [Ev.String], new Array(11).fill(0x80)));
  assert.equal(eleven.error?.reason, "binary: varint overflows a 64-bit integer");
  // 8–10 byte varints are exact.
  const big = readRawTrace(
    concat(h23, [Ev.Frequency, 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]),
  );
  assert.deepEqual(big.events[0]!.args, [(1n << 63n) + 1n]);
});

test("errors stick: next() throws the same error again", () => {
  const r = new RawReader();
  r.push(concat(h23, [0]));
  r.close();
  assert.throws(() => r.next(), RawFormatError);
  assert.throws(() => r.next(), /invalid event type: 0 at byte offset 16/);
});

/** Reads by pushing the pieces one at a time, pulling everything available after each. */
function readInChunks(chunks: Uint8Array[]): { events: RawEvent[]; error?: string } {
  const r = new RawReader();
  const events: RawEvent[] = [];
  try {
    for (const c of chunks) {
      r.push(c);
      for (let ev = r.next(); ev !== "more"; ev = r.next()) {
        if (ev === "end") throw new Error("end before close");
        events.push(ev);
      }
    }
    r.close();
    for (let ev = r.next(); ev !== "end"; ev = r.next()) {
      assert.notEqual(ev, "more");
      events.push(ev as RawEvent);
    }
  } catch (e) {
    return { events, error: (e as Error).message };
  }
  return { events };
}

function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  return out;
}

const sampleTrace = writeRawTrace(23, [
  { type: Ev.EventBatch, args: [1n, 18446744073709551615n, 123456789n, 20n] },
  { type: Ev.Strings, args: [] },
  { type: Ev.String, args: [1n], data: new TextEncoder().encode("main.main\xff") },
  { type: Ev.Stacks, args: [] },
  { type: Ev.Stack, args: [1n, 2n, 4198400n, 1n, 2n, 10n, 4198500n, 3n, 4n, 20n] },
  { type: Ev.ExperimentalBatch, args: [1n, 1n, 7n, 99n], data: new Uint8Array(300).fill(7) },
  { type: Ev.GoStart, args: [300n, 1n, 1n] },
]);

test("any chunking reads the same events, and the same error, as the whole input", () => {
  const inputs = [sampleTrace, concat(sampleTrace, [Ev.GoStart, 0x80]), concat(sampleTrace, [0])];
  for (const input of inputs) {
    const whole = readInChunks([input]);
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 12 }), (cuts) => {
        assert.deepEqual(readInChunks(splitAt(input, cuts)), whole);
      }),
    );
  }
  // Byte by byte, too, which also drives the header through "more".
  assert.deepEqual(readInChunks(splitAt(sampleTrace, [...sampleTrace.keys()])), readInChunks([sampleTrace]));
});

test("pushed chunks are never written to", () => {
  const a = sampleTrace.slice(0, 40);
  const b = sampleTrace.slice(40);
  const copies = [a.slice(), b.slice()];
  readInChunks([a, b, new Uint8Array(5)]);
  assert.deepEqual([a, b], copies);
});

test("a huge event arriving in small chunks is read in linear time", () => {
  // 8 MiB of data and a 200k-frame stack in 1 KiB chunks: a reader that
  // re-parses or re-copies the pending event per chunk would take minutes.
  const data = new Uint8Array(8 << 20).fill(0x41);
  const frames: bigint[] = [];
  for (let i = 0; i < 200_000; i++) frames.push(BigInt(i) << 20n, 1n, 2n, BigInt(i));
  const bytes = writeRawTrace(23, [
    { type: Ev.String, args: [1n], data },
    { type: Ev.Stack, args: [1n, 200_000n, ...frames] },
  ]);
  const start = performance.now();
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += 1024) chunks.push(bytes.subarray(i, i + 1024));
  const { events, error } = readInChunks(chunks);
  const ms = performance.now() - start;
  assert.equal(error, undefined);
  assert.equal(events[0]!.data!.length, 8 << 20);
  assert.equal(events[1]!.args.length, 2 + 800_000);
  assert.ok(ms < 20_000, `took ${ms} ms`);
});

// ---- Differential: our wire dump against `go tool trace -d=wire`. ----

function skipOrFail(t: TestContext, reason: string): void {
  if (inCI) assert.fail(`CI=true but ${reason}`);
  console.log(`# skipped: ${reason}`);
  t.skip(reason);
}

/** The command running `go tool trace`: the built binary if `go tool -n` names it, else the go command. */
function goTraceCommand(): string[] | undefined {
  if (spawnSync("go", ["version"]).status !== 0) return undefined;
  const n = spawnSync("go", ["tool", "-n", "trace"], { encoding: "utf8" });
  const bin = n.status === 0 ? n.stdout.trim() : "";
  return bin !== "" && existsSync(bin) ? [bin] : ["go", "tool", "trace"];
}

interface GoRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

async function runGoTrace(cmd: string[], file: string): Promise<GoRun> {
  const r = await runProcess([...cmd, "-d=wire", file]);
  return { status: r.status, stdout: r.stdout.toString("utf8"), stderr: r.stderr };
}

/** Line number and both lines at the first difference, instead of a diff of megabytes. */
function firstDifference(ours: string, go: string): string {
  const a = ours.split("\n");
  const b = go.split("\n");
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `line ${i + 1}: ours ${JSON.stringify(a[i])}, go ${JSON.stringify(b[i])}`;
  }
  return "no difference";
}

/** Checks one file; returns a description of any disagreement. */
async function compareWithGo(
  cmd: string[],
  name: string,
  file: string,
  bytes: Uint8Array,
): Promise<string | undefined> {
  const go = await runGoTrace(cmd, file);
  const ours = wireDump(bytes);
  const goFailed = go.status !== 0;
  if (goFailed !== (ours.error !== undefined)) {
    return `${name}: go exit ${go.status} (${go.stderr.trim()}), ours ${ours.error?.message ?? "ok"}`;
  }
  if (ours.error && !ours.error.message.includes(go.stderr.trim())) {
    return `${name}: go says ${JSON.stringify(go.stderr.trim())}, we say ${JSON.stringify(ours.error.message)}`;
  }
  if (ours.stdout !== go.stdout) return `${name}: ${firstDifference(ours.stdout, go.stdout)}`;
  return undefined;
}

function filesIn(dir: string, keep: (name: string) => boolean = () => true): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => keep(n) && statSync(join(dir, n)).isFile())
    .map((n) => join(dir, n));
}

/** Inputs shaped to hit each rule of Go's raw reader; each is checked against Go, not against our beliefs. */
function craftedCases(): [string, Uint8Array][] {
  const max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
  return [
    ["empty", new Uint8Array(0)],
    ["short-header", latin1("go 1.22 trace\0\0")],
    ["header-only", h22],
    ["weird-header", concat(latin1("go  1.022\ttrace\0\0\0"), [Ev.Frequency, 5])],
    ["nbsp-header", concat(latin1("go 1.23\xc2\xa0trace\0\0\0"), [Ev.Frequency, 5])],
    ["newline-header", latin1("go 1.22\ntrace\0\0\0")],
    ["v1.8", latin1("go 1.8 trace\0\0\0\0\x41")],
    ["v1.11-empty", latin1("go 1.11 trace\0\0\0")],
    ["v1.19-zero", latin1("go 1.19 trace\0\0\0\0")],
    ["type-0", concat(h23, [0])],
    ["eog-in-1.25", concat(latin1("go 1.25 trace\0\0\0"), [Ev.EndOfGeneration])],
    ["holes-1.26", concat(h26, [60, Ev.EndOfGeneration, 127, Ev.SpanAlloc, 1, 2, 3, 4, 136, 5, 6])],
    ["past-table-1.26", concat(h26, [137])],
    ["experimental-in-1.23", concat(h23, [Ev.Span])],
    ["cut-at-varint", concat(h23, [Ev.Stack, 1, 2, 1, 2, 3, 4, 5])],
    ["cut-in-varint", concat(h23, [Ev.Frequency, 7, Ev.GoStart, 1, 0x81])],
    ["cut-in-data", concat(h23, [Ev.String, 1, 5, 0x61, 0x62])],
    ["huge-nframes", concat(h23, [Ev.Stack, 1], max)],
    ["huge-data-len", concat(h23, [Ev.String, 1], max, [Ev.Frequency, 3])],
    ["empty-data", concat(h23, [Ev.String, 1, 0])],
    ["overflow", concat(h23, [Ev.String], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02])],
    ["eleven-byte-varint", concat(h23, [Ev.String], new Array(11).fill(0x80), [0])],
    [
      "padded-varint",
      concat(h23, [Ev.Frequency, 0x85, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]),
    ],
    [
      "odd-data",
      concat(h23, [Ev.String, 1, 12, 0xff, 0xe2, 0x82, 0, 0x7f, 0xc2, 0x85, 0xf0, 0x9f, 0x98, 0x80, 0x22]),
    ],
    ["sample", sampleTrace],
  ];
}

/** Go's fuzz corpus files hold a trace as a Go-quoted []byte literal. */
function fuzzCorpus(dir: string): [string, Uint8Array][] {
  return filesIn(dir).flatMap((f) => {
    const m = /^\[\]byte\((".*")\)$/m.exec(readFileSync(f, "utf8"));
    return m ? [[`fuzz/${f.split("/").pop()}`, unquoteGo(m[1]!)] as [string, Uint8Array]] : [];
  });
}

test("wire dumps equal `go tool trace -d=wire` on real, odd and crafted traces", async (t) => {
  const cmd = goTraceCommand();
  if (cmd === undefined) {
    skipOrFail(t, "the go command is not available");
    return;
  }
  const goTraces = join(goTracesDir, "src/internal");
  const sources = [
    ...wildTraces(),
    ...filesIn(join(goTraces, "trace/testdata")),
    ...filesIn(join(goTraces, "trace/internal/tracev1/testdata")),
    ...filesIn(join(goTraces, "traceparser/testdata")),
    ...filesIn(join(repoRoot, "testdata/traces"), (n) => n.endsWith(".trace")),
  ];
  const inputs: [string, Uint8Array][] = [
    ...craftedCases().map(([name, bytes]): [string, Uint8Array] => [`crafted/${name}`, bytes]),
    ...fuzzCorpus(join(goTraces, "trace/testdata/fuzz/FuzzReader")),
  ];
  for (const f of sources) {
    // Fixtures may be regenerated while we run: read each once, and give Go the same bytes.
    try {
      inputs.push([f.slice(f.lastIndexOf("/", f.lastIndexOf("/") - 1) + 1), readFileSync(f)]);
    } catch (e) {
      console.log(`# ${f} vanished while listing: ${(e as Error).message}`);
    }
  }

  const dir = mkdtempSync(join(tmpdir(), "gotrace-wire-"));
  try {
    const files = inputs.map(([name, bytes], i): [string, string, Uint8Array] => {
      const f = join(dir, String(i));
      writeFileSync(f, bytes);
      return [name, f, bytes];
    });
    // Build the tool once before running it in parallel.
    await runGoTrace(cmd, files[0]![1]);
    const problems = await mapLimit(files, Math.min(4, availableParallelism()), ([name, f, bytes]) =>
      compareWithGo(cmd, name, f, bytes),
    );
    assert.deepEqual(
      problems.filter((p) => p !== undefined),
      [],
    );
    console.log(`# compared ${files.length} files with go tool trace -d=wire`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
