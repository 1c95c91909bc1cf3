/**
 * go tool trace's four blocking profiles as a function of the model: the
 * goroutine state intervals (model/states.ts) read by the rules that
 * BlockingProfileAnalyzer (pprof.ts) applies to events, so a profile and
 * each of its filters (goroutine group, goroutine, time range, region) is a
 * scan over columns once the timeline is built, and no pass over the trace.
 *
 * The rules, as cmd/trace/pprof.go applies them:
 * - net: waiting for "network"; sync: waiting for a reason containing
 *   "chan", "sync" or "select"; syscall: in a syscall; sched: runnable.
 * - An interval counts once a transition closes it; one still open at the
 *   end of the trace does not. A damaged trace counts only intervals closed
 *   by its last Sync.
 * - Each interval is charged to the stack of the transition that began it,
 *   and clipped to its goroutine's [first run, end]. A goroutine ID used by
 *   several goroutines in turn (cgo callbacks) counts as its last one: only
 *   that one's intervals count, or, if it never ran, all of the ID's.
 * - Stacks are one record when their first 128 PCs are the same (trailing
 *   zero PCs aside); the record shows the frames of the one met last.
 */
import type { StackFrame } from "../decode/event.js";
import { StateKind, type StateRow, StateWalker } from "../model/states.js";
import type { Timeline } from "../model/timeline.js";
import {
  type BlockingType,
  blockingTypes,
  type ProfileFilter,
  ProfileFilterError,
  type ProfileRecord,
  type RegionFilter,
  type TimeRange,
} from "./pprof.js";
import { isSystemGoroutine } from "./pprof-scope.js";

/** Go compares stacks by their first 128 PCs (pprofMaxStack). */
const maxStackPcs = 128;

/** One life of a goroutine ID: from its creation (or first sight) to its end. */
interface Life {
  /** Goroutine index in the timeline, and the range of its state rows this life spans (in walk order). */
  readonly g: number;
  readonly firstRow: number;
  lastRow: number;
  /** First time it ran (NaN: never), and when it ended (NaN: it did not). */
  firstRunNs: number;
  endNs: number;
}

/** A closed interval of one profile's state, as the walk finds it. */
interface Interval {
  readonly k: number;
  readonly stack: number;
  readonly startNs: number;
  readonly endNs: number;
}

export class StateProfiles {
  private readonly walker: StateWalker;
  /** Whether intervals closed after the last Sync are dropped (a damaged trace). */
  private readonly cutNs: number;
  /** Stack → its PC group, and each group's representative frames, made on first use. */
  private readonly groupOf = new Map<number, number>();
  private readonly groupByPcs = new Map<string, number>();

  constructor(
    readonly tl: Timeline,
    options: { readonly damaged?: boolean } = {},
  ) {
    this.walker = new StateWalker(tl);
    this.cutNs = options.damaged ? tl.lastSyncNs : Number.POSITIVE_INFINITY;
  }

  /** The end of the profiled part of the trace (Go's t.endTime()). */
  get endNs(): number {
    return Math.min(this.cutNs, this.tl.durationNs);
  }

  /**
   * The records of one profile, by delay (largest first), as
   * BlockingProfiles.records gives them. Throws ProfileFilterError where Go
   * fails (no goroutine matches the group, or the trace has none).
   */
  records(type: BlockingType, filter?: ProfileFilter): ProfileRecord[] {
    const k = blockingTypes.indexOf(type);
    if (k < 0) throw new Error(`unknown profile type ${type}`);
    const tallies = new Map<number, { count: number; delayNs: number; stack: number; lastNs: number }>();
    const add = (stack: number, delayNs: number, closedNs: number) => {
      const group = this.group(stack);
      const t = tallies.get(group);
      if (!t) tallies.set(group, { count: 1, delayNs, stack, lastNs: closedNs });
      else {
        t.count++;
        t.delayNs += delayNs;
        if (closedNs >= t.lastNs) {
          t.lastNs = closedNs;
          t.stack = stack;
        }
      }
    };
    if (filter && "region" in filter) this.regionIntervals(k, filter.region, filter.range, add);
    else this.selectedIntervals(k, filter, filter?.range, add);
    const records = [...tallies.values()].map((t) => ({
      stack: this.tl.stacks.frames(t.stack) as StackFrame[],
      count: t.count,
      delayNs: t.delayNs,
    }));
    return records.sort((a, b) => b.delayNs - a.delayNs || b.count - a.count);
  }

  /** Goroutine groups: start function → number of goroutine IDs (as Go counts). */
  groups(): Map<string, number> {
    const out = new Map<string, number>();
    const gt = this.tl.goroutines;
    for (let g = 0; g < gt.length; g++) {
      const name = this.tl.strings.get(gt.func.get(g));
      out.set(name, (out.get(name) ?? 0) + 1);
    }
    return out;
  }

  /** The whole-trace, group or goroutine profile: each ID's counted intervals, cut to the range if any. */
  private selectedIntervals(
    k: number,
    filter: ProfileFilter | undefined,
    range: TimeRange | undefined,
    add: (stack: number, delayNs: number, closedNs: number) => void,
  ): void {
    const name = filter && "group" in filter ? filter.group : undefined;
    const id = filter && "goroutine" in filter ? filter.goroutine : undefined;
    const tl = this.tl;
    const gt = tl.goroutines;
    let selected = 0;
    for (let g = 0; g < gt.length; g++) {
      if (name !== undefined && tl.strings.get(gt.func.get(g)) !== name) continue;
      if (id !== undefined && gt.id.get(g) !== id) continue;
      selected++;
      const { rows, lives } = this.goroutine(g, k);
      const last = lives[lives.length - 1];
      if (!last) continue;
      const ran = !Number.isNaN(last.firstRunNs);
      for (const life of ran ? [last] : lives) {
        for (let r = life.firstRow; r <= life.lastRow; r++) {
          const iv = rows[r];
          if (!iv) continue;
          let delay = iv.endNs - iv.startNs;
          if (life === last && ran) {
            // Counted from its first run, up to its end.
            if (iv.startNs < life.firstRunNs) continue;
            if (!Number.isNaN(life.endNs))
              delay = life.endNs < iv.startNs ? 0 : Math.min(life.endNs, iv.endNs) - iv.startNs;
          } else if (
            !Number.isNaN(life.firstRunNs) &&
            iv.startNs >= life.firstRunNs &&
            !Number.isNaN(life.endNs)
          ) {
            delay = life.endNs < iv.startNs ? 0 : Math.min(life.endNs, iv.endNs) - iv.startNs;
          }
          if (delay <= 0) continue;
          if (range) delay = Math.min(range.endNs, iv.startNs + delay) - Math.max(range.startNs, iv.startNs);
          if (delay > 0) add(iv.stack, delay, iv.endNs);
        }
      }
    }
    if (selected === 0) {
      throw new ProfileFilterError(
        id !== undefined
          ? `no goroutine ${id} in the trace`
          : name === undefined
            ? "no goroutines in the trace"
            : `no goroutines found with start function "${name}"`,
      );
    }
  }

  /** Every closed interval of the IDs with matching regions, cut to their outermost matching regions. */
  private regionIntervals(
    k: number,
    filter: RegionFilter,
    range: TimeRange | undefined,
    add: (stack: number, delayNs: number, closedNs: number) => void,
  ): void {
    const spansByG = this.regionSpans(filter);
    for (const [g, spans] of spansByG) {
      const { rows } = this.goroutine(g, k);
      for (const iv of rows) {
        if (!iv) continue;
        let delay = 0;
        for (let [lo, hi] of spans) {
          if (range) {
            lo = Math.max(lo, range.startNs);
            hi = Math.min(hi, range.endNs);
          }
          if (hi < iv.startNs || iv.endNs < lo) continue;
          const o = Math.min(hi, iv.endNs) - Math.max(lo, iv.startNs);
          if (o > 0) delay += o;
        }
        if (delay > 0) add(iv.stack, delay, iv.endNs);
      }
    }
  }

  /**
   * Each goroutine's outermost regions that match the filter, from the last
   * life of its ID only, including the untyped region Go opens at a
   * goroutine's creation when its creator was inside one (the task it inherits).
   */
  private regionSpans(filter: RegionFilter): Map<number, [number, number][]> {
    const tl = this.tl;
    const rg = tl.regions;
    const gt = tl.goroutines;
    const endNs = this.endNs;
    const byG = new Map<number, [number, number][]>();
    const consider = (g: number, type: string, start: number, end: number, rootPc: number) => {
      if (filter.type !== undefined && type !== filter.type) return;
      if (filter.pc !== undefined && rootPc !== filter.pc) return;
      const span: [number, number] = [Number.isNaN(start) ? 0 : start, Number.isNaN(end) ? endNs : end];
      const dur = span[1] - span[0];
      if (filter.latMinNs !== undefined && dur < filter.latMinNs) return;
      if (filter.latMaxNs !== undefined && dur > filter.latMaxNs) return;
      let list = byG.get(g);
      if (!list) {
        list = [];
        byG.set(g, list);
      }
      list.push(span);
    };
    const lastLifeStart = (g: number): number => {
      const lives = this.goroutine(g, 0).lives;
      return lives.length > 0 ? this.lifeStartNs(g, lives[lives.length - 1]!) : 0;
    };
    for (let i = 0; i < rg.length; i++) {
      const g = rg.g.get(i);
      const start = rg.startNs.get(i);
      let end = rg.endNs.get(i);
      if (start < lastLifeStart(g)) continue;
      if (rg.endStack.get(i) === 0 && end === tl.durationNs) {
        // Still open when its goroutine ended, or at the end of the trace:
        // Go ends it there, except on system goroutines, whose open regions it drops.
        if (isSystemGoroutine(tl.strings.get(gt.func.get(g)))) continue;
        const gEnd = gt.endNs.get(g);
        end = Number.isNaN(gEnd) ? Number.NaN : gEnd;
      }
      consider(g, tl.strings.get(rg.name.get(i)), start, end, this.rootPc(rg.startStack.get(i)));
    }
    // The creation region: the creator was inside a region when it made the goroutine.
    for (let g = 0; g < gt.length; g++) {
      if (isSystemGoroutine(tl.strings.get(gt.func.get(g))) || !this.createdInRegion(g)) continue;
      const t = gt.createdNs.get(g);
      const end = gt.endNs.get(g);
      consider(g, "", t, end, this.rootPc(gt.createStack.get(g)));
    }
    const out = new Map<number, [number, number][]>();
    for (const [g, list] of byG) out.set(g, outermost(list));
    return out;
  }

  /**
   * Did goroutine g have a region open at time t? Its own regions (whose
   * begin was read), or the untyped one it got at its creation, which Go
   * keeps open until the goroutine ends.
   */
  private inRegion(g: number, t: number): boolean {
    const tl = this.tl;
    const base = tl.regionBase[g]!;
    const runs = tl.regionRuns;
    if (tl.regionDepths[g]! > 0) {
      // Depth 0 holds the outermost regions: inside any region is inside one of them.
      for (let i = runs[base]!; i < runs[base + 1]!; i++) {
        const s = tl.regions.startNs.get(i);
        if (s === 0 && tl.regions.startStack.get(i) === 0) continue;
        if (s < t && tl.regions.endNs.get(i) > t) return true;
      }
    }
    return this.createdInRegion(g) && tl.lifeEndNs(g) > t;
  }

  /** Was goroutine g created by a goroutine inside a region (so Go gives it an untyped region from then)? */
  private createdInRegion(g: number): boolean {
    let known = this.inheritsRegion.get(g);
    if (known === undefined) {
      const creator = this.tl.goroutines.creator.get(g);
      // Marked first: a cycle of creators (a reused ID) ends here.
      this.inheritsRegion.set(g, false);
      known = creator >= 0 && this.inRegion(creator, this.tl.goroutines.createdNs.get(g));
      this.inheritsRegion.set(g, known);
    }
    return known;
  }
  private readonly inheritsRegion = new Map<number, boolean>();

  private rootPc(stack: number): number {
    const frames = this.tl.stacks.frames(stack);
    return frames.length > 0 ? frames[frames.length - 1]!.pc : 0;
  }

  private lifeStartNs(g: number, life: Life): number {
    return life.firstRow === 0 ? this.tl.goroutines.createdNs.get(g) : (this.lifeStarts.get(life) ?? 0);
  }
  private readonly lifeStarts = new Map<Life, number>();

  /**
   * Goroutine g's closed intervals of profile k (undefined for rows of other
   * states, so row numbers stay those of the walk) and its lives.
   */
  private goroutine(g: number, k: number): { rows: (Interval | undefined)[]; lives: Life[] } {
    const rows: (Interval | undefined)[] = [];
    const lives: Life[] = [];
    const endNs = this.tl.goroutines.endNs.get(g);
    let life: Life | undefined;
    let lastEnd = Number.NaN;
    const cut = this.cutNs;
    this.walker.each(g, (r: StateRow) => {
      if (!life || r.startNs !== lastEnd) {
        if (life) life.endNs = lastEnd;
        life = { g, firstRow: rows.length, lastRow: rows.length, firstRunNs: Number.NaN, endNs: Number.NaN };
        if (rows.length > 0) this.lifeStarts.set(life, r.startNs);
        lives.push(life);
      }
      life.lastRow = rows.length;
      if (r.state === StateKind.Running && Number.isNaN(life.firstRunNs)) life.firstRunNs = r.startNs;
      lastEnd = r.endNs;
      rows.push(
        matches(this.tl, k, r) && r.endNs <= cut
          ? { k, stack: r.stack, startNs: r.startNs, endNs: r.endNs }
          : undefined,
      );
    });
    if (life) {
      life.endNs = Number.isNaN(endNs) ? Number.NaN : lastEnd;
      // The last interval of a goroutine that did not end was never closed.
      if (Number.isNaN(endNs)) rows[rows.length - 1] = undefined;
    }
    return { rows, lives };
  }

  /** The record a stack is tallied under: its first 128 PCs, trailing zero PCs aside. */
  private group(stack: number): number {
    let group = this.groupOf.get(stack);
    if (group === undefined) {
      const frames = this.tl.stacks.frames(stack);
      let n = Math.min(frames.length, maxStackPcs);
      while (n > 0 && frames[n - 1]!.pc === 0) n--;
      let pcs = "";
      for (let j = 0; j < n; j++) pcs += `${frames[j]!.pc},`;
      group = this.groupByPcs.get(pcs);
      if (group === undefined) {
        group = this.groupByPcs.size;
        this.groupByPcs.set(pcs, group);
      }
      this.groupOf.set(stack, group);
    }
    return group;
  }
}

/** Is state interval r one that profile k (index in blockingTypes) follows? */
function matches(tl: Timeline, k: number, r: StateRow): boolean {
  switch (k) {
    case 0:
      return r.state === StateKind.Waiting && tl.strings.get(r.reason) === "network";
    case 1: {
      if (r.state !== StateKind.Waiting) return false;
      const reason = tl.strings.get(r.reason);
      return reason.includes("chan") || reason.includes("sync") || reason.includes("select");
    }
    case 2:
      return r.state === StateKind.Syscall;
    default:
      return r.state === StateKind.Runnable;
  }
}

/** Go's "only the outermost regions": sorted by (start, end), a region is kept if it starts at or after the last kept one's end. */
function outermost(spans: [number, number][]): [number, number][] {
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const kept: [number, number][] = [];
  let last = Number.NEGATIVE_INFINITY;
  for (const s of spans) {
    if (last <= s[0]) {
      kept.push(s);
      last = s[1];
    }
  }
  return kept;
}
