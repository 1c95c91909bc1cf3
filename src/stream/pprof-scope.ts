/**
 * What go tool trace's profile filters know about each goroutine, computed
 * by the rules of Go's summarizer (internal/trace/summary.go): its name (the
 * root function of the first transition stack it shows), when it first ran,
 * when it ended, and, when asked, its user regions. The profiles clip every
 * sample to these: `-pprof=TYPE` and `/io?name=` to [first run, end], and
 * `/regionio?type=` to the goroutine's outermost matching regions.
 */

import { isSystemGoroutine } from "../analysis/profile.js";
import {
  type Event,
  EventKind,
  GoState,
  ResourceKind,
  type Stack,
  type StateTransition,
  stackFrames,
} from "../decode/event.js";
import { F64Column, IntColumn } from "../model/columns.js";

/** A user region as the profiles see it. Times are ns from the trace's origin. */
export interface RegionSpan {
  readonly type: string;
  /** undefined when the region began before the trace (its end had no begin): Go uses the trace start. */
  startNs: number | undefined;
  /** undefined when the region was still open at the end: Go uses the trace end. */
  endNs: number | undefined;
  /** PC of the outermost frame of the begin event's stack (Go's regionTopStackFrame), 0 if none. */
  readonly rootPc: number;
}

export class GoroutineScope {
  /** Its goroutine ID, and its index among every GoroutineScope of the trace (RegionColumns.scope). */
  constructor(
    readonly id: number,
    readonly index: number,
  ) {}
  name = "";
  /** First transition to Running; NaN if it never ran (Go's StartTime 0). */
  startNs = Number.NaN;
  /** Transition to NotExist or to Waiting "forever"; NaN if it did not end (Go's EndTime 0). */
  endNs = Number.NaN;
  /** Regions begun and not yet ended (finished ones go to ScopeTracker.regions). */
  active: RegionSpan[] = [];
  /** The goroutine that had this ID before (a cgo callback's goroutine is re-created each time), if any. */
  previous: GoroutineScope | undefined;
}

/** The PC of a stack's outermost frame (read from the table: building the frames costs a region begin 10×). */
function rootPc(stack: Stack): number {
  if (stack.id === 0 || !stack.table) return 0;
  const pcs = stack.table.stacks.get(stack.id);
  return pcs && pcs.length > 0 ? pcs[pcs.length - 1]! : 0;
}

/**
 * Finished regions as columns (a big trace has millions): the goroutine
 * incarnation (GoroutineScope.index), the type (index into `types`), start
 * and end (NaN where RegionSpan has undefined) and root PC.
 */
export class RegionColumns {
  readonly scope = new IntColumn();
  readonly type = new IntColumn();
  readonly startNs = new F64Column();
  readonly endNs = new F64Column();
  readonly rootPc = new F64Column();
  length = 0;
  readonly types: string[] = [];
  private readonly typeIndex = new Map<string, number>();

  push(scope: GoroutineScope, r: RegionSpan): void {
    let t = this.typeIndex.get(r.type);
    if (t === undefined) {
      t = this.types.length;
      this.types.push(r.type);
      this.typeIndex.set(r.type, t);
    }
    this.length++;
    this.scope.push(scope.index);
    this.type.push(t);
    this.startNs.push(r.startNs ?? Number.NaN);
    this.endNs.push(r.endNs ?? Number.NaN);
    this.rootPc.push(r.rootPc);
  }
}

/**
 * Follows goroutines through the trace. `withRegions` also collects regions
 * (only the region filter needs them).
 */
export class ScopeTracker {
  readonly goroutines = new Map<number, GoroutineScope>();
  /** Every goroutine incarnation, by GoroutineScope.index. */
  readonly scopes: GoroutineScope[] = [];
  readonly regions = new RegionColumns();

  constructor(private readonly withRegions: boolean) {}

  /** A goroutine state transition (st from ev.stateTransition(), from !== to checked here). */
  transition(ev: Event, st: StateTransition): void {
    const id = st.resource.id;
    const from = st.from as GoState;
    const to = st.to as GoState;
    if (from === to) return;
    let g: GoroutineScope | undefined;
    if (from === GoState.Undetermined || from === GoState.NotExist) {
      g = new GoroutineScope(id, this.scopes.length);
      this.scopes.push(g);
      g.previous = this.goroutines.get(id);
      // A new goroutine inherits its creator's innermost region's task: Go
      // models that as a region with no type that starts at the creation.
      const creator = from === GoState.NotExist ? this.goroutines.get(ev.g) : undefined;
      if (this.withRegions && creator && creator.active.length > 0) {
        g.active.push({ type: "", startNs: ev.time, endNs: undefined, rootPc: rootPc(ev.stack()) });
      }
      this.goroutines.set(id, g);
    } else {
      g = this.goroutines.get(id);
      if (!g) return;
    }
    if (g.name === "") {
      const frames = stackFrames(st.stack);
      if (frames.length > 0) g.name = frames[frames.length - 1]!.func;
    }
    if (to === GoState.Running) {
      if (Number.isNaN(g.startNs)) g.startNs = ev.time;
    } else if (to === GoState.NotExist || (to === GoState.Waiting && st.reason === "forever")) {
      this.end(g, ev.time);
    }
  }

  /** RegionBegin / RegionEnd (only with regions). */
  region(ev: Event): void {
    const g = this.goroutines.get(ev.g);
    if (!g) return;
    if (ev.kind === EventKind.RegionBegin) {
      g.active.push({
        type: ev.region().type,
        startNs: ev.time,
        endNs: undefined,
        rootPc: rootPc(ev.stack()),
      });
      return;
    }
    const r = g.active.pop() ?? { type: ev.region().type, startNs: undefined, endNs: undefined, rootPc: 0 };
    r.endNs = ev.time;
    this.regions.push(g, r);
  }

  private end(g: GoroutineScope, timeNs: number | undefined): void {
    if (timeNs !== undefined) g.endNs = timeNs;
    // System goroutines are never part of regions (they may inherit a task
    // when, say, the first GC starts inside a region).
    if (!isSystemGoroutine(g.name)) {
      for (const r of g.active) {
        r.endNs = timeNs;
        this.regions.push(g, r);
      }
    }
    g.active = [];
  }

  /** Closes what is still open at the end of the trace. */
  finish(): void {
    for (const g of this.goroutines.values()) this.end(g, undefined);
  }
}

/** Is this a goroutine state transition? (Cheap test before ev.stateTransition().) */
export function goroutineTransition(ev: Event): StateTransition | undefined {
  if (ev.kind !== EventKind.StateTransition) return undefined;
  const st = ev.stateTransition();
  return st.resource.kind === ResourceKind.Goroutine ? st : undefined;
}
