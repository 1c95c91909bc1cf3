/**
 * An interactive flame graph on a canvas (root on top, callees below):
 * click a frame to zoom into it, click an ancestor (or Escape) to zoom out,
 * hover for its values; frames matching the search are highlighted and the
 * rest dimmed. By keyboard: Tab to the graph, arrows move a cursor (up to
 * the caller, down to the heaviest callee, left/right among siblings),
 * Enter zooms into it, Escape zooms out; the cursor's values are read out
 * in the status line. Drawing is synchronous from the model and skips
 * frames under a pixel, so a frame takes well under 16 ms.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import type { FlameNode } from "../../query/analysis/protocol.js";
import { plural } from "../plural.js";
import { fitLabel, labelForms } from "./flame-label.js";
import { DrawnRects, FlameModel, frameColor, layoutFrame, visibleDepth } from "./flame-layout.js";
import { formatNs, formatPercent } from "./format.js";

const rowPx = 18;
const font = "12px system-ui, sans-serif";
/** Frames narrower than this are not drawn (nor their subtrees). */
const minFramePx = 0.5;
/** Room left of and right of a frame's label. */
const labelPadPx = 3;

function frameName(m: FlameModel, i: number): string {
  return i === 0 ? "all samples" : m.func[i] || "(no function)";
}

/** What a profile counts, one and many: intervals of waiting, or CPU samples. */
export type CountWords = readonly [string, string];
const intervals: CountWords = ["interval", "intervals"];

function frameNumbers(m: FlameModel, i: number, words: CountWords): string {
  const total = m.totalNs[0]!;
  const share = total > 0 ? formatPercent((m.totalNs[i]! / total) * 100) : "0%";
  return `${formatNs(m.totalNs[i]!)} (${share}), self ${formatNs(m.selfNs[i]!)}, ${plural(m.count[i]!, ...words)}`;
}

function describe(m: FlameModel, i: number, words: CountWords): string {
  return `${frameName(m, i)}: ${frameNumbers(m, i, words)}`;
}

/** A name for the zoom path's buttons: without the package's directories ("kafka-go.(*Reader).run"). */
function crumbName(func: string): string {
  const forms = labelForms(func);
  return forms.find((f) => !f.includes("/")) ?? forms[forms.length - 1]!;
}

export function FlameGraph(props: { root: FlameNode; search: string; countWords?: CountWords }) {
  const words = props.countWords ?? intervals;
  const model = useMemo(() => new FlameModel(props.root), [props.root]);
  const [focus, setFocus] = useState(0);
  const [cursor, setCursor] = useState(0);
  const [focused, setFocused] = useState(false);
  const [hover, setHover] = useState<{ node: number; x: number; y: number } | undefined>();
  const canvas = useRef<HTMLCanvasElement>(null);
  const rects = useRef(new DrawnRects());
  const [widthPx, setWidthPx] = useState(800);

  useEffect(() => {
    setFocus(0);
    setCursor(0);
  }, [model]);

  useEffect(() => {
    const el = canvas.current?.parentElement;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidthPx(Math.max(200, el.clientWidth - 2)));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const needle = props.search.trim().toLowerCase();
  const matches = useMemo(() => {
    if (!needle) return undefined;
    const hit = new Uint8Array(model.length);
    for (let i = 1; i < model.length; i++) if (model.func[i]!.toLowerCase().includes(needle)) hit[i] = 1;
    return hit;
  }, [model, needle]);

  // As tall as the rows that show at this zoom and width, so no empty band sits under the graph.
  const heightPx = useMemo(
    () => (visibleDepth(model, focus, widthPx, minFramePx) + 1) * rowPx,
    [model, focus, widthPx],
  );
  // Label widths by text, measured once per model (the font never changes).
  const textPx = useMemo(() => new Map<string, number>(), [model]);

  useLayoutEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const t0 = performance.now();
    const dpr = window.devicePixelRatio || 1;
    c.width = Math.round(widthPx * dpr);
    c.height = Math.round(heightPx * dpr);
    c.style.height = `${heightPx}px`;
    const ctx = c.getContext("2d")!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, widthPx, heightPx);
    ctx.font = font;
    ctx.textBaseline = "middle";
    const drawn = rects.current;
    drawn.length = 0;
    const measure = (text: string) => {
      let px = textPx.get(text);
      if (px === undefined) {
        px = ctx.measureText(text).width;
        textPx.set(text, px);
      }
      return px;
    };
    let cursorLabel = "";
    layoutFrame(model, focus, widthPx, minFramePx, (i, x, w, row) => {
      drawn.push(i, x, w, row);
      const y = row * rowPx;
      const dim = matches !== undefined && !matches[i];
      ctx.fillStyle = i === 0 ? "#d1d5db" : matches?.[i] ? "#e040fb" : frameColor(model.func[i]!);
      ctx.globalAlpha = dim ? 0.35 : 1;
      ctx.fillRect(x, y, Math.max(w - 0.5, 0.5), rowPx - 1);
      ctx.globalAlpha = 1;
      // The keyboard cursor shows while the graph has the focus.
      if (i === cursor && focused) {
        ctx.strokeStyle = "#111827";
        ctx.lineWidth = 2;
        ctx.strokeRect(x + 1, y + 1, Math.max(w - 2, 1), rowPx - 3);
      }
      if (w >= 16) {
        // The package path gives way first, so the function's own name stays readable.
        const roomPx = w - 2 * labelPadPx;
        const text = i === 0 ? "all" : fitLabel(model.func[i]!, (t) => measure(t) <= roomPx);
        ctx.fillStyle = dim ? "#6b7280" : "#111827";
        if (text !== "") ctx.fillText(text, x + labelPadPx, y + rowPx / 2);
        if (i === cursor) cursorLabel = text;
      }
    });
    // For the browser tests' frame-time check; not state, so it costs no render.
    c.dataset.drawMs = (performance.now() - t0).toFixed(2);
    // What the cursor's frame reads on the canvas, which the DOM cannot otherwise show to a test.
    c.dataset.cursorLabel = cursorLabel;
  }, [model, focus, cursor, matches, widthPx, heightPx, focused, textPx]);

  const at = (e: MouseEvent) => {
    const r = canvas.current!.getBoundingClientRect();
    const x = e.clientX - r.left;
    const y = e.clientY - r.top;
    return { node: rects.current.hit(x, Math.floor(y / rowPx)), x, y };
  };

  const zoom = (i: number) => {
    setFocus(i);
    setCursor(i);
  };

  const onKey = (e: KeyboardEvent) => {
    const m = model;
    let next = -1;
    if (e.key === "ArrowUp") next = m.parent[cursor]!;
    else if (e.key === "ArrowDown") next = m.children(cursor)[0] ?? -1;
    else if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
      const p = m.parent[cursor]!;
      if (p >= 0) {
        const sibs = m.children(p);
        next = sibs[sibs.indexOf(cursor) + (e.key === "ArrowLeft" ? -1 : 1)] ?? -1;
      }
    } else if (e.key === "Enter" || e.key === " ") {
      zoom(cursor);
      e.preventDefault();
      return;
    } else if (e.key === "Escape" || e.key === "Backspace") {
      const up = m.parent[focus]!;
      if (up >= 0) zoom(up);
      e.preventDefault();
      return;
    } else return;
    e.preventDefault();
    if (next < 0) return;
    // The cursor stays inside what is shown: the focus's ancestors and subtree.
    if (!m.isAncestorOrSelf(next, focus) && !m.isAncestorOrSelf(focus, next)) return;
    setCursor(next);
  };

  const crumbs = [...model.ancestors(focus), focus];
  const matchedNs = useMemo(() => {
    if (!matches) return 0;
    // Time under matching frames, each sample counted once (outermost match).
    let ns = 0;
    for (let i = 1; i < model.length; ) {
      if (matches[i]) {
        ns += model.totalNs[i]!;
        i = model.end[i]!;
      } else i++;
    }
    return ns;
  }, [model, matches]);

  return (
    <div>
      <nav class="crumbs" aria-label="Zoom path">
        {crumbs.map((i) => (
          <button type="button" onClick={() => zoom(i)} title={frameName(model, i)}>
            {i === 0 ? "all" : crumbName(model.func[i]!)}
          </button>
        ))}
      </nav>
      <div
        class="flame-wrap"
        role="application"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a canvas widget driven by the keyboard must take focus
        tabIndex={0}
        aria-roledescription="flame graph"
        aria-label="Flame graph. Arrow keys move between frames, Enter zooms in, Escape zooms out."
        data-focus={model.func[focus]}
        data-cursor={model.func[cursor]}
        onKeyDown={onKey}
        onFocus={() => setFocused(true)}
        onBlur={() => setFocused(false)}
        onMouseMove={(e) => {
          const h = at(e);
          setHover(h.node >= 0 ? h : undefined);
        }}
        onMouseLeave={() => setHover(undefined)}
        onClick={(e) => {
          const h = at(e);
          if (h.node >= 0) zoom(h.node === focus ? Math.max(0, model.parent[focus]!) : h.node);
        }}
      >
        <canvas ref={canvas} />
        {hover && (
          <div
            class="flame-tip"
            role="tooltip"
            style={{
              left: `${Math.max(0, Math.min(hover.x + 12, widthPx - 320))}px`,
              top: `${hover.y + 16}px`,
            }}
          >
            {/* The whole name, as text: trace strings never become markup. */}
            <div class="flame-tip-name" data-testid="flame-tip-name">
              {frameName(model, hover.node)}
            </div>
            <div>{frameNumbers(model, hover.node, words)}</div>
          </div>
        )}
      </div>
      <div class="flame-status" aria-live="polite" data-testid="flame-status">
        {describe(model, cursor, words)}
        {matches && ` · search “${props.search}”: ${formatNs(matchedNs)} in matching frames`}
      </div>
    </div>
  );
}
