/**
 * Scheduler latency: how long goroutines waited between becoming runnable
 * and running. The distribution of every wait, the percentiles per
 * goroutine group, and the longest waits, each linking to the timeline on
 * the wait with its goroutine focused.
 */
import type { SchedLatencyResponse, SchedWaitJson } from "../../query/analysis/protocol.js";
import type { PageProps } from "../app.js";
import { useAnalysis, useFirstEventNs } from "./analysis-api.js";
import { formatCount, formatNs, formatTimeNs, groupLabel } from "./format.js";
import { Histogram } from "./histogram.js";
import { spanHref } from "./instance-lists.js";
import { PageFrame, Pending } from "./page-frame.js";
import { type Column, SortableTable } from "./sortable-table.js";

type Group = SchedLatencyResponse["groups"][number];

function SchedLatency(props: { d: SchedLatencyResponse; firstNs: number }) {
  const d = props.d;
  const o = d.overall;
  const ns = (v: number) => formatNs(v);
  const groupColumns: Column<Group>[] = [
    { title: "Goroutines", value: (g) => g.name, render: (g) => groupLabel(g.name) },
    { title: "Waits", value: (g) => g.count, render: (g) => formatCount(g.count) },
    {
      title: "Total",
      value: (g) => g.totalNs,
      render: (g) => ns(g.totalNs),
      exact: (g) => `${g.totalNs} ns`,
    },
    { title: "p50", value: (g) => g.p50Ns, render: (g) => ns(g.p50Ns), exact: (g) => `${g.p50Ns} ns` },
    { title: "p90", value: (g) => g.p90Ns, render: (g) => ns(g.p90Ns), exact: (g) => `${g.p90Ns} ns` },
    { title: "p99", value: (g) => g.p99Ns, render: (g) => ns(g.p99Ns), exact: (g) => `${g.p99Ns} ns` },
    { title: "Max", value: (g) => g.maxNs, render: (g) => ns(g.maxNs), exact: (g) => `${g.maxNs} ns` },
  ];
  const worst = d.worst.map((w, i) => ({ ...w, key: i }));
  const worstColumns: Column<SchedWaitJson & { key: number }>[] = [
    {
      title: "Became runnable",
      value: (w) => w.startNs,
      render: (w) => (
        <a href={spanHref(props.firstNs, w.startNs, w.startNs + w.durNs, w.goroutine, undefined)}>
          {formatTimeNs(w.startNs)}
        </a>
      ),
    },
    { title: "Wait", value: (w) => w.durNs, render: (w) => ns(w.durNs), exact: (w) => `${w.durNs} ns` },
    { title: "Goroutine", value: (w) => w.goroutine },
    { title: "Start location", value: (w) => w.name, render: (w) => groupLabel(w.name) },
    { title: "Runnable after", value: (w) => w.cause },
  ];
  const notCounted: string[] = [];
  if (d.unknownStart > 0)
    notCounted.push(`${formatCount(d.unknownStart)} that began before the trace showed them`);
  if (d.stillWaiting > 0) notCounted.push(`${formatCount(d.stillWaiting)} still waiting at the end`);
  return (
    <>
      <dl class="facts">
        {(
          [
            ["Waits", formatCount(o.count), o.count, "count"],
            ["Total", ns(o.totalNs), o.totalNs, "total"],
            ["p50", ns(o.p50Ns), o.p50Ns, "p50"],
            ["p90", ns(o.p90Ns), o.p90Ns, "p90"],
            ["p99", ns(o.p99Ns), o.p99Ns, "p99"],
            ["Longest", ns(o.maxNs), o.maxNs, "max"],
          ] as const
        ).map(([label, text, raw, id]) => (
          <div class="fact" data-testid={`sched-${id}`} data-value={raw}>
            <dt>{label}</dt>
            <dd>{text}</dd>
          </div>
        ))}
      </dl>
      {notCounted.length > 0 && <p class="muted">Not counted: {notCounted.join(", ")}.</p>}
      <h2>Distribution of waits</h2>
      <Histogram histogram={d.histogram} what="wait" />
      <h2>By goroutine group</h2>
      <SortableTable testId="sched-groups" columns={groupColumns} rows={d.groups} rowKey={(g) => g.name} />
      <h2>Longest waits</h2>
      <SortableTable testId="sched-worst" columns={worstColumns} rows={worst} rowKey={(w) => w.key} />
    </>
  );
}

export function SchedLatencyPage(_: PageProps) {
  const loaded = useAnalysis<SchedLatencyResponse>("schedlat");
  const firstNs = useFirstEventNs();
  return (
    <PageFrame
      title="Scheduler latency"
      intro="How long goroutines waited to run once they could: from becoming runnable (created, unblocked, preempted, back from a syscall) to running."
    >
      <Pending loaded={loaded}>
        {(d) => firstNs !== undefined && <SchedLatency d={d} firstNs={firstNs} />}
      </Pending>
    </PageFrame>
  );
}
