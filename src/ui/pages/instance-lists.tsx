/**
 * The instances of a task or region type (optionally one histogram bucket),
 * each with a link that opens the timeline on its span: the goroutine view,
 * the window padded by a tenth each side so both ends show, the instance's
 * first goroutine focused and its type as the find query (which highlights
 * the task's or region's goroutines).
 */

import { useEffect, useState } from "preact/hooks";
import type {
  RegionInstance,
  RegionListResponse,
  TaskJson,
  TaskListResponse,
} from "../../query/analysis/protocol.js";
import type { CriticalPathResponse } from "../../query/why/protocol.js";
import { plural } from "../plural.js";
import { timelineHref } from "../route.js";
import { askWhy } from "../timeline/why-api.js";
import { CriticalPathBar } from "../timeline/why-panel.js";
import { formatCount, formatNs, formatTimeNs } from "./format.js";
import { type Column, SortableTable } from "./sortable-table.js";

/**
 * The timeline on [startNs, endNs] (analysis times; `firstNs` is the
 * timeline's zero in them) with a margin, focused on goroutine g, finding q.
 */
export function spanHref(
  firstNs: number,

  startNs: number,
  endNs: number,
  g: number | undefined,
  q: string | undefined,
): string {
  const pad = Math.max(1000, (endNs - startNs) * 0.1);
  return timelineHref({
    view: "goroutine",
    startNs: Math.max(0, startNs - firstNs - pad),
    endNs: endNs - firstNs + pad,
    g,
    q,
  });
}

function countLine(
  shown: number,
  total: number,
  what: string,
  bucket: { minNs: number; maxNs: number } | null,
) {
  const range = bucket ? ` lasting ${formatNs(bucket.minNs)} to ${formatNs(bucket.maxNs)}` : "";
  const more = shown < total ? ` (the first ${formatCount(shown)} shown)` : "";
  return (
    <p data-testid="instance-count" data-value={total}>
      {plural(total, what)}
      {range}
      {more}.
    </p>
  );
}

function Goroutines(props: { ids: readonly number[] }) {
  return (
    <>
      {props.ids.slice(0, 8).map((g, i) => (
        <>
          {i > 0 && ", "}
          <a href={timelineHref({ view: "goroutine", g })}>{g}</a>
        </>
      ))}
      {props.ids.length > 8 && ` and ${props.ids.length - 8} more`}
    </>
  );
}

function Logs(props: { t: TaskJson }) {
  const logs = props.t.logs;
  if (logs.length === 0) return null;
  return (
    <ul class="logs">
      {logs.slice(0, 5).map((l) => (
        <li>
          {l.category !== "" && <span class="muted">[{l.category}] </span>}
          {l.message}
        </li>
      ))}
      {logs.length > 5 && <li class="muted">and {logs.length - 5} more</li>}
    </ul>
  );
}

/** Lists this short load their critical paths at once; longer ones on a click. */
const autoCriticalPaths = 20;

/**
 * A task's critical path (gotrace why --task ID) as a stacked bar by cause,
 * and its largest share in words; loaded at once or on a click.
 */
function CriticalPath(props: { id: number; auto: boolean }) {
  const [state, setState] = useState<CriticalPathResponse | string | undefined>();
  const load = () => {
    setState("loading…");
    askWhy({ task: props.id }).then(
      (a) => setState("error" in a ? a.error : "breakdown" in a ? a : "no critical path"),
      (e: unknown) => setState(String(e)),
    );
  };
  useEffect(() => {
    if (props.auto) load();
  }, [props.id, props.auto]);
  if (state === undefined)
    return (
      <button type="button" onClick={load}>
        Show
      </button>
    );
  if (typeof state === "string") return <span class="muted">{state}</span>;
  const top = state.breakdown[0];
  return (
    <div class="critical-path" data-testid="task-critical-path" data-task={props.id}>
      <CriticalPathBar p={state} />
      {top && (
        <span class="muted">
          {top.category}
          {top.reason ? ` (${top.reason})` : ""} on {top.name || "?"}: {top.percent.toFixed(0)}%
        </span>
      )}
    </div>
  );
}

export function TaskInstances(props: { data: TaskListResponse; firstNs: number }) {
  const d = props.data;
  const auto = d.tasks.length <= autoCriticalPaths;
  const columns: Column<TaskJson>[] = [
    {
      title: "Task",
      value: (t) => t.id,
      render: (t) => (
        <a
          href={spanHref(props.firstNs, t.startNs, t.endNs, t.goroutines[0], t.type || undefined)}
          aria-label={`Task ${t.id} on the timeline`}
        >
          {t.id}
        </a>
      ),
    },
    { title: "Start", value: (t) => t.startNs, render: (t) => formatTimeNs(t.startNs) },
    {
      title: "Duration",
      value: (t) => t.durNs,
      render: (t) => formatNs(t.durNs),
      exact: (t) => `${t.durNs} ns`,
    },
    { title: "Complete", value: (t) => (t.complete ? "yes" : "no") },
    {
      title: "Goroutines",
      value: (t) => t.goroutines.length,
      render: (t) => <Goroutines ids={t.goroutines} />,
    },
    { title: "Regions", value: (t) => t.regions.length, render: (t) => formatCount(t.regions.length) },
    { title: "Logs", value: (t) => t.logs.length, render: (t) => <Logs t={t} /> },
    {
      title: "Critical path",
      value: (t) => t.id,
      render: (t) => (t.complete ? <CriticalPath id={t.id} auto={auto} /> : ""),
    },
  ];
  return (
    <>
      {countLine(d.tasks.length, d.total, "task", d.bucket)}
      <SortableTable testId="tasks" columns={columns} rows={d.tasks} rowKey={(t) => t.id} />
    </>
  );
}

function edge(r: RegionInstance, end: boolean): string {
  const e = end ? r.end : r.start;
  if (!e) return end ? "after the trace" : "before the trace";
  if (e.kind === "region") return end ? "end" : "begin";
  return end ? "goroutine exit" : "goroutine creation";
}

export function RegionInstances(props: { data: RegionListResponse; firstNs: number }) {
  const d = props.data;
  const rows = d.regions.map((r, i) => ({ ...r, key: i }));
  type Row = (typeof rows)[number];
  const columns: Column<Row>[] = [
    {
      title: "Goroutine",
      value: (r) => r.g,
      render: (r) => (
        <a
          href={spanHref(props.firstNs, r.startNs, r.endNs, r.g, r.type || undefined)}
          aria-label={`Region on goroutine ${r.g} on the timeline`}
        >
          {r.g}
        </a>
      ),
    },
    { title: "Task", value: (r) => r.task },
    { title: "Start", value: (r) => r.startNs, render: (r) => formatTimeNs(r.startNs) },
    {
      title: "Duration",
      value: (r) => r.durNs,
      render: (r) => formatNs(r.durNs),
      exact: (r) => `${r.durNs} ns`,
    },
    { title: "Opened by", value: (r) => edge(r, false) },
    { title: "Closed by", value: (r) => edge(r, true) },
  ];
  return (
    <>
      {countLine(d.regions.length, d.total, "region", d.bucket)}
      <SortableTable testId="regions" columns={columns} rows={rows} rowKey={(r) => r.key} />
    </>
  );
}
