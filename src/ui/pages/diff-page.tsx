/**
 * The diff page of `gotrace view A B` and of the static page's "Compare
 * with…": the tables of `gotrace diff A B` (the server's /api/diff answer
 * is the command's --json; the static page computes the same from both
 * traces read in the tab): the largest changes in time across all tables,
 * then each table's rows by the size of their change. Each row links to
 * the page of trace A (the one shown) where the number comes from, and to
 * the same page of trace B, which its own `gotrace view` (or another tab
 * of the static page) serves. Cells keep their exact values in data-value.
 */
import { useEffect, useState } from "preact/hooks";
import type { DiffRow, DiffStatus, DiffTable } from "../../query/analysis/protocol.js";
import type { PageProps } from "../app.js";
import { routeHref } from "../route.js";
import { formatCount, formatNs } from "./format.js";
import { PageFrame } from "./page-frame.js";

const titles: Readonly<Record<DiffTable, string>> = {
  goroutines: "Goroutine groups",
  profiles: "Blocking profiles, by the function that blocked",
  tasks: "Task latency, per type",
  regions: "Region latency, per type",
  gc: "GC",
  sched: "Scheduler latency",
};

let diffStatus: () => Promise<DiffStatus> = httpDiffStatus;

/** Sets where the diff's status comes from (the static page compares nothing: `{ state: "none" }`). */
export function setDiffStatusSource(source: () => Promise<DiffStatus>): void {
  diffStatus = source;
}

export function getDiffStatus(): Promise<DiffStatus> {
  return diffStatus();
}

async function httpDiffStatus(): Promise<DiffStatus> {
  const res = await fetch("api/diff");
  if (!res.ok) throw new Error(`api/diff: HTTP ${res.status}`);
  return (await res.json()) as DiffStatus;
}

function value(r: DiffRow, v: number): string {
  if (r.unit === "ns") return formatNs(v);
  if (r.unit === "ratio") return `${(v * 100).toFixed(1)}%`;
  return formatCount(v);
}

function change(r: DiffRow): string {
  const sign = r.delta > 0 ? "+" : r.delta < 0 ? "−" : "";
  const abs = Math.abs(r.delta);
  const d =
    r.unit === "ns" ? formatNs(abs) : r.unit === "ratio" ? `${(abs * 100).toFixed(1)} pt` : formatCount(abs);
  return `${sign}${d}${r.ratio === null ? " (new)" : ` (×${r.ratio.toFixed(2)})`}`;
}

/** Where in trace A's pages a row's number comes from. */
function rowHref(r: DiffRow): string {
  switch (r.table) {
    case "goroutines":
      return routeHref("goroutines", { group: r.key === "(no stack)" ? "" : r.key });
    case "profiles":
      return routeHref("profiles", { type: r.metric.replace(/ delay$/, "") });
    case "tasks":
      return routeHref("tasks", { type: r.key });
    case "regions":
      return routeHref("regions", { type: r.key });
    case "gc":
      return routeHref(r.key === "MMU" ? "mmu" : "overview");
    default:
      return routeHref("schedlat");
  }
}

function Rows({ rows, table, bUrl }: { rows: readonly DiffRow[]; table?: boolean; bUrl: string | null }) {
  return (
    <table class="atable diff-table">
      <thead>
        <tr>
          {table && <th>Table</th>}
          <th>What</th>
          <th>Metric</th>
          <th class="num">A</th>
          <th class="num">B</th>
          <th class="num">Change</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr
            data-testid="diff-row"
            data-table={r.table}
            data-key={r.key}
            data-metric={r.metric}
            class={r.delta > 0 ? "diff-up" : r.delta < 0 ? "diff-down" : ""}
          >
            {table && <td>{r.table}</td>}
            <td>
              <a href={rowHref(r)} title="This number's page in trace A">
                {r.key}
              </a>
              {bUrl && (
                <>
                  {" "}
                  <a
                    class="diff-b"
                    href={bUrl + rowHref(r)}
                    target="_blank"
                    rel="noopener"
                    title="The same page in trace B"
                  >
                    (B)
                  </a>
                </>
              )}
            </td>
            <td>{r.metric}</td>
            <td class="num" data-value={r.a} title={String(r.a)}>
              {value(r, r.a)}
            </td>
            <td class="num" data-value={r.b} title={String(r.b)}>
              {value(r, r.b)}
            </td>
            <td class="num" data-value={r.delta} title={String(r.delta)}>
              {change(r)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function DiffPage(_props: PageProps) {
  const [status, setStatus] = useState<DiffStatus | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = () =>
      getDiffStatus().then(
        (s) => {
          if (stopped) return;
          setStatus(s);
          if (s.state === "pending") timer = setTimeout(poll, 300);
        },
        (e: unknown) => setError(String(e)),
      );
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, []);
  const intro =
    status && status.state !== "none" ? (
      <>
        A: <code>{status.a}</code> (the trace shown) → B: <code>{status.b}</code>
        {status.state === "done" && status.bUrl && (
          <>
            {" "}
            (<a href={status.bUrl}>its timeline</a>)
          </>
        )}
        . Every table of <code>gotrace diff A B</code>, largest changes first.
      </>
    ) : undefined;
  return (
    <PageFrame title="Diff" intro={intro}>
      {error && (
        <div class="aerror" role="alert">
          {error}
        </div>
      )}
      {status?.state === "none" && (
        <p>
          One trace is shown. Run <code>gotrace view A B</code> to compare trace A with trace B (on the static
          page: <i>Compare with…</i>).
        </p>
      )}
      {status?.state === "pending" && (
        <div class="loading" aria-live="polite">
          Analysing both traces…
        </div>
      )}
      {status?.state === "failed" && (
        <div class="aerror" role="alert">
          {status.message}
        </div>
      )}
      {status?.state === "done" && (
        <div data-testid="diff">
          <h2>Largest changes in time</h2>
          <Rows rows={status.diff.top} table bUrl={status.bUrl} />
          {status.diff.tables
            .filter((t) => t.rows.some((r) => r.delta !== 0))
            .map((t) => (
              <section data-testid={`diff-${t.table}`}>
                <h2>{titles[t.table]}</h2>
                <Rows rows={t.rows.filter((r) => r.delta !== 0)} bUrl={status.bUrl} />
              </section>
            ))}
        </div>
      )}
    </PageFrame>
  );
}
