import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import fc from "fast-check";
import { type RawEvent, rawSpecOf } from "./raw.js";
import { readRawTrace } from "./raw-reader.js";
import { writeRawTrace } from "./raw-writer.js";
import { readTextTrace, TextTraceError } from "./text-reader.js";
import { writeTextTrace } from "./text-writer.js";
import { Ev } from "./v2/spec.js";
import { specsOf } from "./v2/version.js";

const utf8 = (s: string) => new TextEncoder().encode(s);

const sample = `Trace Go1.23
# a comment line, then a blank one

EventBatch gen=1 m=18446744073709551615 time=7 size=5
Stack id=4 nframes=2
\tpc=1 func=2 file=3 line=4
\tpc=5 func=6 file=7 line=8
String id=1
\tdata="main.main\\xff"
ExperimentalBatch exp=1 gen=1 m=2 time=3
\tdata=""
GoStart dt=1 g=2 g_seq=3
`;

test("reads events, frames and data; comments and blank lines are skipped", () => {
  const t = readTextTrace(sample);
  assert.equal(t.version, 23);
  assert.deepEqual(t.events, [
    { type: Ev.EventBatch, args: [1n, 18446744073709551615n, 7n, 5n] },
    { type: Ev.Stack, args: [4n, 2n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n] },
    { type: Ev.String, args: [1n], data: Uint8Array.of(...utf8("main.main"), 0xff) },
    { type: Ev.ExperimentalBatch, args: [1n, 1n, 2n, 3n], data: new Uint8Array(0) },
    { type: Ev.GoStart, args: [1n, 2n, 3n] },
  ]);
});

test("any Unicode space separates tokens; a final \\r is dropped; data may use any Go literal", () => {
  const text =
    "  Trace\u3000Go1.22\t\r\n" +
    "#\n" +
    "\u00a0Frequency\u2003freq=9 \r\n" +
    "String\u0085id=2\n" +
    " data =  `raw\\n`  \n" +
    "String id=3\n" +
    "data='é'";
  assert.deepEqual(readTextTrace(text).events, [
    { type: Ev.Frequency, args: [9n] },
    { type: Ev.String, args: [2n], data: utf8("raw\\n") },
    { type: Ev.String, args: [3n], data: utf8("é") },
  ]);
});

test("the version is kept in a uint32 as in Go, so Go1.4294967318 reads as Go1.22", () => {
  assert.equal(readTextTrace("Trace Go1.4294967318\n").version, 22);
  assert.equal(readTextTrace("Trace Go1.022\n").version, 22);
});

/** The reason and line of the error reading `text` throws. */
function failure(text: string): [string, number] {
  try {
    readTextTrace(text);
  } catch (e) {
    assert.ok(e instanceof TextTraceError);
    assert.equal(e.message, `${e.reason} (line ${e.line})`);
    return [e.reason, e.line];
  }
  assert.fail(`no error reading ${JSON.stringify(text)}`);
}

test("errors carry Go's wording and the line number", () => {
  assert.deepEqual(failure(""), ["EOF", 1]);
  assert.deepEqual(failure("# only\n\n"), ["EOF", 3]);
  assert.deepEqual(failure("Trace Go1.22 # c\n"), [
    'encountered unexpected non-space at the end of the header: " # c"',
    1,
  ]);
  assert.deepEqual(failure("Tracer Go1.22\n"), ["failed to parse header", 1]);
  assert.deepEqual(failure("Trace Go2\n"), ["failed to parse header Go version", 1]);
  assert.deepEqual(failure("Trace Go1.x\n"), [
    'failed to parse header Go version: strconv.ParseUint: parsing "x": invalid syntax',
    1,
  ]);
  assert.deepEqual(failure("Trace Go1.99999999999999999999\n"), [
    'failed to parse header Go version: strconv.ParseUint: parsing "99999999999999999999": value out of range',
    1,
  ]);
  assert.deepEqual(failure("Trace Go1.24\n"), ["unknown or unsupported Go version 1.24", 1]);
  assert.deepEqual(failure("Trace Go1.21\nEventBatch gen=1 m=1 time=1 size=1\n"), [
    "unidentified event: EventBatch",
    2,
  ]);
  const t = "Trace Go1.22\n\n";
  assert.deepEqual(failure(`${t}GoStart dt=1 g=2\n`), ["reading args for GoStart: no argument", 3]);
  assert.deepEqual(failure(`${t}GoStart dt=1 g=2 # g_seq=3\n`), ["reading args for GoStart: no argument", 3]);
  assert.deepEqual(failure(`${t}GoStart dt=1 g=2 g_seq=3 x\n`), [
    'reading args for GoStart: encountered unexpected non-space at the end of an event: " x"',
    3,
  ]);
  assert.deepEqual(failure(`${t}GoStart dt=1 g g_seq=3\n`), [
    'reading args for GoStart: malformed argument: "g"',
    3,
  ]);
  assert.deepEqual(failure(`${t}GoStart dt=1 p=2 g_seq=3\n`), [
    'reading args for GoStart: expected argument "g", but got "p"',
    3,
  ]);
  // The value is parsed before the name is checked.
  assert.deepEqual(failure(`${t}GoStart dt=1 p=-2 g_seq=3\n`), [
    'reading args for GoStart: failed to parse argument value "-2" for arg "p"',
    3,
  ]);
  assert.deepEqual(failure(`${t}GoStart dt=18446744073709551616 g=1 g_seq=3\n`), [
    'reading args for GoStart: failed to parse argument value "18446744073709551616" for arg "dt"',
    3,
  ]);
  assert.deepEqual(failure(`${t}Stack id=1 nframes=2\n\tpc=1 func=2 file=3 line=4\n`), [
    "unexpected EOF while reading stack: args=[1 2 1 2 3 4]",
    3,
  ]);
  assert.deepEqual(failure(`${t}Stack id=1 nframes=1\n\tpc=1 func=2 line=4\n`), [
    'expected argument "file", but got "line"',
    4,
  ]);
  assert.deepEqual(failure(`${t}String id=1\n`), [
    "unexpected EOF while reading data for String: args=[1]",
    3,
  ]);
  assert.deepEqual(failure(`${t}String id=1\nGoStart dt=1 g=2 g_seq=3\n`), [
    'malformed data: "GoStart dt=1 g=2 g_seq=3"',
    4,
  ]);
  assert.deepEqual(failure(`${t}String id=1\ndata="a" # c\n`), [
    'failed to parse data: "data=\\"a\\" # c": invalid syntax',
    4,
  ]);
  assert.deepEqual(failure(`${t}Bogus x=1\n`), ["unidentified event: Bogus", 3]);
});

test("a line of 64 KiB or more fails as bufio.Scanner does", () => {
  const ok = `Trace Go1.22\nString id=1\ndata="${"é".repeat(32760)}"\n`;
  assert.equal(readTextTrace(ok).events[0]!.data!.length, 65520);
  const long = `Trace Go1.22\nString id=1\ndata="${"é".repeat(32767)}"\n`;
  assert.deepEqual(failure(long), ["bufio.Scanner: token too long", 3]);
});

/** Random events that the text form can carry: no table holes (their name is empty), data always present. */
function arbitraryTextEvent(version: number): fc.Arbitrary<RawEvent> {
  const u64 = fc.oneof(fc.bigInt({ min: 0n, max: 1000n }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }));
  const types = specsOf(version).flatMap((s, i) => (s === undefined ? [] : [i]));
  return fc.constantFrom(...types).chain((type) => {
    const spec = rawSpecOf(version, type)!;
    const frames = spec.isStack ? fc.array(fc.tuple(u64, u64, u64, u64), { maxLength: 3 }) : fc.constant([]);
    const data = spec.hasData ? fc.uint8Array({ maxLength: 30 }) : fc.constant(undefined);
    return fc
      .tuple(fc.array(u64, { minLength: spec.args.length, maxLength: spec.args.length }), frames, data)
      .map(([args, fs, d]): RawEvent => {
        const all = spec.isStack ? [args[0]!, BigInt(fs.length), ...fs.flat()] : args;
        return d === undefined ? { type, args: all } : { type, args: all, data: d };
      });
  });
}

test("write then read gives back the events, for every version", () => {
  for (const version of [22, 23, 25, 26]) {
    fc.assert(
      fc.property(fc.array(arbitraryTextEvent(version), { maxLength: 15 }), (events) => {
        const back = readTextTrace(writeTextTrace(version, events));
        assert.equal(back.version, version);
        assert.deepEqual(back.events, events);
      }),
    );
  }
});

// ---- Differential: Go's own internal/trace/raw text reader and writer. ----
//
// internal packages cannot be imported from outside GOROOT, so the helper is
// compiled as if it lived in GOROOT/src/internal/trace/raw/, through
// `go build -overlay`: GOROOT itself is left untouched.

const inCI = process.env.CI === "true";

function skipOrFail(t: TestContext, reason: string): void {
  if (inCI) assert.fail(`CI=true but ${reason}`);
  console.log(`# skipped: ${reason}`);
  t.skip(reason);
}

const goHelper = `package main

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"os"

	"internal/trace/raw"
)

// textToWire converts a text trace as testtrace.ParseFile does.
func textToWire(in []byte) ([]byte, error) {
	tr, err := raw.NewTextReader(bytes.NewReader(in))
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	w, err := raw.NewWriter(&out, tr.Version())
	if err != nil {
		return nil, err
	}
	for {
		ev, err := tr.ReadEvent()
		if err == io.EOF {
			return out.Bytes(), nil
		}
		if err != nil {
			return nil, err
		}
		if err := w.WriteEvent(ev); err != nil {
			return nil, err
		}
	}
}

// wireToText prints a wire trace with the raw reader and the text writer.
func wireToText(in []byte) ([]byte, error) {
	r, err := raw.NewReader(bytes.NewReader(in))
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	w, err := raw.NewTextWriter(&out, r.Version())
	if err != nil {
		return nil, err
	}
	for {
		ev, err := r.ReadEvent()
		if err == io.EOF {
			return out.Bytes(), nil
		}
		if err != nil {
			return nil, err
		}
		if err := w.WriteEvent(ev); err != nil {
			return nil, err
		}
	}
}

func main() {
	convert := textToWire
	if os.Args[1] == "wire2text" {
		convert = wireToText
	}
	s := bufio.NewScanner(os.Stdin)
	s.Buffer(nil, 1<<24)
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	for s.Scan() {
		in, err := hex.DecodeString(s.Text())
		if err != nil {
			panic(err)
		}
		out, err := convert(in)
		if err != nil {
			fmt.Fprintln(w, "err", hex.EncodeToString([]byte(err.Error())))
		} else {
			fmt.Fprintln(w, "ok", hex.EncodeToString(out))
		}
	}
}
`;

/** Builds the helper; returns a function running it over many inputs, or undefined without Go. */
function buildGoHelper(t: TestContext): ((mode: string, inputs: Uint8Array[]) => string[]) | undefined {
  const goroot = spawnSync("go", ["env", "GOROOT"], { encoding: "utf8" });
  if (goroot.status !== 0) {
    skipOrFail(t, "the go command is not available");
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), "gotrace-textraw-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, "src"));
  writeFileSync(join(dir, "src/main.go"), goHelper);
  const target = join(goroot.stdout.trim(), "src/internal/trace/raw/gotracetexthelper/main.go");
  writeFileSync(
    join(dir, "overlay.json"),
    JSON.stringify({ Replace: { [target]: join(dir, "src/main.go") } }),
  );
  const bin = join(dir, "helper");
  const b = spawnSync(
    "go",
    ["build", "-overlay", join(dir, "overlay.json"), "-o", bin, "internal/trace/raw/gotracetexthelper"],
    {
      encoding: "utf8",
    },
  );
  assert.equal(b.status, 0, `building the Go helper: ${b.stderr}`);
  return (mode, inputs) => {
    const input = inputs.map((i) => Buffer.from(i).toString("hex")).join("\n") + "\n";
    const r = spawnSync(bin, [mode], { input, encoding: "utf8", maxBuffer: 1 << 28 });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trimEnd().split("\n");
  };
}

/** Our answer in the helper's terms: "ok <hex>" or "err <hex of Go's message>". */
function answer(run: () => Uint8Array | string): string {
  try {
    const out = run();
    return `ok ${Buffer.from(typeof out === "string" ? utf8(out) : out).toString("hex")}`;
  } catch (e) {
    const reason = (e as { reason?: string }).reason ?? (e as Error).message;
    return `err ${Buffer.from(utf8(reason)).toString("hex")}`;
  }
}

const decodeAnswer = (a: string) => {
  const [kind, hex] = a.split(" ");
  return `${kind} ${Buffer.from(hex ?? "", "hex").toString("utf8")}`;
};

/** Small random edits of a valid text trace: most break it in some way, some only respace it. */
function mutations(base: string, count: number, seed: number): string[] {
  const pieces = [
    " ",
    "\t",
    "  ",
    "\u00a0",
    "\u3000",
    "\u2028",
    "\v",
    "\r",
    "\n",
    "#",
    "=",
    "x",
    "0",
    "9",
    "-",
    '"',
    "\\",
    "`",
    "'",
    "data=",
    "é",
  ];
  const edit = fc.tuple(
    fc.nat(),
    fc.constantFrom("insert", "delete", "replace", "dupline", "dropline"),
    fc.constantFrom(...pieces),
  );
  return fc.sample(fc.array(edit, { minLength: 1, maxLength: 3 }), { numRuns: count, seed }).map((edits) => {
    let s = base;
    for (const [at, kind, piece] of edits) {
      const i = at % (s.length + 1);
      const lines = s.split("\n");
      const li = at % lines.length;
      if (kind === "insert") s = s.slice(0, i) + piece + s.slice(i);
      else if (kind === "delete") s = s.slice(0, i) + s.slice(i + 1);
      else if (kind === "replace") s = s.slice(0, i) + piece + s.slice(i + 1);
      else if (kind === "dupline") s = [...lines.slice(0, li + 1), ...lines.slice(li)].join("\n");
      else s = [...lines.slice(0, li), ...lines.slice(li + 1)].join("\n");
    }
    return s;
  });
}

test("text → wire equals Go's TextReader + Writer, on good and broken text", (t) => {
  const run = buildGoHelper(t);
  if (run === undefined) return;
  const bases = [
    sample,
    "Trace Go1.26\nSpanAlloc dt=1 id=2 npages_value=3 kindclass=4\nEndOfGeneration\nSync\n",
    "Trace Go1.22\nString id=1\n\tdata=`a\\tb`\nString id=2\n\tdata='\\x41'\nString id=3\n\tdata=\"\\u00e9\\U0001F600\\101\"\n",
    "Trace Go1.25\nClockSnapshot dt=1 mono=2 sec=3 nsec=4\nStack id=1 nframes=18446744073709551615\n",
  ];
  const texts = [...bases, ...bases.flatMap((b, i) => mutations(b, 600, i + 1))];
  texts.push(
    "",
    "Trace",
    "Trace Go1.24\n",
    "Trace Go1.11\nFrequency freq=1\n",
    "Trace Go1.21\n",
    "Trace Go1.4294967318\n",
  );
  const goAnswers = run("text2wire", texts.map(utf8));
  const problems: string[] = [];
  texts.forEach((text, i) => {
    const ours = answer(() => {
      const tr = readTextTrace(text);
      return writeRawTrace(tr.version, tr.events);
    });
    if (ours !== goAnswers[i]) {
      problems.push(
        `${JSON.stringify(text)}\n  ours: ${decodeAnswer(ours)}\n  go:   ${decodeAnswer(goAnswers[i]!)}`,
      );
    }
  });
  assert.deepEqual(problems.slice(0, 5), [], `${problems.length} of ${texts.length} differ`);
  const failures = goAnswers.filter((a) => a.startsWith("err")).length;
  assert.ok(
    failures > 100 && failures < texts.length - 100,
    `only ${failures} of ${texts.length} fail: weak mutations`,
  );
});

test("wire → text equals Go's raw Reader + TextWriter on random events", (t) => {
  const run = buildGoHelper(t);
  if (run === undefined) return;
  const u64 = fc.oneof(fc.bigInt({ min: 0n, max: 1000n }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }));
  const traces: Uint8Array[] = [];
  for (const version of [22, 23, 25, 26]) {
    // Raw events of any type byte in the table, 1.26's empty-named holes included.
    const event = fc.integer({ min: 1, max: specsOf(version).length - 1 }).chain((type) => {
      const spec = rawSpecOf(version, type)!;
      const frames = spec.isStack
        ? fc.array(fc.tuple(u64, u64, u64, u64), { maxLength: 3 })
        : fc.constant([]);
      const data = spec.hasData ? fc.uint8Array({ maxLength: 30 }) : fc.constant(undefined);
      return fc
        .tuple(fc.array(u64, { minLength: spec.args.length, maxLength: spec.args.length }), frames, data)
        .map(([args, fs, d]): RawEvent => {
          const all = spec.isStack ? [args[0]!, BigInt(fs.length), ...fs.flat()] : args;
          return d === undefined ? { type, args: all } : { type, args: all, data: d };
        });
    });
    for (const events of fc.sample(fc.array(event, { maxLength: 12 }), { numRuns: 150, seed: version })) {
      traces.push(writeRawTrace(version, events));
    }
  }
  const goAnswers = run("wire2text", traces);
  traces.forEach((bytes, i) => {
    const ours = answer(() => {
      const r = readRawTrace(bytes);
      if (r.error) throw r.error;
      return writeTextTrace(r.version!, r.events);
    });
    assert.equal(decodeAnswer(ours), decodeAnswer(goAnswers[i]!));
  });
});
