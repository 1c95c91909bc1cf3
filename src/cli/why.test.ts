/** `gotrace why` as a user runs it: the chain, the critical path, its JSON, and its errors. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { WhyChainResponse } from "../query/why/protocol.js";
import { fixturesDir, repoRoot, requirement } from "../testing/corpus.js";

const cli = join(repoRoot, "dist", "cli", "main.js");

function gotrace(...args: string[]): { stdout: string; stderr: string; status: number } {
  const r = spawnSync(process.execPath, [cli, ...args], { maxBuffer: 1 << 28 });
  return { stdout: r.stdout.toString(), stderr: r.stderr.toString(), status: r.status ?? -1 };
}

const chain = join(fixturesDir, "whychain-go1.26.trace");
const fanout = join(fixturesDir, "whyfanout-go1.26.trace");

/** The goroutine that logged `[role] R` (from `gotrace dump`, Go's own event text). */
function roleGoroutine(role: string): number {
  const dump = gotrace("dump", chain).stdout;
  const m = new RegExp(` G=(\\d+) Log .*Category="role" Message="${role}"`).exec(dump);
  assert.ok(m, `role ${role} logged`);
  return Number(m[1]);
}

describe("gotrace why", { skip: requirement(existsSync(chain), "testdata/traces") }, () => {
  const tmp = mkdtempSync(join(tmpdir(), "gotrace-why-"));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it("prints A's chain back to C's timer, and --json's steps have the protocol's fields", () => {
    const [A, B, C] = ["A", "B", "C"].map(roleGoroutine);
    const r = gotrace("why", chain, "--goroutine", String(A));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, "");
    assert.match(
      r.stdout,
      new RegExp(
        `^Why G${A} \\(its longest wait\\), latest first:\\n  G${A} main\\.receiver: waiting \\(chan receive\\) for `,
      ),
    );
    assert.match(r.stdout, new RegExp(`woken by G${B} at `));
    assert.match(
      r.stdout,
      new RegExp(`G${B} main\\.sender: waiting \\(sync\\) for .*\\n(.*\\n)*      woken by G${C} at `),
    );
    assert.match(r.stdout, /woken by a timer\nRoot: a timer/);

    const j = gotrace("why", chain, "--goroutine", String(A), "--json");
    assert.equal(j.status, 0, j.stderr);
    const out = JSON.parse(j.stdout) as WhyChainResponse;
    assert.equal(out.root, "timer");
    assert.deepEqual(
      out.steps.map((s) => s.goroutine),
      [A, B, B, B, C, C, C],
    );
    for (const s of out.steps) {
      assert.deepEqual(Object.keys(s).sort(), [
        "endNs",
        "goroutine",
        "name",
        "reason",
        "stack",
        "startNs",
        "state",
        "wake",
        "wokenBy",
      ]);
    }
    // --at: the same wait, named by a time inside it.
    const mid = Math.round((out.steps[0]!.startNs + out.steps[0]!.endNs) / 2);
    const at = JSON.parse(
      gotrace("why", chain, "--goroutine", String(A), "--at", String(mid), "--json").stdout,
    );
    assert.deepEqual(at.steps, out.steps);
    assert.equal(at.atNs, mid);
  });

  it("gives a task's critical path, the slowest of a type, and a region's", () => {
    const t = gotrace("why", fanout, "--task-type", "request");
    assert.equal(t.status, 0, t.stderr);
    assert.match(t.stdout, /^Critical path of task \d+ \(request\): /);
    assert.match(t.stdout, /\nTime by cause:\n +[\d.]+m?s +\d+\.\d% +runnable on G\d+ main\.worker\n/);
    const byType = JSON.parse(gotrace("why", fanout, "--task-type", "request", "--json").stdout);
    const byId = JSON.parse(gotrace("why", fanout, "--task", String(byType.task), "--json").stdout);
    assert.deepEqual(byId, byType);
    const r = gotrace("why", chain, "--region", "wait", "--json");
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).kind, "region");
    // Old formats too: Go 1.21's per-P traces.
    const old = gotrace("why", join(fixturesDir, "annotations-go1.21.trace"), "--region", "step");
    assert.equal(old.status, 0, old.stderr);
    assert.match(old.stdout, /^Critical path of region step on G\d+: /);
  });

  it("says in one line what is wrong with the question or the file", () => {
    const none = gotrace("why", chain);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /^gotrace why: say what to explain: --goroutine ID.*\n$/);
    const missing = gotrace("why", chain, "--goroutine", "999999");
    assert.equal(missing.status, 1);
    assert.equal(missing.stderr, `gotrace: ${chain}: no goroutine 999999 in the trace\n`);
    const both = gotrace("why", chain, "--task", "1", "--region", "wait");
    assert.equal(both.status, 2);
    assert.equal(both.stderr.split("\n").length, 2);
    const bad = gotrace("why", chain, "--goroutine", "x");
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--goroutine: want a whole number/);
    const unknown = gotrace("why", chain, "--goroutin", "1");
    assert.equal(unknown.status, 2);
    const notTrace = join(tmp, "not.trace");
    writeFileSync(notTrace, "hello, world\n");
    const nt = gotrace("why", notTrace, "--goroutine", "1");
    assert.equal(nt.status, 1);
    assert.match(nt.stderr, /^gotrace: .*not\.trace: .*byte offset 0\n$/);
  });

  it("explains a damaged trace from what came before the damage, with one warning", () => {
    // Many generations: the first ones are whole before the cut.
    const bytes = readFileSync(join(fixturesDir, "manygen-go1.26.trace"));
    const cut = join(tmp, "cut.trace");
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.7)));
    const r = gotrace("why", cut, "--goroutine", "1");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^gotrace: warning: .*cut\.trace: damaged at byte offset \d+.*\n$/);
    assert.match(r.stdout, /^Why G1 /);
    // One generation cut short: nothing to explain, one line, status 1.
    const small = readFileSync(chain);
    writeFileSync(cut, small.subarray(0, Math.floor(small.length * 0.8)));
    const none = gotrace("why", cut, "--goroutine", "1");
    assert.equal(none.status, 1);
    assert.match(none.stderr, /^gotrace: .*cut\.trace: .* at byte offset \d+\n$/);
  });
});
