/**
 * `gotrace export`: the command's contract around the file it writes. A
 * whole trace and a damaged one (with one warning line) give a file that
 * Perfetto's bindings read; an unwritable output or a file that is not a
 * trace gives one error line and exit status 1, leaves no file behind and
 * an existing output as it was; mistakes in the command line exit 2. The
 * trace read on worker threads, whole or in parts, exports the same bytes
 * as read on this one. Interrupted, it leaves nothing behind.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { exportPerfetto } from "../export/perfetto/export.js";
import { fixturesDir, repoRoot, requirement } from "../testing/corpus.js";
import { pythonPath, pythonSkip } from "../testing/python.js";
import { readTimeline } from "./export.js";

const cli = join(repoRoot, "dist", "cli", "main.js");
const checker = join(repoRoot, "src", "export", "perfetto", "check_pftrace.py");
const fixture = join(fixturesDir, "manygen-go1.22.trace");

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Problems Perfetto's bindings find in `path` (skipped, as undefined, without them). */
function perfettoProblems(path: string): string[] | undefined {
  if (pythonSkip("perfetto")) return undefined;
  const r = spawnSync(pythonPath, [checker, path], { encoding: "utf8", maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout).problems;
}

describe("gotrace export", { skip: requirement(existsSync(fixture), "testdata/traces fixtures") }, () => {
  const tmp = mkdtempSync(join(tmpdir(), "gotrace-export-"));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it("writes a Perfetto trace, and nothing else, where -o says", () => {
    const dir = mkdtempSync(join(tmp, "ok-"));
    const out = join(dir, "out.pftrace");
    const r = run("export", "--format=perfetto", fixture, "-o", out);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "");
    assert.match(
      r.stderr,
      /^gotrace: exported .*: [\d.]+ KiB \([\d.]+ KiB of packets, compressed\), [\d,]+ packets\n$/,
    );
    assert.deepEqual(readdirSync(dir), ["out.pftrace"]);
    const problems = perfettoProblems(out);
    if (problems) assert.deepEqual(problems, []);

    // --uncompressed: the packets themselves, which the compressed ones hold.
    const plain = join(dir, "plain.pftrace");
    const u = run("export", "--format=perfetto", "--uncompressed", fixture, "-o", plain);
    assert.equal(u.status, 0, u.stderr);
    assert.match(u.stderr, /^gotrace: exported .*: [\d.]+ KiB, [\d,]+ packets\n$/);
    assert.equal(
      /([\d.]+ KiB), ([\d,]+) packets/.exec(u.stderr)?.slice(1).join(" "),
      /([\d.]+ KiB) of packets, compressed\), ([\d,]+) packets/.exec(r.stderr)?.slice(1).join(" "),
    );
    assert.ok(statSync(plain).size > statSync(out).size);
    const plainProblems = perfettoProblems(plain);
    if (plainProblems) assert.deepEqual(plainProblems, []);
    const pq = run("export", "--format=parquet", "--uncompressed", fixture, "-o", join(dir, "pq"));
    assert.equal(pq.status, 2);
    assert.match(pq.stderr, /--uncompressed is for --format perfetto/);
  });

  it("exports a damaged trace up to the damage, with one warning line", () => {
    const cut = join(tmp, "cut.trace");
    const whole = readFileSync(fixture);
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const out = join(tmp, "cut.pftrace");
    const r = run("export", "--format", "perfetto", cut, "-o", out);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stderr.split("\n").filter(Boolean);
    assert.equal(lines.length, 2, r.stderr);
    assert.match(
      lines[0]!,
      /^gotrace: warning: .*cut\.trace: damaged at byte offset \d+ .*; exported the [\d,]+ events before it/,
    );
    assert.match(lines[1]!, /^gotrace: exported /);
    const problems = perfettoProblems(out);
    if (problems) assert.deepEqual(problems, []);
  });

  it("fails in one line, leaving no file, when the input is not a trace", () => {
    const dir = mkdtempSync(join(tmp, "bad-"));
    const notTrace = join(tmp, "not-a-trace.txt");
    writeFileSync(notTrace, "hello, world\n".repeat(100));
    const out = join(dir, "out.pftrace");
    const r = run("export", "--format=perfetto", notTrace, "-o", out);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^gotrace: .*not-a-trace\.txt: .*\n$/);
    assert.deepEqual(readdirSync(dir), []);
  });

  it("leaves an existing output as it was when it fails", () => {
    const dir = mkdtempSync(join(tmp, "keep-"));
    const out = join(dir, "out.pftrace");
    writeFileSync(out, "before");
    const cut = join(tmp, "header-only.trace");
    writeFileSync(cut, readFileSync(fixture).subarray(0, 16));
    const r = run("export", "--format=perfetto", cut, "-o", out);
    assert.equal(r.status, 1);
    assert.equal(r.stderr.split("\n").filter(Boolean).length, 1, r.stderr);
    assert.equal(readFileSync(out, "utf8"), "before");
    assert.deepEqual(readdirSync(dir), ["out.pftrace"]);
  });

  it("says in one line that an output it cannot write cannot be written", () => {
    const file = join(tmp, "a-file");
    writeFileSync(file, "");
    const dir = mkdtempSync(join(tmp, "out.pftrace-"));
    for (const out of [join(file, "out.pftrace"), join(tmp, "no-such-dir", "out.pftrace"), dir]) {
      const r = run("export", "--format=perfetto", fixture, "-o", out);
      assert.equal(r.status, 1);
      assert.match(
        r.stderr,
        /^gotrace: .*out\.pftrace\S*: cannot write: (not a directory|no such file|is a directory)\n$/,
      );
    }
    assert.deepEqual(readdirSync(dir), []);
  });

  it("exports the same bytes whether the trace is decoded here, on a worker or in parts", async () => {
    const cut = join(tmp, "cut-for-workers.trace");
    const whole = readFileSync(fixture);
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.7)));
    for (const file of [fixture, join(fixturesDir, "annotations-go1.21.trace"), cut]) {
      const outputs: Buffer[] = [];
      for (const workers of [0, 1, 2]) {
        const { tl, run } = await readTimeline(file, workers);
        assert.equal(run.error !== undefined, file === cut, `${file}, ${workers} workers`);
        const chunks: Buffer[] = [];
        await exportPerfetto(tl, (c) => void chunks.push(Buffer.from(c)));
        outputs.push(Buffer.concat(chunks));
      }
      assert.ok(outputs[0]!.length > 1000);
      assert.ok(outputs[0]!.equals(outputs[1]!), `${file}: one worker`);
      assert.ok(outputs[0]!.equals(outputs[2]!), `${file}: in parts`);
    }
  });

  it("writes to a device in place, and says so in one line when it fails", () => {
    const ok = run("export", "--format=perfetto", fixture, "-o", "/dev/null");
    assert.equal(ok.status, 0, ok.stderr);
    assert.ok(statSync("/dev/null").isCharacterDevice());
    if (existsSync("/dev/full")) {
      const r = run("export", "--format=perfetto", fixture, "-o", "/dev/full");
      assert.equal(r.status, 1);
      assert.equal(r.stderr, "gotrace: /dev/full: cannot write: no space left on device\n");
      assert.ok(statSync("/dev/full").isCharacterDevice());
    }
  });

  it("leaves no temporary file or directory, and no output, when interrupted mid-way", async () => {
    // Signalled as soon as its temporary output appears, while it reads the
    // trace. An export that finished first (a busy machine can be that slow
    // to look) is tried again; most are caught mid-way, and each format must be.
    for (const [format, signal] of [
      ["perfetto", "SIGINT"],
      ["perfetto", "SIGTERM"],
      ["parquet", "SIGTERM"],
      ["parquet", "SIGINT"],
    ] as const) {
      let interrupted = 0;
      for (let attempt = 0; attempt < 5 && interrupted === 0; attempt++) {
        const dir = mkdtempSync(join(tmp, `interrupted-${format}-`));
        const output = join(dir, "out");
        const child = spawn(process.execPath, [cli, "export", `--format=${format}`, fixture, "-o", output], {
          stdio: ["ignore", "ignore", "pipe"],
        });
        let stderr = "";
        child.stderr.on("data", (d) => {
          stderr += d;
        });
        const exited = once(child, "exit");
        try {
          while (child.exitCode === null && !readdirSync(dir).some((f) => f.startsWith(".out.")))
            await sleep(2);
          child.kill(signal);
          const [code, killedBy] = (await exited) as [number | null, NodeJS.Signals | null];
          if (code === 0) {
            assert.ok(existsSync(output), stderr);
            continue;
          }
          assert.deepEqual([code, killedBy], [null, signal], `${format} ${signal}: ${stderr}`);
          assert.deepEqual(readdirSync(dir), [], `${format} ${signal}`);
          interrupted++;
        } finally {
          child.kill("SIGKILL");
        }
      }
      assert.equal(interrupted, 1, `${format} ${signal}: finished before every signal`);
    }
  });

  it("wants a known --format and -o: mistakes exit 2", () => {
    const out = join(tmp, "never.pftrace");
    for (const args of [
      [fixture, "-o", out],
      ["--format=json", fixture, "-o", out],
      ["--format=perfetto", fixture],
      ["--format=perfetto", "--bogus", fixture, "-o", out],
    ]) {
      const r = run("export", ...args);
      assert.equal(r.status, 2, args.join(" "));
      assert.equal(r.stderr.split("\n").filter(Boolean).length, 1, r.stderr);
    }
    assert.ok(!existsSync(out));
  });
});
