/**
 * The bar above the timeline: view switcher, zoom buttons, drag mode, flow
 * arrows, empty rows, colours, the find box with next/previous and filter,
 * and the help button.
 */
import type { ViewKind } from "../../query/timeline/protocol.js";
import { plural, pluralWord } from "../plural.js";

export interface FindBoxProps {
  readonly query: string;
  readonly setQuery: (q: string) => void;
  /** Enter runs the query, or moves to the next (+1) / previous (−1) match when it already ran. */
  readonly step: (dir: 1 | -1) => void;
  readonly count?: number;
  readonly index: number;
  readonly truncated: boolean;
  readonly filter: boolean;
  readonly setFilter: (on: boolean) => void;
  readonly inputRef: { current: HTMLInputElement | null };
}

export interface ToolbarProps {
  readonly view: ViewKind;
  readonly setView: (v: ViewKind) => void;
  readonly zoom: (factor: number) => void;
  readonly whole: () => void;
  readonly zoomToSelection: () => void;
  readonly canZoomToSelection: boolean;
  readonly selectMode: boolean;
  readonly setSelectMode: (on: boolean) => void;
  readonly flows: boolean;
  readonly setFlows: (on: boolean) => void;
  /** Rows that hold nothing in the whole trace: shown or not, and how many the view has. */
  readonly showEmpty: boolean;
  readonly setShowEmpty: (on: boolean) => void;
  readonly emptyRows: number;
  readonly colorBy: "goroutine" | "function";
  readonly setColorBy: (by: "goroutine" | "function") => void;
  readonly toggleHelp: () => void;
  readonly find: FindBoxProps;
}

const viewNames: readonly [ViewKind, string][] = [
  ["proc", "Procs"],
  ["thread", "Threads"],
  ["goroutine", "Goroutines"],
];

/** A one-glyph button; the glyph is for the eye, `label` names it for screen readers. */
function IconButton(p: { title: string; label: string; onClick: () => void; children: string }) {
  return (
    <button type="button" class="tl-icon" title={p.title} aria-label={p.label} onClick={p.onClick}>
      {p.children}
    </button>
  );
}

export function Toolbar(p: ToolbarProps) {
  const f = p.find;
  return (
    <div class="tl-toolbar" role="toolbar" aria-label="Timeline controls">
      <fieldset class="tl-seg">
        <legend class="tl-sr">View</legend>
        {viewNames.map(([v, name]) => (
          <button
            type="button"
            aria-pressed={p.view === v}
            class={p.view === v ? "on" : ""}
            data-view={v}
            onClick={() => p.setView(v)}
          >
            {name}
          </button>
        ))}
      </fieldset>
      <div class="tl-group">
        <IconButton title="Zoom out (S)" label="Zoom out" onClick={() => p.zoom(2)}>
          −
        </IconButton>
        <IconButton title="Zoom in (W)" label="Zoom in" onClick={() => p.zoom(0.5)}>
          +
        </IconButton>
        <button type="button" class="tl-button" title="Whole trace (0)" onClick={p.whole}>
          Whole trace
        </button>
        <button
          type="button"
          class="tl-button"
          title="Zoom to selection (F)"
          disabled={!p.canZoomToSelection}
          onClick={p.zoomToSelection}
        >
          Zoom to selection
        </button>
      </div>
      <div class="tl-group">
        <label class="tl-check" title="Drag selects a time range instead of panning (or hold Shift)">
          <input
            type="checkbox"
            checked={p.selectMode}
            onChange={(e) => p.setSelectMode(e.currentTarget.checked)}
          />
          Select
        </label>
        <label class="tl-check" title="Arrows for goroutine creation, unblocking and syscall exits">
          <input type="checkbox" checked={p.flows} onChange={(e) => p.setFlows(e.currentTarget.checked)} />
          Flows
        </label>
        <label
          class="tl-check"
          title={
            p.emptyRows === 0
              ? "Every row of this view holds something"
              : `Show the ${plural(p.emptyRows, "row")} that ${pluralWord(p.emptyRows, "holds", "hold")} nothing in the whole trace`
          }
        >
          <input
            type="checkbox"
            checked={p.showEmpty}
            disabled={p.emptyRows === 0}
            onChange={(e) => p.setShowEmpty(e.currentTarget.checked)}
          />
          Empty rows
        </label>
        <label
          class="tl-check"
          title="Colour goroutines by their ID, or alike when they started in the same function"
        >
          <span class="tl-sr">Colour</span>
          <select
            value={p.colorBy}
            onChange={(e) => p.setColorBy(e.currentTarget.value === "function" ? "function" : "goroutine")}
          >
            <option value="goroutine">Colour by goroutine</option>
            <option value="function">Colour by function</option>
          </select>
        </label>
      </div>
      <div class="tl-find">
        <input
          ref={f.inputRef}
          type="search"
          placeholder="Find G, function, file, task…  (/)"
          aria-label="Find"
          title="Find a goroutine ID, a function or file in goroutines' stacks, a task or region name, or log text (/)"
          value={f.query}
          onInput={(e) => f.setQuery(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              e.preventDefault();
              f.step(e.shiftKey ? -1 : 1);
            } else if (e.key === "Escape") {
              e.currentTarget.blur();
            }
          }}
        />
        <span class="tl-count" aria-live="polite">
          {f.count === undefined
            ? ""
            : f.count === 0
              ? "no matches"
              : `${f.index + 1} / ${f.count}${f.truncated ? "+" : ""}`}
        </span>
        <IconButton title="Previous match (Shift+Enter)" label="Previous match" onClick={() => f.step(-1)}>
          ↑
        </IconButton>
        <IconButton title="Next match (Enter)" label="Next match" onClick={() => f.step(1)}>
          ↓
        </IconButton>
        <label class="tl-check" title="Goroutine view: show only goroutines that match">
          <input type="checkbox" checked={f.filter} onChange={(e) => f.setFilter(e.currentTarget.checked)} />
          Filter
        </label>
      </div>
      <button
        type="button"
        class="tl-icon tl-help-button"
        title="Shortcuts (?)"
        aria-label="Shortcuts"
        onClick={p.toggleHelp}
      >
        ?
      </button>
    </div>
  );
}
