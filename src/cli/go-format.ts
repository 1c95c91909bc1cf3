/**
 * Numbers printed the way go tool trace prints them, so its pages and
 * gotrace's tables can be compared by eye: durations as Go's
 * time.Duration.String ("1m2.5s", "38.281409ms", "896ns"), exact to the
 * nanosecond, and percentages as Go's "%.2f".
 */

/** `v / unit` with up to `digits` decimals, trailing zeros dropped (v, unit integers). */
function decimal(v: number, unit: number, digits: number): string {
  const frac = v % unit;
  const whole = (v - frac) / unit;
  if (frac === 0) return String(whole);
  return `${whole}.${String(frac).padStart(digits, "0").replace(/0+$/, "")}`;
}

/** A duration in ns (an integer) as Go's time.Duration.String prints it. */
export function formatGoDuration(ns: number): string {
  if (ns === 0) return "0s";
  const sign = ns < 0 ? "-" : "";
  const u = Math.abs(ns);
  if (u < 1e3) return `${sign}${u}ns`;
  if (u < 1e6) return `${sign}${decimal(u, 1e3, 3)}µs`;
  if (u < 1e9) return `${sign}${decimal(u, 1e6, 6)}ms`;
  const inMinute = u % 60e9;
  const minutes = (u - inMinute) / 60e9;
  let text = `${decimal(inMinute, 1e9, 9)}s`;
  if (minutes > 0) {
    const m = minutes % 60;
    const h = (minutes - m) / 60;
    text = `${h > 0 ? `${h}h` : ""}${m}m${text}`;
  }
  return sign + text;
}

/**
 * A percentage with two decimals as Go's fmt "%.2f" rounds it: the exact
 * binary value, halfway cases to even. toFixed rounds those up instead; a
 * double halfway between two hundredths has a fraction of k/8 (k odd), and
 * for .125 and .625 the even neighbour is the lower one.
 */
export function formatGoPercent(x: number): string {
  const eighths = x * 8;
  if (Number.isInteger(eighths) && eighths % 2 !== 0) {
    const k = ((eighths % 8) + 8) % 8;
    if (k === 1 || k === 5) return (x - 0.005).toFixed(2);
  }
  return x.toFixed(2);
}

const durationUnitNs: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/**
 * The nanoseconds of a duration in Go's syntax as people type it ("1.5ms",
 * "250µs", "1m30s"), not yet rounded; undefined when `s` is empty or not one.
 */
export function goDurationNs(s: string): number | undefined {
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let total = 0;
  let pos = 0;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * durationUnitNs[m[2]!]!;
    pos = re.lastIndex;
  }
  return pos > 0 ? total : undefined;
}
