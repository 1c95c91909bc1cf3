#!/usr/bin/env node
/**
 * `npm run fuzz`: runs the reader on generated and mutated traces (see
 * fuzz-cases.ts) for minutes, and compares a sample with `go tool trace
 * -d=parsed`. Failing inputs go to fuzz-out/.
 *
 *   node dist/testing/fuzz-main.js [--seconds N] [--seed S] [--workers W] [--go-every K] [--case I]
 *
 * Cases run in worker threads, so that a read that never returns is caught
 * (a watchdog sees the case stop advancing and terminates the worker) and a
 * runaway allocation kills a worker with a heap limit, not the run. The
 * test (decode/fuzz.test.ts) uses `runFuzz` and `compareWithGo` from here.
 *
 * This is a test tool: it uses node:* (files, processes, threads), which the
 * code the UI runs never does.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { getHeapStatistics } from "node:v8";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import type { TraceError } from "../decode/errors.js";
import { readUvarintBig } from "../format/varint.js";
import { fixturesDir, repoRoot, traceFiles } from "./corpus.js";
import { dumpParsed } from "./dump.js";
import {
  type CaseKind,
  type CorpusTrace,
  caseKind,
  caseKinds,
  checkCase,
  corpusTrace,
  type FuzzCase,
  FuzzProblem,
  generateCase,
  type ProblemKind,
  traceLayout,
} from "./fuzz-cases.js";

/** The corpus to mutate: every Go 1.22+ fixture, in name order (case numbers depend on it). */
export function loadCorpus(dir = fixturesDir): CorpusTrace[] {
  return traceFiles(dir, (v) => v >= 22).map((f) => corpusTrace(basename(f), readFileSync(f)));
}

export interface FuzzFailure {
  readonly index: number;
  readonly kind: CaseKind;
  readonly label: string;
  readonly problem: ProblemKind;
  readonly message: string;
  readonly bytes: Uint8Array;
  /** The known reader bug it is, if it is one (see knownIssues). */
  readonly known?: KnownIssue | undefined;
}

export interface FuzzSummary {
  readonly seed: number;
  cases: number;
  /** Per kind: reads that succeeded and reads that ended in a TraceError. */
  readonly byKind: Record<CaseKind, { ok: number; error: number }>;
  /** How often each error reason (numbers blanked) ended a read: shows how deep the cases get. */
  readonly reasons: Map<string, number>;
  readonly failures: FuzzFailure[];
  elapsedMs: number;
}

export interface FuzzOptions {
  readonly seed: number;
  /** Run cases 0 … cases−1; or, without it, keep going for `seconds`. */
  readonly cases?: number;
  readonly seconds?: number;
  readonly workers?: number;
  readonly corpusDir?: string;
  /** A case running this long counts as a hang. */
  readonly stallMs?: number;
  readonly onProgress?: (s: FuzzSummary) => void;
  readonly onFailure?: (f: FuzzFailure) => void;
}

interface WorkerInput {
  readonly gotraceFuzz: true;
  readonly seed: number;
  readonly first: number;
  readonly stride: number;
  /** Exclusive; −1 for no limit. */
  readonly end: number;
  /** Date.now() to stop at; 0 for none. */
  readonly deadline: number;
  readonly corpusDir: string;
  /** [index of the case being read, cases done] */
  readonly heartbeat: SharedArrayBuffer;
}

type WorkerMessage =
  | { type: "progress"; counts: [CaseKind, boolean][]; reasons: string[] }
  | { type: "failure"; failure: FuzzFailure }
  | { type: "done" };

/** An error reason with its numbers blanked, first line only: "invalid batch size N, maximum is N". */
function reasonClass(reason: string): string {
  return reason.split("\n")[0]!.replace(/\d+/g, "N").slice(0, 100);
}

/** This thread's heap plus array buffers (external memory); a tenth of the cost of process.memoryUsage(). */
export function memory(): number {
  const h = getHeapStatistics();
  return h.used_heap_size + h.external_memory;
}

function runWorker(input: WorkerInput): void {
  const corpus = loadCorpus(input.corpusDir);
  const hb = new Int32Array(input.heartbeat);
  let counts: [CaseKind, boolean][] = [];
  let reasons: string[] = [];
  const flush = () => {
    parentPort!.postMessage({ type: "progress", counts, reasons } satisfies WorkerMessage);
    counts = [];
    reasons = [];
  };
  for (let i = input.first; input.end < 0 || i < input.end; i += input.stride) {
    if (input.deadline > 0 && Date.now() > input.deadline) break;
    Atomics.store(hb, 0, i);
    const c = generateCase(input.seed, i, corpus);
    try {
      const out = checkCase(c, memory);
      counts.push([c.kind, out.error === undefined]);
      if (out.error) reasons.push(reasonClass(out.error.reason));
    } catch (e) {
      const problem = e instanceof FuzzProblem ? e.problem : "exception";
      const message = e instanceof Error ? e.message : String(e);
      const known = knownProblem(c.bytes, problem, message);
      const failure: FuzzFailure = {
        index: i,
        kind: c.kind,
        label: c.label,
        problem,
        message,
        bytes: c.bytes,
        known,
      };
      parentPort!.postMessage({ type: "failure", failure } satisfies WorkerMessage);
    }
    Atomics.add(hb, 1, 1);
    if (counts.length >= 256) flush();
  }
  flush();
  parentPort!.postMessage({ type: "done" } satisfies WorkerMessage);
}

/** Runs the cases in worker threads; resolves when all are done (or the time is up). */
export function runFuzz(opts: FuzzOptions): Promise<FuzzSummary> {
  const workers = Math.max(1, opts.workers ?? Math.min(2, availableParallelism()));
  const stallMs = opts.stallMs ?? 20_000;
  const deadline = opts.seconds !== undefined ? Date.now() + opts.seconds * 1000 : 0;
  const end = opts.cases ?? -1;
  const started = performance.now();
  const summary: FuzzSummary = {
    seed: opts.seed,
    cases: 0,
    byKind: Object.fromEntries(caseKinds.map((k) => [k, { ok: 0, error: 0 }])) as FuzzSummary["byKind"],
    reasons: new Map(),
    failures: [],
    elapsedMs: 0,
  };
  // Case inputs are needed in this thread only to report hangs and crashes.
  let corpus: CorpusTrace[] | undefined;
  const failAt = (index: number, problem: ProblemKind, message: string): void => {
    corpus ??= loadCorpus(opts.corpusDir);
    const c = generateCase(opts.seed, index, corpus);
    const f: FuzzFailure = { index, kind: c.kind, label: c.label, problem, message, bytes: c.bytes };
    summary.failures.push(f);
    summary.cases++;
    opts.onFailure?.(f);
  };

  return new Promise((resolve, reject) => {
    let running = 0;
    const start = (first: number): void => {
      if ((end >= 0 && first >= end) || (deadline > 0 && Date.now() > deadline)) {
        if (running === 0) finish();
        return;
      }
      running++;
      const heartbeat = new SharedArrayBuffer(8);
      const hb = new Int32Array(heartbeat);
      Atomics.store(hb, 0, first);
      const input: WorkerInput = {
        gotraceFuzz: true,
        seed: opts.seed,
        first,
        stride: workers,
        end,
        deadline,
        corpusDir: opts.corpusDir ?? fixturesDir,
        heartbeat,
      };
      // A heap limit turns a runaway allocation into a dead worker instead of a dead run.
      const w = new Worker(new URL(import.meta.url), {
        workerData: input,
        resourceLimits: { maxOldGenerationSizeMb: 1536 },
      });
      let settled = false;
      let lastDone = 0;
      let lastChange = Date.now();
      const settle = (next: number | undefined): void => {
        if (settled) return;
        settled = true;
        clearInterval(watch);
        running--;
        if (next !== undefined) start(next);
        else if (running === 0) finish();
      };
      const watch = setInterval(() => {
        const done = Atomics.load(hb, 1);
        if (done !== lastDone) {
          lastDone = done;
          lastChange = Date.now();
        } else if (Date.now() - lastChange > stallMs) {
          const index = Atomics.load(hb, 0);
          failAt(index, "hang", `no progress for ${stallMs} ms`);
          void w.terminate();
          settle(index + workers);
        }
      }, 250);
      w.on("message", (m: WorkerMessage) => {
        if (m.type === "progress") {
          for (const [kind, ok] of m.counts) {
            summary.byKind[kind][ok ? "ok" : "error"]++;
            summary.cases++;
          }
          for (const r of m.reasons) summary.reasons.set(r, (summary.reasons.get(r) ?? 0) + 1);
          opts.onProgress?.(summary);
        } else if (m.type === "failure") {
          summary.failures.push(m.failure);
          summary.cases++;
          opts.onFailure?.(m.failure);
        } else settle(undefined);
      });
      w.on("error", (e) => {
        // Out of memory or an uncaught error in the worker: blame the case it was on.
        const index = Atomics.load(hb, 0);
        failAt(index, "crash", `worker died: ${e.message}`);
        settle(index + workers);
      });
      w.on("exit", (code) => {
        if (!settled && code !== 0) {
          const index = Atomics.load(hb, 0);
          failAt(index, "crash", `worker exited with ${code}`);
          settle(index + workers);
        } else settle(undefined);
      });
    };
    const finish = (): void => {
      summary.elapsedMs = performance.now() - started;
      resolve(summary);
    };
    try {
      for (let k = 0; k < workers; k++) start(k);
    } catch (e) {
      reject(e);
    }
  });
}

// ---------------------------------------------------------------------------
// Go as the oracle

/**
 * The command that runs `go tool trace`: the cached binary itself when `go
 * tool -n` names it (about 8× faster to start than via the go command), else
 * the go command. Undefined without Go.
 */
export function goTraceCommand(): string[] | undefined {
  try {
    const bin = execFileSync("go", ["tool", "-n", "trace"], { stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
    if (bin && existsSync(bin)) return [bin];
  } catch {
    // Older go commands have no -n for tools; fall through.
  }
  try {
    execFileSync("go", ["version"], { stdio: "ignore" });
    return ["go", "tool", "trace"];
  } catch {
    return undefined;
  }
}

export interface GoRun {
  readonly stdout: Buffer;
  readonly status: number;
  readonly stderr: string;
  readonly timedOut: boolean;
}

export function runGoParsed(cmd: readonly string[], file: string, timeoutMs = 30_000): Promise<GoRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd[0]!, [...cmd.slice(1), "-d=parsed", file]);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({
        stdout: Buffer.concat(out),
        status: code ?? -1,
        stderr: Buffer.concat(err).toString(),
        timedOut,
      });
    });
  });
}

/** Go died instead of reporting an error: a panic or a runtime fatal error (exit status 2). */
export function isGoCrash(r: GoRun): boolean {
  return r.timedOut || (r.status === 2 && /^(panic:|fatal error:)/m.test(r.stderr));
}

export interface GoComparison {
  /** same: equal output and outcome; differ: a gotrace bug (or Go's); go-crash: Go panicked or hung. */
  readonly verdict: "same" | "differ" | "go-crash";
  readonly detail: string;
  /** For "differ": the known reader bug it is (a key of knownIssues), if it is one. */
  readonly known?: KnownIssue;
}

// ---------------------------------------------------------------------------
// Known reader bugs
//
// Each open one is a known limit in the README, with minimal reproducers in
// decode/fuzz.test.ts that check what gotrace prints today. Until it is
// fixed, a fuzz case showing it is counted and listed, not failed, so that
// the fuzz tests keep catching new bugs. The matchers are
// narrow: they look for the bug's own signature in the input. (Fixed ones
// are removed from here; their reproducers stay as regression tests.)

export const knownIssues = {
  "past-2^53":
    "numbers a double cannot hold: IDs ≥ 2^53 print rounded (M=2^53+1 as 2^53; M=2^64−2 becomes −1, no thread), and times more than 2^53 ns after the first event lose Go's +1 tie-breaks (times are held as ns from the first event, exact to 2^53)",
} as const;
export type KnownIssue = keyof typeof knownIssues;

const p53 = 2 ** 53;

/** Numbers a double cannot hold exactly, or that make times pass 2^53 ns: the "past-2^53" signature. */
function hasHugeNumbers(bytes: Uint8Array): boolean {
  const layout = traceLayout(bytes);
  if (!layout) return false;
  for (const s of layout.sites) {
    if (s.value >= p53 && s.role !== "ClockSnapshot mono") {
      // 2^64−1 is Go's "no thread", which gotrace reads right; anything else this large it rounds.
      const none =
        (s.role === "batch m" || s.role.endsWith(" m")) &&
        readUvarintBig(bytes, s.offset, bytes.length).value === 2n ** 64n - 1n;
      if (!none) return true;
    }
    if (s.role === "Frequency freq" && s.value < 1e6) return true;
    if (
      (s.role === "batch time" || s.role.endsWith(" dt") || s.role === "CPUSample time") &&
      s.value >= 2 ** 40
    ) {
      return true;
    }
  }
  return false;
}

/**
 * Which known bug explains a failure of the guarded read, if any. None does
 * at present: every open bug is a difference from Go, not a crash, hang or
 * blow-up. A bug found that way gets its matcher here.
 */
export function knownProblem(
  _bytes: Uint8Array,
  _problem: ProblemKind,
  _message: string,
): KnownIssue | undefined {
  return undefined;
}

/** Which known bug explains a difference from Go, if any. */
export function knownDifference(bytes: Uint8Array): KnownIssue | undefined {
  if (hasHugeNumbers(bytes)) return "past-2^53";
  return undefined;
}

/**
 * The bytes Go writes for a text of ours. The reader keeps each byte of
 * invalid UTF-8 in a string as a lone surrogate U+DC80+byte (see
 * decodeGoString); Go prints the byte itself.
 */
export function goBytes(text: string): Buffer {
  const parts: Buffer[] = [];
  let last = 0;
  for (const m of text.matchAll(/(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/g)) {
    parts.push(Buffer.from(text.slice(last, m.index), "utf8"), Buffer.of(m[0].charCodeAt(0) - 0xdc00));
    last = m.index + 1;
  }
  if (last === 0) return Buffer.from(text, "utf8");
  parts.push(Buffer.from(text.slice(last), "utf8"));
  return Buffer.concat(parts);
}

/** Where two outputs first differ, with some context, for a failure message. */
export function firstDifference(ours: Buffer, go: Buffer): string {
  let i = 0;
  while (i < ours.length && i < go.length && ours[i] === go[i]) i++;
  const line = ours.subarray(0, i).toString("latin1").split("\n").length;
  const ctx = (b: Buffer) => JSON.stringify(b.subarray(Math.max(0, i - 100), i + 100).toString("latin1"));
  return `stdout differs at line ${line} (byte ${i}):\n  gotrace: ${ctx(ours)}\n  go:      ${ctx(go)}`;
}

/** Our dump against Go's for one input, via a temporary file. */
export async function compareWithGo(
  bytes: Uint8Array,
  file: string,
  cmd: readonly string[],
): Promise<GoComparison> {
  writeFileSync(file, bytes);
  const goRun = runGoParsed(cmd, file);
  let ours: { text: string; error: TraceError | undefined } = { text: "", error: undefined };
  let threw: unknown;
  try {
    ours = await dumpParsed(bytes);
  } catch (e) {
    threw = e ?? "undefined";
  }
  const go = await goRun;
  const ourError =
    threw !== undefined
      ? `gotrace threw ${threw instanceof Error ? `${threw.name}: ${threw.message}` : String(threw)}`
      : ours.error
        ? `gotrace: ${ours.error.message}`
        : "gotrace: ok";
  if (isGoCrash(go)) {
    const why = go.timedOut
      ? "go timed out"
      : go.stderr.split("\n").find((l) => /^(panic|fatal error)/.test(l));
    return { verdict: "go-crash", detail: `${why}; ${ourError}` };
  }
  const ourBytes = goBytes(ours.text);
  const same = ourBytes.equals(go.stdout);
  const differ = (detail: string): GoComparison => {
    const known = knownDifference(bytes);
    return known ? { verdict: "differ", detail, known } : { verdict: "differ", detail };
  };
  if (threw !== undefined) return differ(ourError);
  if (!same) return differ(`${firstDifference(ourBytes, go.stdout)}\n  ${ourError}`);
  if ((go.status === 0) !== (ours.error === undefined)) {
    return differ(`go exit ${go.status} (${go.stderr.trim()}), ${ourError}`);
  }
  return { verdict: "same", detail: "" };
}

// ---------------------------------------------------------------------------
// The command

function parseArgs(argv: string[]): Map<string, string> {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith("--")) throw new Error(`unexpected argument ${a}`);
    const eq = a.indexOf("=");
    if (eq > 0) args.set(a.slice(2, eq), a.slice(eq + 1));
    else args.set(a.slice(2), argv[++i] ?? "");
  }
  return args;
}

function save(
  outDir: string,
  seed: number,
  c: Pick<FuzzCase, "index" | "label" | "bytes">,
  why: string,
): string {
  mkdirSync(outDir, { recursive: true });
  const base = join(outDir, `seed${seed}-case${c.index}`);
  writeFileSync(`${base}.trace`, c.bytes);
  writeFileSync(`${base}.txt`, `seed ${seed} case ${c.index}\n${c.label}\n\n${why}\n`);
  return `${base}.trace`;
}

async function cli(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const seed = args.has("seed") ? Number(args.get("seed")) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
  const seconds = Number(args.get("seconds") ?? 300);
  const workers = Number(args.get("workers") ?? availableParallelism());
  const goEvery = Number(args.get("go-every") ?? 25);
  const outDir = join(repoRoot, "fuzz-out");
  const corpus = loadCorpus();
  console.log(`fuzz: seed ${seed}, ${corpus.length} fixtures, ${workers} workers`);
  const go = goEvery > 0 ? goTraceCommand() : undefined;

  if (args.has("case")) {
    const c = generateCase(seed, Number(args.get("case")), corpus);
    console.log(`case ${c.index} (${c.kind}): ${c.label}`);
    console.log(`saved to ${save(outDir, seed, c, "reproduced by --case")}`);
    try {
      const out = checkCase(c, memory);
      console.log(`${out.events} events; ${out.error ? `TraceError: ${out.error.message}` : "no error"}`);
    } catch (e) {
      console.log(`FAILURE ${e instanceof Error ? e.message : String(e)}`);
    }
    if (go) {
      const tmp = mkdtempSync(join(tmpdir(), "gotrace-fuzz-"));
      const r = await compareWithGo(c.bytes, join(tmp, "case.trace"), go);
      rmSync(tmp, { recursive: true, force: true });
      console.log(`vs go: ${r.verdict}${r.known ? ` (known: ${r.known})` : ""}\n${r.detail}`);
    }
    return 0;
  }

  console.log(`running for ${seconds} s; failing inputs go to ${outDir}/`);
  if (goEvery > 0 && !go) console.log("go not found: no differential checks");
  const goCounts = { same: 0, differ: 0, known: 0, "go-crash": 0 };
  const knownSeen = new Map<string, number>();
  const noteKnown = (k: KnownIssue) => knownSeen.set(k, (knownSeen.get(k) ?? 0) + 1);
  let lastPrint = 0;
  const t0 = Date.now();
  const line = (s: FuzzSummary) => {
    const secs = (Date.now() - t0) / 1000;
    let ok = 0;
    let err = 0;
    for (const k of caseKinds) {
      ok += s.byKind[k].ok;
      err += s.byKind[k].error;
    }
    const bad = s.failures.filter((f) => !f.known).length;
    const gs = go
      ? `; vs go: ${goCounts.same} same, ${goCounts.differ} differ, ${goCounts.known} known bugs, ${goCounts["go-crash"]} go crashes`
      : "";
    return `[${secs.toFixed(0).padStart(4)} s] ${s.cases} cases (${(s.cases / secs).toFixed(0)}/s): ${ok} read, ${err} TraceError, ${bad} failures, ${s.failures.length - bad} known bugs${gs}`;
  };
  const run = runFuzz({
    seed,
    seconds,
    workers,
    onProgress: (s) => {
      if (Date.now() - lastPrint < 5000) return;
      lastPrint = Date.now();
      console.log(line(s));
    },
    onFailure: (f) => {
      if (f.known) {
        noteKnown(f.known);
        return;
      }
      const path = save(outDir, seed, f, `${f.problem}: ${f.message}`);
      console.log(
        `FAILURE case ${f.index} (${f.kind}) ${f.problem}: ${f.message.split("\n")[0]}\n  ${f.label}\n  → ${path}`,
      );
    },
  });
  // Meanwhile, in this thread: every goEvery-th mutated case against Go.
  let goDone = Promise.resolve();
  if (go) {
    const tmp = mkdtempSync(join(tmpdir(), "gotrace-fuzz-"));
    const deadline = t0 + seconds * 1000;
    goDone = (async () => {
      for (let i = 0, mutated = 0; Date.now() < deadline; i++) {
        if (caseKind(i) !== "mutated" || mutated++ % goEvery !== 0) continue;
        const c = generateCase(seed, i, corpus);
        const r = await compareWithGo(c.bytes, join(tmp, "case.trace"), go);
        if (r.known) {
          goCounts.known++;
          noteKnown(r.known);
          continue;
        }
        goCounts[r.verdict]++;
        if (r.verdict !== "same") {
          const path = save(outDir, seed, c, `${r.verdict}\n${r.detail}`);
          console.log(
            `${r.verdict === "differ" ? "DIFFERS FROM GO" : "go crashed on"} case ${i}: ${c.label}\n  ${r.detail.split("\n").join("\n  ")}\n  → ${path}`,
          );
        }
      }
    })().finally(() => rmSync(tmp, { recursive: true, force: true }));
  }
  const summary = await run;
  await goDone;
  console.log(line(summary));
  for (const k of caseKinds) {
    console.log(`  ${k.padEnd(20)} ${summary.byKind[k].ok} read, ${summary.byKind[k].error} TraceError`);
  }
  console.log("most common errors:");
  for (const [r, n] of [...summary.reasons].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    console.log(`  ${String(n).padStart(7)}  ${r}`);
  }
  if (knownSeen.size > 0) console.log("known reader bugs seen (see knownIssues in fuzz-main.ts):");
  for (const [k, n] of knownSeen) console.log(`  ${String(n).padStart(7)}  ${k}`);
  return summary.failures.some((f) => !f.known) || goCounts.differ > 0 ? 1 : 0;
}

if (!isMainThread && (workerData as WorkerInput | undefined)?.gotraceFuzz) {
  runWorker(workerData as WorkerInput);
} else if (isMainThread && process.argv[1] === fileURLToPath(import.meta.url)) {
  cli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e);
      process.exit(2);
    },
  );
}
