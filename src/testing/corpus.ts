/**
 * Test support: where the shared trace corpus and our fixtures live, how to
 * run Go as the oracle, and how to skip (locally) or fail (in CI) when
 * either is missing. Used by tests only.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (this file is compiled to dist/testing/). */
export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
export const sharedDir = join(repoRoot, "..", "shared");
export const wildDir = join(sharedDir, "wild-traces");
export const goTracesDir = join(sharedDir, "go-traces");
export const fixturesDir = join(repoRoot, "testdata", "traces");

export const inCI = process.env.CI === "true";

/**
 * Returns a reason to skip if `what` is unavailable, or undefined if it is
 * there. In CI a missing requirement is an error, never a skip.
 */
export function requirement(ok: boolean, what: string): string | undefined {
  if (ok) return undefined;
  if (inCI) throw new Error(`${what} is required in CI but missing`);
  const reason = `skipped: ${what} is not available`;
  console.log(reason);
  return reason;
}

let goChecked: boolean | undefined;
export function haveGo(): boolean {
  if (goChecked === undefined) {
    goChecked = spawnSync("go", ["version"], { stdio: "ignore" }).status === 0;
  }
  return goChecked;
}

/** The header version N of a trace file (`go 1.N trace`), or undefined. */
export function headerVersion(path: string): number | undefined {
  const head = readFileSync(path).subarray(0, 16).toString("latin1");
  const m = /^go 1\.(\d+) trace/.exec(head);
  return m ? Number(m[1]) : undefined;
}

/** Binary trace files in a folder (non-recursive), filtered by header version. */
export function traceFiles(dir: string, accept: (version: number) => boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => join(dir, f))
    .filter((p) => {
      if (p.endsWith(".md")) return false;
      const v = headerVersion(p);
      return v !== undefined && accept(v);
    })
    .sort();
}

/** Runs `go tool trace` with args; returns stdout and the exit status. */
export function goToolTrace(args: string[]): { stdout: Buffer; status: number; stderr: string } {
  const r = spawnSync("go", ["tool", "trace", ...args], { maxBuffer: 1 << 30 });
  return { stdout: r.stdout, status: r.status ?? -1, stderr: r.stderr.toString() };
}

export function goVersion(): string {
  return execFileSync("go", ["env", "GOVERSION"]).toString().trim();
}

/** Runs a command to completion, collecting its output. */
export function runProcess(
  cmd: readonly string[],
): Promise<{ status: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd[0]!, cmd.slice(1));
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({ status: code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() }),
    );
  });
}

/** `go tool trace -d=parsed FILE`, asynchronously (several can run while we decode). */
export async function goParsed(path: string): Promise<{ stdout: Buffer; status: number; stderr: string }> {
  const r = await runProcess(["go", "tool", "trace", "-d=parsed", path]);
  return { stdout: r.stdout, status: r.status ?? -1, stderr: r.stderr };
}

/** Runs async jobs with at most `limit` at a time, in order of the list. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (t: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** A file as chunks of `size` bytes, to exercise streaming. */
export function* chunksOf(bytes: Uint8Array, size: number): Generator<Uint8Array> {
  for (let off = 0; off < bytes.length; off += size)
    yield bytes.subarray(off, Math.min(off + size, bytes.length));
}
