/**
 * A malformed trace gives one line on stderr: the reason as Go words it,
 * then where. Checked on crafted bytes against `go tool trace -d=parsed`,
 * including sizes past 2^53, which must print as the exact integer.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { buildTrace } from "../testing/build-trace.js";
import { goToolTrace, haveGo, repoRoot, requirement } from "../testing/corpus.js";

const cli = join(repoRoot, "dist", "cli", "main.js");

function uvarint(v: bigint): number[] {
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

function header(version: number): number[] {
  return [...Buffer.from(`go 1.${version} trace\0\0\0`, "latin1")];
}

/** A Go 1.23 trace of one batch (generation 1, M 0, time 1) holding `payload`. */
function batchTrace(payload: number[]): Uint8Array {
  return Uint8Array.from([
    ...header(23),
    1, // EventBatch
    ...uvarint(1n),
    ...uvarint(0n),
    ...uvarint(1n),
    ...uvarint(BigInt(payload.length)),
    ...payload,
  ]);
}

const big = 2n ** 60n + 1n;

const cases: { name: string; bytes: Uint8Array; reason: string }[] = [
  {
    name: "a batch size past 2^53",
    bytes: Uint8Array.from([
      ...header(23),
      1,
      ...uvarint(1n),
      ...uvarint(0n),
      ...uvarint(1n),
      ...uvarint(big),
    ]),
    reason: `invalid batch size ${big}, maximum is 65536`,
  },
  {
    name: "a batch size of 2^64-1",
    bytes: Uint8Array.from([
      ...header(23),
      1,
      ...uvarint(1n),
      ...uvarint(0n),
      ...uvarint(1n),
      ...uvarint(2n ** 64n - 1n),
    ]),
    reason: "invalid batch size 18446744073709551615, maximum is 65536",
  },
  {
    name: "a string length past 2^53",
    // Strings, then one String: id 1, its length.
    bytes: batchTrace([4, 5, ...uvarint(1n), ...uvarint(big + 2n)]),
    reason: `invalid string size ${big + 2n}, maximum is 1024`,
  },
  {
    name: "a stack's frame count past 2^53",
    // Stacks, then one Stack: id 1, its frame count.
    bytes: batchTrace([2, 3, ...uvarint(1n), ...uvarint(big + 4n)]),
    reason: `invalid stack size ${big + 4n}, maximum is 128`,
  },
  {
    name: "a Go 1.11 batch's processor ID past 2^53",
    // EvBatch with two arguments: the P, then the time.
    bytes: Uint8Array.from([...header(11), 1 | (1 << 6), ...uvarint(big + 8n), ...uvarint(5n)]),
    reason: `processor ID ${big + 8n} is larger than maximum of 18446744073709551615`,
  },
  {
    name: "a generation whose events cannot be ordered",
    // The goroutine starts, but nothing ever says it exists: no batch can go on.
    bytes: buildTrace(`Trace Go1.22
EventBatch gen=1 m=0 time=0 size=0
Frequency freq=15625000
EventBatch gen=1 m=0 time=0 size=0
ProcStatus dt=1 p=0 pstatus=1
GoStart dt=1 g=1 g_seq=1
`),
    // Go follows this with ": frontier:" and a dump of the frontier on more lines.
    reason: "broken trace: failed to advance",
  },
];

describe("errors in a trace's bytes", () => {
  const tmp = mkdtempSync(join(tmpdir(), "gotrace-errors-"));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  for (const c of cases) {
    it(`${c.name}: one line, the exact number, as go tool trace says it`, (t) => {
      const file = join(tmp, `${c.name.replace(/\W+/g, "-")}.trace`);
      writeFileSync(file, c.bytes);
      for (const command of [["dump"], ["stats"], ["goroutines"]]) {
        const r = spawnSync(process.execPath, [cli, ...command, file]);
        const stderr = r.stderr.toString();
        assert.equal(r.status, 1, `${command}: ${stderr}`);
        assert.equal(stderr.split("\n").length, 2, `${command}: one line: ${JSON.stringify(stderr)}`);
        assert.ok(
          stderr.startsWith(`gotrace: ${file}: ${c.reason} at byte offset `),
          `${command}: ${stderr}`,
        );
        assert.doesNotMatch(stderr, /\n\s+at /);
      }
      const skip = requirement(haveGo(), "go");
      if (skip) return t.skip(skip);
      const go = goToolTrace(["-d=parsed", file]);
      assert.notEqual(go.status, 0);
      assert.equal(go.stderr.split("\n")[0]!.replace(/: frontier:$/, ""), c.reason, "Go's words");
    });
  }
});
