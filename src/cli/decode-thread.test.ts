/**
 * A trace read on worker threads must reach the caller exactly as an
 * in-thread read gives it: every event (as go tool trace -d=parsed prints
 * it), the counts, the origin and, for a damaged file, the same error. Read
 * by one worker, and in parts by several, cut at every generation (the most
 * boundaries to stitch) and in two.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, describe, it } from "node:test";
import { type Driven, drive } from "../decode/drive.js";
import type { Event } from "../decode/event.js";
import { formatEvent } from "../decode/event-string.js";
import { fixturesDir, traceFiles, wildDir } from "../testing/corpus.js";
import { fileChunks } from "./chunks.js";
import { driveFile } from "./decode-thread.js";
import { planParts, type ReadReport } from "./parallel-read.js";

/** Events print with times from 0: the origin is compared on its own. */
async function read(path: string, workers: number, parts?: number, report?: ReadReport) {
  const text: string[] = [];
  const each = (ev: Event) => text.push(formatEvent(ev, 0));
  const run: Driven =
    workers > 0
      ? await driveFile(path, each, { workers, parts, report })
      : await drive(fileChunks(path), each);
  const { version, originNs, events, bytes, syncs, validOffset, keptEvents } = run;
  return {
    version,
    originNs,
    events,
    bytes,
    syncs,
    validOffset,
    keptEvents,
    error: run.error?.message,
    text,
  };
}

describe("reading on worker threads", () => {
  const dir = mkdtempSync(join(tmpdir(), "gotrace-decode-thread-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const all = traceFiles(fixturesDir, () => true);
  // Each program's oldest and newest recording: every format family, a worker each.
  const byProgram = new Map<string, string[]>();
  for (const f of all) {
    const program = basename(f).replace(/-go1\.\d+\.trace$/, "");
    byProgram.set(program, [...(byProgram.get(program) ?? []), f]);
  }
  const files = [...byProgram.values()].flatMap((fs) => [...new Set([fs[0]!, fs[fs.length - 1]!])]);

  it("one worker gives every fixture's events, counts and origin as an in-thread read does", async () => {
    assert.ok(files.length > 20);
    let events = 0;
    for (const file of files) {
      const direct = await read(file, 0);
      assert.deepEqual(await read(file, 1), direct, basename(file));
      events += direct.events;
    }
    assert.ok(events > 20_000, `only ${events} events`);
  });

  it("parts read in parallel and stitched give what a sequential read does", async () => {
    // Traces of many generations, in both format families (a generation ends where
    // the next begins up to Go 1.25, at a marker since 1.26), and real ones where a
    // thread's state at a boundary makes the stitch give way to the sequential read.
    const many = [
      ...all.filter((f) => /manygen-go1\.2[2567]|flightrecorder-go1\.26/.test(f)),
      ...traceFiles(wildDir, (v) => v >= 22).filter((f) => /IcaroSilvaFK|wolfsoldier47|AnhPhix/.test(f)),
    ];
    let boundaries = 0;
    let stitched = 0;
    let fellBack = 0;
    for (const file of many) {
      const version = Number(/go 1\.(\d+)/.exec(readFileSync(file).toString("latin1", 0, 16))![1]);
      const gens = planParts(file, version, 2, 1e6);
      if (!gens) continue;
      const direct = await read(file, 0);
      for (const parts of file.startsWith(wildDir) ? [gens.length] : [2, gens.length]) {
        const report: ReadReport = {};
        assert.deepEqual(await read(file, 3, parts, report), direct, `${basename(file)} in ${parts} parts`);
        assert.ok(report.parts! >= 2, `${basename(file)}: ${report.parts} parts`);
        if (report.fellBack) fellBack++;
        else stitched++;
      }
      boundaries += gens.length - 1;
    }
    assert.ok(boundaries > 100, `only ${boundaries} generation boundaries`);
    // Nearly every read is stitched; the sequential read takes over only where it must.
    assert.ok(stitched >= 9 && fellBack <= 2, `${stitched} stitched, ${fellBack} fell back`);
  });

  it("stops at the same damage with the same error, after the same events", async () => {
    let damaged = 0;
    for (const file of all.filter((f) => /manygen-go1\.2[267]|annotations-go1\.26/.test(f))) {
      const bytes = readFileSync(file);
      for (const fraction of [0.3, 0.77]) {
        const cut = join(dir, `${basename(file)}-${fraction}`);
        writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * fraction)));
        const direct = await read(cut, 0);
        assert.deepEqual(await read(cut, 1), direct, `${basename(cut)} on one worker`);
        assert.deepEqual(await read(cut, 2, 1e6), direct, `${basename(cut)} in parts`);
        if (direct.error !== undefined) damaged++;
      }
    }
    assert.ok(damaged > 5, `only ${damaged} cut traces were damaged`);
  });
});
