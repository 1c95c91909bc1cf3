/** `gotrace dump` against `go tool trace -d=parsed` on traces a real program would not write. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fixturesDir, goToolTrace, haveGo, repoRoot, requirement } from "../testing/corpus.js";

const cli = join(repoRoot, "dist", "cli", "main.js");
const fixture = join(fixturesDir, "gc-go1.26.trace");

describe("gotrace dump", { skip: requirement(existsSync(fixture), "testdata/traces fixtures") }, () => {
  const tmp = mkdtempSync(join(tmpdir(), "gotrace-dump-"));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it("prints a function name with one invalid UTF-8 byte as Go does, byte for byte", {
    skip: requirement(haveGo(), "go"),
  }, () => {
    // The byte goes into the string table entry of a function that many stacks name,
    // so the megabyte of output holds it on many lines, inside one OutputBuffer chunk.
    const bytes = Buffer.from(readFileSync(fixture));
    const at = bytes.indexOf("runtime.chanrecv1");
    assert.ok(at > 0, "the fixture names runtime.chanrecv1");
    bytes[at + "runtime.".length + 1] = 0xff;
    const bad = join(tmp, "bad-utf8.trace");
    writeFileSync(bad, bytes);
    const ours = spawnSync(process.execPath, [cli, "dump", bad], { maxBuffer: 1 << 28 });
    const go = goToolTrace(["-d=parsed", bad]);
    assert.equal(go.status, 0, go.stderr);
    assert.equal(ours.status, 0, ours.stderr.toString());
    assert.ok(go.stdout.includes(Buffer.from("runtime.c\xffanrecv1", "latin1")), "Go prints the raw byte");
    assert.ok(go.stdout.length > 1e6, "about a megabyte of output: a whole OutputBuffer chunk");
    assert.ok(ours.stdout.equals(go.stdout), "dump differs from go tool trace -d=parsed");
  });
});
