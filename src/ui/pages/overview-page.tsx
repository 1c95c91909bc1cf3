/** The Overview page: what `gotrace stats` says, and the heap and goroutine count over time. */
import { useMemo } from "preact/hooks";
import uPlot from "uplot";
import type { OverviewResponse, SeriesPoints } from "../../query/analysis/protocol.js";
import type { PageProps } from "../app.js";
import { routeHref, timelineHref } from "../route.js";
import { useAnalysis } from "./analysis-api.js";
import { formatBytes, formatCount, formatNs } from "./format.js";
import { PageFrame, Pending } from "./page-frame.js";
import { UPlotChart } from "./uplot-chart.js";

function Fact(props: { label: string; value: string; raw?: number; id: string }) {
  return (
    <div class="fact" data-testid={props.id} data-value={props.raw}>
      <dt>{props.label}</dt>
      <dd>{props.value}</dd>
    </div>
  );
}

function seriesChart(points: SeriesPoints, label: string, color: string, bytes: boolean) {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const options: Omit<uPlot.Options, "width"> = {
    height: 160,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: false } },
    axes: [
      { label: "time from the trace start", size: 40, values: (_u, ticks) => ticks.map((t) => formatNs(t)) },
      { size: 70, values: (_u, ticks) => ticks.map((t) => (bytes ? formatBytes(t) : formatCount(t))) },
    ],
    // Both are step functions: a value holds until the next sample.
    series: [
      {},
      {
        label,
        stroke: color,
        fill: `${color}22`,
        width: 1.5,
        points: { show: false },
        paths: uPlot.paths.stepped?.({ align: 1 }),
      },
    ],
  };
  return { options, data: [xs, ys] as uPlot.AlignedData };
}

function Charts(props: { o: OverviewResponse }) {
  const heap = useMemo(() => seriesChart(props.o.heap, "Heap in use", "#0b63ce", true), [props.o]);
  const gs = useMemo(() => seriesChart(props.o.goroutineCount, "Goroutines", "#2c7bb6", false), [props.o]);
  return (
    <div class="charts">
      {props.o.heap.length > 0 && (
        <figure>
          <figcaption>Heap in use</figcaption>
          <UPlotChart label="Heap in use over time" options={heap.options} data={heap.data} />
        </figure>
      )}
      {props.o.goroutineCount.length > 0 && (
        <figure>
          <figcaption>Goroutines</figcaption>
          <UPlotChart label="Goroutines over time" options={gs.options} data={gs.data} />
        </figure>
      )}
    </div>
  );
}

function Overview(props: { o: OverviewResponse }) {
  const o = props.o;
  const gen =
    o.generations > 0 ? `${o.generations} (numbered ${o.firstGeneration}–${o.lastGeneration})` : "0";
  return (
    <>
      {o.damage && (
        <div class="aerror" role="alert">
          Broken trace: {o.damage}. These numbers cover what came before it.
        </div>
      )}
      <dl class="facts">
        <Fact id="format" label="Format" value={o.format} />
        <Fact id="duration" label="Duration" value={formatNs(o.durationNs)} raw={o.durationNs} />
        <Fact id="events" label="Events" value={formatCount(o.events)} raw={o.events} />
        <Fact id="generations" label="Generations" value={gen} raw={o.generations} />
        <Fact
          id="goroutines"
          label="Goroutines"
          value={`${formatCount(o.goroutines)} (${formatCount(o.goroutinesCreated)} created, ${formatCount(o.goroutinesEnded)} ended)`}
          raw={o.goroutines}
        />
        <Fact
          id="procs"
          label="Procs"
          value={o.maxGomaxprocs > 0 ? `${o.procs} (GOMAXPROCS up to ${o.maxGomaxprocs})` : `${o.procs}`}
          raw={o.procs}
        />
        <Fact id="threads" label="Threads" value={formatCount(o.threads)} raw={o.threads} />
        <Fact
          id="gc"
          label="GC cycles"
          value={o.gcCycles > 0 ? `${formatCount(o.gcCycles)} (marking ${formatNs(o.gcMarkNs)})` : "0"}
          raw={o.gcCycles}
        />
        {o.stwPauses > 0 && (
          <Fact
            id="stw"
            label="STW pauses"
            value={`${formatCount(o.stwPauses)} (${formatNs(o.stwTotalNs)} in total, longest ${formatNs(o.stwMaxNs)}: ${o.stwMaxKind})`}
            raw={o.stwPauses}
          />
        )}
        {o.heapPeakBytes !== null && (
          <Fact
            id="heap"
            label="Heap peak"
            value={`${formatBytes(o.heapPeakBytes)}${o.heapGoalMaxBytes !== null ? `, goal up to ${formatBytes(o.heapGoalMaxBytes)}` : ""}`}
            raw={o.heapPeakBytes}
          />
        )}
      </dl>
      <p>
        <a href={timelineHref({ startNs: 0, endNs: o.lastNs - o.firstNs })}>
          Open the whole trace on the timeline
        </a>
      </p>
      <Charts o={o} />
      {o.blocking.length > 0 && (
        <section>
          <h2>Where goroutines were blocked</h2>
          <p class="intro">Time spent blocked, by reason (runtime idling left out).</p>
          <table class="atable" data-testid="blocking">
            <thead>
              <tr>
                <th scope="col">Reason</th>
                <th scope="col" class="num">
                  Time blocked
                </th>
                <th scope="col" class="num">
                  Times blocked
                </th>
              </tr>
            </thead>
            <tbody>
              {o.blocking.map((b) => (
                <tr>
                  <td>{b.reason || "(no reason given)"}</td>
                  <td class="num" data-value={b.totalNs} title={`${b.totalNs} ns`}>
                    {formatNs(b.totalNs)}
                  </td>
                  <td class="num" data-value={b.count}>
                    {formatCount(b.count)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>
            <a href={routeHref("profiles", { type: "sync" })}>Sync blocking profile</a> ·{" "}
            <a href={routeHref("profiles", { type: "net" })}>Network blocking profile</a>
          </p>
        </section>
      )}
    </>
  );
}

export function OverviewPage(_: PageProps) {
  const loaded = useAnalysis<OverviewResponse>("overview");
  return (
    <PageFrame title="Overview">
      <Pending loaded={loaded}>{(o) => <Overview o={o} />}</Pending>
    </PageFrame>
  );
}
