/**
 * The wake-up walk: why a goroutine was where it was. From one interval of
 * one goroutine it goes back in time: a wait leads to whatever ended it
 * (the goroutine that woke it, at the moment it did), any other state to
 * the same goroutine's state before it, and a life's first moment to the
 * goroutine that created it. It stops at a root: a wait nothing recorded
 * ended (a sleep's timer, the network poller, an unknown waker), a
 * syscall, the trace's start, or the start of the window being explained
 * (the walk's question is what happened inside it).
 *
 * The steps are contiguous: each ends where the one before it starts,
 * except after a wait that a goroutine ended, where the next step is the
 * waker's, ending at the moment of the wake-up.
 */

import { StateKind, StateWalker } from "../../model/states.js";
import { GlobalKind } from "../../model/tables.js";
import type { Timeline } from "../../model/timeline.js";
import { defaultPieceSlices, handleBase, LazyStates, Wake } from "./states.js";

export interface Step {
  /** Goroutine index (Timeline.goroutines). */
  readonly g: number;
  readonly state: StateKind;
  readonly reason: string;
  readonly startNs: number;
  readonly endNs: number;
  readonly stack: number;
  /** For a wait (or a life's start): the goroutine index that ended it (−1 none) and how. */
  readonly wokenBy: number;
  readonly wake: Wake;
}

export type RootKind =
  | "running" // the walk reached the window's start while the goroutine ran
  | "runnable" // … while it waited for a P
  | "timer" // a sleep's end
  | "network" // the network poller's wake-up
  | "syscall" // time in a system call
  | "trace-start" // nothing before: the goroutine existed when the trace began
  | "window" // the walk reached the window's start while the goroutine waited
  | "unknown" // a wait the trace does not say who ended
  | "not-ended" // a wait still going when the trace (or the goroutine) ended
  | "limit"; // the walk stopped after maxSteps

export interface Chain {
  readonly steps: readonly Step[];
  readonly root: RootKind;
}

export const maxSteps = 10_000;

/** Per-goroutine states, read as the walks reach them and kept. */
export class StateCache {
  private readonly cache = new Map<number, LazyStates>();
  private readonly walker: StateWalker;
  constructor(
    readonly tl: Timeline,
    /** Execution slices per piece of a goroutine's states (tests make it small). */
    private readonly pieceSlices = defaultPieceSlices,
  ) {
    this.walker = new StateWalker(tl);
  }
  private stwCache: Float64Array | undefined;
  /** The trace's STW pauses, sorted. */
  stw(): Float64Array {
    this.stwCache ??= stwRanges(this.tl);
    return this.stwCache;
  }
  of(g: number): LazyStates {
    let s = this.cache.get(g);
    if (!s) {
      s = new LazyStates(this.tl, this.walker, g, this.pieceSlices);
      this.cache.set(g, s);
    }
    return s;
  }
}

/** Interval i (a LazyStates handle) of g as a step. */
function stepOf(
  tl: Timeline,
  g: number,
  s: LazyStates,
  i: number,
  endNs = s.endNs(i),
  stack = s.stack(i),
): Step {
  return {
    g,
    state: s.state(i),
    reason: tl.strings.get(s.reason(i)),
    startNs: s.startNs(i),
    endNs,
    stack,
    wokenBy: s.wokenBy(i),
    wake: s.wake(i),
  };
}

/**
 * Walks back from interval `i` (a LazyStates handle) of goroutine g. `windowStartNs` bounds the
 * walk: a step that starts at or before it is the last (the root is then
 * its state).
 */
export function walk(
  cache: StateCache,
  g: number,
  i: number,
  windowStartNs: number,
  endNs?: number,
  /** Go on through roots (sleeps, syscalls, unknown wakers) to the window's start: a critical path's need. */
  throughRoots = false,
): Chain {
  const steps: Step[] = [];
  let s = cache.of(g);
  let cur = stepOf(cache.tl, g, s, i, endNs ?? s.endNs(i));
  let idx = i;
  for (;;) {
    steps.push(cur);
    if (steps.length >= maxSteps) return { steps, root: "limit" };
    if (cur.state === StateKind.Waiting) {
      // The wait's end is explained by its waker, whenever the wait began.
      if (cur.wake === Wake.Goroutine && cur.wokenBy >= 0 && cur.endNs === s.endNs(idx)) {
        const ws = cache.of(cur.wokenBy);
        const j = ws.before(cur.endNs);
        if (j < 0 || ws.state(j) === StateKind.Waiting) return { steps, root: "unknown" };
        const wakeStack = s.wakeStack(idx);
        g = cur.wokenBy;
        s = ws;
        idx = j;
        // Where the waker was when it woke the goroutine, if the trace says.
        cur = stepOf(cache.tl, g, s, j, cur.endNs, wakeStack || s.stack(j));
        continue;
      }
      if (!throughRoots || cur.startNs <= windowStartNs) {
        if (cur.wake === Wake.Timer) return { steps, root: "timer" };
        if (cur.wake === Wake.Network) return { steps, root: "network" };
        // Still waiting when the trace (or the goroutine's life) ended: nothing ended it.
        if (cur.wake === Wake.None && cur.endNs >= cache.tl.lifeEndNs(g)) return { steps, root: "not-ended" };
        return { steps, root: throughRoots ? "window" : "unknown" };
      }
    }
    if (cur.state === StateKind.Syscall && !throughRoots) return { steps, root: "syscall" };
    if (cur.startNs <= windowStartNs)
      return { steps, root: cur.state === StateKind.Running ? "running" : "runnable" };
    const p = s.prev(idx);
    if (p >= 0 && s.endNs(p) === cur.startNs) {
      idx = p;
      cur = stepOf(cache.tl, g, s, idx);
      continue;
    }
    // A life's first interval: its creator, at the moment of the creation.
    if (cur.wake === Wake.Created && cur.wokenBy >= 0) {
      const cs = cache.of(cur.wokenBy);
      const j = cs.before(cur.startNs);
      if (j < 0 || cs.state(j) === StateKind.Waiting) return { steps, root: "unknown" };
      const createStack = s.wakeStack(idx);
      g = cur.wokenBy;
      s = cs;
      idx = j;
      cur = stepOf(cache.tl, g, s, j, steps[steps.length - 1]!.startNs, createStack || s.stack(j));
      continue;
    }
    // A goroutine no event created: it was there before the trace (or its first generation) began.
    const gt = cache.tl.goroutines;
    const before = cur.startNs <= gt.createdNs.get(g) && gt.creator.get(g) < 0;
    return { steps, root: before ? "trace-start" : "unknown" };
  }
}

/**
 * Why goroutine g was where it was at time atNs: the interval covering it,
 * explained since it began (a wait) or since the goroutine's last wait
 * before it (running, runnable, a syscall); without a time, its longest wait.
 * Undefined when g has no interval there.
 */
export function whyGoroutine(cache: StateCache, g: number, atNs?: number): Chain | undefined {
  const s = cache.of(g);
  let i = -1;
  if (atNs === undefined) {
    // The whole life is read: the longest wait may be anywhere.
    let longest = -1;
    for (let c = 0; c < s.pieceCount; c++) {
      const p = s.piece(c);
      for (let k = 0; k < p.length; k++) {
        const d = p.endNs[k]! - p.startNs[k]!;
        if (p.state[k] === StateKind.Waiting && d > longest) {
          longest = d;
          i = c * handleBase + k;
        }
      }
    }
  } else i = s.at(atNs);
  if (i < 0) return undefined;
  // Running or runnable: explained since the goroutine's last wait before it (or its life's start).
  // Looking back further than the walk's maxSteps changes nothing: the walk stops before it.
  let from = i;
  for (let n = 0; n < maxSteps && s.state(from) !== StateKind.Waiting; n++) {
    const p = s.prev(from);
    if (p < 0 || s.endNs(p) !== s.startNs(from)) break;
    from = p;
  }
  return walk(cache, g, i, s.startNs(from));
}

/** Cause categories of a critical path's time. */
export type Category = "executing" | "runnable" | "syscall" | "waiting" | "gc";

export interface Share {
  readonly category: Category;
  /** The goroutine the path was on (index), and, for a wait, its reason. */
  readonly g: number;
  readonly reason: string;
  readonly ns: number;
}

export interface CriticalPath {
  readonly chain: Chain;
  readonly startNs: number;
  readonly endNs: number;
  /** Time on the path by category and goroutine, largest first; they add up to endNs − startNs. */
  readonly shares: readonly Share[];
}

/** STW pauses as sorted [start, end) pairs. */
function stwRanges(tl: Timeline): Float64Array {
  const r = tl.globalRanges;
  const out: number[] = [];
  for (let i = 0; i < r.length; i++) {
    if (r.kind.get(i) === GlobalKind.STW) out.push(r.startNs.get(i), r.endNs.get(i));
  }
  const pairs: [number, number][] = [];
  for (let i = 0; i < out.length; i += 2) pairs.push([out[i]!, out[i + 1]!]);
  pairs.sort((a, b) => a[0] - b[0]);
  return Float64Array.from(pairs.flat());
}

/** Time of [a, b) inside the sorted, disjoint ranges (STW pauses do not overlap). */
function overlap(ranges: Float64Array, a: number, b: number): number {
  // The first range ending after a.
  let lo = 0;
  let hi = ranges.length / 2;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ranges[2 * mid + 1]! <= a) lo = mid + 1;
    else hi = mid;
  }
  let n = 0;
  for (let k = 2 * lo; k < ranges.length && ranges[k]! < b; k += 2) {
    const from = Math.max(a, ranges[k]!);
    const to = Math.min(b, ranges[k + 1]!);
    if (to > from) n += to - from;
  }
  return n;
}

/**
 * The critical path of a piece of work that ended on goroutine g at endNs
 * and began at startNs: the walk back from its end, bounded by its start,
 * with each moment of [startNs, endNs] counted once, under the state of the
 * goroutine the path was on then. A wait some goroutine ended takes no time
 * of its own: its waker's steps cover it. STW pauses are counted as GC.
 */
export function criticalPath(
  cache: StateCache,
  g: number,
  startNs: number,
  endNs: number,
): CriticalPath | undefined {
  const i = cache.of(g).before(endNs);
  if (i < 0) return undefined;
  const chain = walk(cache, g, i, startNs, endNs, true);
  const stw = cache.stw();
  const shares = new Map<string, { category: Category; g: number; reason: string; ns: number }>();
  const add = (category: Category, g: number, reason: string, ns: number) => {
    if (ns <= 0) return;
    const key = `${category}\0${g}\0${reason}`;
    const e = shares.get(key);
    if (e) e.ns += ns;
    else shares.set(key, { category, g, reason, ns });
  };
  const steps = chain.steps;
  for (let k = 0; k < steps.length; k++) {
    const st = steps[k]!;
    const next = steps[k + 1];
    // A wait its waker explains: the waker's steps hold this time.
    if (st.state === StateKind.Waiting && next && next.endNs === st.endNs && next.g !== st.g) continue;
    const a = Math.max(st.startNs, startNs);
    const b = Math.min(st.endNs, endNs);
    if (b <= a) continue;
    const gc = st.state === StateKind.Running || st.state === StateKind.Syscall ? 0 : overlap(stw, a, b);
    add("gc", st.g, "", gc);
    const category: Category =
      st.state === StateKind.Running
        ? "executing"
        : st.state === StateKind.Runnable
          ? "runnable"
          : st.state === StateKind.Syscall
            ? "syscall"
            : "waiting";
    add(category, st.g, category === "waiting" ? st.reason : "", b - a - gc);
  }
  // Before the chain's earliest step: the trace does not say (only possible when the walk hit a root early).
  const first = steps[steps.length - 1]!;
  if (first.startNs > startNs) add("waiting", -1, "unknown", Math.min(first.startNs, endNs) - startNs);
  return {
    chain,
    startNs,
    endNs,
    shares: [...shares.values()].sort((a, b) => b.ns - a.ns),
  };
}
