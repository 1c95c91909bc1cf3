/**
 * Minimum mutator utilization (go tool trace's /mmu): the curve over window
 * sizes on a log axis up to the trace's whole length (Go's page stops six
 * decades above the smallest window, often at 1 s), which GC work counts
 * (toggles), per-proc or system-wide, optional percentile bands, and the
 * worst windows of a chosen size, each linking to the timeline on exactly
 * that window. Click the chart to list the worst windows of the size under
 * the cursor; the line under the chart reads out the values there.
 * Address: `#/mmu?include=stw,background,assist&perProc=1&pct=1&window=NS`.
 */
import { useMemo, useState } from "preact/hooks";
import type uPlot from "uplot";
import type { MMUInclude, MMUResponse } from "../../query/analysis/protocol.js";
import type { PageProps } from "../app.js";
import { routeHref, timelineHref } from "../route.js";
import { useAnalysis, useFirstEventNs } from "./analysis-api.js";
import { formatNs, formatTimeNs } from "./format.js";
import { PageFrame, Pending } from "./page-frame.js";
import { UPlotChart } from "./uplot-chart.js";

const toggles: readonly [MMUInclude, string][] = [
  ["stw", "Stop-the-world pauses"],
  ["background", "Background mark workers"],
  ["assist", "Mark assists"],
  ["sweep", "Sweeping"],
];

function isPowerOfTen(x: number): boolean {
  const l = Math.log10(x);
  return Math.abs(l - Math.round(l)) < 1e-9;
}

/** MMU, then the p99.9, p99 and p95 utilization lines. */
const bandColors = ["#0b63ce", "#d95f02", "#7570b3", "#1b9e77"];

/** The lines drawn: the MMU, then one per percentile asked for. */
function linesOf(m: MMUResponse): { label: string; color: string; values: (number | null)[] }[] {
  return [
    { label: "MMU", color: bandColors[0]!, values: m.curve.map((p) => p.mmu) },
    ...(m.quantiles ?? []).map((q, i) => ({
      label: `p${((1 - q) * 100).toPrecision(3).replace(/\.?0+$/, "")} MU`,
      color: bandColors[i + 1]!,
      values: m.curve.map((p) => p.percentiles?.[i] ?? null),
    })),
  ];
}

function chartOf(m: MMUResponse, onPick: (windowNs: number) => void, onHover: (i: number | null) => void) {
  const xs = m.curve.map((p) => p.windowNs);
  const series: uPlot.Series[] = [{ label: "Window" }];
  const data: (number | null)[][] = [xs];
  linesOf(m).forEach((line, i) => {
    series.push(
      i === 0
        ? { label: line.label, stroke: line.color, width: 2 }
        : { label: line.label, stroke: line.color, width: 1.5, dash: [4, 3] },
    );
    data.push(line.values);
  });
  // The band between the MMU and the p95 line: where 95% of windows fall above the floor.
  const bands: uPlot.Band[] = m.quantiles
    ? [{ series: [series.length - 1, 1], fill: "rgba(11, 99, 206, 0.08)" }]
    : [];
  const options: Omit<uPlot.Options, "width"> = {
    height: 320,
    bands,
    // The x range is the curve's own, not widened to whole decades, so the last window (the trace's length) is the right edge.
    scales: { x: { time: false, distr: 3, range: () => [m.xMinNs, m.xMaxNs] }, y: { range: [0, 1] } },
    axes: [
      // A log axis ticks 1–9 in each decade; only the powers of ten get a label.
      { label: "Window size", values: (_u, ticks) => ticks.map((t) => (isPowerOfTen(t) ? formatNs(t) : "")) },
      { label: "Mutator utilization" },
    ],
    cursor: { drag: { x: false, y: false } },
    // uPlot's own legend reads "Window: MMU:" while nothing is pointed at; the readout below replaces it.
    legend: { show: false },
    series,
    hooks: {
      setCursor: [(u) => onHover(u.cursor.idx ?? null)],
      ready: [
        (u) => {
          u.over.addEventListener("click", () => {
            const i = u.cursor.idx;
            if (i != null) onPick(xs[i]!);
          });
        },
      ],
    },
  };
  return { options, data: data as uPlot.AlignedData };
}

/** Decades from the curve's smallest to its largest window, and the size shown now. */
function windowChoices(m: MMUResponse): number[] {
  const out = new Set<number>();
  for (let w = Math.max(1, m.xMinNs); w <= m.xMaxNs; w *= 10) out.add(w);
  out.add(m.xMaxNs);
  for (const x of m.worst) out.add(x.windowNs);
  return [...out].sort((a, b) => a - b);
}

function Curve(props: { m: MMUResponse; onPick: (w: number) => void }) {
  const [hover, setHover] = useState<number | null>(null);
  const chart = useMemo(() => chartOf(props.m, props.onPick, setHover), [props.m]);
  const lines = linesOf(props.m);
  const point = hover === null ? undefined : props.m.curve[hover];
  return (
    <>
      <UPlotChart
        label="Minimum mutator utilization by window size"
        options={chart.options}
        data={chart.data}
      />
      {/* One line, always there, so pointing at the chart never moves the page. */}
      <div class="legend chart-readout" data-testid="mmu-legend" aria-live="polite">
        {point && <span data-testid="mmu-readout-window">Window {formatNs(point.windowNs)}:</span>}
        {(point || lines.length > 1) &&
          lines.map((line) => (
            <span>
              <span class="swatch" style={{ background: line.color }} />
              {line.label}
              {point && hover !== null && ` ${line.values[hover]?.toFixed(4) ?? "–"}`}
            </span>
          ))}
        {!point && lines.length === 1 && (
          <span class="muted">
            Point at the curve to read its values; click to list the worst windows of that size.
          </span>
        )}
      </div>
    </>
  );
}

/** The worst windows; `firstNs` is the timeline's zero in analysis time. */
function Worst(props: { m: MMUResponse; firstNs: number }) {
  return (
    <>
      {props.m.worst.map((w) => (
        <section>
          <h2>Worst {formatNs(w.windowNs)} windows</h2>
          <table class="atable" data-testid="worst-windows" data-window={w.windowNs}>
            <thead>
              <tr>
                <th scope="col">Start</th>
                <th scope="col">End</th>
                <th scope="col" class="num">
                  Mutator utilization
                </th>
                <th scope="col">What waited then</th>
              </tr>
            </thead>
            <tbody>
              {w.windows.map((x) => (
                <tr>
                  <td data-value={x.startNs}>
                    <a
                      href={timelineHref({
                        view: "proc",
                        startNs: x.startNs - props.firstNs,
                        endNs: x.endNs - props.firstNs,
                      })}
                    >
                      {formatTimeNs(x.startNs)}
                    </a>
                  </td>
                  <td data-value={x.endNs}>{formatTimeNs(x.endNs)}</td>
                  <td class="num" data-value={x.util}>
                    {x.util.toFixed(4)}
                  </td>
                  <td>
                    <a
                      href={routeHref("profiles", {
                        type: "sched",
                        start: x.startNs - props.firstNs,
                        end: x.endNs - props.firstNs,
                      })}
                    >
                      scheduler latency profile
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </>
  );
}

export function MMUPage(props: PageProps) {
  const params = props.route.params;
  const include = (params.get("include") ?? "stw,background,assist")
    .split(",")
    .filter((s): s is MMUInclude => toggles.some(([k]) => k === s));
  const perProc = params.get("perProc") === "1";
  const pct = params.get("pct") === "1";
  const windowText = params.get("window");
  const worstWindowNs = windowText && Number(windowText) >= 1 ? Math.round(Number(windowText)) : undefined;
  const loaded = useAnalysis<MMUResponse>("mmu", {
    include: include.join(","),
    perProc,
    percentiles: pct,
    worstWindowNs,
    toTraceLength: true,
  });
  const firstNs = useFirstEventNs();
  const go = (change: Record<string, string | number | undefined>) => {
    location.hash = routeHref("mmu", {
      include: include.join(","),
      perProc: perProc ? 1 : undefined,
      pct: pct ? 1 : undefined,
      window: worstWindowNs,
      ...change,
    });
  };
  const flip = (k: MMUInclude) => {
    const next = include.includes(k) ? include.filter((x) => x !== k) : [...include, k];
    go({
      include: toggles
        .map(([t]) => t)
        .filter((t) => next.includes(t))
        .join(","),
    });
  };
  return (
    <PageFrame
      title="Minimum mutator utilization"
      intro="For each window size, the least share of the CPUs left to the program over any window of that size. Click the chart to list the worst windows of that size."
    >
      <fieldset class="controls">
        <legend class="muted">Count as GC</legend>
        {toggles.map(([k, title]) => (
          <label>
            <input type="checkbox" checked={include.includes(k)} onChange={() => flip(k)} /> {title}
          </label>
        ))}
      </fieldset>
      <fieldset class="controls">
        <legend class="muted">Show</legend>
        <label>
          <input
            type="checkbox"
            checked={perProc}
            onChange={() => go({ perProc: perProc ? undefined : 1 })}
          />{" "}
          Per proc (each P alone)
        </label>
        <label>
          <input type="checkbox" checked={pct} onChange={() => go({ pct: pct ? undefined : 1 })} /> Percentile
          lines (p99.9, p99, p95)
        </label>
      </fieldset>
      <Pending loaded={loaded}>
        {(m) =>
          m.error ? (
            <div class="aerror">{m.error}</div>
          ) : (
            <>
              <Curve m={m} onPick={(w) => go({ window: w })} />
              <label class="controls">
                Worst windows of
                <select
                  value={String(m.worst[0]?.windowNs ?? "")}
                  onChange={(e) => go({ window: Number((e.currentTarget as HTMLSelectElement).value) })}
                >
                  {windowChoices(m).map((w) => (
                    <option value={String(w)}>{formatNs(w)}</option>
                  ))}
                </select>
              </label>
              {firstNs !== undefined && <Worst m={m} firstNs={firstNs} />}
            </>
          )
        }
      </Pending>
    </PageFrame>
  );
}
