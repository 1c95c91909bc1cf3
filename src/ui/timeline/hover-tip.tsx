/**
 * The tooltip under the mouse: what a slice, mark or counter sample is.
 * It has its own state so that hovering re-renders only this element, not
 * the page; the page moves it through a handle.
 */
import { useState } from "preact/hooks";
import type { Row } from "../../query/timeline/protocol.js";
import { plural } from "../plural.js";
import type { Pick } from "./hit-test.js";
import { formatCount } from "./painter-extras.js";
import { formatDuration, formatTimestamp } from "./time-format.js";

export interface HoverTipHandle {
  show(p: Pick | undefined, clientX: number, clientY: number): void;
}

/** Lines describing a hovered item; the first is its title. Plain text only. */
export function describePick(p: Pick, rows: readonly Row[]): string[] | undefined {
  switch (p.kind) {
    case "slice":
      if (p.count > 1) {
        const busy = Math.round((100 * p.busyNs) / Math.max(p.endNs - p.startNs, 1));
        return [
          plural(p.count, "slice"),
          `${formatDuration(p.endNs - p.startNs)}, ${busy}% busy`,
          "click to zoom in",
        ];
      }
      return [p.label || "slice", formatDuration(p.endNs - p.startNs), `at ${formatTimestamp(p.startNs)}`];
    case "mark":
      return p.count > 1
        ? [plural(p.count, "mark"), `at ${formatTimestamp(p.timeNs)}`, "click to zoom in"]
        : [p.label || "mark", `at ${formatTimestamp(p.timeNs)}`];
    case "counter": {
      const row = rows[p.row];
      const bytes = row !== undefined && /heap/i.test(row.label);
      const names = row?.series ?? [];
      return [
        row?.label ?? "counter",
        ...p.values.map((v, i) => `${names[i] ?? `series ${i}`}: ${formatCount(v, bytes)}`),
        `at ${formatTimestamp(p.timeNs)}`,
      ];
    }
    case "row": {
      // Row labels are cut to the gutter's width: the tooltip has all of it.
      const row = rows[p.row];
      if (!row) return undefined;
      return row.goroutine === undefined ? [row.label] : [row.label, "click for the goroutine's details"];
    }
    default:
      return undefined;
  }
}

export function HoverTip({
  handle,
  rows,
}: {
  handle: { current: HoverTipHandle | null };
  rows: () => readonly Row[];
}) {
  const [tip, setTip] = useState<{ lines: string[]; x: number; y: number } | undefined>();
  handle.current = {
    show(p, x, y) {
      const lines = p && describePick(p, rows());
      setTip(lines ? { lines, x, y } : undefined);
    },
  };
  if (!tip) return null;
  // Kept inside the window: flipped to the left of the mouse near the right edge.
  const left = tip.x + 240 > window.innerWidth ? tip.x - 232 : tip.x + 14;
  return (
    <div class="tl-tip" style={{ left: `${left}px`, top: `${tip.y + 16}px` }} role="tooltip">
      {tip.lines.map((l, i) => (
        <div class={i === 0 ? "tl-tip-title" : ""}>{l}</div>
      ))}
    </div>
  );
}
