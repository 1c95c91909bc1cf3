/**
 * Answers a window request: for each asked row, its slices merged per
 * pixel, its counter at one sample per pixel, its marks merged per pixel,
 * and the flows that end in the window. The response holds at most about
 * one item per pixel per lane, whatever the trace size.
 */
import { MarkKind } from "../../model/tables.js";
import type { Timeline } from "../../model/timeline.js";
import { flowsInWindow } from "./flows.js";
import type { Lane } from "./lanes.js";
import { walkInstants, walkItems } from "./lod.js";
import type {
  CounterColumns,
  Flow,
  MarkColumns,
  SliceColumns,
  WindowRequest,
  WindowResponse,
} from "./protocol.js";
import { SliceCategory } from "./protocol.js";
import type { RowSpec, ViewRows } from "./rows.js";

/** Flows beyond this many are left out (flowsTruncated): more arrows than this are unreadable anyway. */
export const maxFlows = 2000;

/** Widths beyond this are clamped: a response costs O(rows × width), and no screen is wider. */
export const maxWidthPx = 1 << 16;

class Labels {
  readonly list: string[] = [];
  private readonly ids = new Map<string, number>();
  get(s: string): number {
    if (s === "") return -1;
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.list.length;
      this.list.push(s);
      this.ids.set(s, id);
    }
    return id;
  }
}

export function answerWindow(
  tl: Timeline,
  rows: ViewRows,
  req: WindowRequest,
  lanesOf: (spec: RowSpec) => Lane[],
): WindowResponse {
  const startNs = Number(req.startNs);
  const endNs = Number(req.endNs);
  const widthPx = Math.min(maxWidthPx, Math.max(1, Math.floor(Number(req.widthPx) || 1)));
  const from = Math.max(0, Math.floor(Number(req.rowFrom)));
  const to = Math.min(rows.specs.length, Math.floor(Number(req.rowTo)));
  const labels = new Labels();
  const slices: SliceColumns[] = [];
  const counters: CounterColumns[] = [];
  const marks: MarkColumns[] = [];
  const valid = endNs > startNs && Number.isFinite(startNs) && Number.isFinite(endNs);
  const resolutionNs = valid ? (endNs - startNs) / widthPx : 0;
  for (let r = from; r < to && valid; r++) {
    const spec = rows.specs[r]!;
    if (spec.counter) {
      const w = spec.counter.window(startNs, endNs, resolutionNs);
      counters.push({ row: r, stacked: spec.row.stacked, timeNs: w.timeNs, values: w.values });
    }
    const lanes = lanesOf(spec);
    if (lanes.length > 0) {
      const cols: SliceColumns = {
        row: r,
        startNs: [],
        endNs: [],
        id: [],
        count: [],
        busyNs: [],
        color: [],
        label: [],
        depth: [],
      };
      for (const lane of lanes) sliceItems(lane, startNs, endNs, widthPx, cols, labels);
      if (cols.id.length > 0) slices.push(cols);
    }
    const mk = spec.marks();
    if (mk.length > 0) {
      const cols: MarkColumns = { row: r, timeNs: [], count: [], id: [], label: [] };
      const t = tl.marks.timeNs;
      walkInstants(
        mk.length,
        (k) => t.get(mk[k]!),
        startNs,
        endNs,
        widthPx,
        (first, count, timeNs) => {
          cols.timeNs.push(timeNs);
          cols.count.push(count);
          const i = mk[first]!;
          cols.id.push(count === 1 ? i : -1);
          cols.label.push(count === 1 ? labels.get(markTitle(tl, i)) : -1);
        },
      );
      if (cols.timeNs.length > 0) marks.push(cols);
    }
  }
  let flows: Flow[] = [];
  let flowsTruncated = false;
  if (req.flows && valid && String(req.flows) !== "false") {
    const f = flowsInWindow(tl, rows, startNs, endNs, from, to, maxFlows);
    flows = f.flows;
    flowsTruncated = f.truncated;
  }
  return {
    view: req.view,
    startNs,
    endNs,
    resolutionNs,
    labels: labels.list,
    slices,
    counters,
    marks,
    flows,
    flowsTruncated,
  };
}

function sliceItems(
  lane: Lane,
  startNs: number,
  endNs: number,
  widthPx: number,
  cols: SliceColumns,
  labels: Labels,
): void {
  walkItems(lane, startNs, endNs, widthPx, (first, last, s, e, busy) => {
    const single = first === last;
    cols.startNs.push(s);
    cols.endNs.push(e);
    cols.id.push(single ? lane.id(first) : -1);
    cols.count.push(last - first + 1);
    cols.busyNs.push(busy);
    cols.color.push(single ? lane.color(first) : -SliceCategory.Merged);
    cols.label.push(single ? labels.get(lane.label(first)) : -1);
    cols.depth.push(lane.depth);
  });
}

/** The title of a mark, as go tool trace names its instants. */
export function markTitle(tl: Timeline, i: number): string {
  switch (tl.marks.kind.get(i)) {
    case MarkKind.CPUSample:
      return "CPU profile sample";
    case MarkKind.ProcStart:
      return "proc start";
    case MarkKind.ProcStop:
      return "proc stop";
    default:
      return tl.strings.get(tl.marks.label.get(i));
  }
}
