/**
 * Mouse, wheel, trackpad and keyboard navigation of the timeline, wired to
 * the controller. W/S zoom around the mouse (or the centre), A/D pan, both
 * smoothly while held; ctrl+wheel (and trackpad pinch, which browsers send
 * as ctrl+wheel) zooms; shift+wheel and horizontal swipes pan; plain wheel
 * scrolls the rows natively. Drag pans; shift+drag (or select mode) selects
 * a time range; a click without movement picks what is under the mouse.
 */
import type { TimelineController } from "./controller.js";
import { hitTest, type Pick } from "./hit-test.js";
import { nsAtX, type TimeWindow } from "./viewport.js";

export interface InputActions {
  onClick(pick: Pick | undefined): void;
  /** A range selection changed: live while dragging (`done` false), then once more at the end. */
  onRange(range: TimeWindow | undefined, done: boolean): void;
  onHover(pick: Pick | undefined, clientX: number, clientY: number): void;
  /** Page-level shortcuts (help, find, escape…); returns true when the key was handled. */
  onKey(e: KeyboardEvent): boolean;
  /** Whether a plain drag selects a range instead of panning. */
  selectMode(): boolean;
}

/** Pixels the mouse may move and still count as a click. */
const clickSlopPx = 3;
/** W/S held: the span halves (or doubles) every this many ms; A/D held: a screen per this many ms × 2. */
const zoomHalfLifeMs = 300;

/** Where keys type text: the timeline's shortcuts stay out of the way there (checkboxes are not). */
function isEditable(t: EventTarget | null): boolean {
  if (t instanceof HTMLInputElement)
    return !/^(checkbox|radio|button|submit|reset|range|color)$/.test(t.type);
  return (
    t instanceof HTMLElement && (t.isContentEditable || t.tagName === "TEXTAREA" || t.tagName === "SELECT")
  );
}

export function attachInput(
  c: TimelineController,
  scroller: HTMLElement,
  axis: HTMLCanvasElement,
  act: InputActions,
): () => void {
  let mouseX: number | undefined;
  const local = (e: MouseEvent, el: HTMLElement) => {
    const r = el.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };
  const trackX = () => (mouseX !== undefined && mouseX >= c.gutterPx ? mouseX - c.gutterPx : undefined);

  const onWheel = (e: WheelEvent) => {
    const scale = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? c.viewHeightPx : 1;
    const dx = e.deltaX * scale;
    const dy = e.deltaY * scale;
    const x = local(e, scroller).x - c.gutterPx;
    if (e.ctrlKey || e.metaKey) {
      e.preventDefault();
      c.zoom(Math.exp(dy * 0.002), x >= 0 ? x : undefined);
    } else if (e.shiftKey) {
      e.preventDefault();
      c.panPixels(dy || dx);
    } else if (Math.abs(dx) > Math.abs(dy)) {
      e.preventDefault();
      c.panPixels(dx);
    }
  };

  let drag:
    | {
        x: number;
        y: number;
        win: TimeWindow;
        scrollTop: number;
        select: boolean;
        moved: boolean;
        el: HTMLElement;
      }
    | undefined;
  const onDown = (el: HTMLElement, forceSelect: boolean) => (e: MouseEvent) => {
    if (e.button !== 0) return;
    const p = local(e, el);
    drag = {
      x: p.x,
      y: p.y,
      win: c.win,
      scrollTop: scroller.scrollTop,
      select: forceSelect || e.shiftKey || act.selectMode(),
      moved: false,
      el,
    };
    if (el === scroller) scroller.focus({ preventScroll: true });
    e.preventDefault();
  };
  const onMove = (e: MouseEvent) => {
    if (!drag) return;
    const p = local(e, drag.el);
    if (!drag.moved && Math.hypot(p.x - drag.x, p.y - drag.y) < clickSlopPx) return;
    drag.moved = true;
    const w = c.trackWidthPx;
    if (drag.select) {
      const a = nsAtX(Math.max(0, drag.x - c.gutterPx), drag.win, w);
      const b = nsAtX(Math.min(Math.max(0, p.x - c.gutterPx), w), drag.win, w);
      act.onRange(
        { startNs: Math.max(0, Math.min(a, b)), endNs: Math.min(c.durationNs, Math.max(a, b)) },
        false,
      );
    } else {
      c.setWindow({
        startNs: drag.win.startNs - ((p.x - drag.x) / w) * (drag.win.endNs - drag.win.startNs),
        endNs: drag.win.endNs - ((p.x - drag.x) / w) * (drag.win.endNs - drag.win.startNs),
      });
      scroller.scrollTop = drag.scrollTop - (p.y - drag.y);
    }
  };
  const onUp = (e: MouseEvent) => {
    if (!drag) return;
    const d = drag;
    drag = undefined;
    if (d.moved && d.select) {
      const p = local(e, d.el);
      const w = c.trackWidthPx;
      const a = nsAtX(Math.max(0, d.x - c.gutterPx), d.win, w);
      const b = nsAtX(Math.min(Math.max(0, p.x - c.gutterPx), w), d.win, w);
      const r = { startNs: Math.max(0, Math.min(a, b)), endNs: Math.min(c.durationNs, Math.max(a, b)) };
      act.onRange(r.endNs > r.startNs ? r : undefined, true);
    } else if (!d.moved && d.el === scroller) {
      const p = local(e, scroller);
      act.onClick(hitTest(c, p.x, p.y));
    }
  };
  const onHover = (e: MouseEvent) => {
    const p = local(e, scroller);
    mouseX = p.x;
    c.hoverX = p.x >= c.gutterPx ? p.x : undefined;
    const pick = drag ? undefined : hitTest(c, p.x, p.y);
    c.hovered = pick?.kind === "slice" ? pick : undefined;
    c.requestRender();
    act.onHover(pick, e.clientX, e.clientY);
  };
  const onLeave = () => {
    mouseX = undefined;
    c.hoverX = undefined;
    c.hovered = undefined;
    c.requestRender();
    act.onHover(undefined, 0, 0);
  };

  // Held W/S/A/D animate from one frame to the next, scaled by elapsed time.
  const held = new Set<string>();
  let lastT = 0;
  let animating = false;
  const step = (t: number) => {
    if (held.size === 0) {
      animating = false;
      return;
    }
    const dt = Math.min(t - lastT, 50);
    lastT = t;
    if (held.has("w")) c.zoom(0.5 ** (dt / zoomHalfLifeMs), trackX());
    if (held.has("s")) c.zoom(2 ** (dt / zoomHalfLifeMs), trackX());
    if (held.has("a")) c.panFraction(-dt / (zoomHalfLifeMs * 2));
    if (held.has("d")) c.panFraction(dt / (zoomHalfLifeMs * 2));
    requestAnimationFrame(step);
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (isEditable(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    if (key === "w" || key === "s" || key === "a" || key === "d") {
      e.preventDefault();
      if (e.repeat || held.has(key)) return;
      held.add(key);
      // One discrete step at once, so a tap always moves (and tests see a change).
      if (key === "w") c.zoom(0.8, trackX());
      if (key === "s") c.zoom(1.25, trackX());
      if (key === "a") c.panFraction(-0.1);
      if (key === "d") c.panFraction(0.1);
      if (!animating) {
        animating = true;
        // Continuous motion starts after a short delay so a tap is exactly one step.
        setTimeout(() => {
          lastT = performance.now();
          requestAnimationFrame(step);
        }, 150);
      }
      return;
    }
    if (act.onKey(e)) e.preventDefault();
  };
  const onKeyUp = (e: KeyboardEvent) => {
    held.delete(e.key.length === 1 ? e.key.toLowerCase() : e.key);
  };
  const onBlur = () => held.clear();
  const onScroll = () => {
    c.hovered = undefined;
    c.requestRender();
    act.onHover(undefined, 0, 0);
  };
  const resize = new ResizeObserver(() => c.resize());

  const down = onDown(scroller, false);
  const axisDown = onDown(axis, true);
  scroller.addEventListener("wheel", onWheel, { passive: false });
  axis.addEventListener("wheel", onWheel, { passive: false });
  scroller.addEventListener("mousedown", down);
  axis.addEventListener("mousedown", axisDown);
  scroller.addEventListener("mousemove", onHover);
  scroller.addEventListener("mouseleave", onLeave);
  scroller.addEventListener("scroll", onScroll, { passive: true });
  window.addEventListener("mousemove", onMove);
  window.addEventListener("mouseup", onUp);
  // Keys are heard page-wide while the timeline is shown, so W/S still work after a click in the side panel.
  window.addEventListener("keydown", onKeyDown);
  window.addEventListener("keyup", onKeyUp);
  window.addEventListener("blur", onBlur);
  resize.observe(scroller);
  return () => {
    scroller.removeEventListener("wheel", onWheel);
    axis.removeEventListener("wheel", onWheel);
    scroller.removeEventListener("mousedown", down);
    axis.removeEventListener("mousedown", axisDown);
    scroller.removeEventListener("mousemove", onHover);
    scroller.removeEventListener("mouseleave", onLeave);
    scroller.removeEventListener("scroll", onScroll);
    window.removeEventListener("mousemove", onMove);
    window.removeEventListener("mouseup", onUp);
    window.removeEventListener("keydown", onKeyDown);
    window.removeEventListener("keyup", onKeyUp);
    window.removeEventListener("blur", onBlur);
    resize.disconnect();
  };
}
