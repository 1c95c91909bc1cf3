/**
 * The reader of modern traces (Go 1.22+): bytes in, ordered events out, one
 * generation at a time.
 *
 * Input is pushed in chunks; `read()` returns the next event, `NeedInput`
 * when it must see more bytes first, or `null` at the end. Only the
 * generation being read is held in memory.
 */
import { Ev, specs } from "../../format/v2/spec.js";
import { TraceError } from "../errors.js";
import { Event, EvSync } from "../event.js";
import { sortFunc } from "../go-sort.js";
import { type Batch, BatchFramer } from "./batch.js";
import { BatchCursor, compareCursors, heapInsert, heapRemove, heapUpdate } from "./batch-cursor.js";
import { type CPUSample, finishGeneration, Generation, processBatch } from "./generation.js";
import { OrderError, Ordering, StandaloneLog } from "./order.js";
import type { EvTable } from "./table.js";

/**
 * Per event type, the arguments holding table IDs to check, stacks first,
 * then strings, as Go does: flat pairs (argument index, 1 for a stack ID or
 * 0 for a string ID), so the check per event reads no objects.
 */
const idChecks: (Int8Array | undefined)[] = specs.map((spec) => {
  if (!spec || !spec.isTimedEvent) return undefined;
  const pairs = [...spec.stackIDs.flatMap((i) => [i - 1, 1]), ...spec.stringIDs.flatMap((i) => [i - 1, 0])];
  return pairs.length > 0 ? Int8Array.from(pairs) : undefined;
});

export const NeedInput: unique symbol = Symbol("NeedInput");
export type ReadResult = Event | null | typeof NeedInput;

export class ReaderV2 {
  private readonly framer: BatchFramer;
  private eof = false;
  private readonly order: Ordering;
  private gen: Generation | undefined;
  private frontier: BatchCursor[] = [];
  private cpuSamples: CPUSample[] = [];
  private cpuIdx = 0;
  private syncs = 0;
  private done = false;
  private failed: TraceError | undefined;
  /** Error found while reading a generation, reported after one more Sync. */
  private genErr: TraceError | undefined;
  private genErrSynced = false;
  /** ≤1.25: the first batch of the next generation, read while looking for the end of this one. */
  private spill: Batch | undefined;
  private collecting: Generation | undefined;
  /** Absolute ns that relative times count from; fixed by the first event. */
  // NaN, not undefined, for "not yet": a field that is sometimes undefined makes
  // V8 box every number written to it, which costs an allocation per event.
  private origin = Number.NaN;
  /** Relative time of the last event returned (absolute 0 before any). */
  private lastTs = Number.NaN;
  /** File offset up to which every generation was fully read. */
  private completeOffset: number;

  constructor(
    readonly version: number,
    startOffset: number,
  ) {
    this.framer = new BatchFramer(startOffset);
    this.order = new Ordering(version);
    this.completeOffset = startOffset;
  }

  push(chunk: Uint8Array): void {
    this.framer.push(chunk);
  }

  /**
   * Reads these bytes as generations from the middle of a longer trace:
   * what threads held before is left unknown and logged (decode/v2/stitch.ts).
   */
  startsLater(): StandaloneLog {
    const log = new StandaloneLog();
    this.order.log = log;
    return log;
  }

  /** The ordering's state (for the end state of a part read on its own). */
  get ordering(): Ordering {
    return this.order;
  }

  end(): void {
    this.eof = true;
  }

  /** Absolute ns of relative time 0 (exact as a double when below 2^53). */
  get originNs(): number {
    return Number.isNaN(this.origin) ? 0 : this.origin;
  }

  /** Bytes before this offset belong to generations read in full. */
  get validOffset(): number {
    return this.completeOffset;
  }

  get currentGeneration(): number {
    return this.gen?.gen ?? 0;
  }

  read(): ReadResult {
    if (this.failed) throw this.failed;
    try {
      const r = this.step();
      if (r instanceof Event) this.finishEvent(r);
      return r;
    } catch (e) {
      this.failed = this.asTraceError(e);
      throw this.failed;
    }
  }

  /**
   * Reads events until more input is needed (returns NeedInput) or the trace
   * ends (returns null), handing each to `onEvent`. The fast path: one call
   * for many events.
   */
  drain(onEvent: (ev: Event) => void): typeof NeedInput | null {
    if (this.failed) throw this.failed;
    let r: ReadResult;
    try {
      for (;;) {
        r = this.step();
        if (r === null || r === NeedInput) return r;
        this.finishEvent(r);
        onEvent(r);
      }
    } catch (e) {
      if (e instanceof TraceError || e instanceof OrderError) {
        this.failed = this.asTraceError(e);
        throw this.failed;
      }
      throw e;
    }
  }

  private asTraceError(e: unknown): TraceError {
    if (e instanceof TraceError) return e;
    if (e instanceof OrderError) {
      const head = this.frontier[0];
      return new TraceError(e.message, head?.batchOffset ?? this.gen?.offset, this.gen?.gen);
    }
    throw e;
  }

  /** Go checks table references and forces strictly increasing times on every event it returns. */
  private finishEvent(e: Event): void {
    const checks = idChecks[e.type];
    if (checks !== undefined) {
      const t = e.table!;
      for (let i = 0; i < checks.length; i += 2) {
        const arg = checks[i]!;
        const id = arg === 0 ? e.a0 : arg === 1 ? e.a1 : arg === 2 ? e.a2 : e.a3;
        const isStack = checks[i + 1] === 1;
        if (isStack ? !t.stacks.has(id) : !t.strings.has(id)) {
          const what = isStack ? "stack" : "string";
          throw new OrderError(`found invalid ${what} ID ${id} for event ${specs[e.type]!.name}`);
        }
      }
    }
    if (Number.isNaN(this.origin)) this.origin = 0;
    const last = Number.isNaN(this.lastTs) ? -this.origin : this.lastTs;
    if (e.time <= last) e.time = last + 1;
    this.lastTs = e.time;
  }

  private sync(table: EvTable | undefined, time: number | undefined): Event {
    this.syncs++;
    if (Number.isNaN(this.origin)) this.origin = 0;
    const t = time ?? (Number.isNaN(this.lastTs) ? -this.origin : this.lastTs);
    return new Event(table, EvSync, t, -1, -1, -1, this.syncs);
  }

  private step(): ReadResult {
    if (this.done) return null;
    const queued = this.order.next();
    if (queued) return queued;
    if (this.frontier.length === 0 && this.cpuIdx >= this.cpuSamples.length) {
      return this.version < 26 ? this.nextGenWithSpill() : this.nextGen();
    }
    if (this.cpuIdx < this.cpuSamples.length) {
      const s = this.cpuSamples[this.cpuIdx]!;
      if (this.frontier.length === 0 || s.time < this.frontier[0]!.ev.time) {
        this.cpuIdx++;
        return new Event(this.gen!.table, Ev.CPUSample, s.time, s.g, s.p, s.m, s.stack);
      }
    }
    if (this.frontier.length === 0) throw new OrderError("broken trace: frontier is empty");
    if (!this.tryAdvance(0)) {
      sortFunc(this.frontier, compareCursors);
      let success = false;
      for (let i = 1; i < this.frontier.length; i++) {
        if (this.tryAdvance(i)) {
          success = true;
          break;
        }
      }
      if (!success)
        // Go follows this with a dump of the frontier on many lines; the error stays on one (the generation is added).
        throw new OrderError("broken trace: failed to advance");
    }
    const ev = this.order.next();
    if (!ev) throw new Error("invariant violation: advance successful, but queue is empty");
    return ev;
  }

  /** Throws a generation's error, unless it is one Go's callers take as the clean end of the trace. */
  private failOrEnd(e: TraceError): null {
    if (!e.endsTrace) throw e;
    this.done = true;
    return null;
  }

  private tryAdvance(i: number): boolean {
    const bc = this.frontier[i]!;
    const gen = this.gen!;
    if (!this.order.advance(bc.ev, gen.table, bc.m, gen.gen, bc)) return false;
    if (bc.nextEvent(gen.table.nsPerTick, this.origin)) heapUpdate(this.frontier, i);
    else heapRemove(this.frontier, i);
    return true;
  }

  /** Go 1.26+: generations end with an explicit marker. */
  private nextGen(): ReadResult {
    if (this.genErr) {
      // The Sync that closed the last good generation has been returned; now the error.
      return this.failOrEnd(this.genErr);
    }
    const g = this.collectGeneration();
    if (g === NeedInput) return NeedInput;
    if (g instanceof TraceError) {
      this.genErr = g;
      this.gen = undefined;
      return this.sync(undefined, undefined);
    }
    return this.installGen(g);
  }

  private collectGeneration(): Generation | null | TraceError | typeof NeedInput {
    if (!this.collecting) {
      this.collecting = new Generation();
      this.collecting.offset = this.framer.offset;
      this.completeOffset = this.framer.offset;
    }
    const g = this.collecting;
    try {
      for (;;) {
        const b = this.framer.next(this.eof);
        if (!b) {
          if (!this.eof) return NeedInput;
          this.collecting = undefined;
          if (g.batches.size !== 0) {
            return new TraceError("incomplete generation found; trace likely truncated", g.offset, g.gen);
          }
          return null;
        }
        if (g.gen === 0) g.gen = b.gen;
        // Go ends the generation at any batch whose payload starts with the marker, not only the lone byte.
        if (b.endOfGeneration || (b.exp === 0 && b.data[0] === Ev.EndOfGeneration)) break;
        if (b.gen === 0) throw new TraceError("invalid generation number 0", b.offset);
        if (b.gen !== g.gen) {
          throw new TraceError(
            "broken trace: missing end-of-generation event, or generations are interleaved",
            b.offset,
            g.gen,
          );
        }
        if (g.minTs === 0 || b.time < g.minTs) g.minTs = b.time;
        processBatch(g, b, this.version);
      }
      g.endOffset = this.framer.offset;
      finishGeneration(g, this.version);
      this.collecting = undefined;
      return g;
    } catch (e) {
      this.collecting = undefined;
      if (e instanceof TraceError) return e;
      throw e;
    }
  }

  /** Go 1.22–1.25: a generation ends where a batch of the next one starts (the "spill"), or at EOF. */
  private nextGenWithSpill(): ReadResult {
    if (this.genErr) {
      if (this.genErrSynced) return this.failOrEnd(this.genErr);
      // The generation before the broken batch was kept; it ends here.
      this.genErrSynced = true;
      this.completeOffset = this.genErr.offset ?? this.framer.offset;
      return this.sync(undefined, undefined);
    }
    if (this.gen && !this.spill && !this.collecting) {
      this.done = true;
      this.completeOffset = this.framer.offset;
      return this.sync(undefined, undefined);
    }
    const r = this.collectGenerationWithSpill();
    if (r === NeedInput) return NeedInput;
    if (r instanceof TraceError) {
      this.gen = undefined;
      this.genErr = r;
      this.genErrSynced = true;
      return this.sync(undefined, undefined);
    }
    return this.installGen(r);
  }

  private collectGenerationWithSpill(): Generation | TraceError | typeof NeedInput {
    if (!this.collecting) {
      const g = new Generation();
      this.collecting = g;
      g.offset = this.spill?.offset ?? this.framer.offset;
      this.completeOffset = g.offset;
      if (this.spill) {
        g.gen = this.spill.gen;
        g.minTs = this.spill.time;
        const s = this.spill;
        this.spill = undefined;
        try {
          processBatch(g, s, this.version);
        } catch (e) {
          this.collecting = undefined;
          if (e instanceof TraceError) return e;
          throw e;
        }
      }
    }
    const g = this.collecting;
    try {
      for (;;) {
        let b: Batch | undefined;
        try {
          b = this.framer.next(this.eof);
        } catch (e) {
          // A broken batch after some of a generation: keep what was read, report the error after it.
          if (e instanceof TraceError && g.gen !== 0) {
            this.genErr = e;
            break;
          }
          throw e;
        }
        if (!b) {
          if (!this.eof) return NeedInput;
          break;
        }
        if (b.gen === 0) throw new TraceError("invalid generation number 0", b.offset);
        if (g.gen === 0) g.gen = b.gen;
        if (b.gen === g.gen + 1) {
          this.spill = b;
          break;
        }
        if (b.gen !== g.gen) throw new TraceError("generations out of order", b.offset, g.gen);
        if (g.minTs === 0 || b.time < g.minTs) g.minTs = b.time;
        processBatch(g, b, this.version);
      }
      g.endOffset = this.spill?.offset ?? this.framer.offset;
      this.collecting = undefined;
      finishGeneration(g, this.version);
      return g;
    } catch (e) {
      this.collecting = undefined;
      this.genErr = undefined;
      if (e instanceof TraceError) return e;
      throw e;
    }
  }

  private installGen(g: Generation | null): ReadResult {
    if (!g) {
      this.gen = undefined;
      this.done = true;
      return this.sync(undefined, undefined);
    }
    this.gen = g;
    if (Number.isNaN(this.origin)) {
      // Times count from the first generation's start, which keeps them exact. A start
      // that Go's conversion clamps (a zero frequency, ticks past int64) cannot serve: count from 0.
      const start = g.table.mul(g.minTs);
      this.origin = start > 0 && start < 2 ** 62 ? start : 0;
    }
    const origin = this.origin;
    this.cpuSamples = g.cpuSamples;
    this.cpuIdx = 0;
    for (const s of g.cpuSamples) s.time -= origin;
    for (const m of g.batchMs) {
      const bc = new BatchCursor(m, g.batches.get(m)!);
      if (!bc.nextEvent(g.table.nsPerTick, origin)) continue;
      heapInsert(this.frontier, bc);
    }
    return this.sync(g.table, g.table.mul(g.minTs) - origin);
  }
}
