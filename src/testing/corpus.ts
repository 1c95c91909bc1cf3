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
/** Our own fixtures, written by testdata/generate.sh. */
export const fixturesDir = join(repoRoot, "testdata", "traces");
/** Go's own test traces (BSD-licensed, kept with Go's LICENSE and their MANIFEST lines). */
export const goTracesDir = join(repoRoot, "testdata", "go-traces");
/**
 * The folder beside the checkout that holds the wild-trace corpus, or
 * GOTRACE_SHARED. The wild traces come from public projects under licenses
 * that vary, so they are not in the repository.
 */
export const sharedDir = process.env.GOTRACE_SHARED || join(repoRoot, "..", "shared");
/** Real-world traces from public projects (see sharedDir). */
export const wildDir = join(sharedDir, "wild-traces");

export const inCI = process.env.CI === "true";

/**
 * Whether the wild-trace corpus is here. Tests that read it together with
 * other traces carry on without it; tests that read nothing else skip. Its
 * absence is reported once, by testing/wild-corpus.test.ts, rather than by
 * each test, and in CI it is an error.
 */
export const haveWild = existsSync(wildDir);

function wildMissing(): void {
  if (inCI) throw new Error(`the wild-trace corpus (${wildDir}) is required in CI but missing`);
}

/** The wild traces whose header version passes `accept`; none when the corpus is absent. */
export function wildTraces(accept: (version: number) => boolean = () => true): string[] {
  if (!haveWild) wildMissing();
  return traceFiles(wildDir, accept);
}

/** The paths of the named wild traces; none when the corpus is absent. */
export function wildNamed(names: readonly string[]): string[] {
  if (!haveWild) wildMissing();
  return haveWild ? names.map((n) => join(wildDir, n)) : [];
}

/** The path of one wild trace, or undefined when the corpus is absent. */
export function wildTrace(name: string): string | undefined {
  if (!haveWild) wildMissing();
  return haveWild ? join(wildDir, name) : undefined;
}

/**
 * The `skip` option of a test that reads only wild traces: true (a silent
 * skip; wild-corpus.test.ts says why, once) when the corpus is absent.
 */
export function wildOnly(): boolean {
  if (!haveWild) wildMissing();
  return !haveWild;
}

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
