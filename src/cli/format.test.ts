/** The CLI's short durations: milliseconds below a minute, Go's h/m/s form above. */
import assert from "node:assert/strict";
import { it } from "node:test";
import { formatDuration } from "./format.js";

it("formatDuration reads like Go's time.Duration from a minute on", () => {
  const cases: [number, string][] = [
    [0, "0ns"],
    [896, "896ns"],
    [38_281_409, "38.281ms"],
    [1_450_000_000, "1.450s"],
    [59_999_000_000, "59.999s"],
    // Rounds to a minute: Go's form, not "60.000s".
    [59_999_600_000, "1m0s"],
    [60e9, "1m0s"],
    [1224e9, "20m24s"],
    [1224_500_000_000, "20m24.5s"],
    [3723_004_400_000, "1h2m3.004s"],
    [74414e9, "20h40m14s"],
  ];
  for (const [ns, want] of cases) assert.equal(formatDuration(ns), want, String(ns));
});
