/**
 * Numbers as the analysis pages show them: durations with three significant
 * digits in the unit that fits ("12.3 µs"), counts with thousands
 * separators, shares as percentages. Cells keep the exact value in
 * `data-value` and a title, so nothing is lost to rounding.
 */
import { formatDuration } from "../timeline/time-format.js";

/** As the timeline's formatDuration, but "–" when unknown and whole ns below 1 ns. */
export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return "–";
  return Math.abs(ns) < 1 ? `${Math.round(ns)} ns` : formatDuration(ns);
}

/** A time since the trace start, to the ns: "1.234567890 s". */
export function formatTimeNs(ns: number): string {
  return `${(ns / 1e9).toFixed(9)} s`;
}

export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

export function formatPercent(p: number): string {
  return `${p.toFixed(p >= 10 ? 1 : 2)}%`;
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

/** How the UI names a goroutine group without a stack (go tool trace's words). */
export function groupLabel(name: string): string {
  return name === "" ? "(Inactive, no stack trace sampled)" : name;
}
