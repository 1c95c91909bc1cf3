/**
 * Totals for a selected time range, from the engine: goroutine time by
 * state, busy time by P, and event counts, each with a bar for its share;
 * and links to the profiles (blocking, CPU, wall) of just this range.
 */

const profileTypes = [
  ["net", "network"],
  ["sync", "sync"],
  ["syscall", "syscall"],
  ["sched", "scheduler latency"],
  ["cpu", "CPU"],
  ["wall", "wall"],
] as const;

import type { RangeSummary } from "../../query/timeline/protocol.js";
import { routeHref } from "../route.js";
import { formatDuration, formatTimestamp } from "./time-format.js";

function Bar({ frac }: { frac: number }) {
  return (
    <span class="tl-bar" aria-hidden="true">
      <span style={{ width: `${Math.max(0, Math.min(1, frac)) * 100}%` }} />
    </span>
  );
}

export function RangePanel({ r, onZoom }: { r: RangeSummary; onZoom: () => void }) {
  const span = Math.max(r.endNs - r.startNs, 1);
  const states = [...r.states].sort((a, b) => b.ns - a.ns);
  const stateTotal = states.reduce((s, x) => s + x.ns, 0) || 1;
  const events = [...r.events].sort((a, b) => b.count - a.count);
  return (
    <div class="tl-details" data-testid="range-summary">
      <h2 class="tl-title">Selected range</h2>
      <table class="tl-props">
        <tbody>
          <tr>
            <th>From</th>
            <td>{formatTimestamp(r.startNs)}</td>
          </tr>
          <tr>
            <th>To</th>
            <td>{formatTimestamp(r.endNs)}</td>
          </tr>
          <tr>
            <th>Duration</th>
            <td>{formatDuration(span)}</td>
          </tr>
        </tbody>
      </table>
      <button type="button" class="tl-button" onClick={onZoom}>
        Zoom to selection (F)
      </button>
      <div class="tl-subhead">Profiles of this range</div>
      <p class="tl-links" data-testid="range-profiles">
        {profileTypes.map(([type, title], i) => (
          <>
            {i > 0 && " · "}
            <a href={routeHref("profiles", { type, start: Math.floor(r.startNs), end: Math.ceil(r.endNs) })}>
              {title}
            </a>
          </>
        ))}
      </p>
      <div class="tl-subhead">Goroutine time by state</div>
      <table class="tl-totals">
        <tbody>
          {states.map((s) => (
            <tr>
              <td>{s.state}</td>
              <td class="num">{formatDuration(s.ns)}</td>
              <td>
                <Bar frac={s.ns / stateTotal} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="tl-subhead">Busy time by P</div>
      <table class="tl-totals">
        <tbody>
          {r.procs.map((p) => (
            <tr>
              <td>P{p.proc}</td>
              <td class="num">{formatDuration(p.busyNs)}</td>
              <td>
                <Bar frac={p.busyNs / span} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="tl-subhead">Events</div>
      <table class="tl-totals">
        <tbody>
          {events.map((e) => (
            <tr>
              <td>{e.kind}</td>
              <td class="num">{e.count.toLocaleString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
