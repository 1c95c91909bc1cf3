/**
 * The wild-trace corpus: real-world traces from public projects, under
 * licenses that vary, so they live outside the repository (sharedDir). Tests
 * that read them beside our fixtures and Go's vendored traces run without
 * them when they are absent, and tests that read nothing else skip silently;
 * this test is the one place that says so, in one line. In CI the corpus
 * must be there, and whole.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { it } from "node:test";
import { fileURLToPath } from "node:url";
import { haveWild, inCI, repoRoot, wildDir } from "./corpus.js";

/** The test files that read the wild corpus, named as in src/. */
function testsReadingWild(): string[] {
  const src = join(repoRoot, "src");
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (
        e.name.endsWith(".test.ts") &&
        e.name !== "wild-corpus.test.ts" &&
        /\bwild(Traces|Trace|Named|Only)\(/.test(readFileSync(p, "utf8"))
      )
        out.push(relative(src, p).replace(/\.test\.ts$/, ""));
    }
  };
  if (existsSync(src)) walk(src);
  return out.sort();
}

/** The rows of the corpus's MANIFEST.md: file name, size and sha256. */
function manifestRows(): { name: string; size: number; sha256: string }[] {
  const text = readFileSync(join(wildDir, "MANIFEST.md"), "utf8");
  return [...text.matchAll(/^\| `([^`]+)` \|[^\n]*?\| (\d+) \| `([0-9a-f]{64})` \|/gm)].map((m) => ({
    name: m[1]!,
    size: Number(m[2]),
    sha256: m[3]!,
  }));
}

const missingReason = (): string => {
  const tests = testsReadingWild();
  return (
    `skipped: the wild-trace corpus (${wildDir}) is absent, real-world traces kept out of the repository ` +
    `because their licenses vary; ${tests.length} test files ran without them or skipped the tests that read only them ` +
    `(${tests.join(", ")}); set GOTRACE_SHARED to the folder holding wild-traces/ to run them`
  );
};

const presenceTest = "the wild-trace corpus is here and whole (or its absence is reported once)";

it(presenceTest, {
  skip: haveWild || inCI ? false : missingReason(),
}, () => {
  assert.ok(haveWild, `the wild-trace corpus (${wildDir}) is required in CI but missing`);
  const rows = manifestRows();
  assert.ok(rows.length >= 30, `MANIFEST.md lists only ${rows.length} traces`);
  const listed = new Set(rows.map((r) => r.name));
  const onDisk = readdirSync(wildDir).filter((n) => n !== "MANIFEST.md");
  assert.deepEqual(
    onDisk.filter((n) => !listed.has(n)),
    [],
    "files in the corpus that MANIFEST.md does not list",
  );
  for (const r of rows) {
    const file = join(wildDir, r.name);
    assert.ok(existsSync(file), `${r.name} is listed but missing`);
    assert.equal(statSync(file).size, r.size, `${r.name}: size`);
    assert.equal(
      createHash("sha256").update(readFileSync(file)).digest("hex"),
      r.sha256,
      `${r.name}: sha256`,
    );
  }
});

it("without the corpus: one skip line locally, failures in CI", () => {
  const empty = mkdtempSync(join(tmpdir(), "gotrace-no-shared-"));
  try {
    const env = (ci: boolean) => {
      // Without NODE_TEST_CONTEXT, which would make the child report to this runner instead of printing.
      const { NODE_TEST_CONTEXT: _, ...rest } = process.env;
      const e: NodeJS.ProcessEnv = { ...rest, GOTRACE_SHARED: empty };
      if (ci) e.CI = "true";
      else delete e.CI;
      return e;
    };
    const self = fileURLToPath(import.meta.url);
    const runSelf = (ci: boolean) =>
      spawnSync(
        process.execPath,
        [
          "--test",
          "--test-reporter=tap",
          `--test-name-pattern=^${presenceTest.replace(/[()]/g, "\\$&")}$`,
          self,
        ],
        { env: env(ci), encoding: "utf8" },
      );
    const local = runSelf(false);
    assert.equal(local.status, 0, local.stdout + local.stderr);
    const skips = local.stdout.split("\n").filter((l) => /# SKIP .*wild-trace corpus/.test(l));
    assert.equal(skips.length, 1, local.stdout);
    assert.match(skips[0]!, /is absent.*decode\/reader.*GOTRACE_SHARED/);
    const ci = runSelf(true);
    assert.notEqual(ci.status, 0, "CI=true passed without the corpus");
    assert.match(ci.stdout, /required in CI but missing/);
    // A test that reads wild traces fails in CI too, not only this one.
    const corpusJs = join(repoRoot, "dist", "testing", "corpus.js");
    const read = spawnSync(
      process.execPath,
      ["--input-type=module", "-e", `(await import(${JSON.stringify(corpusJs)})).wildTraces();`],
      { env: env(true), encoding: "utf8" },
    );
    assert.notEqual(read.status, 0);
    assert.match(read.stderr, /wild-trace corpus .* is required in CI but missing/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
