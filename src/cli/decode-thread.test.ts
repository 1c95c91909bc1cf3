/**
 * A trace read on the decode worker must reach the caller exactly as an
 * in-thread read gives it: every event (as go tool trace -d=parsed prints
 * it), the counts, the origin and, for a damaged file, the same error.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, describe, it } from "node:test";
import { type Driven, drive } from "../decode/drive.js";
import type { Event } from "../decode/event.js";
import { formatEvent } from "../decode/event-string.js";
import { fixturesDir, traceFiles } from "../testing/corpus.js";
import { fileChunks } from "./chunks.js";
import { driveFile } from "./decode-thread.js";

/** Events print with times from 0: the origin is compared on its own. */
async function read(path: string, threaded: boolean) {
  const text: string[] = [];
  const each = (ev: Event) => text.push(formatEvent(ev, 0));
  const run: Driven = threaded
    ? await driveFile(path, each, { threaded })
    : await drive(fileChunks(path), each);
  const { version, originNs, events, bytes, syncs, validOffset } = run;
  return { version, originNs, events, bytes, syncs, validOffset, error: run.error?.message, text };
}

async function both(path: string) {
  return { direct: await read(path, false), threaded: await read(path, true) };
}

describe("reading on the decode worker", () => {
  const dir = mkdtempSync(join(tmpdir(), "gotrace-decode-thread-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  // Each program's oldest and newest recording: every format family, a worker each.
  const all = traceFiles(fixturesDir, () => true);
  const byProgram = new Map<string, string[]>();
  for (const f of all) {
    const program = basename(f).replace(/-go1\.\d+\.trace$/, "");
    byProgram.set(program, [...(byProgram.get(program) ?? []), f]);
  }
  const files = [...byProgram.values()].flatMap((fs) => [...new Set([fs[0]!, fs[fs.length - 1]!])]);

  it("gives every fixture's events, counts and origin as an in-thread read does", async () => {
    assert.ok(files.length > 20);
    let events = 0;
    for (const file of files) {
      const { direct, threaded } = await both(file);
      assert.deepEqual(threaded, direct, basename(file));
      events += direct.events;
    }
    assert.ok(events > 20_000, `only ${events} events`);
  });

  it("stops at the same damage with the same error, after the same events", async () => {
    let damaged = 0;
    for (const file of all.filter((f) => /manygen|annotations-go1\.2[26]/.test(f))) {
      const bytes = readFileSync(file);
      for (const fraction of [0.3, 0.77]) {
        const cut = join(dir, `${basename(file)}-${fraction}`);
        writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * fraction)));
        const { direct, threaded } = await both(cut);
        assert.deepEqual(threaded, direct, basename(cut));
        if (direct.error !== undefined) damaged++;
      }
    }
    assert.ok(damaged > 5, `only ${damaged} cut traces were damaged`);
  });
});
