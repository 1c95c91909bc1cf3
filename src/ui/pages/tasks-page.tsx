/**
 * User tasks and regions (go tool trace's /usertasks and /userregions): per
 * type the count and a latency histogram whose bars list the instances of
 * their bucket; each instance opens the timeline on its time span, its
 * goroutines found by the type's name.
 * Addresses: `#/tasks?type=&bucket=`, `#/regions?type=&pc=&bucket=`.
 */
import type {
  RegionListResponse,
  RegionsResponse,
  TaskListResponse,
  TasksResponse,
} from "../../query/analysis/protocol.js";
import type { PageProps } from "../app.js";
import { routeHref } from "../route.js";
import { useAnalysis, useFirstEventNs } from "./analysis-api.js";
import { formatCount } from "./format.js";
import { Histogram } from "./histogram.js";
import { RegionInstances, TaskInstances } from "./instance-lists.js";
import { PageFrame, Pending } from "./page-frame.js";

function intParam(params: URLSearchParams, name: string): number | undefined {
  const v = params.get(name);
  const n = v === null || v === "" ? Number.NaN : Number(v);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A type's name as go tool trace quotes it, so the empty type shows as "". */
const quoted = (s: string) => JSON.stringify(s);

function TaskTypes(props: { data: TasksResponse }) {
  if (props.data.types.length === 0) return <p>This trace has no user tasks.</p>;
  return (
    <table class="atable" data-testid="task-types">
      <thead>
        <tr>
          <th scope="col">Task type</th>
          <th scope="col" class="num">
            Count
          </th>
          <th scope="col">Durations of complete tasks (click a bar to list them)</th>
        </tr>
      </thead>
      <tbody>
        {props.data.types.map((t) => (
          <tr>
            <td>
              <a href={routeHref("tasks", { type: t.type })}>{quoted(t.type)}</a>
            </td>
            <td class="num" data-value={t.count}>
              {formatCount(t.count)}
            </td>
            <td>
              <Histogram
                histogram={t.histogram}
                what="task"
                href={(bucket) => routeHref("tasks", { type: t.type, bucket })}
              />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function TasksPage(props: PageProps) {
  const type = props.route.params.get("type") ?? undefined;
  const bucket = intParam(props.route.params, "bucket");
  const types = useAnalysis<TasksResponse>("tasks");
  const list = useAnalysis<TaskListResponse>(type === undefined ? undefined : "task-list", { type, bucket });
  const firstNs = useFirstEventNs();
  return (
    <PageFrame title={type === undefined ? "Tasks" : `Tasks of type ${quoted(type)}`}>
      {type === undefined ? (
        <Pending loaded={types}>{(d) => <TaskTypes data={d} />}</Pending>
      ) : (
        <>
          <a class="back" href={routeHref("tasks")}>
            ← All task types
          </a>
          <Pending loaded={types}>
            {(d) => {
              const t = d.types.find((x) => x.type === type);
              return t ? (
                <div class="bucket-pick">
                  <Histogram
                    histogram={t.histogram}
                    what="task"
                    active={bucket}
                    href={(b) => routeHref("tasks", { type, bucket: b })}
                  />
                  {bucket !== undefined && <a href={routeHref("tasks", { type })}>All tasks of the type</a>}
                </div>
              ) : null;
            }}
          </Pending>
          <Pending loaded={list}>
            {(d) => firstNs !== undefined && <TaskInstances data={d} firstNs={firstNs} />}
          </Pending>
        </>
      )}
    </PageFrame>
  );
}

function frameText(g: RegionsResponse["groups"][number]): string {
  const f = g.frame;
  if (f.pc === 0) return "";
  return `${f.func} (${f.file.slice(f.file.lastIndexOf("/") + 1)}:${f.line})`;
}

function RegionTypes(props: { data: RegionsResponse }) {
  if (props.data.groups.length === 0) return <p>This trace has no user regions.</p>;
  return (
    <table class="atable" data-testid="region-types">
      <thead>
        <tr>
          <th scope="col">Region type</th>
          <th scope="col">Where it starts</th>
          <th scope="col" class="num">
            Count
          </th>
          <th scope="col">Durations (click a bar to list them)</th>
        </tr>
      </thead>
      <tbody>
        {props.data.groups.map((g) => (
          <tr>
            <td>
              <a href={routeHref("regions", { type: g.type, pc: g.frame.pc })}>{quoted(g.type)}</a>
            </td>
            <td class="mono">{frameText(g)}</td>
            <td class="num" data-value={g.count}>
              {formatCount(g.count)}
            </td>
            <td>
              <Histogram
                histogram={g.histogram}
                what="region"
                href={(bucket) => routeHref("regions", { type: g.type, pc: g.frame.pc, bucket })}
              />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function RegionsPage(props: PageProps) {
  const type = props.route.params.get("type") ?? undefined;
  const pc = intParam(props.route.params, "pc");
  const bucket = intParam(props.route.params, "bucket");
  const groups = useAnalysis<RegionsResponse>("regions");
  const firstNs = useFirstEventNs();
  const list = useAnalysis<RegionListResponse>(type === undefined ? undefined : "region-list", {
    type,
    pc,
    bucket,
  });
  return (
    <PageFrame title={type === undefined ? "Regions" : `Regions of type ${quoted(type)}`}>
      {type === undefined ? (
        <Pending loaded={groups}>{(d) => <RegionTypes data={d} />}</Pending>
      ) : (
        <>
          <a class="back" href={routeHref("regions")}>
            ← All region types
          </a>
          <Pending loaded={groups}>
            {(d) => {
              const g = d.groups.find((x) => x.type === type && x.frame.pc === pc);
              return g ? (
                <div class="bucket-pick">
                  <Histogram
                    histogram={g.histogram}
                    what="region"
                    active={bucket}
                    href={(b) => routeHref("regions", { type, pc, bucket: b })}
                  />
                  {bucket !== undefined && (
                    <a href={routeHref("regions", { type, pc })}>All regions of the group</a>
                  )}
                </div>
              ) : null;
            }}
          </Pending>
          <Pending loaded={list}>
            {(d) => firstNs !== undefined && <RegionInstances data={d} firstNs={firstNs} />}
          </Pending>
        </>
      )}
    </PageFrame>
  );
}
