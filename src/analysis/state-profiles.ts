/**
 * go tool trace's four blocking profiles as a function of the model: the
 * goroutine state intervals (model/states.ts) read by the rules that
 * BlockingProfileAnalyzer (stream/pprof.ts) applies to events, so a profile and
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

import { F64Column, IntColumn, RelColumn } from "../model/columns.js";
import { StateKind, StateRows, StateWalker } from "../model/states.js";
import type { Timeline } from "../model/timeline.js";
import type { StackFrame } from "../model/vocabulary.js";
import {
  type BlockingType,
  blockingTypes,
  isSystemGoroutine,
  maxStackPcs,
  noGoroutinesError,
  type ProfileFilter,
  type ProfileRecord,
  type RegionFilter,
  type TimeRange,
} from "./profile.js";

/** What a delay is stored relative to: nothing (a RelColumn of lengths). */
const zero = { get: () => 0, lastPushed: 0 };

/**
 * The closed intervals of one profile's state, all goroutines, in goroutine
 * order (rows of goroutine index g: byG[g] .. byG[g+1]), with the delay the
 * unfiltered profile counts for each (0: not counted). Built for the four
 * profiles in one walk over the states, on the first question. The end and
 * the delay take 4 bytes each (RelColumn: whole when 2.1 s or longer).
 */
class Intervals {
  readonly g = new IntColumn();
  readonly stack = new IntColumn();
  readonly startNs = new F64Column();
  readonly endNs = new RelColumn(this.startNs);
  readonly delayNs = new RelColumn(zero);
  byG: Int32Array = new Int32Array(0);

  get length(): number {
    return this.g.length;
  }
}

export class StateProfiles {
  private readonly walker: StateWalker;
  /** Intervals closed after this are dropped (the last Sync of a damaged trace). */
  private readonly cutNs: number;
  private profiles: Intervals[] | undefined;
  /** When the last life of each goroutine index began (regions before it belong to an earlier goroutine). */
  private lastLifeNs: Float64Array = new Float64Array(0);
  /** Stack → its record group (−1: not yet known). */
  private groupOf = new Int32Array(0);
  private readonly groupByPcs = new Map<string, number>();

  constructor(
    readonly tl: Timeline,
    options: { readonly damaged?: boolean } = {},
  ) {
    this.walker = new StateWalker(tl);
    this.cutNs = options.damaged ? tl.lastSyncNs : Number.POSITIVE_INFINITY;
  }

  /** Computes now what the first question would (the four profiles' intervals). */
  prepare(): void {
    this.intervals();
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
    const iv = this.intervals()[k]!;
    const count: number[] = [];
    const delay: number[] = [];
    const shown: number[] = [];
    const last: number[] = [];
    /** The records in the order first met, and the earliest close of each one's intervals. */
    const met: number[] = [];
    const firstClosed: number[] = [];
    const add = (row: number, delayNs: number) => {
      const stack = iv.stack.get(row);
      const group = this.group(stack);
      const closed = iv.endNs.get(row);
      if (count[group] === undefined) {
        met.push(group);
        count[group] = 1;
        delay[group] = delayNs;
        shown[group] = stack;
        last[group] = closed;
        firstClosed[group] = closed;
        return;
      }
      count[group]!++;
      delay[group]! += delayNs;
      if (closed >= last[group]!) {
        last[group] = closed;
        shown[group] = stack;
      }
      if (closed < firstClosed[group]!) firstClosed[group] = closed;
    };
    const cut = filter !== undefined && ("region" in filter || filter.range !== undefined);
    if (filter && "region" in filter) this.regionRows(iv, filter.region, filter.range, add);
    else this.selectedRows(iv, filter, filter?.range, add);
    // Records of equal delay and count keep BlockingProfiles' order: the order
    // met, goroutine by goroutine, and for a range or region, which it reads
    // from the intervals in the order they closed, that of their first close.
    if (cut) met.sort((a, b) => firstClosed[a]! - firstClosed[b]!);
    const records: ProfileRecord[] = met.map((group) => ({
      stack: this.tl.stacks.frames(shown[group]!) as StackFrame[],
      count: count[group]!,
      delayNs: delay[group]!,
    }));
    return records.sort((a, b) => b.delayNs - a.delayNs || b.count - a.count);
  }

  /**
   * Calls `visit` with each interval one profile counts under the filter:
   * its goroutine index, the stack it is charged to and the delay counted.
   * Throws where records() does.
   */
  visit(
    type: BlockingType,
    filter: ProfileFilter | undefined,
    visit: (g: number, stack: number, delayNs: number) => void,
  ): void {
    const k = blockingTypes.indexOf(type);
    if (k < 0) throw new Error(`unknown profile type ${type}`);
    const iv = this.intervals()[k]!;
    const add = (row: number, delayNs: number) => visit(iv.g.get(row), iv.stack.get(row), delayNs);
    if (filter && "region" in filter) this.regionRows(iv, filter.region, filter.range, add);
    else this.selectedRows(iv, filter, filter?.range, add);
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

  /** The whole-trace, group or goroutine profile: each counted interval, cut to the range if any. */
  private selectedRows(
    iv: Intervals,
    filter: ProfileFilter | undefined,
    range: TimeRange | undefined,
    add: (row: number, delayNs: number) => void,
  ): void {
    const name = filter && "group" in filter ? filter.group : undefined;
    const id = filter && "goroutine" in filter ? filter.goroutine : undefined;
    const tl = this.tl;
    const gt = tl.goroutines;
    const start = iv.startNs.array;
    const delay = iv.delayNs;
    const nameID = name === undefined ? -1 : tl.strings.lookup(name);
    let selected = 0;
    for (let g = 0; g < gt.length; g++) {
      if (name !== undefined && gt.func.get(g) !== nameID) continue;
      if (id !== undefined && gt.id.get(g) !== id) continue;
      selected++;
      for (let r = iv.byG[g]!; r < iv.byG[g + 1]!; r++) {
        let d = delay.get(r);
        if (d <= 0) continue;
        const s = start[r]!;
        if (range) d = Math.min(range.endNs, s + d) - Math.max(range.startNs, s);
        if (d > 0) add(r, d);
      }
    }
    if (selected === 0) {
      throw noGoroutinesError(id, name);
    }
  }

  /** Every closed interval of the IDs with matching regions, cut to their outermost matching regions. */
  private regionRows(
    iv: Intervals,
    filter: RegionFilter,
    range: TimeRange | undefined,
    add: (row: number, delayNs: number) => void,
  ): void {
    const start = iv.startNs.array;
    const end = iv.endNs;
    for (const [g, spans] of this.regionSpans(filter)) {
      for (let r = iv.byG[g]!; r < iv.byG[g + 1]!; r++) {
        const s = start[r]!;
        const e = end.get(r);
        let delay = 0;
        for (let j = 0; j < spans.length; j += 2) {
          let lo = spans[j]!;
          let hi = spans[j + 1]!;
          if (range) {
            lo = Math.max(lo, range.startNs);
            hi = Math.min(hi, range.endNs);
          }
          if (hi < s || e < lo) continue;
          const o = Math.min(hi, e) - Math.max(lo, s);
          if (o > 0) delay += o;
        }
        if (delay > 0) add(r, delay);
      }
    }
  }

  /** The four profiles' intervals, made in one walk over every goroutine's states. */
  private intervals(): Intervals[] {
    if (this.profiles) return this.profiles;
    const build = this.build()!;
    const rows = new StateRows();
    for (let g = 0; g < this.tl.goroutines.length; g++) {
      this.walker.rowsOf(g, rows);
      build.add(g, rows);
    }
    build.finish();
    return this.profiles!;
  }

  /**
   * Builds the intervals from another walk over the states (the goroutine
   * summaries'), which calls add with every goroutine's rows in index
   * order, then finish; undefined when they are built already.
   */
  build(): { add(g: number, rows: StateRows): void; finish(): void } | undefined {
    if (this.profiles) return undefined;
    const tl = this.tl;
    const nG = tl.goroutines.length;
    const out = blockingTypes.map(() => new Intervals());
    for (const iv of out) iv.byG = new Int32Array(nG + 1);
    const lastLifeNs = new Float64Array(nG);
    const kinds = new ReasonKinds(tl);
    const cut = this.cutNs;
    const lives = tl.lives;
    const add = (g: number, rows: StateRows) => {
      const n = rows.n;
      const ended = !Number.isNaN(tl.goroutines.endNs.get(g));
      // Lives: runs of contiguous rows. Go counts the ID's last goroutine: from
      // its first run to its end if it ran, else every goroutine the ID had.
      let lastLife = 0;
      for (let i = 1; i < n; i++) if (rows.startNs[i] !== rows.endNs[i - 1]) lastLife = i;
      lastLifeNs[g] = n > 0 ? rows.startNs[lastLife]! : tl.goroutines.createdNs.get(g);
      let lastRan = false;
      for (let i = lastLife; i < n && !lastRan; i++) lastRan = rows.state[i] === StateKind.Running;
      let lifeStart = 0;
      while (lifeStart < n) {
        let lifeEnd = lifeStart + 1;
        while (lifeEnd < n && rows.startNs[lifeEnd] === rows.endNs[lifeEnd - 1]) lifeEnd++;
        // The life's first run, and its end (the last life's only if the goroutine ended).
        let firstRun = Number.NaN;
        for (let i = lifeStart; i < lifeEnd && Number.isNaN(firstRun); i++)
          if (rows.state[i] === StateKind.Running) firstRun = rows.startNs[i]!;
        const isLast = lifeEnd === n;
        const lifeEndNs = isLast && !ended ? Number.NaN : rows.endNs[lifeEnd - 1]!;
        const counted = isLast ? true : !lastRan;
        for (let i = lifeStart; i < lifeEnd; i++) {
          // The last interval of a goroutine that did not end was never closed.
          if (isLast && !ended && i === n - 1) break;
          const e = rows.endNs[i]!;
          if (e > cut) continue;
          const k = kinds.profile(rows.state[i]!, rows.reason[i]!);
          if (k < 0) continue;
          let s = rows.startNs[i]!;
          // A goroutine first seen already there is in its state from the Sync
          // before, but Go's profile starts the wait at that first transition.
          if (i === lifeStart && isLast && lives.lifeSeenExisting(g)) s = Math.max(s, lives.seenNs.get(g));
          let delay = 0;
          if (counted) {
            delay = e - s;
            if (!Number.isNaN(firstRun) && s >= firstRun) {
              if (!Number.isNaN(lifeEndNs)) delay = lifeEndNs < s ? 0 : Math.min(lifeEndNs, e) - s;
            } else if (isLast && lastRan) delay = 0;
          }
          const iv = out[k]!;
          iv.g.push(g);
          iv.stack.push(rows.stack[i]!);
          iv.startNs.push(s);
          iv.endNs.push(e);
          iv.delayNs.push(Math.max(0, delay));
        }
        lifeStart = lifeEnd;
      }
      for (const iv of out) iv.byG[g + 1] = iv.length;
    };
    const finish = () => {
      for (const iv of out) for (const c of [iv.g, iv.stack, iv.startNs, iv.endNs, iv.delayNs]) c.seal();
      this.lastLifeNs = lastLifeNs;
      this.profiles = out;
    };
    return { add, finish };
  }

  /**
   * Each goroutine's outermost regions that match the filter, from the last
   * life of its ID only, including the untyped region Go opens at a
   * goroutine's creation when its creator was inside one (the task it inherits).
   * Each goroutine's spans are start, end pairs in one array (a region filter
   * reads millions of regions: a pair object each would be 60 bytes more).
   */
  private regionSpans(filter: RegionFilter): Map<number, Float64Array> {
    this.intervals();
    const tl = this.tl;
    const rg = tl.regions;
    const gt = tl.goroutines;
    const endNs = this.endNs;
    const byG = new Map<number, number[]>();
    const consider = (g: number, start: number, end: number, rootPc: number) => {
      if (filter.pc !== undefined && rootPc !== filter.pc) return;
      const lo = Number.isNaN(start) ? 0 : start;
      const hi = Number.isNaN(end) ? endNs : end;
      if (filter.latMinNs !== undefined && hi - lo < filter.latMinNs) return;
      if (filter.latMaxNs !== undefined && hi - lo > filter.latMaxNs) return;
      let list = byG.get(g);
      if (!list) {
        list = [];
        byG.set(g, list);
      }
      list.push(lo, hi);
    };
    // Names compared as interned IDs: a type never interned names no region.
    const typeID = filter.type === undefined ? -1 : tl.strings.lookup(filter.type);
    if (filter.type === undefined || typeID >= 0) {
      for (let i = 0; i < rg.length; i++) {
        if (typeID >= 0 && rg.name.get(i) !== typeID) continue;
        const g = rg.g.get(i);
        const start = rg.startNs.get(i);
        let end = rg.endNs.get(i);
        if (start < this.lastLifeNs[g]!) continue;
        if (rg.endStack.get(i) === 0 && end === tl.durationNs) {
          // Still open when its goroutine ended, or at the end of the trace:
          // Go ends it there, except on system goroutines, whose open regions it drops.
          if (isSystemGoroutine(tl.strings.get(gt.func.get(g)))) continue;
          const gEnd = gt.endNs.get(g);
          end = Number.isNaN(gEnd) ? Number.NaN : gEnd;
        }
        consider(g, start, end, this.rootPc(rg.startStack.get(i)));
      }
    }
    // The creation region: the creator was inside a region when it made the goroutine.
    if (filter.type === undefined || filter.type === "") {
      for (let g = 0; g < gt.length; g++) {
        if (isSystemGoroutine(tl.strings.get(gt.func.get(g))) || !this.createdInRegion(g)) continue;
        consider(g, gt.createdNs.get(g), gt.endNs.get(g), this.rootPc(gt.createStack.get(g)));
      }
    }
    const out = new Map<number, Float64Array>();
    for (const [g, list] of byG) out.set(g, outermostPairs(list));
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

  /** The PC of a stack's outermost frame (0 for none), each stack's read once. */
  private rootPc(stack: number): number {
    if (stack >= this.rootPcs.length) {
      const next = new Float64Array(Math.max(stack + 1, this.tl.stacks.size)).fill(Number.NaN);
      next.set(this.rootPcs);
      this.rootPcs = next;
    }
    let pc = this.rootPcs[stack]!;
    if (Number.isNaN(pc)) {
      const frames = this.tl.stacks.frames(stack);
      pc = frames.length > 0 ? frames[frames.length - 1]!.pc : 0;
      this.rootPcs[stack] = pc;
    }
    return pc;
  }
  private rootPcs = new Float64Array(0);

  /** The record a stack is tallied under: its first 128 PCs, trailing zero PCs aside. */
  private group(stack: number): number {
    if (stack >= this.groupOf.length) {
      const next = new Int32Array(Math.max(stack + 1, this.tl.stacks.size)).fill(-1);
      next.set(this.groupOf);
      this.groupOf = next;
    }
    let group = this.groupOf[stack]!;
    if (group < 0) {
      const frames = this.tl.stacks.frames(stack);
      let n = Math.min(frames.length, maxStackPcs);
      while (n > 0 && frames[n - 1]!.pc === 0) n--;
      let pcs = "";
      for (let j = 0; j < n; j++) pcs += `${frames[j]!.pc},`;
      group = this.groupByPcs.get(pcs) ?? this.groupByPcs.size;
      this.groupByPcs.set(pcs, group);
      this.groupOf[stack] = group;
    }
    return group;
  }
}

/**
 * outermost() (Go's "only the outermost regions") over start, end pairs in
 * one array: sorted by (start, end), a span is kept if it starts at or
 * after the end of the last one kept.
 */
function outermostPairs(pairs: readonly number[]): Float64Array {
  const n = pairs.length / 2;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => pairs[2 * a]! - pairs[2 * b]! || pairs[2 * a + 1]! - pairs[2 * b + 1]!);
  const kept: number[] = [];
  let last = Number.NEGATIVE_INFINITY;
  for (const i of order) {
    if (last <= pairs[2 * i]!) {
      kept.push(pairs[2 * i]!, pairs[2 * i + 1]!);
      last = pairs[2 * i + 1]!;
    }
  }
  return Float64Array.from(kept);
}

/** Which profile a state row belongs to (index in blockingTypes, −1 none), with each reason's answer cached. */
class ReasonKinds {
  /** Waiting reason string ID → profile index + 2 (0: not known yet). */
  private waiting = new Int8Array(0);
  constructor(private readonly tl: Timeline) {}

  profile(state: number, reason: number): number {
    if (state === StateKind.Syscall) return 2;
    if (state === StateKind.Runnable) return 3;
    if (state !== StateKind.Waiting) return -1;
    if (reason < this.waiting.length && this.waiting[reason] !== 0) return this.waiting[reason]! - 2;
    const text = this.tl.strings.get(reason);
    const k =
      text === "network"
        ? 0
        : text.includes("chan") || text.includes("sync") || text.includes("select")
          ? 1
          : -1;
    if (reason >= this.waiting.length) {
      const next = new Int8Array(Math.max(reason + 1, this.tl.strings.size));
      next.set(this.waiting);
      this.waiting = next;
    }
    this.waiting[reason] = k + 2;
    return k;
  }
}
