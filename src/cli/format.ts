/** Human-readable numbers for the command line. */
import { formatGoDuration } from "./go-format.js";

/**
 * A duration to about a millisecond's precision: "896ns", "38.281ms",
 * "1.450s"; from a minute on, as Go's time.Duration prints it rounded to
 * the millisecond ("20m24s", "1h2m3.004s").
 */
export function formatDuration(ns: number): string {
  if (ns < 1e3) return `${ns}ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(3)}µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(3)}ms`;
  const ms = Math.round(ns / 1e6);
  if (ms < 60e3) return `${(ns / 1e9).toFixed(3)}s`;
  return formatGoDuration(ms * 1e6);
}

export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let u = 0;
  let v = n;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(1)} ${units[u]}`;
}

export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

/** Go's header version → the Go releases that write it. */
export function goReleasesFor(version: number): string {
  const map: Record<number, string> = {
    5: "Go 1.5–1.6",
    7: "Go 1.7",
    8: "Go 1.8",
    9: "Go 1.9",
    10: "Go 1.10",
    11: "Go 1.11–1.18",
    19: "Go 1.19–1.20",
    21: "Go 1.21",
    22: "Go 1.22",
    23: "Go 1.23–1.24",
    25: "Go 1.25",
    26: "Go 1.26",
  };
  return map[version] ?? `Go 1.${version}`;
}
