/**
 * Find: a goroutine ID ("G12" or "12"), or text matched against goroutine
 * start functions, task and region names and log messages. Strings are
 * interned, so text is matched once per distinct string and the large
 * tables (7M regions) are scanned as integer columns.
 */
import { MarkKind } from "../../model/tables.js";
import type { Timeline } from "../../model/timeline.js";
import { sliceID, Tag } from "./lanes.js";
import type { FindResponse, Match } from "./protocol.js";

export function findMatches(tl: Timeline, query: string, limit: number): FindResponse {
  const q = query.trim();
  const matches: Match[] = [];
  const goroutines = new Set<number>();
  let truncated = false;
  const push = (m: Match): boolean => {
    if (matches.length >= limit) {
      truncated = true;
      return false;
    }
    matches.push(m);
    if (m.goroutine !== undefined) goroutines.add(m.goroutine);
    return true;
  };
  const G = tl.goroutines;
  const idMatch = /^[Gg]?(\d+)$/.exec(q);
  if (idMatch) {
    const g = tl.goroutineIndex(Number(idMatch[1]));
    if (g >= 0)
      push({
        kind: "goroutine",
        label: tl.goroutineName(g),
        goroutine: G.id.get(g),
        startNs: G.createdNs.get(g),
        endNs: tl.lifeEndNs(g),
      });
  }
  if (q !== "" && !idMatch) {
    const needle = q.toLowerCase();
    const hits = new Uint8Array(tl.strings.size);
    for (let s = 1; s < tl.strings.size; s++)
      if (tl.strings.get(s).toLowerCase().includes(needle)) hits[s] = 1;
    for (const g of tl.goroutineOrder) {
      if (!hits[G.func.get(g)] && !hits[G.label.get(g)]) continue;
      const m: Match = {
        kind: "function",
        label: tl.goroutineName(g),
        goroutine: G.id.get(g),
        startNs: G.createdNs.get(g),
        endNs: tl.lifeEndNs(g),
      };
      if (!push(m)) break;
    }
    const t = tl.tasks;
    for (let i = 0; i < t.length && !truncated; i++) {
      if (!hits[t.name.get(i)]) continue;
      const g = t.startG.get(i);
      push({
        kind: "task",
        label: `T${t.id.get(i)} ${tl.strings.get(t.name.get(i))}`,
        goroutine: g >= 0 ? G.id.get(g) : undefined,
        startNs: t.startNs.get(i),
        endNs: t.endNs.get(i),
        sliceId: sliceID(Tag.Task, i),
      });
    }
    const r = tl.regions;
    for (let i = 0; i < r.length && !truncated; i++) {
      if (!hits[r.name.get(i)]) continue;
      push({
        kind: "region",
        label: tl.strings.get(r.name.get(i)),
        goroutine: G.id.get(r.g.get(i)),
        startNs: r.startNs.get(i),
        endNs: r.endNs.get(i),
        sliceId: sliceID(Tag.Region, i),
      });
    }
    const mk = tl.marks;
    for (let i = 0; i < mk.length && !truncated; i++) {
      if (mk.kind.get(i) !== MarkKind.Log || !hits[mk.label.get(i)]) continue;
      const g = mk.g.get(i);
      const at = mk.timeNs.get(i);
      push({
        kind: "log",
        label: tl.strings.get(mk.label.get(i)),
        goroutine: g >= 0 ? G.id.get(g) : undefined,
        startNs: at,
        endNs: at,
      });
    }
  }
  return { query, matches, goroutines: [...goroutines].sort((a, b) => a - b), truncated };
}
