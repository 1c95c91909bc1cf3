import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { goTracesDir, inCI, mapLimit, runProcess } from "../testing/corpus.js";
import { formatRawEvent, type RawEvent } from "./raw.js";
import { readRawTrace } from "./raw-reader.js";
import { writeRawTrace } from "./raw-writer.js";
import { goRegExp, parseExpectation, parseTestTrace } from "./test-trace.js";
import { readTextTrace } from "./text-reader.js";
import { textTraceHeader, writeTextTrace } from "./text-writer.js";
import { formatTxtar } from "./txtar.js";
import { Ev } from "./v2/spec.js";

test("expectations: SUCCESS, FAILURE with a Go-quoted regexp, and Go's errors", () => {
  assert.deepEqual(parseExpectation("SUCCESS\n"), { kind: "success" });
  assert.deepEqual(parseExpectation("SUCCESS and anything\n"), { kind: "success" });
  assert.deepEqual(parseExpectation(""), { kind: "success" }, "Go's scanner finds no line: success");
  const f = parseExpectation('FAILURE ".*expected a proc but didn\'t have one.*"\n');
  assert.equal(f.kind, "failure");
  assert.ok(f.kind === "failure" && f.pattern.test("broken: expected a proc but didn't have one (gen 1)"));
  assert.throws(() => parseExpectation("FAILURE\n"), { message: 'bad header line for FAILURE: "FAILURE"' });
  assert.throws(() => parseExpectation("failure x\n"), { message: 'bad header line: "failure x"' });
  assert.throws(
    () => parseExpectation('FAILURE  "x"\n'),
    /^Error: malformed pattern: not correctly quoted: +"x": invalid syntax$/,
  );
  assert.throws(() => parseExpectation('FAILURE "("\n'), /malformed pattern: not a valid regexp: \(/);
});

test("goRegExp: unanchored search, leading flags and named groups", () => {
  assert.ok(goRegExp("b+c").test("abbcd"));
  assert.ok(goRegExp("(?i)PROC").test("a proc"));
  assert.equal(goRegExp("(?P<what>proc)").exec("a proc")?.groups?.["what"], "proc");
  assert.ok(goRegExp("a\\-b").test("a-b"), "an escape JS's u flag rejects");
  assert.ok(!goRegExp("a.b").test("a\nb"), "dot does not match newline, as in Go");
});

const goodTrace = "Trace Go1.22\nEventBatch gen=1 m=2 time=3 size=1\nStacks\n";

test("a .test file becomes the expectation, the events and the wire bytes", () => {
  const t = parseTestTrace(
    formatTxtar({
      comment: "",
      files: [
        { name: "expect", data: "SUCCESS\n" },
        { name: "trace", data: goodTrace },
      ],
    }),
  );
  assert.deepEqual(t.expectation, { kind: "success" });
  assert.equal(t.version, 22);
  assert.deepEqual(t.events, [
    { type: Ev.EventBatch, args: [1n, 2n, 3n, 1n] },
    { type: Ev.Stacks, args: [] },
  ]);
  assert.deepEqual([...t.traceBytes.subarray(16)], [Ev.EventBatch, 1, 2, 3, 1, Ev.Stacks]);
});

test("malformed .test files fail with Go's messages", () => {
  const ar = (files: [string, string][]) =>
    formatTxtar({ comment: "", files: files.map(([name, data]) => ({ name, data })) });
  assert.throws(() => parseTestTrace(ar([["expect", "SUCCESS"]]), "x.test"), {
    message: "malformed test x.test: wrong number of files",
  });
  assert.throws(
    () =>
      parseTestTrace(
        ar([
          ["expected", "SUCCESS"],
          ["trace", goodTrace],
        ]),
        "x.test",
      ),
    {
      message: "malformed test x.test: bad filename expected",
    },
  );
  assert.throws(
    () =>
      parseTestTrace(
        ar([
          ["expect", "SUCCESS"],
          ["trace", "Trace Go1.22\nBogus\n"],
        ]),
        "x.test",
      ),
    {
      message: "malformed test x.test: bad trace file: unidentified event: Bogus (line 2)",
    },
  );
  assert.throws(
    () =>
      parseTestTrace(
        ar([
          ["expect", "MAYBE"],
          ["trace", goodTrace],
        ]),
        "x.test",
      ),
    {
      message:
        'internal error during x.test: failed to parse expectation "MAYBE\\n": bad header line: "MAYBE"',
    },
  );
});

// ---- Go's .test files: round trips, and the bytes we make, read by Go. ----

const goTraces = join(goTracesDir, "src");
const testsDir = join(goTraces, "internal/trace/testdata/tests");
const bareTextTrace = join(goTraces, "cmd/trace/testdata/go122.test");

function skipOrFail(t: TestContext, reason: string): void {
  if (inCI) assert.fail(`CI=true but ${reason}`);
  console.log(`# skipped: ${reason}`);
  t.skip(reason);
}

interface Case {
  readonly name: string;
  readonly version: number;
  readonly text: string;
  readonly events: readonly RawEvent[];
  readonly traceBytes: Uint8Array;
  readonly expect?: ReturnType<typeof parseExpectation>;
}

/** Every .test file plus the bare go122.test (vendored in testdata/go-traces), parsed. */
function goTestCases(): Case[] {
  assert.ok(
    existsSync(testsDir) && existsSync(bareTextTrace),
    `Go's text traces are missing from ${goTraces}`,
  );
  const cases: Case[] = readdirSync(testsDir)
    .filter((n) => n.endsWith(".test"))
    .map((n) => {
      const text = readFileSync(join(testsDir, n), "utf8");
      const parsed = parseTestTrace(text, n);
      const trace = text.slice(text.indexOf("-- trace --\n") + "-- trace --\n".length);
      return {
        name: n,
        version: parsed.version,
        text: trace,
        events: parsed.events,
        traceBytes: parsed.traceBytes,
        expect: parsed.expectation,
      };
    });
  const bare = readFileSync(bareTextTrace, "utf8");
  const tr = readTextTrace(bare);
  cases.push({
    name: "cmd/trace go122.test",
    version: tr.version,
    text: bare,
    events: tr.events,
    traceBytes: writeRawTrace(tr.version, tr.events),
  });
  assert.ok(cases.length >= 23, `found only ${cases.length} test traces`);
  return cases;
}

test("Go's text traces round-trip: text → events → wire → events → text", () => {
  const cases = goTestCases();
  for (const c of cases) {
    const back = readRawTrace(c.traceBytes);
    assert.equal(back.error, undefined, c.name);
    assert.equal(back.version, c.version);
    assert.deepEqual(back.events, c.events, c.name);
    // Go's files are already in canonical form, so the text comes back byte for byte.
    assert.equal(writeTextTrace(back.version!, back.events), c.text, c.name);
    assert.deepEqual(writeRawTrace(c.version, readTextTrace(c.text).events), c.traceBytes);
  }
  const expected = Object.fromEntries(cases.filter((c) => c.expect).map((c) => [c.name, c.expect!.kind]));
  assert.equal(expected["go122-fail-first-gen-first.test"], "failure");
  assert.equal(expected["go122-create-syscall-with-p.test"], "failure");
  assert.equal(Object.values(expected).filter((k) => k === "success").length, 20);
});

async function runGoTrace(
  mode: string,
  file: string,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const r = await runProcess(["go", "tool", "trace", `-d=${mode}`, file]);
  return { status: r.status, stdout: r.stdout.toString("utf8"), stderr: r.stderr };
}

test("Go reads the wire bytes we make from its text traces as the same events, and as expected", async (t) => {
  const cases = goTestCases();
  if (spawnSync("go", ["version"]).status !== 0) {
    skipOrFail(t, "the go command is not available");
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "gotrace-testtrace-"));
  try {
    await runGoTrace("wire", bareTextTrace); // builds the tool once, before the parallel runs
    const problems = await mapLimit(cases, Math.min(4, availableParallelism()), async (c) => {
      const file = join(dir, c.name.replaceAll("/", "_"));
      writeFileSync(file, c.traceBytes);
      const wire = await runGoTrace("wire", file);
      // Go's dump is our text form without the header line.
      const ours = writeTextTrace(c.version, c.events).slice(textTraceHeader(c.version).length);
      if (wire.status !== 0 || wire.stdout !== ours)
        return `${c.name}: -d=wire differs (${wire.stderr.trim()})`;
      if (ours !== c.events.map((ev) => `${formatRawEvent(c.version, ev)}\n`).join(""))
        return `${c.name}: writer`;
      if (c.expect === undefined) return undefined;
      // The expectation is for Go's parser (and validator); -d=parsed runs the parser.
      const parsed = await runGoTrace("parsed", file);
      if (c.expect.kind === "success" && parsed.status !== 0)
        return `${c.name}: Go failed: ${parsed.stderr.trim()}`;
      if (
        c.expect.kind === "failure" &&
        (parsed.status === 0 || !c.expect.pattern.test(parsed.stderr.trim()))
      ) {
        return `${c.name}: Go's error ${JSON.stringify(parsed.stderr.trim())} does not match ${c.expect.pattern}`;
      }
      return undefined;
    });
    assert.deepEqual(
      problems.filter((p) => p !== undefined),
      [],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
