/**
 * What the timeline page shows besides the canvas, and the actions that
 * change it: the view and its rows, folded groups, whether empty rows show, the side panel (slice,
 * mark, goroutine, range totals), the focused goroutine, find and its
 * filter. Engine answers that arrive after a newer request are dropped.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type {
  GoroutineDetails,
  MarkDetails,
  RangeSummary,
  Row,
  SliceDetails,
  ViewKind,
} from "../../query/timeline/protocol.js";
import type { EngineClient } from "../engine-client.js";
import type { TimelineLink } from "../route.js";
import type { TimelineController } from "./controller.js";
import type { Jumps } from "./details-panel.js";
import type { Pick } from "./hit-test.js";
import { useFind } from "./use-find.js";
import { windowAround } from "./viewport.js";

export type Panel =
  | { readonly kind: "slice"; readonly d: SliceDetails; readonly g?: GoroutineDetails }
  | { readonly kind: "mark"; readonly d: MarkDetails }
  | { readonly kind: "goroutine"; readonly g: GoroutineDetails }
  | { readonly kind: "range"; readonly r: RangeSummary }
  | { readonly kind: "error"; readonly message: string };

/** Whether empty rows were last asked for, kept while the page is open (as the gutter's width is). */
let showEmptyRows = false;

export function useTimelineState(engine: EngineClient, ctl: TimelineController) {
  const [view, setViewState] = useState<ViewKind>("proc");
  // Rows are kept with the view they belong to: for one render after a switch the
  // view is new and the rows are not, and the two must never be laid out together.
  const [viewRows, setRows] = useState<{ view: ViewKind; rows: readonly Row[] } | undefined>();
  const rowsByView = useRef(new Map<ViewKind, readonly Row[]>());
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const [panel, setPanel] = useState<Panel | undefined>();
  const [selectedId, setSelectedId] = useState<number | undefined>();
  const [focusG, setFocusG] = useState<number | undefined>();
  const [flows, setFlowsState] = useState(false);
  // Rows with nothing in the whole trace (engine's `empty`) are left out unless asked for.
  const [showEmpty, setShowEmptyState] = useState(showEmptyRows);
  const [hasRange, setHasRange] = useState(false);
  const token = useRef(0);
  const rows = viewRows?.view === view ? viewRows.rows : undefined;
  /** A row to scroll to once the layout of the current view is ready. */
  const pendingRow = useRef<{ view: ViewKind; row?: number; goroutine?: number } | undefined>(undefined);

  const fail = (e: unknown) => setPanel({ kind: "error", message: String(e) });

  useEffect(() => {
    const have = rowsByView.current.get(view);
    if (have) {
      setRows({ view, rows: have });
      return;
    }
    let live = true;
    engine.rows(view).then((r) => {
      rowsByView.current.set(view, r);
      if (live) setRows({ view, rows: r });
    }, fail);
    return () => {
      live = false;
    };
  }, [view, engine]);

  const setView = (v: ViewKind) => {
    if (v === view) return;
    // Slice ids belong to a view, so a selected slice does not survive a switch.
    ctl.selected = undefined;
    setSelectedId(undefined);
    if (panel?.kind === "slice" || panel?.kind === "mark") setPanel(undefined);
    setViewState(v);
  };

  const showSlice = (v: ViewKind, id: number) => {
    const t = ++token.current;
    engine.slice(v, id).then(async (d) => {
      if (t !== token.current) return;
      if (!d) return setPanel({ kind: "error", message: `No slice ${id} in the ${v} view.` });
      ctl.selected = { row: d.row, id: d.id, startNs: d.startNs, endNs: d.startNs + d.durNs };
      // A slice chosen from a link or the find list may be on a row scrolled away,
      // or in a view whose rows are still on their way.
      pendingRow.current = { view: v, row: d.row };
      afterLayout();
      ctl.requestRender();
      setSelectedId(d.id);
      setPanel({ kind: "slice", d });
      if (d.goroutine !== undefined) {
        const g = await engine.goroutine(d.goroutine);
        if (t === token.current && g) setPanel({ kind: "slice", d, g });
      }
    }, fail);
  };

  const showGoroutine = (g: number) => {
    const t = ++token.current;
    engine.goroutine(g).then((d) => {
      if (t === token.current && d) setPanel({ kind: "goroutine", g: d });
    }, fail);
  };

  const focusGoroutine = (g: number | undefined) => {
    setFocusG(g);
    ctl.focusGoroutine = g;
    ctl.requestRender();
    if (g !== undefined) {
      pendingRow.current = { view: "goroutine", goroutine: g };
      afterLayout();
    }
  };

  const find = useFind(engine, ctl, {
    selectSlice: (id) => showSlice("goroutine", id),
    focusGoroutine: (g) => {
      focusGoroutine(g);
      showGoroutine(g);
    },
    view,
    setView: (v) => setView(v),
  });

  const jumps: Jumps = {
    goroutine: (g, atNs) => {
      setView("goroutine");
      focusGoroutine(g);
      showGoroutine(g);
      if (atNs !== undefined) jumps.time(atNs);
    },
    time: (ns) => {
      const w = ctl.win;
      if (ns < w.startNs || ns > w.endNs) {
        const half = (w.endNs - w.startNs) / 2;
        ctl.setWindow({ startNs: ns - half, endNs: ns + half });
      }
    },
  };

  const clear = () => {
    token.current++;
    ctl.selected = undefined;
    ctl.range = undefined;
    ctl.requestRender();
    setSelectedId(undefined);
    setHasRange(false);
    setPanel(undefined);
    find.close();
  };

  const actions = {
    click: (p: Pick | undefined) => {
      if (!p) return;
      if (p.kind === "heading") {
        const next = new Set(collapsed);
        if (!next.delete(p.group)) next.add(p.group);
        setCollapsed(next);
      } else if (p.kind === "row") {
        // A goroutine's label opens the goroutine: its details and events.
        const g = rows?.[p.row]?.goroutine;
        if (g !== undefined) {
          focusGoroutine(g);
          showGoroutine(g);
        }
      } else if (p.kind === "slice" && p.id >= 0) {
        showSlice(view, p.id);
        const g = rows?.[p.row]?.goroutine;
        if (g !== undefined) focusGoroutine(g);
      } else if (p.kind === "slice" && p.count > 1) {
        // A merged item is many slices in one pixel: zoom until it fills a third of the screen.
        ctl.setWindow(windowAround(p.startNs, p.endNs, 1, ctl.durationNs));
      } else if (p.kind === "mark" && p.count > 1) {
        const half = (ctl.win.endNs - ctl.win.startNs) / 16;
        ctl.setWindow({ startNs: p.timeNs - half, endNs: p.timeNs + half });
      } else if (p.kind === "mark" && p.id >= 0) {
        const t = ++token.current;
        engine.mark(view, p.id).then((d) => {
          if (t === token.current && d) setPanel({ kind: "mark", d });
        }, fail);
      }
    },
    range: (r: { startNs: number; endNs: number } | undefined, done: boolean) => {
      ctl.range = r;
      ctl.requestRender();
      if (!done) return;
      setHasRange(r !== undefined);
      if (!r) return;
      const t = ++token.current;
      engine.range(r.startNs, r.endNs).then((s) => {
        if (t === token.current) setPanel({ kind: "range", r: s });
      }, fail);
    },
    zoomToSelection: () => {
      const r = ctl.range ?? (ctl.selected && { startNs: ctl.selected.startNs, endNs: ctl.selected.endNs });
      if (r) ctl.setWindow(windowAround(r.startNs, r.endNs, 0.05, ctl.durationNs));
    },
    /** ←/→: the previous or next slice at the same depth of the selected slice's row. */
    stepSlice: (dir: 1 | -1): boolean => {
      const sel = ctl.selected;
      const cols = sel && ctl.cache.row(ctl.view, sel.row)?.slices;
      if (!sel || !cols) return false;
      const at = cols.id.indexOf(sel.id);
      const depth = at >= 0 ? cols.depth[at]! : 0;
      let best = -1;
      for (let i = 0; i < cols.id.length; i++) {
        if (cols.depth[i] !== depth || cols.id[i]! < 0 || cols.id[i] === sel.id) continue;
        const d = (cols.startNs[i]! - sel.startNs) * dir;
        if (d > 0 && (best < 0 || d < (cols.startNs[best]! - sel.startNs) * dir)) best = i;
      }
      if (best < 0) return false;
      showSlice(ctl.view, cols.id[best]!);
      const w = ctl.win;
      if (cols.endNs[best]! < w.startNs || cols.startNs[best]! > w.endNs) jumps.time(cols.startNs[best]!);
      return true;
    },
    clear,
    setView,
  };

  const applyLink = (link: TimelineLink) => {
    const v = link.view ?? view;
    if (link.view) setView(link.view);
    ctl.setWindow({ startNs: link.startNs ?? 0, endNs: link.endNs ?? ctl.durationNs });
    if (link.sel !== undefined) showSlice(v, link.sel);
    focusGoroutine(link.g);
    if (link.q) find.run(link.q, link.filter ?? false, false);
    const { rangeStartNs: rs, rangeEndNs: re } = link;
    if (rs !== undefined && re !== undefined && re > rs) actions.range({ startNs: rs, endNs: re }, true);
  };

  /** Called once the controller has the new layout: scrolls to a pending goroutine row. */
  function afterLayout() {
    const p = pendingRow.current;
    if (!p || p.view !== ctl.view || !ctl.layout) return;
    const index = p.row ?? ctl.rows.find((r) => r.goroutine === p.goroutine)?.index;
    if (index !== undefined) {
      ctl.scrollToRow(index);
      pendingRow.current = undefined;
    }
  }

  const setFlows = (on: boolean) => {
    setFlowsState(on);
    ctl.showFlows = on;
    ctl.requestRender();
  };

  const setShowEmpty = (on: boolean) => {
    showEmptyRows = on;
    setShowEmptyState(on);
  };

  return {
    view,
    setView,
    showEmpty,
    setShowEmpty,
    rows,
    collapsed,
    panel,
    selectedId,
    focusG,
    flows,
    setFlows,
    hasSelection: hasRange || selectedId !== undefined,
    actions,
    jumps,
    applyLink,
    afterLayout,
    ...find,
  };
}
