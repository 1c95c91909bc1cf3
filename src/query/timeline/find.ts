/**
 * Find: a goroutine ID ("G12" or "12"), or text matched against goroutine
 * start functions, the functions and files of the stacks of goroutines'
 * events, task and region names and log messages. Strings are interned,
 * so text is matched once per distinct string, stacks once per distinct
 * stack, and the large tables (7M regions) are scanned as integer columns.
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
    const byFunction = new Uint8Array(G.length);
    for (const g of tl.goroutineOrder) {
      if (!hits[G.func.get(g)] && !hits[G.label.get(g)]) continue;
      byFunction[g] = 1;
      const m: Match = {
        kind: "function",
        label: tl.goroutineName(g),
        goroutine: G.id.get(g),
        startNs: G.createdNs.get(g),
        endNs: tl.lifeEndNs(g),
      };
      if (!push(m)) break;
    }
    const first = firstStackHits(tl, hits);
    for (const g of tl.goroutineOrder) {
      if (truncated) break;
      if (byFunction[g] || !first || first.stack[g] === 0) continue;
      const at = first.timeNs[g]!;
      push({
        kind: "stack",
        label: tl.goroutineName(g),
        frame: tl.stacks.frameWithStrings(first.stack[g]!, hits),
        goroutine: G.id.get(g),
        startNs: at,
        endNs: at,
      });
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

/**
 * For each goroutine, the first of its events (creation, the end of a run,
 * a syscall, a region, a log or CPU sample) whose stack has a frame naming
 * a hit string, and that stack; undefined when no stack has such a frame.
 */
function firstStackHits(
  tl: Timeline,
  hits: Uint8Array,
): { timeNs: Float64Array; stack: Int32Array } | undefined {
  const stackHit = tl.stacks.stacksWithStrings(hits);
  if (!stackHit.includes(1)) return undefined;
  const G = tl.goroutines;
  const timeNs = new Float64Array(G.length).fill(Number.POSITIVE_INFINITY);
  const stack = new Int32Array(G.length);
  const see = (g: number, s: number, t: number) => {
    if (g >= 0 && stackHit[s] && t < timeNs[g]!) {
      timeNs[g] = t;
      stack[g] = s;
    }
  };
  for (let g = 0; g < G.length; g++) see(g, G.createStack.get(g), G.createdNs.get(g));
  const x = tl.exec;
  for (let i = 0; i < x.length; i++) see(x.g.get(i), x.endStack.get(i), x.endNs.get(i));
  const sys = tl.syscalls;
  for (let i = 0; i < sys.length; i++) see(sys.g.get(i), sys.stack.get(i), sys.startNs.get(i));
  const r = tl.regions;
  for (let i = 0; i < r.length; i++) {
    see(r.g.get(i), r.startStack.get(i), r.startNs.get(i));
    see(r.g.get(i), r.endStack.get(i), r.endNs.get(i));
  }
  const mk = tl.marks;
  for (let i = 0; i < mk.length; i++) {
    const kind = mk.kind.get(i);
    if (kind === MarkKind.Log || kind === MarkKind.CPUSample)
      see(mk.g.get(i), mk.stack.get(i), mk.timeNs.get(i));
  }
  return { timeNs, stack };
}
