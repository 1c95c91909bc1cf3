/**
 * The side panel of a "Why?": the chain's steps, latest first, each linking
 * to its place on the timeline, and what it ends at; for a task or region,
 * its critical path as a stacked bar by cause, then the table of shares.
 * Every string from the trace is a Preact text node, never HTML.
 */
import type { CriticalPathResponse, WhyCategory, WhyStep } from "../../query/why/protocol.js";
import type { Jumps } from "./details-panel.js";
import { formatDuration, formatTimestamp } from "./time-format.js";
import { isCriticalPath, type WhyAnswer } from "./why-api.js";

/** One colour per cause, shared by the bar and the table's swatches. */
export const categoryColors: Readonly<Record<WhyCategory, string>> = {
  executing: "#2e7d32",
  runnable: "#f9a825",
  syscall: "#e65100",
  waiting: "#90a4ae",
  gc: "#6a1b9a",
};

function StepItem({ s, jumps }: { s: WhyStep; jumps: Jumps }) {
  const what = s.reason ? `${s.state} (${s.reason})` : s.state;
  const top = s.stack[0];
  return (
    <li class={`why-step why-${s.state}`} data-testid="why-step">
      <button
        type="button"
        class="tl-link"
        title="Show this step on the timeline"
        onClick={() => jumps.goroutine(s.goroutine, (s.startNs + s.endNs) / 2)}
      >
        {s.name || `G${s.goroutine}`}
      </button>{" "}
      <span class="why-what">{what}</span> for {formatDuration(s.endNs - s.startNs)}
      <div class="why-when">
        {formatTimestamp(s.startNs)} → {formatTimestamp(s.endNs)}
      </div>
      {top && (
        <div class="why-where" title={`${top.func}\n${top.file}:${top.line}`}>
          at {top.func}
        </div>
      )}
      {s.wake === "goroutine" && s.wokenBy !== null && <div class="why-wake">woken by G{s.wokenBy}</div>}
      {s.wake === "created" && s.wokenBy !== null && <div class="why-wake">created by G{s.wokenBy}</div>}
      {s.wake === "timer" && <div class="why-wake">woken by a timer</div>}
      {s.wake === "network" && <div class="why-wake">woken by the network poller</div>}
      {s.wake === "unknown" && <div class="why-wake">woken by: the trace does not say</div>}
    </li>
  );
}

/** The critical path's time by cause, as one bar: each share's width is its part of the duration. */
export function CriticalPathBar({ p }: { p: CriticalPathResponse }) {
  return (
    <div class="why-bar" data-testid="why-bar" role="img" aria-label="Critical path by cause">
      {p.breakdown
        .filter((s) => s.ns > 0)
        .map((s) => (
          <div
            class="why-bar-part"
            data-category={s.category}
            style={{
              width: `${(100 * s.ns) / Math.max(1, p.durNs)}%`,
              background: categoryColors[s.category],
            }}
            title={`${s.category}${s.reason ? ` (${s.reason})` : ""} on ${s.name || "?"}: ${formatDuration(s.ns)}`}
          />
        ))}
    </div>
  );
}

function PathSummary({ p, jumps }: { p: CriticalPathResponse; jumps: Jumps }) {
  return (
    <>
      <div class="tl-kind">
        {p.kind} {p.kind === "task" ? `${p.task} (${p.type})` : `${p.type} on G${p.goroutine}`}:{" "}
        {formatDuration(p.durNs)}
      </div>
      <CriticalPathBar p={p} />
      <table class="tl-props why-shares" data-testid="why-shares">
        <tbody>
          {p.breakdown.map((s) => (
            <tr>
              <th>
                <span class="why-swatch" style={{ background: categoryColors[s.category] }} />
                {s.category}
                {s.reason ? ` (${s.reason})` : ""}
              </th>
              <td>
                {s.goroutine === null ? (
                  "?"
                ) : (
                  <button type="button" class="tl-link" onClick={() => jumps.goroutine(s.goroutine!)}>
                    {s.name}
                  </button>
                )}
                {!s.member && s.goroutine !== null ? " (waited for)" : ""}
              </td>
              <td class="num">{formatDuration(s.ns)}</td>
              <td class="num">{s.percent.toFixed(1)}%</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function WhyPanel({ a, jumps, onClose }: { a: WhyAnswer; jumps: Jumps; onClose: () => void }) {
  const path = isCriticalPath(a) ? a : undefined;
  return (
    <div class="tl-details why" data-testid="why-panel">
      <h2 class="tl-title">
        Why?{" "}
        <button type="button" class="tl-link" onClick={onClose}>
          (clear)
        </button>
      </h2>
      {path ? (
        <PathSummary p={path} jumps={jumps} />
      ) : (
        <div class="tl-kind">G{"goroutine" in a ? a.goroutine : ""}: latest first</div>
      )}
      <ol class="why-steps">
        {a.steps.map((s) => (
          <StepItem s={s} jumps={jumps} />
        ))}
      </ol>
      <div class="why-root" data-testid="why-root">
        Root: {a.rootText}
      </div>
    </div>
  );
}
