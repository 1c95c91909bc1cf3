/**
 * Differential tests: gotrace's events, printed, must equal what Go's own
 * parser prints (`go tool trace -d=parsed`) byte for byte, for every modern
 * trace in the corpus and in our fixtures, including where Go fails.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { describe, it } from "node:test";
import {
  fixturesDir,
  goParsed,
  haveGo,
  mapLimit,
  requirement,
  traceFiles,
  wildOnly,
  wildTraces,
} from "../testing/corpus.js";
import { dumpParsed } from "../testing/dump.js";

function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const line = a.slice(0, i).split("\n").length;
  const ctx = (s: string) => s.slice(Math.max(0, i - 80), i + 120);
  return `first difference at line ${line}:\n--- gotrace\n${ctx(a)}\n--- go\n${ctx(b)}`;
}

async function compareWithGo(path: string): Promise<void> {
  const bytes = readFileSync(path);
  const [go, ours] = await Promise.all([goParsed(path), dumpParsed(bytes)]);
  const goText = go.stdout.toString("utf8");
  if (ours.text !== goText) assert.fail(`${basename(path)}: ${firstDifference(ours.text, goText)}`);
  assert.equal(
    ours.error !== undefined,
    go.status !== 0,
    `${basename(path)}: gotrace error ${ours.error?.message}, go: ${go.stderr}`,
  );
}

const modern = (v: number) => v >= 22;

describe("gotrace dump equals go tool trace -d=parsed", () => {
  const noGo = requirement(haveGo(), "the go command");

  it("on every Go 1.22+ wild trace", { skip: noGo ?? wildOnly(), timeout: 600_000 }, async () => {
    const files = wildTraces(modern);
    assert.ok(files.length >= 19, `expected the wild 1.22+ traces, found ${files.length}`);
    await mapLimit(files, 2, compareWithGo);
  });

  it("on every Go 1.22+ fixture", { skip: noGo, timeout: 600_000 }, async () => {
    const files = traceFiles(fixturesDir, modern);
    assert.ok(files.length > 0, "no fixtures in testdata/traces");
    await mapLimit(files, 2, compareWithGo);
  });
});

describe("streaming", () => {
  it("gives the same events whatever the chunk size", async () => {
    const small = traceFiles(fixturesDir, modern).filter((f) => /\/sched-go1\.2[26]\.trace$/.test(f));
    assert.equal(small.length, 2);
    const files = [...wildTraces(modern).slice(0, 6), ...small];
    for (const f of files) {
      const bytes = readFileSync(f);
      const whole = await dumpParsed(bytes, bytes.length);
      for (const size of [1, 7, 4096]) {
        if (size === 1 && bytes.length > 50_000) continue;
        const chunked = await dumpParsed(bytes, size);
        assert.equal(chunked.text, whole.text, `${basename(f)} with ${size}-byte chunks`);
      }
    }
  });
});
