/**
 * Goroutine analysis: the groups by start function (go tool trace's
 * /goroutines), and one group's goroutines with where their time went as
 * stacked bars (its /goroutine?name=…), each linking to its row on the
 * timeline.
 */
import type {
  GoroutineGroupResponse,
  GoroutineGroupsResponse,
  GoroutineJson,
} from "../../query/analysis/protocol.js";
import type { PageProps } from "../app.js";
import { routeHref, timelineHref } from "../route.js";
import { useAnalysis } from "./analysis-api.js";
import { formatCount, formatNs, formatPercent, groupLabel } from "./format.js";
import { type Category, categoriesOf } from "./goroutine-stats.js";
import { PageFrame, Pending } from "./page-frame.js";
import { plural } from "./plural.js";
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

function Bar(props: { g: GoroutineJson; cats: readonly Category[]; maxNs: number }) {
  const { g, cats, maxNs } = props;
  const label = cats
    .map((c) => [c, c.ns(g)] as const)
    .filter(([, ns]) => ns > 0)
    .map(([c, ns]) => `${c.title} ${formatNs(ns)}`)
    .join(", ");
  return (
    <div class="bar" role="img" aria-label={label} title={label}>
      {cats.map((c) => {
        const ns = c.ns(g);
        if (ns <= 0 || maxNs <= 0) return null;
        return <span style={{ width: `${(ns / maxNs) * 100}%`, background: c.color }} />;
      })}
    </div>
  );
}

function GroupDetail(props: { data: GoroutineGroupResponse }) {
  const d = props.data;
  const cats = categoriesOf(d.goroutines);
  const maxNs = Math.max(0, ...d.goroutines.map((g) => g.totalNs));
  const columns: Column<GoroutineJson>[] = [
    {
      title: "Goroutine",
      value: (g) => g.id,
      render: (g) => (
        <a
          href={timelineHref({ view: "goroutine", g: g.id })}
          aria-label={`Goroutine ${g.id} on the timeline`}
        >
          {g.id}
        </a>
      ),
    },
    {
      title: "Total",
      value: (g) => g.totalNs,
      render: (g) => formatNs(g.totalNs),
      exact: (g) => `${g.totalNs} ns`,
    },
    { title: "Breakdown", value: (g) => g.totalNs, render: (g) => <Bar g={g} cats={cats} maxNs={maxNs} /> },
    ...cats.map(
      (c): Column<GoroutineJson> => ({
        title: c.title,
        value: (g) => c.ns(g),
        render: (g) => formatNs(c.ns(g)),
        exact: (g) => `${c.ns(g)} ns`,
      }),
    ),
  ];
  return (
    <>
      <p>
        {plural(d.count, "goroutine")}
        {d.execPercent !== null && `; ${formatPercent(d.execPercent)} of all execution time`}.{" "}
        <a href={timelineHref({ view: "goroutine", q: d.name, filter: true })}>Show them on the timeline</a>
      </p>
      <div class="legend" aria-hidden="true">
        {cats
          .filter((c, i) => cats.findIndex((x) => x.color === c.color) === i)
          .map((c) => (
            <span>
              <span class="swatch" style={{ background: c.color }} />
              {c.color === "#d01c8b" ? "Blocked" : c.title}
            </span>
          ))}
      </div>
      <SortableTable testId="group-goroutines" columns={columns} rows={d.goroutines} rowKey={(g) => g.id} />
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
