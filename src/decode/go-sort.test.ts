// Differential test: sortFunc must leave elements in exactly the order Go's
// slices.SortFunc does, including among elements that compare equal. We run a
// tiny Go program (testdata/gosort) over a batch of generated arrays of
// (key, original index) pairs, comparing only keys, and check that the
// resulting index permutations, and the number of comparator calls, agree case
// by case.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { sortFunc } from "./go-sort.js";

// Compiled to dist/decode/, so climb to the repo root and back into src/.
const GO_PROGRAM_DIR = fileURLToPath(new URL("../../src/decode/testdata/gosort/", import.meta.url));

/** Small deterministic PRNG (mulberry32) so failures are reproducible. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case {
  name: string;
  keys: number[];
}

function generateCases(): Case[] {
  const rand = rng(0x5eed);
  const int = (n: number) => Math.floor(rand() * n);
  const cases: Case[] = [];
  const add = (name: string, n: number, key: (i: number) => number) => {
    cases.push({ name: `${name}/n=${n}`, keys: Array.from({ length: n }, (_, i) => key(i)) });
  };

  // Every size through the insertion-sort / median-of-three / ninther boundaries.
  for (let n = 0; n <= 130; n++) {
    add("random", n, () => int(1000));
    add("ties4", n, () => int(4));
    add("ties2", n, () => int(2));
    add("sorted-ties", n, (i) => Math.floor(i / 3));
    add("reversed-ties", n, (i) => Math.floor((n - i) / 3));
  }

  const sizes = [150, 200, 256, 257, 300, 500, 511, 512, 513, 777, 1000, 1024, 1500, 2047, 2048, 2500, 3000];
  for (let r = 0; r < 40; r++) sizes.push(int(3001));
  for (const n of sizes) {
    add("random", n, () => int(1_000_000));
    add("ties4", n, () => int(4));
    add("ties16", n, () => int(16));
    add("all-equal", n, () => 7);
    add("sorted", n, (i) => i);
    add("sorted-dups", n, (i) => Math.floor(i / 5));
    add("reversed", n, (i) => n - i);
    add("reversed-dups", n, (i) => Math.floor((n - i) / 5));
    add("sawtooth", n, (i) => i % 17);
    add("sawtooth-big", n, (i) => i % Math.max(1, Math.floor(n / 4)));
    add("organ-pipe", n, (i) => Math.min(i, n - i));
    add("reversed-sawtooth", n, (i) => 100 - (i % 23));
    // Nearly sorted: a handful of perturbations exercises partialInsertionSort.
    const near = Array.from({ length: n }, (_, i) => i);
    for (let s = 0; s < 3 && n > 1; s++) {
      const x = int(n);
      const y = int(n);
      [near[x], near[y]] = [near[y]!, near[x]!];
    }
    add("nearly-sorted", n, (i) => near[i]!);
    // Nearly sorted with many ties.
    add("nearly-sorted-ties", n, (i) => (i % 97 === 50 ? 0 : Math.floor(i / 10)));
    // Mostly one key with a few outliers: drives partitionEqual heavily.
    add("mostly-equal", n, () => (rand() < 0.05 ? int(100) : 42));
  }

  // Classic awkward shapes for median-of-three quicksorts; these exercise
  // breakPatterns and partitionEqual.
  for (const n of [64, 100, 500, 1000, 2000, 3000]) {
    add("m3-killer", n, (i) => {
      const h = Math.floor(n / 2);
      if (i < h) return i % 2 === 0 ? i + 1 : h + i;
      return (i - h + 1) * 2;
    });
    add("push-front", n, (i) => (i === n - 1 ? 0 : i + 1));
    add("push-middle", n, (i) => (i === n - 1 ? Math.floor(n / 2) : i * 2));
    add("pow2-mod", n, (i) => (i * 1103515245) % 8);
  }
  // McIlroy's "antiqsort" adversary, played against our own sortFunc, yields
  // inputs that make pdqsort exhaust its bad-pivot budget and fall back to
  // heapsort. Since the algorithm is deterministic, the same keys drive Go
  // down the same path, so this checks the heapsort fallback too.
  for (const n of [100, 300, 1000, 2000, 3000]) {
    cases.push({ name: `antiqsort/n=${n}`, keys: antiQuicksort(n) });
  }
  return cases;
}

/**
 * Builds an adversarial input by deciding element values lazily during a sort
 * (after McIlroy, "A Killer Adversary for Quicksort"): unresolved ("gas")
 * elements are frozen to increasing values only when two of them meet. The
 * likely pivot (the gas element last compared against a solid one) is frozen
 * first so partitions come out lopsided; otherwise the left operand is frozen,
 * which reports "less" and so defeats pdqsort's already-sorted fast path.
 */
function antiQuicksort(n: number): number[] {
  const gas = n;
  const val = new Array<number>(n).fill(gas);
  let nsolid = 0;
  let candidate = -1;
  const idx = Array.from({ length: n }, (_, i) => i);
  sortFunc(idx, (x, y) => {
    if (val[x] === gas && val[y] === gas) {
      if (y === candidate) val[y] = nsolid++;
      else val[x] = nsolid++;
    }
    if (val[x] === gas) candidate = x;
    else if (val[y] === gas) candidate = y;
    return val[x]! - val[y]!;
  });
  return val;
}

interface Outcome {
  /** How many times the comparator was called. */
  calls: number;
  /** Original indices in sorted order. */
  order: number[];
}

/** Sorts `keys` (as key/index pairs, comparing keys only) with sortFunc. */
function tsSort(keys: number[]): Outcome {
  const items = keys.map((key, index) => ({ key, index }));
  let calls = 0;
  sortFunc(items, (x, y) => {
    calls++;
    return x.key < y.key ? -1 : x.key > y.key ? 1 : 0;
  });
  return { calls, order: items.map((it) => it.index) };
}

function goSort(cases: Case[]): Outcome[] | string {
  const input = cases.map((c) => `${c.keys.length} ${c.keys.join(" ")}\n`).join("");
  const res = spawnSync("go", ["run", "."], {
    cwd: GO_PROGRAM_DIR,
    input,
    encoding: "utf8",
    maxBuffer: 1 << 28,
    // Keep the helper self-contained even inside a Go workspace.
    env: { ...process.env, GOWORK: "off" },
  });
  if (res.error) return `failed to run go: ${res.error.message}`;
  if (res.status !== 0) return `go run exited with ${res.status}: ${res.stderr}`;
  const lines = res.stdout.split("\n");
  if (lines.at(-1) === "") lines.pop();
  if (lines.length !== cases.length) {
    return `go printed ${lines.length} lines for ${cases.length} cases`;
  }
  return lines.map((l) => {
    const [calls, ...order] = l.split(" ").map(Number);
    return { calls: calls!, order };
  });
}

function goAvailable(): boolean {
  const res = spawnSync("go", ["version"], { encoding: "utf8" });
  return !res.error && res.status === 0;
}

test("sortFunc sorts by key", () => {
  const rand = rng(1);
  for (let n = 0; n < 400; n += 7) {
    const keys = Array.from({ length: n }, () => Math.floor(rand() * 10));
    const got = tsSort(keys).order.map((i) => keys[i]!);
    assert.deepEqual(
      got,
      [...keys].sort((x, y) => x - y),
    );
    // The output must be a permutation of the input indices.
    assert.deepEqual(
      tsSort(keys).order.sort((x, y) => x - y),
      keys.map((_, i) => i),
    );
  }
});

test("sortFunc matches Go's slices.SortFunc order exactly", (t) => {
  if (!goAvailable()) {
    const reason = "`go` is not on PATH; cannot compare against slices.SortFunc";
    if (process.env.CI === "true") assert.fail(reason);
    console.log(`skipping: ${reason}`);
    t.skip(reason);
    return;
  }
  const cases = generateCases();
  const want = goSort(cases);
  if (typeof want === "string") assert.fail(want);
  let compared = 0;
  for (let c = 0; c < cases.length; c++) {
    const { name, keys } = cases[c]!;
    const got = tsSort(keys);
    assert.deepEqual(got.order, want[c]!.order, `case #${c} ${name}: order differs from Go`);
    assert.equal(got.calls, want[c]!.calls, `case #${c} ${name}: comparator call count differs from Go`);
    compared++;
  }
  t.diagnostic(`compared ${compared} cases against Go`);
  console.log(`go-sort: compared ${compared} cases against Go's slices.SortFunc`);
});
