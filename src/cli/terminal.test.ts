/**
 * Output on a terminal: `goroutines --group` fits the terminal's width
 * (run under a pseudo-terminal from util-linux's `script`), while a pipe and
 * --csv/--json get the whole table.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fixturesDir, inCI, repoRoot, requirement } from "../testing/corpus.js";

const cli = join(repoRoot, "dist", "cli", "main.js");
const fixture = join(fixturesDir, "gc-go1.26.trace");
const haveScript = spawnSync("script", ["--version"]).status === 0;

/** Runs gotrace on a pseudo-terminal `cols` wide; returns its output with the terminal's \r\n undone. */
function onTerminal(cols: number, args: string[]): string {
  const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
  const command = `stty cols ${cols}; ${[process.execPath, cli, ...args].map(quote).join(" ")}`;
  const r = spawnSync("script", ["-qec", command, "/dev/null"], { maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout.toString().replace(/\r\n/g, "\n");
}

function piped(args: string[]): string {
  const r = spawnSync(process.execPath, [cli, ...args], { maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout.toString();
}

const widest = (text: string) => Math.max(...text.split("\n").map((l) => l.length));

describe("goroutines --group on a terminal", {
  // Without `script` there is no terminal to test on; CI must have it.
  skip:
    requirement(existsSync(fixture), "testdata/traces") ??
    (haveScript || inCI ? undefined : requirement(false, "util-linux script")),
}, () => {
  const args = ["goroutines", "--group", "main.main.func1", fixture];

  it("fits the terminal, in blocks that each name the goroutine", () => {
    const whole = piped(args);
    assert.ok(widest(whole) > 150, "a pipe gets the whole table");
    for (const cols of [80, 100, 120]) {
      const fitted = onTerminal(cols, args);
      assert.ok(widest(fitted) <= cols, `${cols} columns: ${widest(fitted)}`);
      assert.ok(fitted.split("\n").filter((l) => l.startsWith("Goroutine ")).length >= 2, "blocks");
      // The same goroutines, the same numbers.
      const ids = (t: string) => new Set(t.match(/^ +\d+ /gm)?.map((s) => s.trim()));
      assert.deepEqual(ids(fitted), ids(whole));
      for (const cell of whole.match(/\d[\d.]*(ns|µs|ms|s)\b/g) ?? []) assert.ok(fitted.includes(cell), cell);
    }
  });

  it("keeps CSV and JSON whole", () => {
    assert.equal(onTerminal(80, [...args, "--csv"]), piped([...args, "--csv"]));
    assert.equal(onTerminal(80, [...args, "--json"]), piped([...args, "--json"]));
  });
});
