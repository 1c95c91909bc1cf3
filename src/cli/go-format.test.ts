/** Go's duration and percentage formatting, checked against Go itself. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import { haveGo, requirement } from "../testing/corpus.js";
import { parseGoDuration } from "../testing/go-trace-pages.js";
import { formatGoDuration, formatGoPercent } from "./go-format.js";

const goProgram = `package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		kind, v, _ := strings.Cut(in.Text(), " ")
		if kind == "d" {
			n, _ := strconv.ParseInt(v, 10, 64)
			fmt.Println(time.Duration(n).String())
		} else {
			f, _ := strconv.ParseFloat(v, 64)
			fmt.Printf("%.2f\\n", f)
		}
	}
}
`;

describe("Go number formatting", () => {
  it("formatGoDuration on known values", () => {
    const cases: [number, string][] = [
      [0, "0s"],
      [1, "1ns"],
      [999, "999ns"],
      [1000, "1µs"],
      [1500, "1.5µs"],
      [254401, "254.401µs"],
      [38281409, "38.281409ms"],
      [1e9, "1s"],
      [1.5e9, "1.5s"],
      [60e9, "1m0s"],
      [3600e9, "1h0m0s"],
      [3723004005006, "1h2m3.004005006s"],
      [-1500, "-1.5µs"],
    ];
    for (const [ns, s] of cases) {
      assert.equal(formatGoDuration(ns), s, String(ns));
      assert.equal(parseGoDuration(s), ns, s);
    }
  });

  it("parseGoDuration reads back every formatted duration", () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (ns) => {
        assert.equal(parseGoDuration(formatGoDuration(ns)), ns);
      }),
    );
  });

  it("formatGoPercent rounds halfway cases to even, like Go", () => {
    assert.equal(formatGoPercent(12.125), "12.12");
    assert.equal(formatGoPercent(12.375), "12.38");
    assert.equal(formatGoPercent(12.625), "12.62");
    assert.equal(formatGoPercent(12.875), "12.88");
    assert.equal(formatGoPercent(0.125), "0.12");
    assert.equal(formatGoPercent(27.27272727), "27.27");
    assert.equal(formatGoPercent(100), "100.00");
  });

  it("prints what Go prints", { skip: requirement(haveGo(), "the go command") }, () => {
    const rng = fc.sample(fc.maxSafeInteger(), { numRuns: 300, seed: 42 });
    const durations = [
      ...rng,
      ...rng.map((n) => n % 1e9),
      ...rng.map((n) => n % 1e6),
      ...rng.map((n) => -(n % 1e12)),
      0,
      59_999_999_999,
      3_599_999_999_999,
    ];
    const eighths = Array.from({ length: 800 }, (_, i) => i / 8);
    const percents = [
      ...eighths,
      ...fc.sample(fc.double({ min: 0, max: 100, noNaN: true }), { numRuns: 300, seed: 7 }),
      ...fc.sample(fc.integer({ min: 1, max: 1e6 }), { numRuns: 300, seed: 9 }).map((n) => (n / 1e6) * 100),
    ];
    const dir = mkdtempSync(join(tmpdir(), "gotrace-goformat-"));
    try {
      writeFileSync(join(dir, "main.go"), goProgram);
      writeFileSync(join(dir, "go.mod"), "module goformat\n\ngo 1.21\n");
      const input = [...durations.map((n) => `d ${n}`), ...percents.map((x) => `p ${x}`)].join("\n");
      const r = spawnSync("go", ["run", "."], { cwd: dir, input, maxBuffer: 1 << 24 });
      assert.equal(r.status, 0, r.stderr.toString());
      const ours = [...durations.map(formatGoDuration), ...percents.map(formatGoPercent)];
      assert.deepEqual(ours, r.stdout.toString().trimEnd().split("\n"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
