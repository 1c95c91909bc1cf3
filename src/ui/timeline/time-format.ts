/**
 * Times as people read them (ns, µs, ms, s) and the time axis's ticks. Pure
 * functions, tested in Node by src/server/timeline-viewport.test.ts.
 */

const units = [
  { name: "s", ns: 1e9 },
  { name: "ms", ns: 1e6 },
  { name: "µs", ns: 1e3 },
  { name: "ns", ns: 1 },
] as const;

/** A duration with three significant digits in the largest unit that keeps it ≥ 1: "12.3 µs", "1.50 s". */
export function formatDuration(ns: number): string {
  if (!Number.isFinite(ns)) return "?";
  const a = Math.abs(ns);
  if (a < 1) return `${trimZeros(ns.toFixed(2))} ns`;
  const u = units.find((u) => a >= u.ns) ?? units[3];
  const v = ns / u.ns;
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return `${u.name === "ns" ? Math.round(v) : v.toFixed(digits)} ${u.name}`;
}

/** A point in time since the trace start, exact to the ns: "1.234567890 s", "45.678 µs". */
export function formatTimestamp(ns: number): string {
  if (!Number.isFinite(ns)) return "?";
  const a = Math.abs(ns);
  if (a < 1e3) return `${trimZeros(ns.toFixed(2))} ns`;
  if (a < 1e6) return `${trimZeros((ns / 1e3).toFixed(3))} µs`;
  if (a < 1e9) return `${trimZeros((ns / 1e6).toFixed(6))} ms`;
  return `${trimZeros((ns / 1e9).toFixed(9))} s`;
}

function trimZeros(s: string): string {
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
}

/** The ticks of the axis: every `stepNs` from `firstNs`, labelled in `unit` with `decimals`. */
export interface AxisTicks {
  readonly firstNs: number;
  readonly stepNs: number;
  readonly count: number;
  readonly unitName: string;
  readonly unitNs: number;
  readonly decimals: number;
}

/** The smallest 1, 2 or 5 × 10^k that is ≥ x. */
export function niceStep(x: number): number {
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 5, 10]) if (m * p >= x * (1 - 1e-12)) return m * p;
  return 10 * p;
}

/**
 * Ticks for a window of `widthPx` pixels, at least `minGapPx` apart and far
 * enough apart for their labels (`charPx` per character). Labels are absolute
 * times in one unit chosen by the window's end, with as many decimals as the
 * step needs, so every label on screen is distinct and exact.
 */
export function axisTicks(
  startNs: number,
  endNs: number,
  widthPx: number,
  minGapPx = 90,
  charPx = 7,
): AxisTicks {
  const span = Math.max(endNs - startNs, 1e-9);
  const nsPerPx = span / Math.max(widthPx, 1);
  const u = units.find((u) => Math.max(Math.abs(endNs), Math.abs(startNs)) >= u.ns) ?? units[3];
  let stepNs = niceStep(Math.max(nsPerPx * minGapPx, 1e-3));
  let decimals = 0;
  for (let tries = 0; tries < 8; tries++) {
    decimals = Math.max(0, Math.ceil(-Math.log10(stepNs / u.ns) - 1e-9));
    const labelChars = `${(endNs / u.ns).toFixed(decimals)} ${u.name}`.length;
    if (stepNs / nsPerPx >= labelChars * charPx + 16) break;
    stepNs = niceStep(stepNs * 1.01);
  }
  const firstNs = Math.ceil(startNs / stepNs) * stepNs;
  const count = Math.max(0, Math.floor((endNs - firstNs) / stepNs + 1e-9) + 1);
  return { firstNs, stepNs, count, unitName: u.name, unitNs: u.ns, decimals };
}

export function tickLabel(t: AxisTicks, i: number): string {
  const ns = t.firstNs + i * t.stepNs;
  return `${(ns / t.unitNs).toFixed(t.decimals)} ${t.unitName}`;
}
