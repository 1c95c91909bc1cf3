/**
 * CPU profiler samples beside execution time on the goroutine pages: the
 * samples and the CPU time they stand for (10 ms each), as columns, and
 * links to the CPU and wall flame graphs of a group (GroupProfiles has the
 * blocking ones).
 */
import { routeHref } from "../route.js";
import { formatCount, formatNs } from "./format.js";
import type { Column } from "./sortable-table.js";

interface WithCpu {
  readonly cpuSamples: number;
  readonly cpuNs: number;
}

export function cpuColumns<T extends WithCpu>(): Column<T>[] {
  return [
    { title: "CPU samples", value: (g) => g.cpuSamples, render: (g) => formatCount(g.cpuSamples) },
    {
      title: "Est. CPU time",
      value: (g) => g.cpuNs,
      render: (g) => formatNs(g.cpuNs),
      exact: (g) => `${g.cpuSamples} samples × 10 ms`,
    },
  ];
}

/** "; N CPU samples (≈ X of CPU)" and the group's flame graphs. */
export function GroupCpu(props: { group: string; data: WithCpu }) {
  const { group, data } = props;
  return (
    <span data-testid="group-cpu" data-value={data.cpuSamples}>
      {data.cpuSamples > 0 &&
        ` ${formatCount(data.cpuSamples)} CPU samples ≈ ${formatNs(data.cpuNs)} of CPU time. `}
      Flame graphs of the group:{" "}
      {data.cpuSamples > 0 && (
        <>
          <a href={routeHref("profiles", { type: "cpu", group })}>CPU</a>
          {" · "}
        </>
      )}
      <a href={routeHref("profiles", { type: "wall", group })}>wall</a>
    </span>
  );
}
