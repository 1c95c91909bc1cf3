/**
 * Goroutine analysis: the groups by start function (go tool trace's
 * /goroutines), and one group (its /goroutine?name=…): links to the group's
 * blocking profiles, its goroutines with where their time went as stacked
 * bars, and the time each spent in the runtime's special ranges, each
 * goroutine linking to its row on the timeline.
 */
import { useState } from "preact/hooks";
import type {
  GoroutineGroupResponse,
  GoroutineGroupsResponse,
  GoroutineJson,
  ProfileKind,
} from "../../query/analysis/protocol.js";
import type { PageProps } from "../app.js";
import { plural } from "../plural.js";
import { routeHref, timelineHref } from "../route.js";
import { analysisUrl, downloadLink, useAnalysis } from "./analysis-api.js";
import { cpuColumns, GroupCpu } from "./cpu-columns.js";
import { formatCount, formatNs, formatPercent, groupLabel } from "./format.js";
import { blockColor, type Category, categoriesOf } from "./goroutine-stats.js";
import { PageFrame, Pending } from "./page-frame.js";
import { type Column, SortableTable } from "./sortable-table.js";

type Group = GoroutineGroupsResponse["groups"][number];

function Groups(props: { data: GoroutineGroupsResponse }) {
  const columns: Column<Group>[] = [
    {
      title: "Start location",
      value: (g) => g.name,
      render: (g) => (
        <a href={routeHref("goroutines", { group: groupLabel(g.name) })}>{groupLabel(g.name)}</a>
      ),
    },
    { title: "Count", value: (g) => g.count, render: (g) => formatCount(g.count) },
    {
      title: "Total execution time",
      value: (g) => g.execNs,
      render: (g) => formatNs(g.execNs),
      exact: (g) => `${g.execNs} ns`,
    },
    { title: "Share of execution", value: (g) => g.execPercent, render: (g) => formatPercent(g.execPercent) },
    ...(props.data.cpuSamples > 0 ? cpuColumns<Group>() : []),
  ];
  return (
    <SortableTable
      testId="groups"
      columns={columns}
      rows={props.data.groups}
      rowKey={(g) => g.name}
      caption={`${plural(props.data.groups.length, "group")}; ${formatNs(props.data.totalExecNs)} of execution in all`}
    />
  );
}

/** How a bar's length reads: to one scale for the whole group (Go's), or each goroutine's own time as 100%. */
type BarScale = "group" | "own";

function Bar(props: { g: GoroutineJson; cats: readonly Category[]; maxNs: number; scale: BarScale }) {
  const { g, cats, scale } = props;
  const label = cats
    .map((c) => [c, c.ns(g)] as const)
    .filter(([, ns]) => ns > 0)
    .map(([c, ns]) => `${c.title} ${formatNs(ns)}`)
    .join(", ");
  const fullNs = scale === "own" ? cats.reduce((sum, c) => sum + c.ns(g), 0) : props.maxNs;
  return (
    <div class="bar" role="img" aria-label={label} title={label}>
      {cats.map((c) => {
        const ns = c.ns(g);
        if (ns <= 0 || fullNs <= 0) return null;
        // Every part keeps a sliver (CSS min-width), so a goroutine far shorter than the longest still shows.
        return <span style={{ width: `${(ns / fullNs) * 100}%`, background: c.color }} />;
      })}
    </div>
  );
}

function goroutineColumn(): Column<GoroutineJson> {
  return {
    title: "Goroutine",
    value: (g) => g.id,
    render: (g) => (
      <a href={timelineHref({ view: "goroutine", g: g.id })} aria-label={`Goroutine ${g.id} on the timeline`}>
        {g.id}
      </a>
    ),
  };
}

function totalColumn(): Column<GoroutineJson> {
  return {
    title: "Total",
    value: (g) => g.totalNs,
    render: (g) => formatNs(g.totalNs),
    exact: (g) => `${g.totalNs} ns`,
  };
}

const profileKinds: readonly [ProfileKind, string][] = [
  ["net", "Network wait"],
  ["sync", "Synchronization blocking"],
  ["syscall", "Syscalls"],
  ["sched", "Scheduler wait"],
];

/** The blocking profiles of this group's goroutines alone (go tool trace's links on its group page). */
function GroupProfiles(props: { name: string }) {
  const group = groupLabel(props.name);
  return (
    <p data-testid="group-profiles">
      Where these goroutines waited:{" "}
      {profileKinds.map(([type, title], i) => (
        <>
          {i > 0 && " · "}
          <a href={routeHref("profiles", { type, group })}>{title}</a>{" "}
          <a
            class="muted"
            href={analysisUrl("profile.pb.gz", { type, group })}
            {...downloadLink("profile.pb.gz", { type, group }, `${type}.pb.gz`)}
            aria-label={`Download the ${title.toLowerCase()} profile of this group`}
          >
            (.pb.gz)
          </a>
        </>
      ))}
    </p>
  );
}

function Breakdown(props: { d: GoroutineGroupResponse }) {
  const d = props.d;
  const [scale, setScale] = useState<BarScale>("group");
  const cats = categoriesOf(d.goroutines);
  const maxNs = Math.max(0, ...d.goroutines.map((g) => g.totalNs));
  const columns: Column<GoroutineJson>[] = [
    goroutineColumn(),
    totalColumn(),
    {
      title: "Breakdown",
      value: (g) => g.totalNs,
      render: (g) => <Bar g={g} cats={cats} maxNs={maxNs} scale={scale} />,
    },
    ...cats.map(
      (c): Column<GoroutineJson> => ({
        title: c.title,
        value: (g) => c.ns(g),
        render: (g) => formatNs(c.ns(g)),
        exact: (g) => `${c.ns(g)} ns`,
      }),
    ),
  ];
  // Beside execution time (the first category) when the trace has CPU samples.
  if (d.cpuSamples > 0) columns.splice(4, 0, ...cpuColumns<GoroutineJson>());
  return (
    <section>
      <h2>Breakdown</h2>
      <p class="intro">Where each goroutine's time went. Apart from the total, the columns do not overlap.</p>
      <div class="controls">
        <div class="legend" aria-hidden="true">
          {cats
            .filter((c, i) => cats.findIndex((x) => x.color === c.color) === i)
            .map((c) => (
              <span>
                <span class="swatch" style={{ background: c.color }} />
                {c.color === blockColor ? "Blocked" : c.title}
              </span>
            ))}
        </div>
        <label>
          Bars
          <select
            value={scale}
            onChange={(e) => setScale((e.currentTarget as HTMLSelectElement).value as BarScale)}
          >
            <option value="group">to one scale</option>
            <option value="own">each its own total</option>
          </select>
        </label>
      </div>
      <div class="table-scroll">
        <SortableTable testId="group-goroutines" columns={columns} rows={d.goroutines} rowKey={(g) => g.id} />
      </div>
    </section>
  );
}

/**
 * Time in the runtime's special ranges (GC mark assist, sweeping,
 * stop-the-world), which overlaps the breakdown: only goroutines that spent
 * any, with a column for each range any goroutine of the group was in, as
 * on go tool trace's group page.
 */
function SpecialRanges(props: { d: GoroutineGroupResponse }) {
  const goroutines = props.d.goroutines;
  const names = [...new Set(goroutines.flatMap((g) => Object.keys(g.rangeNs)))].sort();
  const rows = goroutines.filter((g) => Object.values(g.rangeNs).reduce((sum, ns) => sum + ns, 0) !== 0);
  const columns: Column<GoroutineJson>[] = [
    goroutineColumn(),
    totalColumn(),
    ...names.map(
      (r): Column<GoroutineJson> => ({
        title: r,
        value: (g) => g.rangeNs[r] ?? 0,
        render: (g) => formatNs(g.rangeNs[r] ?? 0),
        exact: (g) => `${g.rangeNs[r] ?? 0} ns`,
      }),
    ),
  ];
  return (
    <section>
      <h2>Special ranges</h2>
      <p class="intro">
        Time spent in the runtime's special ranges, such as helping the GC mark (mark assist), sweeping, or
        stopped for the world to stop. It overlaps the breakdown above: a goroutine may be blocked, not
        running, while in one.
      </p>
      {rows.length === 0 ? (
        <p class="muted" data-testid="group-ranges-none">
          No goroutine of this group spent time in a special range.
        </p>
      ) : (
        <div class="table-scroll">
          <SortableTable testId="group-ranges" columns={columns} rows={rows} rowKey={(g) => g.id} />
        </div>
      )}
    </section>
  );
}

function GroupDetail(props: { data: GoroutineGroupResponse }) {
  const d = props.data;
  return (
    <>
      <p>
        {plural(d.count, "goroutine")}
        {d.execPercent !== null && `; ${formatPercent(d.execPercent)} of all execution time`}.{" "}
        <a href={timelineHref({ view: "goroutine", q: d.name, filter: true })}>Show them on the timeline</a>.
        <GroupCpu group={groupLabel(d.name)} data={d} />
      </p>
      <GroupProfiles name={d.name} />
      <Breakdown d={d} />
      <SpecialRanges d={d} />
    </>
  );
}

export function GoroutinesPage(props: PageProps) {
  const group = props.route.params.get("group") ?? undefined;
  const groups = useAnalysis<GoroutineGroupsResponse>(group === undefined ? "goroutines" : undefined);
  const detail = useAnalysis<GoroutineGroupResponse | null>(
    group === undefined ? undefined : "goroutine-group",
    { name: group },
  );
  if (group === undefined) {
    return (
      <PageFrame
        title="Goroutines"
        intro="Goroutines grouped by the function they started in. Sort by any column."
      >
        <Pending loaded={groups}>{(d) => <Groups data={d} />}</Pending>
      </PageFrame>
    );
  }
  return (
    <PageFrame title={`Goroutines: ${group}`}>
      <a class="back" href={routeHref("goroutines")}>
        ← All groups
      </a>
      <Pending loaded={detail}>
        {(d) => (d ? <GroupDetail data={d} /> : <div class="aerror">No goroutines start at {group}.</div>)}
      </Pending>
    </PageFrame>
  );
}
