/**
 * The MMU curve and worst windows as JSON: what `gotrace mmu --json` prints
 * and the MMU page plots. Go's /mmu plot samples 100 log-spaced windows;
 * given window sizes are measured as asked.
 */
import { type MMUCurve, mmuPlot, plotQuantiles } from "../../analysis/mmu.js";
import { UtilFlags } from "../../analysis/util-series.js";
import type { MMUInclude, MMUResponse } from "./protocol.js";

/** What the /mmu page includes when it opens: everything but sweeping. */
export const defaultMMUInclude: readonly MMUInclude[] = ["stw", "background", "assist"];

export const mmuIncludeFlags: Readonly<Record<MMUInclude, UtilFlags>> = {
  stw: UtilFlags.STW,
  background: UtilFlags.Background,
  assist: UtilFlags.Assist,
  sweep: UtilFlags.Sweep,
};

/** The analyzer flags for a choice of GC work and per-proc. */
export function mmuUtilFlags(include: readonly MMUInclude[], perProc: boolean): number {
  let flags = perProc ? UtilFlags.PerProc : 0;
  for (const name of include) flags |= mmuIncludeFlags[name];
  return flags;
}

/** Window sizes 1, 2, 5 × 10^k ns between lo and hi, for a curve people can read. */
export function readableWindows(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let decade = 1; decade <= hi; decade *= 10) {
    for (const m of [1, 2, 5]) {
      const w = m * decade;
      if (w >= lo && w <= hi) out.push(w);
    }
  }
  return out;
}

export interface MMUJsonOptions {
  readonly include: readonly string[];
  readonly perProc: boolean;
  readonly percentiles: boolean;
  /** Window sizes to measure; without them, Go's 100 plot windows (goWindows) or 1-2-5 steps. */
  readonly windows?: readonly number[];
  readonly goWindows: boolean;
  /** Windows up to the trace's length, not Go's six decades (often capped at 1 s). */
  readonly toTraceLength?: boolean;
  /** Window sizes for worst windows; default the given windows, or 1 ms (at most the longest window). */
  readonly worstSizes?: readonly number[];
  readonly nWorst: number;
}

/** The curve and worst windows. `originNs` is the absolute time of relative 0. */
export function mmuJson(curve: MMUCurve, originNs: number, o: MMUJsonOptions): Omit<MMUResponse, "error"> {
  const { percentiles, windows, goWindows } = o;
  const plot = mmuPlot(
    curve,
    percentiles ? plotQuantiles : undefined,
    goWindows ? 100 : 0,
    o.toTraceLength ?? false,
  );
  const points = goWindows
    ? plot.curve.map(([w, ...ys]) => ({
        windowNs: w!,
        mmu: percentiles ? curve.mmu(w!) : ys[0]!,
        ...(percentiles ? { percentiles: ys.slice(1) } : {}),
      }))
    : (windows ?? readableWindows(plot.xMinNs, plot.xMaxNs)).map((w) => ({
        windowNs: w,
        mmu: curve.mmu(w),
        ...(percentiles ? { percentiles: curve.mud(w, plotQuantiles).slice(1) } : {}),
      }));
  const worstSizes = o.worstSizes ?? windows ?? [Math.min(1e6, plot.xMaxNs)];
  const worst = worstSizes.map((w) => ({
    windowNs: w,
    windows: curve.examples(w, o.nWorst).map((x) => ({
      startNs: x.startNs,
      endNs: x.startNs + w,
      startAbsNs: originNs + x.startNs,
      util: x.util,
    })),
  }));
  return {
    include: [...o.include],
    perProc: o.perProc,
    xMinNs: plot.xMinNs,
    xMaxNs: plot.xMaxNs,
    quantiles: percentiles ? plotQuantiles.slice(1) : null,
    curve: points,
    worst,
  };
}
