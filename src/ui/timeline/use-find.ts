/**
 * Find on the timeline: the engine matches goroutine IDs, start functions,
 * the functions and files of the goroutines' stacks, task/region names and
 * log texts; matching goroutines are highlighted (nothing is dimmed when
 * nothing matched) on
 * the canvas, match times marked on the axis, and Enter / Shift+Enter step
 * through them. The filter keeps only matching goroutines in the goroutine view.
 */
import { useMemo, useRef, useState } from "preact/hooks";
import type { FindResponse, ViewKind } from "../../query/timeline/protocol.js";
import type { EngineClient } from "../engine-client.js";
import type { TimelineController } from "./controller.js";
import { windowAround } from "./viewport.js";

/** Most matches asked for: enough to list, few enough to draw on the axis every frame. */
const findLimit = 1000;

export interface FindHooks {
  readonly selectSlice: (id: number) => void;
  readonly focusGoroutine: (g: number) => void;
  readonly view: ViewKind;
  readonly setView: (v: ViewKind) => void;
}

export interface FindState {
  /** The text in the box. */
  readonly query: string;
  /** The query the current answer is for ("" when none). */
  readonly ran: string;
  readonly resp?: FindResponse;
  readonly index: number;
  readonly filter: boolean;
}

export function useFind(engine: EngineClient, ctl: TimelineController, hooks: FindHooks) {
  const [find, setFind] = useState<FindState>({ query: "", ran: "", index: -1, filter: false });
  const token = useRef(0);
  const hooksRef = useRef(hooks);
  hooksRef.current = hooks;

  const show = (resp: FindResponse | undefined, index: number) => {
    // Nothing found leaves the picture as it was: dimming everything would only hide it.
    const found = resp !== undefined && resp.matches.length > 0 ? resp : undefined;
    ctl.highlight = found ? new Set(found.goroutines) : undefined;
    ctl.highlightSlices = found
      ? new Set(found.matches.flatMap((m) => (m.sliceId === undefined ? [] : [m.sliceId])))
      : undefined;
    ctl.matchTimes = resp?.matches.map((m) => m.startNs);
    ctl.currentMatchNs = resp?.matches[index]?.startNs;
    ctl.requestRender();
  };

  const goToMatch = (resp: FindResponse, i: number) => {
    const m = resp.matches[i];
    if (!m) return;
    setFind((f) => ({ ...f, index: i }));
    ctl.currentMatchNs = m.startNs;
    const w = ctl.win;
    const span = w.endNs - w.startNs;
    if (m.startNs < w.startNs || m.endNs > w.endNs) {
      if (m.endNs - m.startNs < span * 0.8) {
        const mid = (m.startNs + m.endNs) / 2;
        ctl.setWindow({ startNs: mid - span / 2, endNs: mid + span / 2 });
      } else {
        ctl.setWindow(windowAround(m.startNs, m.endNs, 0.1, ctl.durationNs));
      }
    }
    const h = hooksRef.current;
    if (m.sliceId !== undefined && h.view === "goroutine") h.selectSlice(m.sliceId);
    else if (m.goroutine !== undefined) h.focusGoroutine(m.goroutine);
    ctl.requestRender();
  };

  /** Runs `q`; with `jump`, moves to the first match. */
  const run = (q: string, filter: boolean, jump: boolean) => {
    const t = ++token.current;
    if (filter && hooksRef.current.view !== "goroutine") hooksRef.current.setView("goroutine");
    setFind((f) => ({ ...f, query: q, filter }));
    if (q.trim() === "") {
      setFind((f) => ({ ...f, ran: "", resp: undefined, index: -1 }));
      show(undefined, -1);
      return;
    }
    engine.find(q, findLimit).then(
      (resp) => {
        if (t !== token.current) return;
        setFind((f) => ({ ...f, ran: q, resp, index: jump && resp.matches.length > 0 ? 0 : -1 }));
        show(resp, jump ? 0 : -1);
        if (jump && resp.matches.length > 0) goToMatch(resp, 0);
      },
      (e: unknown) => {
        if (t === token.current)
          setFind((f) => ({
            ...f,
            ran: q,
            resp: { query: q, matches: [], goroutines: [], truncated: false },
            index: -1,
          }));
        console.warn(`find: ${String(e)}`);
      },
    );
  };

  const findStep = (dir: 1 | -1) => {
    if (!find.resp || find.ran !== find.query) return run(find.query, find.filter, true);
    const n = find.resp.matches.length;
    if (n === 0) return;
    goToMatch(find.resp, ((((find.index < 0 ? (dir > 0 ? -1 : 0) : find.index) + dir) % n) + n) % n);
  };

  const filterSet = useMemo(
    () => (find.filter && find.resp ? new Set(find.resp.goroutines) : undefined),
    [find.filter, find.resp],
  );

  return {
    find,
    filterSet,
    findStep,
    setQuery: (q: string) => setFind((f) => ({ ...f, query: q })),
    setFilter: (on: boolean) => {
      if (on && hooksRef.current.view !== "goroutine") hooksRef.current.setView("goroutine");
      if (on && !find.resp && find.query) run(find.query, true, false);
      else setFind((f) => ({ ...f, filter: on }));
    },
    goToMatch: (i: number) => find.resp && goToMatch(find.resp, i),
    run,
    close: () => {
      token.current++;
      setFind((f) => ({ ...f, ran: "", resp: undefined, index: -1, filter: false }));
      show(undefined, -1);
    },
  };
}
