// Makes the benchmark's input traces once and caches them in bench/out/.
//
// The traces come from testdata/programs/big (a mixed workload that runs
// until the trace file reaches a target size), built with the local Go for
// the modern format and with a Go 1.21 toolchain from the module proxy for
// the old one. A trace is written to NAME.tmp and renamed when the program
// has finished, so an interrupted run never leaves a truncated trace in the
// cache. Delete bench/out/ (or the one file) to regenerate.
import { execFileSync, spawnSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";

/** Reads `go 1.NN trace` from the header; the minor version, or undefined. */
export function traceVersion(path) {
  const fd = openSync(path, "r");
  const buf = Buffer.alloc(16);
  readSync(fd, buf, 0, 16, 0);
  closeSync(fd);
  const m = /^go 1\.(\d+) trace/.exec(buf.toString("latin1"));
  return m ? Number(m[1]) : undefined;
}

function toolchainWorks(toolchain) {
  return (
    spawnSync("go", ["version"], { env: { ...process.env, GOTOOLCHAIN: toolchain }, stdio: "ignore" })
      .status === 0
  );
}

/**
 * go1.21.13 (the last 1.21 release) if the proxy serves it, else the newest
 * go1.21.x it lists; undefined if none works.
 */
export function resolveGo121(repoDir) {
  if (toolchainWorks("go1.21.13")) return "go1.21.13";
  const r = spawnSync("go", ["list", "-m", "-versions", "golang.org/toolchain"], {
    cwd: join(repoDir, "bench", "goparse"),
    encoding: "utf8",
  });
  const listed = (r.stdout ?? "")
    .split(/\s+/)
    .map((v) => /^v0\.0\.1-(go1\.21\.(\d+))\./.exec(v))
    .filter((m) => m !== null)
    .sort((a, b) => Number(b[2]) - Number(a[2]));
  for (const m of listed) if (toolchainWorks(m[1])) return m[1];
  return undefined;
}

/** What ensureBigTrace recorded about how a cached trace was made. */
export function traceOrigin(path) {
  try {
    return JSON.parse(readFileSync(`${path}.json`, "utf8"));
  } catch {
    return {};
  }
}

/**
 * Returns the path of a cached trace made by testdata/programs/big with
 * `toolchain` ("local" or e.g. "go1.21.13"), at least `sizeMiB` MiB, making
 * it first if needed. Throws with the program's output if that fails.
 */
export function ensureBigTrace({ repoDir, outDir, name, toolchain, sizeMiB, timeoutSec }) {
  const path = join(outDir, name);
  if (existsSync(path)) return { path, made: false };
  const env = { ...process.env, GOTOOLCHAIN: toolchain };
  const bin = join(outDir, `big-${toolchain}`);
  execFileSync("go", ["build", "-o", bin, "./big"], {
    cwd: join(repoDir, "testdata", "programs"),
    env,
    stdio: ["ignore", "inherit", "inherit"],
  });
  const tmp = `${path}.tmp`;
  rmSync(tmp, { force: true });
  const started = Date.now();
  const r = spawnSync(bin, ["-timeout", `${timeoutSec}s`, tmp, String(sizeMiB)], {
    encoding: "utf8",
    stdio: ["ignore", "inherit", "pipe"],
  });
  process.stderr.write(r.stderr ?? "");
  if (r.status !== 0) throw new Error(`${bin} exited with ${r.status}: ${r.stderr}`);
  // big stops at its timeout even if the file is smaller: do not cache that.
  const bytes = statSync(tmp).size;
  if (bytes < sizeMiB * 2 ** 20) {
    throw new Error(`${bin} wrote only ${(bytes / 2 ** 20).toFixed(1)} MiB of ${sizeMiB} MiB`);
  }
  const seconds = (Date.now() - started) / 1000;
  const goVersion = execFileSync("go", ["env", "GOVERSION"], { env, encoding: "utf8" }).trim();
  writeFileSync(`${path}.json`, `${JSON.stringify({ goVersion, seconds, log: r.stderr.trim() })}\n`);
  renameSync(tmp, path);
  return { path, made: true, seconds };
}
