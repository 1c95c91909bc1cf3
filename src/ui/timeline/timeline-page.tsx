/**
 * The timeline page: toolbar, the canvas timeline and a side panel for
 * details, range totals and find matches. The per-frame state lives in the
 * controller; Preact holds what the panels show. The address carries view,
 * window, selected slice, focused goroutine and find query (route.ts's
 * timeline link), rewritten shortly after each change and restored on load.
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { SliceDetails, ViewKind } from "../../query/timeline/protocol.js";
import type { WhyQuery } from "../../query/why/protocol.js";
import type { PageProps } from "../app.js";
import { parseRoute, parseTimelineLink, replaceRoute, timelineHref } from "../route.js";
import { axisHeightPx } from "./axis-painter.js";
import { maxGutterPx, minGutterPx, TimelineController } from "./controller.js";
import { GoroutineDetailsView, MarkDetailsView, SliceDetailsView } from "./details-panel.js";
import { FindResults } from "./find-results.js";
import { HelpPopover } from "./help-popover.js";
import { HoverTip, type HoverTipHandle } from "./hover-tip.js";
import { attachInput } from "./input.js";
import { layoutRows } from "./layout.js";
import { RangePanel } from "./range-panel.js";
import { Toolbar } from "./toolbar.js";
import { useTimelineState } from "./use-timeline-state.js";
import { askWhy, type WhyAnswer } from "./why-api.js";
import { WhyPanel } from "./why-panel.js";
import "./timeline.css";

/** Where the timeline was when last left, for coming back to it from another page. */
let lastTimelineHref: string | undefined;

/** How long the address waits after the last change before it is rewritten. */
const urlDebounceMs = 250;

export function TimelinePage({ engine, info, route }: PageProps) {
  const tip = useRef<HoverTipHandle>(null);
  const [engineError, setEngineError] = useState<string | undefined>();
  const urlTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  /** Rewrites the address (or, leaving the page, only remembers it for coming back). */
  const writeUrl = useRef<(replace?: boolean) => void>(() => {});
  const ctl = useMemo(
    () =>
      new TimelineController(engine, info, {
        onWindow: () => {
          // What was under the mouse has moved away: the tooltip would describe something else.
          tip.current?.show(undefined, 0, 0);
          clearTimeout(urlTimer.current);
          urlTimer.current = setTimeout(() => writeUrl.current(), urlDebounceMs);
        },
        onError: (m) => setEngineError(m),
      }),
    [engine, info],
  );
  const st = useTimelineState(engine, ctl);
  const [selectMode, setSelectMode] = useState(false);
  const [colorBy, setColorBy] = useState<"goroutine" | "function">("goroutine");
  const [help, setHelp] = useState(false);
  const [why, setWhy] = useState<WhyAnswer | undefined>();
  const [whyError, setWhyError] = useState<string | undefined>();
  const helpRef = useRef(help);
  helpRef.current = help;
  const findInput = useRef<HTMLInputElement>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const spacer = useRef<HTMLDivElement>(null);
  const tracks = useRef<HTMLCanvasElement>(null);
  const axis = useRef<HTMLCanvasElement>(null);
  const lastHref = useRef<string | undefined>(undefined);

  writeUrl.current = (replace = true) => {
    const href = timelineHref({
      view: st.view,
      startNs: ctl.win.startNs,
      endNs: ctl.win.endNs,
      sel: st.selectedId,
      g: st.focusG,
      q: st.find.ran || undefined,
      filter: st.find.filter,
      rangeStartNs: ctl.range?.startNs,
      rangeEndNs: ctl.range?.endNs,
    });
    lastTimelineHref = href;
    if (!replace) return;
    lastHref.current = href;
    replaceRoute(href);
  };
  useEffect(
    () => ctl.events.onWindow(ctl.win),
    [st.view, st.selectedId, st.focusG, st.find.ran, st.find.filter, st.panel],
  );
  // A rewrite still pending when the page is left must not put the timeline's address on another page.
  useEffect(
    () => () => {
      clearTimeout(urlTimer.current);
      writeUrl.current(false);
    },
    [],
  );

  // A link opened (or pasted) while on this page is applied; our own rewrites are not.
  // A bare "#/timeline" (the navigation tab) comes back to where the timeline last was.
  useEffect(() => {
    if (route.page !== "timeline" || location.hash === lastHref.current) return;
    const bare = route.params.toString() === "";
    st.applyLink(
      parseTimelineLink(bare && lastTimelineHref ? parseRoute(lastTimelineHref).params : route.params),
    );
  }, [route]);

  // The layout follows the rows, folded groups, the find filter and whether empty rows show.
  const layout = useMemo(() => {
    if (!st.rows) return undefined;
    const keep = st.view === "goroutine" ? st.filterSet : undefined;
    const showEmpty = st.showEmpty;
    return layoutRows(
      st.rows,
      st.collapsed,
      keep || !showEmpty
        ? (r) =>
            (showEmpty || r.empty !== true) && (!keep || r.goroutine === undefined || keep.has(r.goroutine))
        : undefined,
    );
  }, [st.rows, st.collapsed, st.filterSet, st.view, st.showEmpty]);
  useEffect(() => {
    if (st.rows && layout) {
      ctl.setRows(st.view, st.rows, layout);
      st.afterLayout();
    }
  }, [layout]);

  const actions = useRef(st.actions);
  actions.current = st.actions;
  useEffect(() => {
    ctl.attach(tracks.current!, axis.current!, scroller.current!, spacer.current!);
    scroller.current!.focus({ preventScroll: true });
    return attachInput(ctl, scroller.current!, axis.current!, {
      onClick: (p) => actions.current.click(p),
      onRange: (r, done) => actions.current.range(r, done),
      onHover: (p, x, y) => tip.current?.show(p, x, y),
      onKey: (e) => {
        const k = e.key;
        if (k === "?") setHelp((h) => !h);
        else if (k === "/") findInput.current?.focus();
        else if (k === "0") ctl.setWindow({ startNs: 0, endNs: ctl.durationNs });
        else if (k === "f" || k === "F") actions.current.zoomToSelection();
        else if (k === "ArrowLeft" || k === "ArrowRight")
          return actions.current.stepSlice(k === "ArrowLeft" ? -1 : 1);
        else if (k === "Escape") {
          // Escape closes the help if it is open; only otherwise does it clear the selection.
          if (helpRef.current) setHelp(false);
          else actions.current.clear();
        } else if (k === "1" || k === "2" || k === "3")
          actions.current.setView((["proc", "thread", "goroutine"] as const)[Number(k) - 1]!);
        else return false;
        return true;
      },
      selectMode: () => selectRef.current,
    });
  }, [ctl]);
  const selectRef = useRef(selectMode);
  selectRef.current = selectMode;

  const panel = st.panel;
  const jumps = st.jumps;
  const whyAsk = async (q: WhyQuery) => {
    const a = await askWhy(q);
    if ("error" in a) {
      setWhyError(a.error);
      return;
    }
    setWhyError(undefined);
    setWhy(a);
    ctl.chain = a.steps;
    // The chain is drawn over the goroutine view, across its whole span.
    st.setView("goroutine");
    const from = Math.min(...a.steps.map((s) => s.startNs));
    const to = Math.max(...a.steps.map((s) => s.endNs));
    const lo = "breakdown" in a ? Math.min(from, a.startNs) : from;
    const hi = "breakdown" in a ? Math.max(to, a.endNs) : to;
    const pad = Math.max((hi - lo) * 0.08, 1000);
    ctl.setWindow({ startNs: Math.max(0, lo - pad), endNs: Math.min(ctl.durationNs, hi + pad) });
    if (a.steps[0]) st.jumps.goroutine(a.steps[0].goroutine);
    ctl.requestRender();
  };
  const onWhy = (d: SliceDetails) => {
    if (d.kind === "task") {
      const id = Number(d.args?.["id"]);
      if (Number.isFinite(id)) void whyAsk({ task: id });
      return;
    }
    if (d.goroutine === undefined) return;
    const mid = d.startNs + d.durNs / 2;
    if (d.kind === "region") void whyAsk({ region: d.title, goroutine: d.goroutine, atNs: mid });
    else void whyAsk({ goroutine: d.goroutine, atNs: mid });
  };
  const clearWhy = () => {
    setWhy(undefined);
    ctl.chain = undefined;
    ctl.requestRender();
  };
  // No matches is said in the toolbar; a panel for it would only narrow the timeline.
  const foundAny = (st.find.resp?.matches.length ?? 0) > 0;
  return (
    <div class="tl">
      <Toolbar
        view={st.view}
        setView={(v: ViewKind) => st.setView(v)}
        zoom={(f) => ctl.zoom(f)}
        whole={() => ctl.setWindow({ startNs: 0, endNs: ctl.durationNs })}
        zoomToSelection={() => st.actions.zoomToSelection()}
        canZoomToSelection={st.hasSelection}
        selectMode={selectMode}
        setSelectMode={setSelectMode}
        flows={st.flows}
        setFlows={st.setFlows}
        showEmpty={st.showEmpty}
        setShowEmpty={st.setShowEmpty}
        emptyRows={st.rows?.filter((r) => r.empty).length ?? 0}
        colorBy={colorBy}
        setColorBy={(by) => {
          setColorBy(by);
          ctl.colorBy = by;
          ctl.requestRender();
        }}
        toggleHelp={() => setHelp((h) => !h)}
        find={{
          query: st.find.query,
          setQuery: st.setQuery,
          step: st.findStep,
          count: st.find.resp?.matches.length,
          index: st.find.index,
          truncated: st.find.resp?.truncated ?? false,
          filter: st.find.filter,
          setFilter: st.setFilter,
          inputRef: findInput,
        }}
      />
      {help && <HelpPopover onClose={() => setHelp(false)} />}
      {engineError && (
        <div class="banner" role="alert">
          The engine could not answer: {engineError}
        </div>
      )}
      <div class="tl-body">
        <div class="tl-main">
          <canvas ref={axis} class="tl-axis" style={{ height: `${axisHeightPx}px` }} />
          <div class="tl-tracks">
            <canvas ref={tracks} class="tl-canvas" data-testid="timeline-canvas" />
            <div
              ref={scroller}
              class={`tl-scroller${selectMode ? " select" : ""}`}
              // biome-ignore lint/a11y/noNoninteractiveTabindex: the canvas timeline is one widget and this element takes its keys
              tabIndex={0}
              role="application"
              aria-label="Timeline. W/S zoom, A/D pan, 0 whole trace, ? help."
            >
              <div ref={spacer} class="tl-spacer" />
            </div>
            <HoverTip handle={tip} rows={() => ctl.rows} />
            <GutterHandle ctl={ctl} />
            {!st.rows && <div class="tl-loading">Loading rows…</div>}
          </div>
        </div>
        {(panel || foundAny || why || whyError) && (
          <aside class="tl-side" aria-label="Details">
            <div class="tl-side-head">
              <button
                type="button"
                class="tl-icon"
                aria-label="Close panel"
                onClick={() => st.actions.clear()}
              >
                ×
              </button>
            </div>
            {foundAny && st.find.resp && (
              <FindResults resp={st.find.resp} index={st.find.index} onPick={(i) => st.goToMatch(i)} />
            )}
            {whyError && <div class="tl-details tl-error">Why? {whyError}</div>}
            {why && <WhyPanel a={why} jumps={jumps} onClose={clearWhy} />}
            {panel?.kind === "slice" && (
              <SliceDetailsView d={panel.d} g={panel.g} jumps={jumps} onWhy={onWhy} />
            )}
            {panel?.kind === "mark" && <MarkDetailsView d={panel.d} jumps={jumps} />}
            {panel?.kind === "goroutine" && <GoroutineDetailsView g={panel.g} jumps={jumps} />}
            {panel?.kind === "range" && (
              <RangePanel r={panel.r} onZoom={() => st.actions.zoomToSelection()} />
            )}
            {panel?.kind === "error" && <div class="tl-details tl-error">{panel.message}</div>}
          </aside>
        )}
      </div>
    </div>
  );
}

/**
 * The edge of the label gutter: drag it (or focus it and press ←/→) to
 * make room for long goroutine names. The controller keeps the width.
 */
function GutterHandle({ ctl }: { ctl: TimelineController }) {
  const el = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(ctl.gutterPx);
  const place = (px: number) => {
    const w = ctl.setGutter(px);
    if (el.current) el.current.style.left = `${w - gutterHandlePx}px`;
    return w;
  };
  return (
    // biome-ignore lint/a11y/useSemanticElements: a focusable, draggable splitter (WAI-ARIA window splitter), which <hr> cannot be
    <div
      ref={el}
      class="tl-gutter-handle"
      role="separator"
      aria-orientation="vertical"
      aria-label="Width of the row labels"
      aria-valuenow={width}
      aria-valuemin={minGutterPx}
      aria-valuemax={maxGutterPx}
      tabIndex={0}
      title="Drag to widen or narrow the row labels"
      data-testid="gutter-handle"
      style={{ left: `${width - gutterHandlePx}px`, width: `${gutterHandlePx}px` }}
      onMouseDown={(e) => {
        if (e.button !== 0) return;
        e.preventDefault();
        e.stopPropagation();
        const x0 = e.clientX;
        const w0 = ctl.gutterPx;
        const move = (m: MouseEvent) => place(w0 + m.clientX - x0);
        const up = () => {
          window.removeEventListener("mousemove", move);
          window.removeEventListener("mouseup", up);
          setWidth(ctl.gutterPx);
        };
        window.addEventListener("mousemove", move);
        window.addEventListener("mouseup", up);
      }}
      onKeyDown={(e) => {
        if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
        e.preventDefault();
        e.stopPropagation();
        setWidth(place(ctl.gutterPx + (e.key === "ArrowLeft" ? -16 : 16)));
      }}
    />
  );
}

/** Width of the grab area at the gutter's edge: inside the gutter, so it never covers the trace's first pixels. */
const gutterHandlePx = 6;
