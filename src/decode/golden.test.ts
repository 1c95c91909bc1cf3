/**
 * Go's own golden traces (`.test` files: a text trace and the expected
 * outcome) run through gotrace's reader and validator with their
 * expectations, as Go's reader tests run them; the successful ones are also
 * compared with Go's parser event for event.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { writeRawTrace } from "../format/raw-writer.js";
import { parseTestTrace, type TestTrace } from "../format/test-trace.js";
import { readTextTrace } from "../format/text-reader.js";
import { goParsed, goTracesDir, haveGo, requirement } from "../testing/corpus.js";
import { dumpParsed } from "../testing/dump.js";
import { Validator } from "../validate/validator.js";
import { TraceError } from "./errors.js";
import { readTrace } from "./reader.js";

const testsDir = join(goTracesDir, "src/internal/trace/testdata/tests");
const cmdTraceGolden = join(goTracesDir, "src/cmd/trace/testdata/go122.test");

function goldens(): { name: string; trace: TestTrace }[] {
  const out = readdirSync(testsDir)
    .filter((f) => f.endsWith(".test"))
    .sort()
    .map((f) => ({ name: f, trace: parseTestTrace(readFileSync(join(testsDir, f), "utf8"), f) }));
  // cmd/trace's golden is a bare text trace that must read successfully.
  const bare = readTextTrace(readFileSync(cmdTraceGolden, "utf8"));
  out.push({
    name: "cmd/trace go122.test",
    trace: {
      expectation: { kind: "success" },
      version: bare.version,
      events: bare.events,
      traceBytes: writeRawTrace(bare.version, bare.events),
    },
  });
  return out;
}

/** Reads and validates as Go's testReader does: the first error, from either, is the outcome. */
async function outcome(bytes: Uint8Array): Promise<Error | undefined> {
  const v = new Validator();
  try {
    await readTrace([bytes], (ev, r) => {
      if (r.version !== undefined) v.goVersion = r.version;
      v.event(ev);
    });
    return undefined;
  } catch (e) {
    if (e instanceof Error) return e;
    throw e;
  }
}

describe("Go's golden .test traces", () => {
  const all = existsSync(testsDir) ? goldens() : [];
  const tmp = mkdtempSync(join(tmpdir(), "gotrace-golden-"));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it("found all of them", () => assert.ok(all.length >= 23, `found ${all.length}`));

  for (const { name, trace } of all) {
    it(`${name} meets its expectation`, async () => {
      const err = await outcome(trace.traceBytes);
      if (trace.expectation.kind === "success") {
        assert.equal(err, undefined, `${name}: expected success, got ${err?.message}`);
      } else {
        assert.ok(err, `${name}: expected failure matching ${trace.expectation.pattern}`);
        const reason = err instanceof TraceError ? err.reason : err.message;
        assert.match(reason, trace.expectation.pattern);
      }
    });

    if (trace.expectation.kind === "success") {
      it(`${name} dumps as go tool trace does`, {
        skip: requirement(haveGo(), "the go command"),
      }, async () => {
        const file = join(tmp, name.replace(/[^\w.-]/g, "_"));
        writeFileSync(file, trace.traceBytes);
        const [go, ours] = await Promise.all([goParsed(file), dumpParsed(trace.traceBytes)]);
        assert.equal(go.status, 0, go.stderr);
        assert.equal(ours.error, undefined);
        assert.equal(ours.text, go.stdout.toString("utf8"));
      });
    }
  }
});
