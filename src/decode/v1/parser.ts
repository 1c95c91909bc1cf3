/**
 * Parses a whole old trace (Go 1.5–1.21) into one ordered event stream, as
 * Go's internal/trace/internal/tracev1 does for 1.11–1.21 and its older
 * parser did for 1.5–1.10:
 *
 *  1. one pass over the file records where each P's batches are and reads
 *     the CPU samples;
 *  2. the batches are decoded P by P, lazily, and merged (order.ts), or for
 *     Go 1.5 sorted by their global sequence numbers;
 *  3. syscall exits get their real timestamps, ticks become nanoseconds from
 *     the first event, and timer unblocks and syscall exits move to fake Ps;
 *  4. postprocess.ts checks the result and restores what the runtime left out.
 *
 * Where Go iterates over a map (the Ps), gotrace goes by ascending P: Go's
 * order there is random, so its output varies between runs when two Ps have
 * events at the same tick; ours is one of Go's possible outputs.
 */
import { TraceError } from "../errors.js";
import { sortFunc } from "../go-sort.js";
import { V1Events, type V1Trace } from "./events.js";
import { Frontier, GoroutineStates, newTransition, stateTransition } from "./order.js";
import { postProcess } from "./postprocess.js";
import { newRawEvent, type RawDecoder, type RawEvent, skipArgs, skipStrings } from "./raw.js";
import { ProfileP, SyscallP, TimerP, V1, v1ArgCount, v1Specs } from "./spec.js";

export const errTimeOrder = "time stamps out of order";

const maxInt32 = 2 ** 31 - 1;
const maxUint64 = 2 ** 64;
const exactLimit = 2 ** 53;
/** Goroutine IDs below this are kept in arrays indexed by ID (larger ones only come from damaged traces). */
const denseGoroutines = 1 << 26;

interface BatchOffset {
  offset: number;
}

interface Proc {
  pid: number;
  /** The P's current batch: events [pos, end) of the one event store. */
  pos: number;
  end: number;
  done: boolean;
  /** Index of this P's event in the frontier, and its time. */
  headIdx: number;
  headTs: number;
}

export class V1Parser {
  private readonly batchOffsets = new Map<number, BatchOffset[]>();
  private readonly stacks = new Map<number, number[]>();
  private readonly pcs = new Map<number, { fn: number; file: number; line: number }>();
  private readonly inlineStrings: string[] = [];
  private readonly inlineStringIDs = new Map<string, number>();
  private readonly timerGoids = new Set<number>();
  private ticksPerSec = 0;
  /** Events other than strings found by the first pass: room enough for the merged stream. */
  private rawEvents = 0;
  private cpuSamples: V1Events;
  private readonly wide: boolean;
  /** Values each event type carries in this version (v1ArgCount; Stack events carry what they carry). */
  private readonly argCounts: Uint8Array;
  private readonly raw: RawEvent = newRawEvent();

  // Ticks are kept relative to the first batch's base so that they stay exact as doubles.
  private tickBase: bigint | undefined;
  private tickBaseNum = 0;

  // parseEvent's state.
  private lastTs = 0;
  private lastSeq = 0;
  private lastG = 0;
  private lastP = 0;
  private readonly lastGs = new Map<number, number>();

  constructor(private readonly dec: RawDecoder) {
    // Offsets fit 32 bits unless the file is past 4 GiB.
    this.wide = dec.data.length > 2 ** 32;
    this.cpuSamples = new V1Events(16, false, this.wide);
    this.argCounts = new Uint8Array(V1.Count);
    for (let t = 0; t < V1.Count; t++) this.argCounts[t] = t === V1.Stack ? 0 : v1ArgCount(t, dec.version, 0);
  }

  parse(): V1Trace {
    const version = this.dec.version;
    this.collectBatchesAndCPUSamples();
    let events: V1Events;
    let order: Uint32Array;
    if (version < 7) {
      events = this.orderBySeq();
      order = new Uint32Array(events.length);
      for (let i = 0; i < order.length; i++) order[i] = i;
    } else {
      const merged = this.mergeBatches();
      events = merged.events;
      // Every event is decoded: the raw bytes are no longer needed.
      this.dec.release();
      order = this.fixSyscallExits(events, merged.order);
    }
    if (this.ticksPerSec === 0) throw new TraceError("no EvFrequency event");
    this.toNanoseconds(events, order);
    const trace: V1Trace = {
      version,
      events,
      order,
      stacks: this.stacks,
      pcs: this.pcs,
      strings: this.dec.strings,
      inlineStrings: this.inlineStrings,
    };
    const post = postProcess(trace);
    return { ...trace, order: post.order, assistsAtStart: post.assistsAtStart };
  }

  /** Ticks at varint `pos` (value `v` as read) relative to the trace's tick base, exactly. */
  private relTicks(v: number, pos: number): number {
    if (this.tickBase === undefined) {
      this.tickBase = this.dec.bigAt(pos);
      this.tickBaseNum = Number(this.tickBase);
    }
    if (v < exactLimit && this.tickBaseNum < exactLimit) return v - this.tickBaseNum;
    return Number(this.dec.bigAt(pos) - this.tickBase);
  }

  /** Pass 1: where each P's batches start, and the CPU samples. */
  private collectBatchesAndCPUSamples(): void {
    const dec = this.dec;
    const raw = this.raw;
    let curP = 0;
    while (dec.read(skipArgs | skipStrings, raw)) {
      if (raw.typ === V1.None) continue;
      if (raw.typ === V1.Batch) {
        let list = this.batchOffsets.get(raw.batchPid);
        if (!list) {
          list = [];
          this.batchOffsets.set(raw.batchPid, list);
        }
        list.push({ offset: raw.off });
        curP = raw.batchPid;
        // The first batch fixes the tick base.
        this.relTicks(raw.args[raw.n - 1]!, raw.argPos[raw.n - 1]!);
      }
      if (!this.batchOffsets.has(curP)) {
        throw new TraceError(
          `read event ${raw.typ} with current P of ${curP}, but P has no batches yet`,
          raw.off,
        );
      }
      this.rawEvents++;
      if (raw.typ === V1.CPUSample) this.addCPUSample(raw);
    }
  }

  private addCPUSample(raw: RawEvent): void {
    const narg = v1ArgCount(V1.CPUSample, this.dec.version, raw.n);
    if (raw.n !== narg) {
      throw new TraceError(`CPU sample has wrong number of arguments: want ${narg}, got ${raw.n}`, raw.off);
    }
    // [timestamp delta, real timestamp, real P (−1 if none), goroutine, stack]
    const e = this.cpuSamples;
    const i = e.grow();
    e.ts[i] = this.relTicks(raw.args[1]!, raw.argPos[1]!);
    e.p[i] = toInt32(raw.args[2]!);
    e.setG(i, raw.args[3]!);
    e.a0[i] = e.a1[i] = e.a2[i] = 0;
    e.stk[i] = toUint32(raw.args[4]!);
    e.type[i] = V1.CPUSample;
    e.off[i] = raw.off;
  }

  /** Decodes the next batch of `pid` into `out`; false when the P has no batches left. */
  private loadBatch(pid: number, out: V1Events): boolean {
    const offsets = this.batchOffsets.get(pid);
    if (!offsets || offsets.length === 0) return false;
    const { offset } = offsets.shift()!;
    const dec = this.dec;
    dec.off = offset;
    let gotHeader = false;
    const raw = this.raw;
    while (dec.read(0, raw)) {
      if (raw.typ === V1.None || raw.typ === V1.CPUSample) continue;
      if (raw.typ === V1.Batch) {
        if (gotHeader) break;
        gotHeader = true;
      }
      this.parseEvent(raw, out);
    }
    return true;
  }

  /** Interprets one raw event: table entries update the tables, the rest go to `out`. */
  private parseEvent(raw: RawEvent, out: V1Events): void {
    const v = this.dec.version;
    const spec = v1Specs[raw.typ]!;
    const args = raw.args;
    const narg = raw.typ === V1.Stack ? raw.n : this.argCounts[raw.typ]!;
    if (raw.n !== narg) {
      throw new TraceError(`${spec.name} has wrong number of arguments: want ${narg}, got ${raw.n}`, raw.off);
    }
    switch (raw.typ) {
      case V1.Batch: {
        this.lastGs.set(this.lastP, this.lastG);
        const pid = args[0]!;
        if (pid < maxUint64 && pid > maxInt32) {
          throw new TraceError(
            `processor ID ${this.dec.bigAt(raw.argPos[0]!)} is larger than maximum of ${maxInt32}`,
            raw.off,
          );
        }
        this.lastP = pid >= maxUint64 ? -1 : pid;
        this.lastG = this.lastGs.get(this.lastP) ?? 0;
        if (v < 7) this.lastSeq = args[1]!;
        this.lastTs = this.relTicks(args[narg - 1]!, raw.argPos[narg - 1]!);
        return;
      }
      case V1.Frequency:
        // An int64 in Go: values past 2^63 turn negative.
        this.ticksPerSec = args[0]! >= 2 ** 63 ? -1 : args[0]!;
        // Most likely tick skew between CPUs.
        if (this.ticksPerSec <= 0) throw new TraceError(errTimeOrder, raw.off);
        return;
      case V1.TimerGoroutine:
        this.timerGoids.add(args[0]!);
        return;
      case V1.Stack:
        this.parseStack(raw);
        return;
      case V1.CPUSample:
        // Read in pass 1.
        return;
    }
    const i = out.grow();
    out.type[i] = raw.typ;
    out.p[i] = this.lastP;
    out.setG(i, this.lastG);
    out.off[i] = raw.off;
    out.stk[i] = 0;
    out.a0[i] = out.a1[i] = out.a2[i] = 0;
    let argOffset = 1;
    if (v < 7) {
      const seq = this.lastSeq + args[0]!;
      out.seq![i] = seq;
      this.lastSeq = seq;
      out.ts[i] = this.lastTs + args[1]!;
      argOffset = 2;
    } else {
      out.ts[i] = this.lastTs + args[0]!;
    }
    this.lastTs = out.ts[i]!;
    // The arguments (at most three), then the stack if the event has one.
    let end = narg;
    if (spec.stack) out.stk[i] = toUint32(args[--end]!);
    if (argOffset < end) out.setA0(i, args[argOffset]!);
    if (argOffset + 1 < end) out.setA1(i, args[argOffset + 1]!);
    if (argOffset + 2 < end) out.a2[i] = args[argOffset + 2]!;
    switch (raw.typ) {
      case V1.GoStart:
      case V1.GoStartLocal:
      case V1.GoStartLabel:
        this.lastG = out.getA0(i);
        out.setG(i, this.lastG);
        break;
      case V1.GoEnd:
      case V1.GoStop:
      case V1.GoSched:
      case V1.GoPreempt:
      case V1.GoSleep:
      case V1.GoBlock:
      case V1.GoBlockSend:
      case V1.GoBlockRecv:
      case V1.GoBlockSelect:
      case V1.GoBlockSync:
      case V1.GoBlockCond:
      case V1.GoBlockNet:
      case V1.GoSysBlock:
      case V1.GoBlockGC:
        this.lastG = 0;
        break;
      case V1.GoSysExit: {
        out.setG(i, out.getA0(i));
        // The real exit time, absolute ticks; 0 (NaN here) means "not recorded".
        const k = argOffset + 2;
        out.a2[i] = args[k] === 0 ? Number.NaN : this.relTicks(args[k]!, raw.argPos[k]!);
        break;
      }
      case V1.GoWaiting:
      case V1.GoInSyscall:
        out.setG(i, out.getA0(i));
        break;
      case V1.UserLog: {
        // The message was inline in the event; give it an ID of its own.
        let id = this.inlineStringIDs.get(raw.message);
        if (id === undefined) {
          id = this.inlineStrings.length;
          this.inlineStringIDs.set(raw.message, id);
          this.inlineStrings.push(raw.message);
        }
        // In a2, which the log's own arguments (id, key) leave free.
        out.a2[i] = id;
        break;
      }
    }
  }

  private parseStack(raw: RawEvent): void {
    const args = raw.args;
    if (raw.n < 2) {
      throw new TraceError(`EvStack has wrong number of arguments: want at least 2, got ${raw.n}`, raw.off);
    }
    const size = args[1]!;
    if (size > 1000) {
      // Exact, from the bytes: past 2^53 the number read is rounded.
      throw new TraceError(`EvStack has bad number of frames: ${this.dec.bigAt(raw.argPos[1]!)}`, raw.off);
    }
    // Go 1.5 and 1.6 recorded PCs only.
    const perFrame = this.dec.version < 7 ? 1 : 4;
    const want = 2 + perFrame * size;
    if (raw.n !== want) {
      throw new TraceError(`EvStack has wrong number of arguments: want ${want}, got ${raw.n}`, raw.off);
    }
    const id = toUint32(args[0]!);
    if (id === 0 || size === 0) return;
    const stk: number[] = new Array(size);
    for (let k = 0; k < size; k++) {
      const base = 2 + k * perFrame;
      const pc = args[base]!;
      stk[k] = pc;
      if (!this.pcs.has(pc)) {
        this.pcs.set(
          pc,
          perFrame === 1
            ? { fn: 0, file: 0, line: 0 }
            : { fn: args[base + 1]!, file: args[base + 2]!, line: args[base + 3]! },
        );
      }
    }
    this.stacks.set(id, stk);
  }

  /**
   * Go 1.7+: merges the Ps' batches by sequence numbers, then timestamps.
   * Every batch is decoded into one store (the CPU samples first, sorted),
   * lazily and P by P as Go does; the merge only records indices.
   */
  private mergeBatches(): { events: V1Events; order: Uint32Array } {
    const events = new V1Events(Math.max(this.rawEvents, 1), false, this.wide);
    // CPU samples were written late, by another goroutine: order them by the time they were taken.
    appendSortedSamples(this.cpuSamples, events);
    this.cpuSamples = new V1Events(1, false, this.wide);
    const pids = [...this.batchOffsets.keys()].sort((a, b) => a - b);
    const allProcs: Proc[] = pids.map((pid) => ({ pid, pos: 0, end: 0, done: false, headIdx: 0, headTs: 0 }));
    allProcs.push({ pid: ProfileP, pos: 0, end: events.length, done: false, headIdx: 0, headTs: 0 });

    let order = new Uint32Array(Math.max(this.rawEvents, 1));
    let n = 0;
    const gs = new GoroutineStates();
    const frontier = new Frontier<Proc>((p) => p.headTs);
    const available = [...allProcs];
    const tr = newTransition();
    const removeAt = (i: number) => {
      available[i] = available[available.length - 1]!;
      available.pop();
    };
    for (;;) {
      pidLoop: for (let i = 0; i < available.length; i++) {
        const proc = available[i]!;
        while (proc.pos === proc.end) {
          // Loop, because batches can be empty.
          const start = events.length;
          if (!this.loadBatch(proc.pid, events)) {
            proc.done = true;
            removeAt(i);
            // Another P moved into slot i: look at it again.
            i--;
            continue pidLoop;
          }
          proc.pos = start;
          proc.end = events.length;
        }
        const k = proc.pos;
        stateTransition(tr, events.type[k]!, events.getG(k), events.getA0(k), events.getA1(k));
        if (!gs.ready(tr)) continue;
        proc.pos++;
        proc.headIdx = k;
        proc.headTs = events.ts[k]!;
        removeAt(i);
        frontier.push(proc);
        i--;
      }
      if (frontier.length === 0) {
        if (allProcs.some((p) => !p.done)) throw new TraceError("no consistent ordering of events possible");
        break;
      }
      const f = frontier.pop();
      const k = f.headIdx;
      stateTransition(tr, events.type[k]!, events.getG(k), events.getA0(k), events.getA1(k));
      if (n === order.length) {
        const o = new Uint32Array(order.length * 2);
        o.set(order);
        order = o;
      }
      order[n++] = k;
      // The *Local events only served the ordering.
      switch (events.type[k]) {
        case V1.GoStartLocal:
          events.type[k] = V1.GoStart;
          break;
        case V1.GoUnblockLocal:
          events.type[k] = V1.GoUnblock;
          break;
        case V1.GoSysExitLocal:
          events.type[k] = V1.GoSysExit;
          break;
      }
      if (!gs.apply(tr))
        throw new TraceError("encountered impossible goroutine state transition", events.off[k]);
      available.push(f);
    }
    return { events, order: order.subarray(0, n) };
  }

  /**
   * Go 1.5: every event carries a global sequence number, and that is the
   * order. A syscall exit, written when its goroutine next ran, carries the
   * sequence number and time of the exit itself.
   */
  private orderBySeq(): V1Events {
    const all = new V1Events(Math.max(this.rawEvents, 1), true, this.wide);
    const pids = [...this.batchOffsets.keys()].sort((a, b) => a - b);
    const buf = new V1Events(64, true, this.wide);
    for (const pid of pids) {
      for (;;) {
        buf.clear();
        if (!this.loadBatch(pid, buf)) break;
        for (let k = 0; k < buf.length; k++) all.copyFrom(buf, k);
      }
    }
    const seq = all.seq!;
    for (let i = 0; i < all.length; i++) {
      if (all.type[i] !== V1.GoSysExit) continue;
      seq[i] = all.getA1(i);
      if (!Number.isNaN(all.a2[i]!)) all.ts[i] = all.a2[i]!;
    }
    const idx = Array.from({ length: all.length }, (_, i) => i);
    idx.sort((a, b) => seq[a]! - seq[b]!);
    const out = new V1Events(Math.max(all.length, 1), true, this.wide);
    for (const i of idx) out.copyFrom(all, i);
    for (let i = 1; i < out.length; i++) {
      if (out.ts[i]! < out.ts[i - 1]!) throw new TraceError(errTimeOrder);
    }
    return out;
  }

  /**
   * Go 1.7+: a syscall exit is written when its goroutine next gets a P,
   * possibly long after the exit; it was merged at that point, and now takes
   * the exit's real time. The events are then sorted by time, stably, which
   * moves only the exits: the result is the order of `events` by (time, index).
   */
  private fixSyscallExits(events: V1Events, merged: Uint32Array): Uint32Array {
    const n = merged.length;
    const ts = events.ts;
    // Go first checks that the merged times never go back, then moves the exits. Both are
    // done in one pass here; an exit's error waits until the rest of the times are checked.
    const fail = (k: number, err: TraceError): never => {
      let prev = ts[merged[k]!]!;
      for (let j = k + 1; j < n; j++) {
        const t = ts[merged[j]!]!;
        if (t < prev) throw new TraceError(errTimeOrder);
        prev = t;
      }
      throw err;
    };
    let prevTs = n > 0 ? ts[merged[0]!]! : 0;
    // Go keys "no block seen" on a zero timestamp; ours are relative, so absolute 0 is −base.
    const absZero = -this.tickBaseNum;
    // The last syscall block's time by goroutine: dense for the usual small IDs, NaN for none.
    let lastBlockDense = new Float64Array(1024).fill(Number.NaN);
    const lastBlockSparse = new Map<number, number>();
    /** Positions in `merged` of the exits that move. */
    const moved: number[] = [];
    for (let k = 0; k < n; k++) {
      const i = merged[k]!;
      const t = ts[i]!;
      if (t < prevTs) throw new TraceError(errTimeOrder);
      prevTs = t;
      switch (events.type[i]) {
        case V1.GoSysBlock:
        case V1.GoInSyscall: {
          const g = events.getG(i);
          if (g >= 0 && g < denseGoroutines && Number.isInteger(g)) {
            if (g >= lastBlockDense.length) {
              let len = lastBlockDense.length;
              while (len <= g) len *= 2;
              const grown = new Float64Array(len).fill(Number.NaN);
              grown.set(lastBlockDense);
              lastBlockDense = grown;
            }
            lastBlockDense[g] = ts[i]!;
          } else lastBlockSparse.set(g, ts[i]!);
          break;
        }
        case V1.GoSysExit: {
          const real = events.a2[i]!;
          if (Number.isNaN(real)) break;
          const g = events.getG(i);
          let block: number | undefined;
          if (g >= 0 && g < denseGoroutines && Number.isInteger(g)) {
            block = g < lastBlockDense.length ? lastBlockDense[g]! : Number.NaN;
            if (Number.isNaN(block)) block = undefined;
          } else block = lastBlockSparse.get(g);
          if (block === undefined || block === absZero)
            fail(k, new TraceError("stray syscall exit", events.off[i]));
          if (real < block!) fail(k, new TraceError(errTimeOrder, events.off[i]));
          if (real !== t) moved.push(k);
          ts[i] = real;
          break;
        }
      }
    }
    if (moved.length === 0) return merged;
    // Stable sort = merge the unmoved (already in order) with the moved, by (time, position).
    // Done in place: the unmoved close up to the front, then the two merge from the back.
    const at = (k: number) => ts[merged[k]!]!;
    moved.sort((a, b) => at(a) - at(b) || a - b);
    const m = moved.length;
    const movedIdx = new Uint32Array(m);
    const isMoved = new Uint8Array(n);
    for (let q = 0; q < m; q++) {
      movedIdx[q] = merged[moved[q]!]!;
      isMoved[moved[q]!] = 1;
    }
    let c = 0;
    for (let k = 0; k < n; k++) if (!isMoved[k]) merged[c++] = merged[k]!;
    let u = c - 1; // the last unmoved not yet placed, in the closed-up front …
    let p = n; // … and its original position
    let q = m - 1;
    for (let w = n - 1; q >= 0; w--) {
      let takeMoved = u < 0;
      if (!takeMoved) {
        p--;
        while (isMoved[p]) p--;
        const tu = ts[merged[u]!]!;
        const j = moved[q]!;
        const tj = ts[movedIdx[q]!]!;
        takeMoved = tj > tu || (tj === tu && j > p);
        if (takeMoved) p++; // not placed: look at it again
      }
      if (takeMoved) merged[w] = movedIdx[q--]!;
      else merged[w] = merged[u--]!;
    }
    return merged;
  }

  /** Ticks → ns from the first event (Go's float arithmetic), and the fake Ps of timers and syscall exits. */
  private toNanoseconds(events: V1Events, order: Uint32Array): void {
    if (order.length === 0) return;
    const minTs = events.ts[order[0]!]!;
    const freq = 1e9 / this.ticksPerSec;
    for (let k = 0; k < order.length; k++) {
      const i = order[k]!;
      events.ts[i] = Math.trunc((events.ts[i]! - minTs) * freq);
      const typ = events.type[i];
      if (typ === V1.GoUnblock && this.timerGoids.has(events.getG(i))) events.p[i] = TimerP;
      if (typ === V1.GoSysExit) events.p[i] = SyscallP;
    }
  }
}

/** Appends the CPU samples to `out` sorted by the time taken, with Go's (unstable) pdqsort. */
function appendSortedSamples(samples: V1Events, out: V1Events): void {
  const idx = Array.from({ length: samples.length }, (_, i) => i);
  const ts = samples.ts;
  sortFunc(idx, (a, b) => (ts[a]! < ts[b]! ? -1 : ts[a]! > ts[b]! ? 1 : 0));
  for (const i of idx) out.copyFrom(samples, i);
}

/** Go's int32(x) for a uint64 held as a double. */
function toInt32(v: number): number {
  if (v >= maxUint64) return -1;
  return Number(BigInt.asIntN(32, BigInt(v)));
}

/** Go's uint32(x) for a uint64 held as a double. */
function toUint32(v: number): number {
  if (v < 2 ** 32) return v;
  if (v >= maxUint64) return 2 ** 32 - 1;
  return Number(BigInt.asUintN(32, BigInt(v)));
}
