/**
 * The timeline's live state outside Preact: window, scroll, canvases and
 * what is highlighted. Preact renders the panels around it; everything that
 * changes per frame (zoom, pan, hover) stays here, so a frame is one
 * synchronous `render()` from the cache, scheduled at most once per
 * animation frame, followed by a cheap check that the cache holds what the
 * new picture needs.
 */
import type { Row, TraceInfo, ViewKind } from "../../query/timeline/protocol.js";
import type { WhyStep } from "../../query/why/protocol.js";
import type { EngineClient } from "../engine-client.js";
import { axisHeightPx, paintAxis } from "./axis-painter.js";
import { theme } from "./colors.js";
import { type RowLayout, visibleEntries } from "./layout.js";
import { paintTracks, type SelectedSlice } from "./painter.js";
import type { ChainDrawn } from "./painter-extras.js";
import { axisTicks } from "./time-format.js";
import {
  clampWindow,
  type FetchPlan,
  fetchPlan,
  panBy,
  spanOf,
  type TimeWindow,
  zoomAround,
} from "./viewport.js";
import { chunkRows, WindowCache } from "./window-cache.js";

/** Width of the row-label gutter at first: room for "G123 pkg.func" and a three-series legend. */
export const defaultGutterPx = 240;
/** The gutter can be dragged between these widths (and never past the track area's last 200 px). */
export const minGutterPx = 120;
export const maxGutterPx = 900;

/** The gutter width last chosen, kept while the page is open (coming back to the timeline keeps it). */
let chosenGutterPx = defaultGutterPx;

declare global {
  interface Window {
    /** Milliseconds each of the last ~1000 frames took to draw, for the benchmark. */
    __gotraceFrameTimes?: number[];
    /** Where things are on the canvas, for browser tests and the benchmark to aim at. */
    __gotraceTimeline?: TimelineProbe;
  }
}

/** Read-only geometry of the current picture, in CSS pixels relative to the tracks canvas. */
export interface TimelineProbe {
  /** Width of the label gutter now (it can be dragged). */
  readonly gutterPx: number;
  view(): ViewKind;
  window(): TimeWindow;
  /** The request the visible rows' data comes from (what a test should ask /api/window). */
  plan(): FetchPlan;
  /** x of a time, and top of a row (NaN when hidden). */
  xOfNs(ns: number): number;
  rowTopPx(row: number): number;
  /** True when no request is in flight and no frame is pending: the canvas shows all the data. */
  idle(): boolean;
  /** The text the last frame drew as a row's label (undefined when not on screen). */
  drawnLabel(row: number): string | undefined;
  /** The "Why?" chain's steps as the last frame drew them (goroutine view only). */
  chainDrawn(): readonly ChainDrawn[];
}

export interface ControllerEvents {
  /** The window or scroll changed (for the address and toolbar); called often, debounce it. */
  onWindow(w: TimeWindow): void;
  /** The engine failed to answer a window request. */
  onError(message: string): void;
}

export class TimelineController {
  readonly cache: WindowCache;
  view: ViewKind = "proc";
  rows: readonly Row[] = [];
  layout: RowLayout | undefined;
  win: TimeWindow;
  collapsed = new Set<string>();
  selected: SelectedSlice | undefined;
  range: TimeWindow | undefined;
  highlight: ReadonlySet<number> | undefined;
  highlightSlices: ReadonlySet<number> | undefined;
  matchTimes: readonly number[] | undefined;
  currentMatchNs: number | undefined;
  focusGoroutine: number | undefined;
  /** The "Why?" chain drawn over the goroutine view, latest step first. */
  chain: readonly WhyStep[] | undefined;
  private readonly chainDrawn: ChainDrawn[] = [];
  hoverX: number | undefined;
  hovered: { row: number; depth: number; startNs: number; endNs: number } | undefined;
  /** Whether the last frame's flows were cut short by the engine. */
  private flowsTruncated = false;
  showFlows = false;
  colorBy: "goroutine" | "function" = "goroutine";
  /** Width of the row-label gutter in CSS pixels (setGutter changes it). */
  gutterPx = chosenGutterPx;

  private tracks: HTMLCanvasElement | undefined;
  private axis: HTMLCanvasElement | undefined;
  scroller: HTMLElement | undefined;
  private spacer: HTMLElement | undefined;
  private widthPx = 0;
  private heightPx = 0;
  private dpr = 1;
  private charPx = 6;
  private frameRequested = false;
  /** Row labels as the last frame drew them (shortened to the gutter), for the probe. */
  private readonly labelsDrawn = new Map<number, string>();
  private frames = 0;
  private readonly frameTimes: number[] = [];

  constructor(
    engine: EngineClient,
    readonly info: TraceInfo,
    readonly events: ControllerEvents,
  ) {
    this.cache = new WindowCache(
      engine,
      () => this.requestRender(),
      (m) => this.events.onError(m),
    );
    this.win = { startNs: 0, endNs: Math.max(info.durationNs, 1) };
    window.__gotraceFrameTimes = this.frameTimes;
    const ctl = this;
    window.__gotraceTimeline = {
      get gutterPx() {
        return ctl.gutterPx;
      },
      view: () => this.view,
      window: () => this.win,
      plan: () => fetchPlan(this.win, this.trackWidthPx, this.durationNs),
      xOfNs: (ns) => this.gutterPx + ((ns - this.win.startNs) * this.trackWidthPx) / spanOf(this.win),
      rowTopPx: (row) => (this.layout?.rowY[row] ?? Number.NaN) - (this.scroller?.scrollTop ?? 0),
      idle: () => !this.frameRequested && this.cache.inFlight === 0,
      drawnLabel: (row) => this.labelsDrawn.get(row),
      chainDrawn: () => this.chainDrawn,
    };
  }

  get durationNs(): number {
    return Math.max(this.info.durationNs, 1);
  }

  /** Width of the track area (right of the gutter) in CSS pixels. */
  get trackWidthPx(): number {
    return Math.max(this.widthPx - this.gutterPx, 1);
  }

  /** Sets the gutter's width (clamped), remembered for the next visit of the timeline; returns it. */
  setGutter(px: number): number {
    const most = Math.min(maxGutterPx, Math.max(minGutterPx, this.widthPx - 200));
    const w = Math.round(Math.min(most, Math.max(minGutterPx, px)));
    if (w !== this.gutterPx) {
      this.gutterPx = w;
      chosenGutterPx = w;
      this.hovered = undefined;
      this.requestRender();
    }
    return w;
  }

  get viewHeightPx(): number {
    return this.heightPx;
  }

  attach(
    tracks: HTMLCanvasElement,
    axis: HTMLCanvasElement,
    scroller: HTMLElement,
    spacer: HTMLElement,
  ): void {
    this.tracks = tracks;
    this.axis = axis;
    this.scroller = scroller;
    this.spacer = spacer;
    const ctx = tracks.getContext("2d")!;
    ctx.font = theme.font;
    this.charPx = ctx.measureText("abcdefghijklmnopqrstuvwxyz0123456789_.").width / 38;
    this.resize();
  }

  /** Matches the canvases' backing stores to their CSS size times devicePixelRatio. */
  resize(): void {
    if (!this.tracks || !this.axis || !this.scroller) return;
    this.dpr = window.devicePixelRatio || 1;
    this.widthPx = this.scroller.clientWidth;
    this.heightPx = this.scroller.clientHeight;
    for (const [c, h] of [
      [this.tracks, this.heightPx],
      [this.axis, axisHeightPx],
    ] as const) {
      c.width = Math.round(this.widthPx * this.dpr);
      c.height = Math.round(h * this.dpr);
      c.style.width = `${this.widthPx}px`;
      c.style.height = `${h}px`;
    }
    this.requestRender();
  }

  setRows(view: ViewKind, rows: readonly Row[], layout: RowLayout): void {
    const changedView = view !== this.view;
    this.view = view;
    this.rows = rows;
    this.layout = layout;
    if (this.spacer) this.spacer.style.height = `${layout.totalHeightPx}px`;
    if (changedView && this.scroller) this.scroller.scrollTop = 0;
    this.requestRender();
  }

  setWindow(w: TimeWindow): void {
    const next = clampWindow(w, this.durationNs);
    if (next.startNs === this.win.startNs && next.endNs === this.win.endNs) return;
    this.win = next;
    this.hovered = undefined;
    this.events.onWindow(next);
    this.requestRender();
  }

  /** Zooms by `factor` around the time under x (CSS px in the track area), or the centre. */
  zoom(factor: number, xTrackPx?: number): void {
    const anchor =
      xTrackPx === undefined
        ? (this.win.startNs + this.win.endNs) / 2
        : this.win.startNs + (xTrackPx / this.trackWidthPx) * spanOf(this.win);
    this.setWindow(zoomAround(this.win, factor, anchor, this.durationNs));
  }

  /** Pans by a fraction of the visible span (positive = later). */
  panFraction(frac: number): void {
    this.setWindow(panBy(this.win, frac * spanOf(this.win), this.durationNs));
  }

  panPixels(dxPx: number): void {
    this.setWindow(panBy(this.win, (dxPx / this.trackWidthPx) * spanOf(this.win), this.durationNs));
  }

  /** Scrolls so that `row` is visible, roughly a third of the way down. */
  scrollToRow(row: number): void {
    const y = this.layout?.rowY[row];
    if (!this.scroller || y === undefined || Number.isNaN(y)) return;
    const top = this.scroller.scrollTop;
    if (y < top || y + 20 > top + this.heightPx) this.scroller.scrollTop = Math.max(0, y - this.heightPx / 3);
    this.requestRender();
  }

  requestRender(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      this.render();
    });
  }

  /** Draws one frame synchronously from the cache, then asks the cache for what the frame lacked. */
  render(): void {
    const layout = this.layout;
    if (!this.tracks || !this.axis || !layout || this.widthPx === 0) return;
    const t0 = performance.now();
    const ticks = axisTicks(this.win.startNs, this.win.endNs, this.trackWidthPx, 100, this.charPx);
    const scrollTopPx = this.scroller!.scrollTop;
    const tctx = this.tracks.getContext("2d")!;
    tctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    this.flowsTruncated = paintTracks(tctx, {
      view: this.view,
      rows: this.rows,
      layout,
      cache: this.cache,
      win: this.win,
      widthPx: this.widthPx,
      heightPx: this.heightPx,
      gutterPx: this.gutterPx,
      scrollTopPx,
      collapsed: this.collapsed,
      ticks,
      selected: this.selected,
      highlight: this.highlight,
      highlightSlices: this.view === "goroutine" ? this.highlightSlices : undefined,
      focusGoroutine: this.focusGoroutine,
      range: this.range,
      hoverX: this.hoverX,
      hovered: this.hovered,
      showFlows: this.showFlows,
      colorBy: this.colorBy,
      charPx: this.charPx,
      labelsDrawn: this.labelsDrawn,
      chain: this.chain,
      chainDrawn: this.chainDrawn,
    });
    const loadingDrawn = this.cache.inFlight > 0;
    const actx = this.axis.getContext("2d")!;
    actx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    paintAxis(actx, {
      win: this.win,
      widthPx: this.widthPx,
      gutterPx: this.gutterPx,
      ticks,
      range: this.range,
      hoverX: this.hoverX,
      matchTimes: this.matchTimes,
      currentMatchNs: this.currentMatchNs,
      loading: loadingDrawn,
      flowsTruncated: this.flowsTruncated,
    });
    this.recordFrame(performance.now() - t0);
    this.fetchMissing(layout, scrollTopPx);
    // One more frame to say "loading" if this one started requests.
    if (!loadingDrawn && this.cache.inFlight > 0) this.requestRender();
  }

  private recordFrame(ms: number): void {
    this.frames++;
    document.documentElement.dataset.timelineFrames = String(this.frames);
    this.frameTimes.push(ms);
    // Trimmed in batches so that keeping "the last ~1000" costs nothing per frame.
    if (this.frameTimes.length > 1200) this.frameTimes.splice(0, this.frameTimes.length - 1000);
  }

  /** Rows one screen above and below the visible ones are fetched too, for smooth scrolling. */
  private fetchMissing(layout: RowLayout, scrollTopPx: number): void {
    const [from, to] = visibleEntries(layout, Math.max(0, scrollTopPx - this.heightPx), this.heightPx * 3);
    const chunks: number[] = [];
    for (let e = from; e < to; e++) {
      const row = layout.entryRow[e]!;
      if (row < 0) continue;
      const c = Math.floor(row / chunkRows);
      if (chunks[chunks.length - 1] !== c) chunks.push(c);
    }
    const plan = fetchPlan(this.win, this.trackWidthPx, this.durationNs);
    this.cache.want(this.view, chunks, this.rows.length, plan, this.showFlows);
  }
}
