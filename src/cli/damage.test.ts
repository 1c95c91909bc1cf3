/**
 * One rule for a damaged trace in every analysis command: what go tool
 * trace keeps is analysed with exactly one warning line (file, offset,
 * reason, events kept, loss) and exit 0; with nothing kept, one error line,
 * nothing on stdout, exit 1. The reason is checked against Go's own.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fixturesDir, goToolTrace, haveGo, repoRoot, requirement } from "../testing/corpus.js";

const cli = join(repoRoot, "dist", "cli", "main.js");

const commands = [
  ["stats"],
  ["goroutines"],
  ["goroutines", "--csv"],
  ["schedlat"],
  ["tasks"],
  ["regions"],
  ["mmu"],
  ["pprof", "--type=sync", "--top"],
  ["pprof", "--type=sched", "-o", "/dev/null"],
];

function gotrace(args: string[]): { stdout: string; stderr: string; status: number } {
  const r = spawnSync(process.execPath, [cli, ...args]);
  return { stdout: r.stdout.toString(), stderr: r.stderr.toString(), status: r.status ?? -1 };
}

/** The first line go tool trace -d=parsed writes on stderr for `file`, or undefined without Go. */
function goReason(file: string): string | undefined {
  if (!haveGo()) return undefined;
  return goToolTrace(["-d=parsed", file]).stderr.split("\n")[0];
}

const manygen = join(fixturesDir, "manygen-go1.26.trace");
const gc = join(fixturesDir, "gc-go1.26.trace");

describe("a damaged trace", { skip: requirement(existsSync(manygen), "testdata/traces fixtures") }, () => {
  const tmp = mkdtempSync(join(tmpdir(), "gotrace-damage-"));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it("is analysed up to the damage by every command, with one warning line", (t) => {
    const whole = readFileSync(manygen);
    const cut = join(tmp, "cut.trace");
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const size = Math.floor(whole.length * 0.6);
    const warnings = new Set<string>();
    for (const args of commands) {
      const r = gotrace([...args, cut]);
      const what = args.join(" ");
      assert.equal(r.status, 0, `${what}: ${r.stderr}`);
      if (!args.includes("-o")) assert.ok(r.stdout.length > 0, `${what} prints its answer`);
      const m =
        /^gotrace: warning: (\S+): damaged at byte offset (\d+) \((.+)\); analysed the ([\d,]+) events before it, lost (\d+\.\d)% of ([\d.]+) KiB\n$/.exec(
          r.stderr,
        );
      assert.ok(m, `${what}: ${JSON.stringify(r.stderr)}`);
      assert.equal(m[1], cut);
      assert.ok(Number(m[2]) > 0 && Number(m[2]) <= size, `${what}: offset`);
      assert.ok(Number(m[4]!.replace(/,/g, "")) > 0, `${what}: events kept`);
      assert.equal(m[6], (size / 1024).toFixed(1));
      warnings.add(r.stderr);
    }
    assert.equal(warnings.size, 1, "every command says the same");
    // Each command analyses the same events: stats counts them, Syncs included.
    const kept = Number(/analysed the ([\d,]+) events/.exec([...warnings][0]!)![1]!.replace(/,/g, ""));
    const stats = gotrace(["stats", cut]).stdout;
    const events = Number(/^Events: +([\d,]+)/m.exec(stats)![1]!.replace(/,/g, ""));
    const syncs = Number(/^ {2}Sync +([\d,]+)/m.exec(stats)?.[1]?.replace(/,/g, "") ?? 0);
    assert.equal(kept, events - syncs);
    const go = goReason(cut);
    if (go === undefined) return t.skip(requirement(false, "go"));
    assert.ok([...warnings][0]!.includes(`(${go})`), `Go says ${go}`);
  });

  it("with nothing before the damage, every command fails with one line and prints nothing", (t) => {
    // gc-go1.26 is one generation: cut short, nothing of it is kept.
    const whole = readFileSync(gc);
    const cut = join(tmp, "one-gen.trace");
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.7)));
    const lines = new Set<string>();
    for (const args of commands) {
      const r = gotrace([...args, cut]);
      const what = args.join(" ");
      assert.equal(r.status, 1, `${what}: ${r.stderr}`);
      assert.equal(r.stdout, "", what);
      assert.match(r.stderr, /^gotrace: \S+: .+ at byte offset \d+\n$/, what);
      lines.add(r.stderr);
    }
    assert.equal(lines.size, 1, "every command says the same");
    const go = goReason(cut);
    if (go === undefined) return t.skip(requirement(false, "go"));
    assert.equal(
      [...lines][0],
      `gotrace: ${cut}: ${go} at byte offset ${/offset (\d+)/.exec([...lines][0]!)![1]}\n`,
    );
  });

  it("dump prints what came before the damage, then the one error line, and exits 1", {
    skip: requirement(haveGo(), "go"),
  }, () => {
    const whole = readFileSync(manygen);
    const cut = join(tmp, "cut-dump.trace");
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const r = spawnSync(process.execPath, [cli, "dump", cut], { maxBuffer: 1 << 28 });
    const go = goToolTrace(["-d=parsed", cut]);
    assert.equal(r.status, 1);
    assert.ok(r.stdout.equals(go.stdout), "the events before the damage, as Go prints them");
    const stderr = r.stderr.toString();
    assert.match(stderr, /^gotrace: \S+: .+ at byte offset \d+\n$/);
    assert.ok(stderr.startsWith(`gotrace: ${cut}: ${go.stderr.split("\n")[0]} at byte offset `), stderr);
  });
});
