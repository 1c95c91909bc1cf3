/**
 * The goroutine summaries of GoroutineAnalyzer (stream/goroutines.ts, Go's
 * internal/trace/summary.go) as a function of the model: each goroutine's
 * execution, scheduler wait and block times are the lengths of its state
 * intervals (model/states.ts), its syscall times come from the syscall
 * table, and what intervals cannot say (when its last life began, its
 * name, when it first ran and ended, which CPU samples and GC range time
 * are its, when a syscall's P went idle by Go's rule) from the goroutine
 * lives the builder records (model/lives.ts). Go's odd corners are kept:
 *
 * - Only the last life of a goroutine ID counts; it begins at its creation,
 *   or for a goroutine already there when the trace began, at the Sync
 *   before it was first seen, that time counting in the state it was seen in.
 *   (The state intervals of a later life begin at its first run, so the
 *   time from its creation to then is counted from the life's first state.)
 * - A block "forever" ends the goroutine (its end and total) without being
 *   counted as blocked time; anything after it still counts.
 * - A syscall whose P went idle is syscall time up to then and syscall
 *   block time after; one still open at the end counts whole as syscall
 *   time and its blocked part also as scheduler wait.
 * - The total is the time to its (first) end, or to the end of the trace.
 */
import { StateKind, StateRows, StateWalker } from "../model/states.js";
import { MarkKind } from "../model/tables.js";
import type { Timeline } from "../model/timeline.js";
import type { GoroutineAnalysis, GoroutineSummary } from "./goroutine-stats.js";

const noTimes: ReadonlyMap<string, number> = new Map();

function add(m: Map<string, number>, key: string, ns: number): void {
  m.set(key, (m.get(key) ?? 0) + ns);
}

/** Another reader of every goroutine's state rows, given them as this walk reads them. */
export interface AlongsideWalk {
  /** Goroutine g's rows; called for every goroutine, in index order. */
  add(g: number, rows: StateRows): void;
  finish(): void;
}

/**
 * Every goroutine Go's summarizer would know, by ID, with the times it
 * would give. `alongside` (the blocking profiles' intervals) is given every
 * goroutine's state rows on the way, so that the states are walked once for both.
 */
export function goroutineSummaries(timeline: Timeline, alongside?: AlongsideWalk): GoroutineAnalysis {
  const tl = timeline;
  const lives = tl.lives;
  const gt = tl.goroutines;
  const origin = tl.originNs;
  const lastNs = tl.durationNs;
  const walker = new StateWalker(tl);
  const strings = tl.strings;

  // Go-rule syscall blocks by goroutine, then by the syscall's number.
  const blocks = new Map<number, Map<number, { ns: number; open: boolean }>>();
  for (const b of lives.syscallBlocks) {
    let m = blocks.get(b.g);
    if (!m) {
      m = new Map();
      blocks.set(b.g, m);
    }
    m.set(b.nth, b);
  }

  const out: GoroutineSummary[] = [];
  const rows = new StateRows();
  for (let g = 0; g < gt.length; g++) {
    if (alongside) {
      walker.rowsOf(g, rows);
      alongside.add(g, rows);
    }
    if (!lives.alive(g)) continue;
    if (!alongside) walker.rowsOf(g, rows);
    const lifeNs = lives.lifeNs.get(g);
    const seenNs = lives.seenNs.get(g);
    const undetermined = lives.lifeSeenExisting(g);
    // Go counts from the Sync for a goroutine first seen in a state, else from its first transition.
    const from = undetermined ? lifeNs : seenNs;

    let execNs = 0;
    let schedWaitNs = 0;
    let syscallNs = 0;
    let syscallBlockNs = 0;
    let blockNs: Map<string, number> | undefined;
    for (let i = 0; i < rows.n; i++) {
      const endNs = rows.endNs[i]!;
      if (endNs <= from) continue;
      const start = Math.max(rows.startNs[i]!, from);
      switch (rows.state[i]) {
        case StateKind.Running:
          execNs += endNs - start;
          break;
        case StateKind.Runnable:
          schedWaitNs += endNs - start;
          break;
        case StateKind.Waiting: {
          // A block "forever" is the goroutine's end, not a block, except for
          // the time before it was first seen, which Go counts in its state.
          const reason = strings.get(rows.reason[i]!);
          const end = reason === "forever" ? Math.min(endNs, seenNs) : endNs;
          if (end > start) {
            blockNs ??= new Map();
            add(blockNs, reason, end - start);
          }
          break;
        }
      }
    }

    if (lives.life.get(g) > 0) {
      // A later life of the ID: the states read from the slices begin at its
      // first run, so the time from its creation to then is counted here.
      const x = tl.exec;
      const { order, starts } = tl.execByG;
      let k = starts[g]!;
      while (k < starts[g + 1]! && x.startNs.get(order[k]!) < lifeNs) k++;
      const firstRun = k < starts[g + 1]! ? x.startNs.get(order[k]!) : tl.lifeEndNs(g);
      const before = k > starts[g]! ? order[k - 1]! : -1;
      const ready = before >= 0 ? x.readyNs.get(before) : Number.NaN;
      const began = lives.lifeBegan(g);
      if (began === "runnable") schedWaitNs += firstRun - lifeNs;
      else if (began === "waiting") {
        const until = Number.isNaN(ready) ? firstRun : Math.min(ready, firstRun);
        const reason = strings.get(lives.lifeReason.get(g));
        if (until > lifeNs && reason !== "forever") {
          blockNs ??= new Map();
          add(blockNs, reason, until - lifeNs);
        }
        if (firstRun > until) schedWaitNs += firstRun - until;
      }
    }

    const sys = tl.syscallsByG;
    const mine = blocks.get(g);
    const first = sys.starts[g]! + lives.lifeSyscall.get(g);
    for (let k = first; k < sys.starts[g + 1]!; k++) {
      const r = sys.order[k]!;
      const end = tl.syscalls.threadEnd(r);
      let start = Math.max(tl.syscalls.startNs.get(r), from);
      if (start < seenNs) {
        // In a syscall when first seen: without a P, it had blocked.
        if (tl.syscalls.p.get(r) === -1) syscallBlockNs += seenNs - start;
        else syscallNs += seenNs - start;
        start = seenNs;
      }
      const block = mine?.get(k - sys.starts[g]! + 1);
      if (block === undefined) syscallNs += end - start;
      else if (block.open) {
        syscallNs += end - start;
        schedWaitNs += end - block.ns;
      } else {
        syscallNs += block.ns - start;
        syscallBlockNs += end - block.ns;
      }
    }

    let cpuSamples = 0;
    const mk = tl.marksByG;
    const lifeMark = lives.lifeMark.get(g);
    for (let k = mk.starts[g]!; k < mk.starts[g + 1]!; k++) {
      const i = mk.order[k]!;
      if (i >= lifeMark && tl.marks.kind.get(i) === MarkKind.CPUSample) cpuSamples++;
    }

    let rangeNs: Map<string, number> | undefined;
    const ranges = lives.rangeNs.get(g);
    if (ranges) {
      rangeNs = new Map();
      for (const [name, ns] of ranges) rangeNs.set(strings.get(name), ns);
    }

    const frames = tl.stacks.frames(lives.nameStack.get(g));
    const root = frames[frames.length - 1];
    const totalEnd = lives.totalEndNs.get(g);
    const endNs = lives.endNs.get(g);
    const firstRun = lives.firstRunNs.get(g);
    out.push({
      id: gt.id.get(g),
      name: root?.func ?? "",
      pc: root?.pc ?? 0,
      creationNs: lifeNs + origin,
      startNs: Number.isNaN(firstRun) ? undefined : firstRun + origin,
      endNs: Number.isNaN(endNs) ? undefined : endNs + origin,
      totalNs: (Number.isNaN(totalEnd) || totalEnd === lifeNs ? lastNs : totalEnd) - lifeNs,
      execNs,
      schedWaitNs,
      syscallNs,
      syscallBlockNs,
      blockNs: blockNs ?? noTimes,
      rangeNs: rangeNs ?? noTimes,
      cpuSamples,
    });
  }
  alongside?.finish();
  out.sort((a, b) => a.id - b.id);
  return { goroutines: out };
}
