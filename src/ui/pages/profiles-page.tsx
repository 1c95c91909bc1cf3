/**
 * Blocking profiles (network, sync, syscall, scheduler), the CPU profile of
 * the trace's CPU samples and wall (both) as a flame graph and a
 * top-functions table, filtered by goroutine group, goroutine, region type
 * or a time range (as the timeline's selection links here), with the pprof
 * file for `go tool pprof`. The filters live in the URL:
 * `#/profiles?type=&group=&goroutine=&region=&start=&end=`.
 */
import { useState } from "preact/hooks";
import type {
  ProfileFiltersResponse,
  ProfileKind,
  ProfileResponse,
  TopFunctionJson,
} from "../../query/analysis/protocol.js";
import type { PageProps } from "../app.js";
import { plural } from "../plural.js";
import { routeHref, timelineHref } from "../route.js";
import { analysisUrl, downloadLink, type Params, useAnalysis, useFirstEventNs } from "./analysis-api.js";
import { type CountWords, FlameGraph } from "./flame-graph.js";
import { formatCount, formatNs, formatPercent, formatTimeNs, groupLabel } from "./format.js";
import { PageFrame, Pending } from "./page-frame.js";
import { RangeForm } from "./range-form.js";
import { type Column, SortableTable } from "./sortable-table.js";

const kinds: readonly [ProfileKind, string][] = [
  ["sync", "Synchronization blocking"],
  ["net", "Network blocking"],
  ["syscall", "Syscalls"],
  ["sched", "Scheduler latency"],
  ["cpu", "CPU (profiler samples)"],
  ["wall", "Wall time (CPU and waits)"],
];

/** What a frame's count counts, by type. */
function countWords(type: ProfileKind): CountWords {
  if (type === "cpu") return ["sample", "samples"];
  if (type === "wall") return ["sample or wait", "samples and waits"];
  return ["interval", "intervals"];
}

/** What the profile's total is, by type: CPU samples stand for 10ms each. */
function totalText(type: ProfileKind, ns: number, count: number): string {
  if (type === "cpu") return `${formatNs(ns)} of CPU time in ${plural(count, "sample")} (10 ms each).`;
  if (type === "wall") return `${formatNs(ns)} of wall time in ${formatCount(count)} CPU samples and waits.`;
  return `${formatNs(ns)} of delay in ${plural(count, "interval")}.`;
}

function numberParam(params: URLSearchParams, name: string): number | undefined {
  const v = params.get(name);
  if (v === null || v === "") return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

function Top(props: { top: readonly TopFunctionJson[] }) {
  const columns: Column<TopFunctionJson>[] = [
    { title: "Function", value: (f) => f.function, render: (f) => f.function || "(no stack)" },
    {
      title: "Flat",
      value: (f) => f.flatNs,
      render: (f) => formatNs(f.flatNs),
      exact: (f) => `${f.flatNs} ns`,
    },
    { title: "Flat%", value: (f) => f.flatPercent, render: (f) => formatPercent(f.flatPercent) },
    { title: "Cum", value: (f) => f.cumNs, render: (f) => formatNs(f.cumNs), exact: (f) => `${f.cumNs} ns` },
    { title: "Cum%", value: (f) => f.cumPercent, render: (f) => formatPercent(f.cumPercent) },
    { title: "Count", value: (f) => f.flatCount, render: (f) => formatCount(f.flatCount) },
  ];
  return <SortableTable testId="top" columns={columns} rows={props.top} rowKey={(f) => f.function} />;
}

function Profile(props: { p: ProfileResponse }) {
  const [search, setSearch] = useState("");
  const p = props.p;
  if (p.error) return <div class="aerror">{p.error}</div>;
  return (
    <>
      <p data-testid="profile-total" data-value={p.totalNs}>
        {totalText(p.query.type, p.totalNs, p.count)}
      </p>
      {p.totalNs > 0 && (
        <>
          <div class="controls">
            <label>
              Search functions
              <input
                type="search"
                value={search}
                placeholder="e.g. sync.(*Mutex)"
                onInput={(e) => setSearch((e.currentTarget as HTMLInputElement).value)}
              />
            </label>
          </div>
          <FlameGraph root={p.root} search={search} countWords={countWords(p.query.type)} />
          <h2>Top functions</h2>
          <Top top={p.top} />
        </>
      )}
    </>
  );
}

export function ProfilesPage(props: PageProps) {
  const params = props.route.params;
  const type = (kinds.find(([k]) => k === params.get("type"))?.[0] ?? "sync") as ProfileKind;
  const group = params.get("group") ?? undefined;
  const goroutine = numberParam(params, "goroutine");
  const region = params.get("region") ?? undefined;
  const startNs = numberParam(params, "start");
  const endNs = numberParam(params, "end");
  // The range comes in timeline time (from a selection there); the profiles count from the trace's origin.
  const firstNs = useFirstEventNs();
  const ranged = startNs !== undefined || endNs !== undefined;
  const shift = (ns: number | undefined) => (ns === undefined || firstNs === undefined ? ns : ns + firstNs);
  const query: Params = { type, group, goroutine, region, startNs: shift(startNs), endNs: shift(endNs) };
  const filters = useAnalysis<ProfileFiltersResponse>("profile-filters");
  const profile = useAnalysis<ProfileResponse>(
    ranged && firstNs === undefined ? undefined : "profile",
    query,
  );
  const go = (change: Params) => {
    const next = { type, group, goroutine, region, start: startNs, end: endNs, ...change };
    location.hash = routeHref("profiles", next as Record<string, string | number | undefined>);
  };
  const f = filters.state === "done" ? filters.value : undefined;
  return (
    <PageFrame
      title="Profiles"
      intro="Where goroutines waited, by the stack that made them wait, or where they ran on a CPU (cpu, wall: from CPU profiler samples). Click a frame to zoom in; Tab to the graph and use the arrow keys, Enter and Escape without a mouse."
    >
      <div class="controls">
        <label>
          Profile
          <select value={type} onChange={(e) => go({ type: (e.currentTarget as HTMLSelectElement).value })}>
            {kinds.map(([k, title]) => (
              <option value={k}>{title}</option>
            ))}
          </select>
        </label>
        <label>
          Goroutines
          <select
            value={group ?? ""}
            onChange={(e) => {
              const v = (e.currentTarget as HTMLSelectElement).value;
              go({ group: v === "" ? undefined : v, goroutine: undefined, region: undefined });
            }}
          >
            <option value="">all</option>
            {f?.groups.map((g) => (
              <option value={groupLabel(g)}>{groupLabel(g)}</option>
            ))}
          </select>
        </label>
        <label>
          Region
          <select
            value={region ?? ""}
            disabled={!f || f.regionTypes.length === 0}
            onChange={(e) => {
              const v = (e.currentTarget as HTMLSelectElement).value;
              go({ region: v === "" ? undefined : v, group: undefined, goroutine: undefined });
            }}
          >
            <option value="">any time</option>
            {f?.regionTypes.map((r) => (
              <option value={r}>{r === "" ? "(inherited task region)" : r}</option>
            ))}
          </select>
        </label>
        {goroutine !== undefined && (
          <span data-testid="goroutine">
            Goroutine {goroutine}{" "}
            <button type="button" onClick={() => go({ goroutine: undefined })}>
              All goroutines
            </button>
          </span>
        )}
        {(startNs !== undefined || endNs !== undefined) && (
          <span data-testid="range">
            Time {formatTimeNs(startNs ?? 0)} – {endNs === undefined ? "end" : formatTimeNs(endNs)}{" "}
            <a href={timelineHref({ startNs, endNs })}>on the timeline</a>{" "}
            <button type="button" onClick={() => go({ start: undefined, end: undefined })}>
              Whole trace
            </button>
          </span>
        )}
        <a
          href={analysisUrl("profile.pb.gz", query)}
          {...downloadLink("profile.pb.gz", query, `${type}.pb.gz`)}
        >
          Download {type}.pb.gz
        </a>
      </div>
      <RangeForm
        key={`${startNs}-${endNs}`}
        startNs={startNs}
        endNs={endNs}
        onApply={(start, end) => go({ start, end })}
      />
      <Pending loaded={profile}>{(p) => <Profile p={p} />}</Pending>
    </PageFrame>
  );
}
