/**
 * The four blocking profiles of go tool trace (`-pprof=net|sync|syscall|sched`,
 * and its /io, /block, /syscall, /sched pages), computed by its rules
 * (cmd/trace/pprof.go):
 *
 * - A goroutine is tracked from the transition that puts it in the profile's
 *   state (for a matching reason) to its next transition to another state.
 *   net: Waiting for "network"; sync: Waiting for a reason containing "chan",
 *   "sync" or "select"; syscall: Syscall; sched: Runnable.
 * - The interval is charged to the stack of the event that began it (for
 *   sched, that is often the goroutine that made it runnable).
 * - It is clipped to the goroutine's filter intervals: [first run, end or
 *   trace end] for the whole trace or a goroutine group, the outermost
 *   matching regions for a region filter. Only a positive overlap counts.
 * - Stacks are the same when their PCs are (the first 128).
 *
 * Go 1.22–1.25 skipped every transition without a stack, so an interval
 * ended only at the next transition that had one (golang/go#74850, "cmd/trace:
 * syscall profile omits most events"; fixed for Go 1.26). We follow the fixed
 * rule: every transition counts.
 *
 * Like go tool trace, a broken trace is profiled up to its last Sync (call
 * discardPending() when the reader failed), while goroutine names, start and
 * end times use every event read.
 */

import { CpuSampleColumns } from "../analysis/cpu-samples.js";
import {
  blockingTypes,
  maxStackPcs,
  noGoroutinesError,
  outermost,
  type ProfileFilter,
  type ProfileRecord,
  type ProfileType,
  type RegionFilter,
  type TimeRange,
} from "../analysis/profile.js";
import { type Event, EventKind, GoState, type StackFrame, stackFrames } from "../decode/event.js";
import type { Analyzer } from "./analyzer.js";
import { cpuRecords, wallRecords } from "./cpu-profile.js";
import { SampleColumns } from "./pprof-samples.js";
import { type GoroutineScope, goroutineTransition, ScopeTracker } from "./pprof-scope.js";

/** The state each profile follows, by index in profileTypes. */
const trackedState: readonly GoState[] = [
  GoState.Waiting,
  GoState.Waiting,
  GoState.Syscall,
  GoState.Runnable,
];

function syncReason(reason: string): boolean {
  return reason.includes("chan") || reason.includes("sync") || reason.includes("select");
}

export interface BlockingProfileOptions {
  /**
   * Keep every sample so that region and time-range filters can be applied
   * later (memory grows with the trace: 7 numbers a sample).
   */
  readonly regions?: boolean;
  /**
   * false: only the goroutines, their regions and the CPU samples (the cpu
   * profile), not the blocking intervals, whose tallies cost a map per goroutine.
   */
  readonly blocking?: boolean;
}

/**
 * Stacks of the whole trace. A variant is one distinct list of frames; Go
 * merges variants with the same PCs (trailing zero PCs ignored, as Go pads
 * with zeros: an empty stack and one frame at PC 0 are the same) and shows
 * the frames of the variant it met last. Variant 0 is the empty stack.
 */
export class StackInterner {
  readonly frames: (readonly StackFrame[])[] = [[]];
  /** Variant → index of its PC list. */
  readonly group: number[] = [0];
  private readonly byFrames = new Map<string, number>([["", 0]]);
  private readonly byPcs = new Map<string, number>([["", 0]]);
  private table: unknown;
  private byId = new Map<number, number>();

  index(ev: Event): number {
    const stack = ev.stack();
    if (stack.id === 0 || !stack.table) return 0;
    if (stack.table !== this.table) {
      this.table = stack.table;
      this.byId = new Map();
    }
    let v = this.byId.get(stack.id);
    if (v !== undefined) return v;
    const frames = stackFrames(stack);
    let text = "";
    for (const f of frames) text += `${f.pc} ${f.line} ${f.func}\n${f.file}\n`;
    v = this.byFrames.get(text);
    if (v === undefined) {
      let n = Math.min(frames.length, maxStackPcs);
      while (n > 0 && frames[n - 1]!.pc === 0) n--;
      let pcs = "";
      for (let j = 0; j < n; j++) pcs += `${frames[j]!.pc},`;
      let g = this.byPcs.get(pcs);
      if (g === undefined) {
        g = this.byPcs.size;
        this.byPcs.set(pcs, g);
      }
      v = this.frames.length;
      this.frames.push(frames);
      this.group.push(g);
      this.byFrames.set(text, v);
    }
    this.byId.set(stack.id, v);
    return v;
  }
}

/** A record in the making: count, delay, and the number of the last sample added (to pick frames as Go does). */
interface Tally {
  count: number;
  delayNs: number;
  lastSample: number;
}

/** Tallies by key = stack variant * 4 + profile index. */
type Tallies = Map<number, Tally>;

function add(tallies: Tallies, key: number, count: number, delayNs: number, lastSample: number): void {
  const t = tallies.get(key);
  if (t) {
    t.count += count;
    t.delayNs += delayNs;
    if (lastSample > t.lastSample) t.lastSample = lastSample;
  } else tallies.set(key, { count, delayNs, lastSample });
}

/**
 * A tally that also holds the samples since the last Sync apart, so that a
 * broken trace can drop them (go tool trace keeps events up to the last Sync).
 */
class PendingTally implements Tally {
  count = 0;
  delayNs = 0;
  lastSample = -1;
  newCount = 0;
  newDelayNs = 0;
  newLast = -1;
}

/**
 * Samples of one goroutine (one incarnation of an ID), by key * 3 + bucket:
 * the three groups that its final [first run, end] interval treats
 * differently. One map per goroutine, as a trace can have millions of them.
 */
type GoroutineSamples = Map<number, PendingTally>;

const enum Bucket {
  /** Taken after it first ran: they count if it is the ID's last incarnation and selected. */
  Ran = 0,
  /** Taken before it ever ran: they count only if it never runs (Go's StartTime 0 covers the whole trace). */
  BeforeRun = 1,
  /** Ended by its first run (so clipped to nothing), at full length: they count if a later goroutine with the ID never runs. */
  AtFirstRun = 2,
}

export class BlockingProfileAnalyzer implements Analyzer<BlockingProfiles> {
  private readonly scope: ScopeTracker;
  private readonly stacks = new StackInterner();
  /** Per goroutine ID: since when each profile tracks it (NaN: not tracked), then the stack it charges. */
  private readonly tracking = new Map<number, Float64Array>();
  private readonly samples = new Map<GoroutineScope, GoroutineSamples>();
  private readonly raw: SampleColumns | undefined;
  private readonly cpu = new CpuSampleColumns();
  /** Tallies with samples since the last Sync. */
  private dirty: PendingTally[] = [];
  private sampleCount = 0;
  private firstNs = Number.NaN;
  private lastNs = Number.NaN;
  private lastSyncNs = Number.NaN;
  private truncated = false;
  private readonly blocking: boolean;
  private readonly regions: boolean;

  constructor(options: BlockingProfileOptions = {}) {
    this.regions = options.regions === true;
    this.scope = new ScopeTracker(this.regions);
    this.blocking = options.blocking !== false;
    this.raw = options.regions && this.blocking ? new SampleColumns() : undefined;
  }

  event(ev: Event): void {
    if (Number.isNaN(this.firstNs)) this.firstNs = ev.time;
    this.lastNs = ev.time;
    const kind = ev.kind;
    if (kind === EventKind.StateTransition) this.transition(ev);
    else if (kind === EventKind.StackSample) {
      const g = ev.g;
      const scope = g >= 0 ? this.scope.goroutines.get(g) : undefined;
      this.cpu.push(g, scope ? scope.index : -1, this.stacks.index(ev), ev.time);
    } else if (kind === EventKind.Sync) {
      this.commit();
      this.lastSyncNs = ev.time;
    } else if (this.regions && (kind === EventKind.RegionBegin || kind === EventKind.RegionEnd)) {
      this.scope.region(ev);
    }
  }

  private transition(ev: Event): void {
    const st = goroutineTransition(ev);
    if (!st) return;
    this.scope.transition(ev, st);
    if (!this.blocking) return;
    const id = st.resource.id;
    const to = st.to as GoState;
    let tr = this.tracking.get(id);
    if (!tr) {
      tr = new Float64Array(8).fill(Number.NaN, 0, 4);
      this.tracking.set(id, tr);
    }
    for (let k = 0; k < 4; k++) {
      const since = tr[k]!;
      if (Number.isNaN(since)) {
        if (to !== trackedState[k]) continue;
        if (k === 0 && st.reason !== "network") continue;
        if (k === 1 && !syncReason(st.reason)) continue;
        tr[k] = ev.time;
        tr[k + 4] = this.stacks.index(ev);
      } else if (to !== trackedState[k]) {
        tr[k] = Number.NaN;
        this.sample(id, tr[k + 4]! * 4 + k, since, ev.time);
      }
    }
    // Nothing is tracked past the end (NotExist is no profile's state).
    if (to === GoState.NotExist) this.tracking.delete(id);
  }

  /** A finished interval [startNs, endNs] of goroutine id, sorted by how Go's final clipping will treat it. */
  private sample(id: number, key: number, startNs: number, endNs: number): void {
    this.raw?.push(id, key, startNs, endNs);
    const g = this.scope.goroutines.get(id);
    if (!g) return;
    let bucket: Bucket;
    let delay = endNs - startNs;
    if (Number.isNaN(g.startNs)) bucket = Bucket.BeforeRun;
    else if (startNs < g.startNs) bucket = Bucket.AtFirstRun;
    else {
      bucket = Bucket.Ran;
      // A goroutine's samples end by its end, but clip as Go's overlap would if one did not.
      if (!Number.isNaN(g.endNs)) delay = g.endNs < startNs ? 0 : Math.min(g.endNs, endNs) - startNs;
    }
    if (delay <= 0) return;
    this.raw?.tallied(g, bucket, delay);
    let samples = this.samples.get(g);
    if (!samples) {
      samples = new Map();
      this.samples.set(g, samples);
    }
    let t = samples.get(key * 3 + bucket);
    if (!t) {
      t = new PendingTally();
      samples.set(key * 3 + bucket, t);
    }
    if (t.newCount === 0) this.dirty.push(t);
    t.newCount++;
    t.newDelayNs += delay;
    t.newLast = this.sampleCount++;
  }

  private commit(): void {
    for (const t of this.dirty) {
      t.count += t.newCount;
      t.delayNs += t.newDelayNs;
      t.lastSample = t.newLast;
      t.newCount = 0;
      t.newDelayNs = 0;
    }
    this.dirty = [];
    if (this.raw) this.raw.committed = this.raw.length;
    this.cpu.commit();
  }

  /** The reader failed: drop the samples since the last Sync, as go tool trace keeps events only up to it. */
  discardPending(): void {
    for (const t of this.dirty) {
      t.newCount = 0;
      t.newDelayNs = 0;
    }
    this.dirty = [];
    this.raw?.rollback();
    this.cpu.rollback();
    this.truncated = true;
  }

  finalize(): BlockingProfiles {
    if (!this.truncated) this.commit();
    this.scope.finish();
    const endNs = this.truncated ? this.lastSyncNs : this.lastNs;
    return new BlockingProfiles(
      this.scope,
      this.samples,
      this.raw,
      this.cpu,
      this.stacks,
      this.firstNs,
      endNs,
    );
  }
}

/** The profiles of one trace; records() applies a filter and builds one. */
export class BlockingProfiles {
  constructor(
    /** Goroutines, regions, stacks and CPU samples, for the cpu and wall profiles (cpu-profile.ts). */
    readonly scope: ScopeTracker,
    private readonly samples: ReadonlyMap<GoroutineScope, GoroutineSamples>,
    readonly raw: SampleColumns | undefined,
    readonly cpu: CpuSampleColumns,
    readonly stacks: StackInterner,
    /** The first and last event of the profiled part (Go's t.startTime() and t.endTime()). */
    readonly firstNs: number,
    readonly endNs: number,
  ) {}

  /** Goroutine groups: start function → number of goroutines (one per ID, as Go counts). */
  groups(): Map<string, number> {
    const out = new Map<string, number>();
    for (const g of this.scope.goroutines.values()) out.set(g.name, (out.get(g.name) ?? 0) + 1);
    return out;
  }

  /** Does records() accept region filters? (BlockingProfileAnalyzer({ regions: true })) */
  get hasRegions(): boolean {
    return this.raw !== undefined;
  }

  /** CPU samples in the profiled part of the trace (none: the CPU profiler was off). */
  get cpuSamples(): number {
    return this.cpu.committed;
  }

  /**
   * The records of one profile, by delay (largest first). Without a filter
   * this is `go tool trace -pprof=TYPE`; throws ProfileFilterError where Go
   * fails (no goroutine matches the group, or the trace has none).
   */
  records(type: ProfileType, filter?: ProfileFilter): ProfileRecord[] {
    if (type === "cpu") return cpuRecords(this, filter);
    if (type === "wall") return wallRecords(this, filter);
    const k = blockingTypes.indexOf(type);
    if (k < 0) throw new Error(`unknown profile type ${type}`);
    const byVariant: Tallies = new Map();
    /** Adds a goroutine's samples of this profile in the buckets that `all` has (bit 1 << bucket). */
    const addAll = (samples: GoroutineSamples | undefined, all: number) => {
      if (!samples) return;
      for (const [slot, t] of samples) {
        const key = Math.floor(slot / 3);
        if (key % 4 !== k || t.count === 0 || !(all & (1 << (slot % 3)))) continue;
        add(byVariant, Math.floor(key / 4), t.count, t.delayNs, t.lastSample);
      }
    };
    if (filter && ("region" in filter || filter.range)) {
      const raw = this.raw;
      if (!raw) throw new Error("regions and time ranges need BlockingProfileAnalyzer({ regions: true })");
      this.visitIntervals(k, filter, (i, delayNs) => add(byVariant, raw.key.get(i) >> 2, 1, delayNs, i));
    } else {
      const masks = this.selected(filter);
      for (const [g, buckets] of masks) addAll(this.samples.get(g), buckets);
    }
    // Merge variants with the same PCs; show the frames of the one met last.
    const byGroup = new Map<number, { variant: number; tally: Tally }>();
    for (const [v, t] of byVariant) {
      const group = this.stacks.group[v]!;
      const r = byGroup.get(group);
      if (!r) byGroup.set(group, { variant: v, tally: { ...t } });
      else {
        r.tally.count += t.count;
        r.tally.delayNs += t.delayNs;
        if (t.lastSample > r.tally.lastSample) {
          r.tally.lastSample = t.lastSample;
          r.variant = v;
        }
      }
    }
    const records = [...byGroup.values()].map(({ variant, tally }) => ({
      stack: this.stacks.frames[variant]!,
      count: tally.count,
      delayNs: tally.delayNs,
    }));
    return records.sort((a, b) => b.delayNs - a.delayNs || b.count - a.count);
  }

  /**
   * Visits every interval of blocking profile `k` (index in blockingTypes)
   * that the filter keeps, as a row of `raw` with the delay it keeps: each is
   * one contention. Throws ProfileFilterError where records() does.
   */
  visitIntervals(
    k: number,
    filter: ProfileFilter | undefined,
    visit: (row: number, delayNs: number) => void,
  ): void {
    if (filter && "region" in filter) this.regionSamples(k, filter.region, filter.range, visit);
    else this.rangeSamples(k, this.selected(filter), filter?.range, visit);
  }

  /**
   * The goroutine incarnations whose samples count (all, those of one group,
   * or one goroutine ID's), each with the buckets that do (bit 1 << bucket).
   */
  selected(filter: ProfileFilter | undefined): Map<GoroutineScope, number> {
    const name = filter && "group" in filter ? filter.group : undefined;
    const id = filter && "goroutine" in filter ? filter.goroutine : undefined;
    const masks = new Map<GoroutineScope, number>();
    for (const g of this.scope.goroutines.values()) {
      if (name !== undefined && g.name !== name) continue;
      if (id !== undefined && g.id !== id) continue;
      if (!Number.isNaN(g.startNs)) {
        masks.set(g, 1 << Bucket.Ran);
        continue;
      }
      // It never ran, so Go's interval for the ID is [0, end]: it covers
      // all of its samples and, whole, those of earlier goroutines that
      // had the ID.
      masks.set(g, 1 << Bucket.BeforeRun);
      for (let p = g.previous; p; p = p.previous) masks.set(p, 0b111);
    }
    if (masks.size === 0) {
      throw noGoroutinesError(id, name);
    }
    return masks;
  }

  /** The samples the unfiltered (or group) profile counts, each cut to the range if any: one contention each. */
  private rangeSamples(
    k: number,
    masks: ReadonlyMap<GoroutineScope, number>,
    range: TimeRange | undefined,
    visit: (row: number, delayNs: number) => void,
  ): void {
    const raw = this.raw;
    if (!raw) throw new Error("time ranges need BlockingProfileAnalyzer({ regions: true })");
    // The masks by scope index: a scan of tens of millions of rows does no map lookup.
    const maskOf = new Uint8Array(raw.scopes.length);
    for (let si = 0; si < raw.scopes.length; si++) maskOf[si] = masks.get(raw.scopes[si]!) ?? 0;
    for (let i = 0; i < raw.committed; i++) {
      if (raw.key.get(i) % 4 !== k) continue;
      const si = raw.scope.get(i);
      if (si < 0 || !(maskOf[si]! & (1 << raw.bucket.get(i)))) continue;
      const s = raw.startNs.get(i);
      const d = raw.delayNs.get(i);
      const o = range ? Math.min(range.endNs, s + d) - Math.max(range.startNs, s) : d;
      if (o > 0) visit(i, o);
    }
  }

  private regionSamples(
    k: number,
    filter: RegionFilter,
    range: TimeRange | undefined,
    visit: (row: number, delayNs: number) => void,
  ): void {
    const raw = this.raw;
    if (!raw) throw new Error("region filters need BlockingProfileAnalyzer({ regions: true })");
    const intervals = this.regionIntervals(filter);
    // The spans by scope index (every scope's goroutine ID is its rows' g), so
    // most rows need no map lookup; rows without a scope look theirs up.
    const spansOf = raw.scopes.map((scope) => intervals.get(scope.id));
    for (let i = 0; i < raw.committed; i++) {
      if (raw.key.get(i) % 4 !== k) continue;
      const si = raw.scope.get(i);
      const spans = si >= 0 ? spansOf[si] : intervals.get(raw.g.get(i));
      if (!spans) continue;
      const s = raw.startNs.get(i);
      const e = raw.endNs.get(i);
      let delay = 0;
      for (let [lo, hi] of spans) {
        if (range) {
          lo = Math.max(lo, range.startNs);
          hi = Math.min(hi, range.endNs);
        }
        if (hi < s || e < lo) continue;
        const o = Math.min(hi, e) - Math.max(lo, s);
        if (o > 0) delay += o;
      }
      if (delay > 0) visit(i, delay);
    }
  }

  /**
   * Each goroutine ID's outermost regions that match the filter, sorted by
   * start, from its last incarnation only (as Go keys its summaries by ID).
   */
  regionIntervals(filter: RegionFilter): Map<number, [number, number][]> {
    const byId = new Map<number, [number, number][]>();
    const rc = this.scope.regions;
    const wantType = filter.type === undefined ? -2 : rc.types.indexOf(filter.type);
    for (let i = 0; i < rc.length; i++) {
      if (wantType !== -2 && rc.type.get(i) !== wantType) continue;
      if (filter.pc !== undefined && rc.rootPc.get(i) !== filter.pc) continue;
      const g = this.scope.scopes[rc.scope.get(i)]!;
      if (this.scope.goroutines.get(g.id) !== g) continue;
      const span = this.regionInterval(rc.startNs.get(i), rc.endNs.get(i));
      const dur = span[1] - span[0];
      if (filter.latMinNs !== undefined && dur < filter.latMinNs) continue;
      if (filter.latMaxNs !== undefined && dur > filter.latMaxNs) continue;
      let list = byId.get(g.id);
      if (!list) {
        list = [];
        byId.set(g.id, list);
      }
      list.push(span);
    }
    const intervals = new Map<number, [number, number][]>();
    for (const [id, list] of byId) intervals.set(id, outermost(list));
    return intervals;
  }

  /** A region's span, NaN ends (begun before the trace, open at its end) taken as the trace's. */
  private regionInterval(startNs: number, endNs: number): [number, number] {
    return [Number.isNaN(startNs) ? this.firstNs : startNs, Number.isNaN(endNs) ? this.endNs : endNs];
  }
}
