/**
 * The timeline engine: answers the UI's questions (protocol.ts) from a
 * built Timeline. Synchronous and allocation-light per request; the server
 * and a browser Worker wrap it.
 */
import type { Timeline } from "../../model/timeline.js";
import { markDetails, sliceDetails } from "./details.js";
import { findMatches } from "./find.js";
import { goroutineDetails } from "./goroutine-details.js";
import { sliceLabel } from "./labels.js";
import type { Lane } from "./lanes.js";
import type {
  FindResponse,
  GoroutineDetails,
  MarkDetails,
  RangeSummary,
  Row,
  SliceDetails,
  TimelineEngine,
  TraceInfo,
  ViewKind,
  WindowRequest,
  WindowResponse,
} from "./protocol.js";
import { viewKinds } from "./protocol.js";
import { summarizeRange } from "./range-summary.js";
import { type RowSpec, ViewRows } from "./rows.js";
import { answerWindow } from "./window.js";

/** Goroutine-view rows whose lanes stay cached (each is made from the goroutine's slices on first use). */
const goroutineLaneCache = 512;

export class Engine implements TimelineEngine {
  private readonly views = new Map<ViewKind, ViewRows>();
  private readonly laneCache = new Map<RowSpec, Lane[]>();
  private readonly label = (id: number) => sliceLabel(this.tl, id);

  constructor(
    readonly tl: Timeline,
    private readonly traceInfo: TraceInfo,
  ) {}

  info(): TraceInfo {
    return this.traceInfo;
  }

  /** The rows of a view (made once per view). */
  viewRows(view: ViewKind): ViewRows {
    const kind = viewKinds.includes(view) ? view : "proc";
    let v = this.views.get(kind);
    if (!v) {
      v = new ViewRows(this.tl, kind, this.label);
      this.views.set(kind, v);
    }
    return v;
  }

  rows(view: ViewKind): Row[] {
    return this.viewRows(view).specs.map((s) => s.row);
  }

  /** The lanes of a row; a goroutine row's are kept in a small most-recently-used cache. */
  lanes(spec: RowSpec): Lane[] {
    if (spec.g === undefined) return spec.lanes();
    let lanes = this.laneCache.get(spec);
    if (lanes) {
      this.laneCache.delete(spec);
    } else {
      lanes = spec.lanes();
      if (this.laneCache.size >= goroutineLaneCache)
        this.laneCache.delete(this.laneCache.keys().next().value!);
    }
    this.laneCache.set(spec, lanes);
    return lanes;
  }

  window(req: WindowRequest): WindowResponse {
    return answerWindow(this.tl, this.viewRows(req.view), req, (spec) => this.lanes(spec));
  }

  slice(view: ViewKind, id: number): SliceDetails | undefined {
    return sliceDetails(this.tl, this.viewRows(view), Number(id));
  }

  mark(view: ViewKind, id: number): MarkDetails | undefined {
    return markDetails(this.tl, this.viewRows(view), Number(id));
  }

  goroutine(id: number): GoroutineDetails | undefined {
    return goroutineDetails(this.tl, this.viewRows("goroutine"), Number(id));
  }

  find(query: string, limit: number): FindResponse {
    return findMatches(this.tl, String(query ?? ""), Math.max(1, Math.min(10_000, Number(limit) || 100)));
  }

  range(startNs: number, endNs: number): RangeSummary {
    return summarizeRange(this.tl, Number(startNs), Number(endNs));
  }
}
