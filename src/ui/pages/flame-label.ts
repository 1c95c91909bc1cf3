/**
 * Shorter forms of a Go function name for a flame graph frame too narrow
 * for the whole name. The function keeps its name longest: the package
 * path goes first, one directory at a time, then the package, then each
 * qualifier (receiver type, enclosing function), so
 * "github.com/segmentio/kafka-go.(*Reader).run" reads, as the frame
 * narrows, "segmentio/kafka-go.(*Reader).run", "kafka-go.(*Reader).run",
 * "(*Reader).run" and "run". Only when even the last part does not fit is
 * it cut at the end, with an ellipsis.
 */

/** "func1", "func1.2", "gowrap3", "2": what Go appends to name a closure. */
const closurePart = /^(?:func\d+|gowrap\d+|\d+)(?:\.\d+)*$/;

/**
 * The forms of `name` from longest (the name itself) to shortest. Dots and
 * slashes inside brackets (generic instantiations such as
 * "pkg.Map[go.shape.string]") or parentheses do not split it.
 */
export function labelForms(name: string): string[] {
  const forms = [name];
  // The package path ends at the last "/" outside brackets, the package at the first "." after it.
  let depth = 0;
  let lastSlash = -1;
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if (c === "[" || c === "(") depth++;
    else if (c === "]" || c === ")") depth = Math.max(0, depth - 1);
    else if (c === "/" && depth === 0) lastSlash = i;
  }
  // Drop leading directories of the path, one at a time.
  for (let i = name.indexOf("/"); i >= 0 && i <= lastSlash; i = name.indexOf("/", i + 1)) {
    forms.push(name.slice(i + 1));
  }
  // Then the package and each qualifier, at "." outside brackets.
  const start = lastSlash + 1;
  depth = 0;
  for (let i = start; i < name.length; i++) {
    const c = name[i];
    if (c === "[" || c === "(") depth++;
    else if (c === "]" || c === ")") depth = Math.max(0, depth - 1);
    else if (c === "." && depth === 0) {
      // A closure's own part ("func1", "1", "gowrap2") names nothing without its enclosing function.
      const rest = name.slice(i + 1);
      if (rest !== "" && !closurePart.test(rest)) forms.push(rest);
    }
  }
  return forms;
}

/**
 * The longest form of `name` that `fits` (measured by the caller, e.g. in
 * canvas pixels); else the shortest form cut at the end with "…" to fit;
 * "" when not even one character and the ellipsis fit.
 */
export function fitLabel(name: string, fits: (text: string) => boolean): string {
  const forms = labelForms(name);
  for (const f of forms) if (fits(f)) return f;
  // By code points, so a cut never splits a character outside the BMP.
  const last = Array.from(forms[forms.length - 1]!);
  const cut = (n: number) => `${last.slice(0, n).join("")}…`;
  // Binary search the longest prefix that fits with its ellipsis.
  let lo = 0;
  let hi = last.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (fits(cut(mid))) lo = mid;
    else hi = mid - 1;
  }
  return lo === 0 ? "" : cut(lo);
}
