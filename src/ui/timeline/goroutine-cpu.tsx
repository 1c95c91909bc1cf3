/**
 * A goroutine's execution time beside its CPU profiler samples and the CPU
 * time they stand for (10 ms each), with links to its and its group's CPU
 * and wall flame graphs on the Profiles page.
 */
import type { GoroutineDetails } from "../../query/timeline/protocol.js";
import { routeHref } from "../route.js";
import { formatDuration } from "./time-format.js";

/** runtime/pprof's 100 Hz: the trace does not record the profiler's rate. */
const cpuSamplePeriodNs = 10_000_000;

export function GoroutineCpu({ g }: { g: GoroutineDetails }) {
  return (
    <>
      <table class="tl-props" data-testid="goroutine-cpu">
        <tbody>
          <tr>
            <th>Execution time</th>
            <td data-value={g.execNs}>{formatDuration(g.execNs)}</td>
          </tr>
          {g.cpuSamples > 0 && (
            <tr>
              <th>CPU samples</th>
              <td data-value={g.cpuSamples}>
                {g.cpuSamples.toLocaleString()} ≈ {formatDuration(g.cpuSamples * cpuSamplePeriodNs)} of CPU
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <p class="tl-links" data-testid="goroutine-profiles">
        Flame graph of G{g.goroutine}:{" "}
        {g.cpuSamples > 0 && (
          <>
            <a href={routeHref("profiles", { type: "cpu", goroutine: g.goroutine })}>CPU</a>
            {" · "}
          </>
        )}
        <a href={routeHref("profiles", { type: "wall", goroutine: g.goroutine })}>wall</a>
        {" · "}
        <a href={routeHref("profiles", { type: "sync", goroutine: g.goroutine })}>sync</a>
        {g.startFunction && (
          <>
            ; of its group {g.startFunction}:{" "}
            {g.cpuSamples > 0 && (
              <>
                <a href={routeHref("profiles", { type: "cpu", group: g.startFunction })}>CPU</a>
                {" · "}
              </>
            )}
            <a href={routeHref("profiles", { type: "wall", group: g.startFunction })}>wall</a>
          </>
        )}
      </p>
    </>
  );
}
