/**
 * Collects the batches of one generation and builds its tables.
 *
 * A generation is self-contained: its strings, stacks, CPU samples,
 * frequency and clock snapshot come in special batches; every other batch
 * holds one thread's events, kept per thread in arrival order.
 */
import { quoteGo } from "../../format/go-quote.js";
import { Ev, MaxEventTrailerDataSize, MaxFramesPerStack } from "../../format/v2/spec.js";
import { readUvarint, readUvarintBig, type VarintResult } from "../../format/varint.js";
import { TraceError } from "../errors.js";
import { sortFunc } from "../go-sort.js";
import { type Batch, toInt64 } from "./batch.js";
import { EvTable } from "./table.js";

export interface CPUSample {
  /** Absolute nanoseconds once the generation is finished (ticks before). */
  time: number;
  readonly m: number;
  readonly p: number;
  readonly g: number;
  readonly stack: number;
}

export class Generation {
  gen = 0;
  /** Smallest batch timestamp, in ticks. */
  minTs = 0;
  readonly table = new EvTable();
  /** Event batches per thread, in arrival order. */
  readonly batches = new Map<number, Batch[]>();
  /** Threads in the order their first batch arrived. */
  readonly batchMs: number[] = [];
  cpuSamples: CPUSample[] = [];
  /** File offset of the generation's first batch. */
  offset = 0;
  /** File offset just past the generation's last batch (or its end marker). */
  endOffset = 0;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Decodes UTF-8, keeping invalid bytes as lone surrogates U+DC80+byte, so
 * that Go-style quoting can print them back as \xNN exactly.
 */
export function decodeGoString(bytes: Uint8Array): string {
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  try {
    return utf8.decode(bytes);
  } catch {
    return decodeLossless(bytes);
  }
}

function decodeLossless(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let need = 0;
    let min = 0;
    let cp = 0;
    if (b < 0x80) {
      out += String.fromCharCode(b);
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      cp = b & 0x1f;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      cp = b & 0x0f;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      cp = b & 0x07;
      min = 0x10000;
    } else {
      out += String.fromCharCode(0xdc00 + b);
      i++;
      continue;
    }
    let ok = true;
    let j = 1;
    for (; ok && j <= need; j++) {
      const c = bytes[i + j];
      if (c === undefined || (c & 0xc0) !== 0x80) {
        ok = false;
        break;
      }
      cp = (cp << 6) | (c & 0x3f);
    }
    if (!ok || cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      out += String.fromCharCode(0xdc00 + b);
      i++;
      continue;
    }
    out += String.fromCodePoint(cp);
    i += need + 1;
  }
  return out;
}

/** A cursor over one special batch's payload, with Go's error wording. */
class PayloadReader {
  pos = 0;
  private readonly vr: VarintResult = { value: 0, n: 0 };
  constructor(
    readonly data: Uint8Array,
    readonly batch: Batch,
    readonly gen: number,
  ) {}

  get remaining(): number {
    return this.data.length - this.pos;
  }

  byte(): number {
    if (this.pos >= this.data.length) throw this.fail("EOF");
    return this.data[this.pos++]!;
  }

  uvarint(context = ""): number {
    readUvarint(this.data, this.pos, this.data.length, this.vr);
    if (this.vr.n <= 0) {
      const why =
        this.vr.n < 0
          ? "binary: varint overflows a 64-bit integer"
          : this.pos < this.data.length
            ? "unexpected EOF"
            : "EOF";
      // A bare EOF (no context added) is what Go's callers take as the clean end of the trace.
      if (why === "EOF" && !context) throw new TraceError(why, this.batch.offset, this.gen, true);
      throw this.fail(context ? `${context}: ${why}` : why);
    }
    this.pos += this.vr.n;
    return this.vr.value;
  }

  uvarintBig(): bigint {
    const { value, n } = readUvarintBig(this.data, this.pos, this.data.length);
    if (n === 0 && this.pos >= this.data.length)
      throw new TraceError("EOF", this.batch.offset, this.gen, true);
    if (n <= 0) throw this.fail(n < 0 ? "binary: varint overflows a 64-bit integer" : "unexpected EOF");
    this.pos += n;
    return value;
  }

  /**
   * The varint at `pos` as exact decimal digits: a size past 2^53 is only
   * reported, and the message should name the integer the bytes hold.
   */
  exactAt(pos: number): string {
    return readUvarintBig(this.data, pos, this.data.length).value.toString();
  }

  fail(reason: string): TraceError {
    return new TraceError(reason, this.batch.offset, this.gen);
  }
}

function addStrings(g: Generation, b: Batch): void {
  const r = new PayloadReader(b.data, b, g.gen);
  r.byte(); // Ev.Strings
  while (r.remaining !== 0) {
    const ev = r.byte();
    if (ev !== Ev.String) throw r.fail(`expected string event, got ${ev}`);
    const id = r.uvarint();
    const lenAt = r.pos;
    const len = r.uvarint();
    if (len > MaxEventTrailerDataSize) {
      throw r.fail(`invalid string size ${r.exactAt(lenAt)}, maximum is ${MaxEventTrailerDataSize}`);
    }
    if (r.remaining < len) throw r.fail(`failed to read full string: read ${r.remaining} but wanted ${len}`);
    const s = decodeGoString(r.data.subarray(r.pos, r.pos + len));
    r.pos += len;
    if (!g.table.strings.insert(id, s)) {
      // Quoted (Go prints them bare) so that a string holding a newline keeps the error on one line.
      throw r.fail(
        `multiple strings with the same ID: id=${id}, new=${quoteGo(s)}, existing=${quoteGo(g.table.strings.get(id) ?? "")}`,
      );
    }
  }
}

function addStacks(g: Generation, b: Batch): void {
  const r = new PayloadReader(b.data, b, g.gen);
  const pcs = g.table.pcs;
  r.byte(); // Ev.Stacks
  while (r.remaining !== 0) {
    const ev = r.byte();
    if (ev !== Ev.Stack) throw r.fail(`expected stack event, got ${ev}`);
    const id = r.uvarint();
    const nFramesAt = r.pos;
    const nFrames = r.uvarint();
    if (nFrames > MaxFramesPerStack) {
      throw r.fail(`invalid stack size ${r.exactAt(nFramesAt)}, maximum is ${MaxFramesPerStack}`);
    }
    const frames: number[] = [];
    for (let i = 1; i <= nFrames; i++) {
      const pc = r.uvarint(`reading frame ${i}'s PC for stack ${id}`);
      const funcID = r.uvarint(`reading frame ${i}'s funcID for stack ${id}`);
      const fileID = r.uvarint(`reading frame ${i}'s fileID for stack ${id}`);
      const line = r.uvarint(`reading frame ${i}'s line for stack ${id}`);
      frames.push(pc);
      if (!pcs.has(pc)) pcs.set(pc, { pc, funcID, fileID, line });
    }
    if (!g.table.stacks.insert(id, frames)) {
      throw r.fail(`multiple stacks with the same ID: id=${id}`);
    }
  }
}

function addCPUSamples(g: Generation, b: Batch): void {
  const r = new PayloadReader(b.data, b, g.gen);
  r.byte(); // Ev.CPUSamples
  while (r.remaining !== 0) {
    const ev = r.byte();
    if (ev !== Ev.CPUSample) throw r.fail(`expected CPU sample event, got ${ev}`);
    const time = r.uvarint();
    const m = toInt64(r.uvarint());
    const p = toInt64(r.uvarint());
    const gid = r.uvarint();
    const stack = r.uvarint();
    g.cpuSamples.push({ time, m, p, g: gid === 0 ? -1 : toInt64(gid), stack });
  }
}

function setSyncBatch(g: Generation, b: Batch, version: number): void {
  const r = new PayloadReader(b.data, b, g.gen);
  const t = g.table;
  if (version >= 25) r.byte(); // Ev.Sync
  let lastTs = b.time;
  while (r.remaining !== 0) {
    const ev = r.byte();
    if (ev === Ev.Frequency) {
      if (t.nsPerTick !== 0) throw r.fail("found multiple frequency events");
      const f = r.uvarint();
      t.nsPerTick = 1.0 / (f / 1e9);
    } else if (ev === Ev.ClockSnapshot && version >= 25) {
      if (t.clockSnapshot) throw r.fail("found multiple clock snapshot events");
      lastTs += r.uvarint();
      const mono = r.uvarintBig();
      const sec = r.uvarint();
      const nsec = r.uvarint();
      t.clockSnapshot = { time: lastTs, mono, sec, nsec };
    } else {
      throw r.fail(`expected frequency or clock snapshot event, got ${ev}`);
    }
  }
}

function firstByte(b: Batch): number {
  return b.exp === 0 && b.data.length > 0 ? b.data[0]! : -1;
}

/** Files one batch into the generation, by kind. */
export function processBatch(g: Generation, b: Batch, version: number): void {
  const first = firstByte(b);
  if (first === Ev.Strings) addStrings(g, b);
  else if (first === Ev.Stacks) addStacks(g, b);
  else if (first === Ev.CPUSamples) addCPUSamples(g, b);
  else if ((first === Ev.Frequency && version < 25) || (first === Ev.Sync && version >= 25)) {
    setSyncBatch(g, b, version);
  } else if (b.exp !== 0) {
    processExperimental(g, b);
  } else if (first === Ev.EndOfGeneration) {
    throw new TraceError(
      "internal error: unexpectedly processing EndOfGeneration; broken trace?",
      b.offset,
      g.gen,
    );
  } else {
    processEvents(g, b);
  }
}

function processExperimental(g: Generation, b: Batch): void {
  let list = g.table.expBatches.get(b.exp);
  if (!list) {
    list = [];
    g.table.expBatches.set(b.exp, list);
  }
  list.push({ thread: b.m, data: b.data });
}

function processEvents(g: Generation, b: Batch): void {
  let list = g.batches.get(b.m);
  if (!list) {
    list = [];
    g.batches.set(b.m, list);
    g.batchMs.push(b.m);
  }
  list.push(b);
}

/** Checks and completes a generation once all its batches are in. */
export function finishGeneration(g: Generation, version: number): void {
  const t = g.table;
  t.generation = g.gen;
  if (t.nsPerTick === 0) throw new TraceError("no frequency event found", g.offset, g.gen);
  if (version >= 25 && !t.clockSnapshot)
    throw new TraceError("no clock snapshot event found", g.offset, g.gen);
  for (const [id, pcs] of t.stacks.entries()) {
    for (const pc of pcs) {
      const f = t.pcs.get(pc);
      if (!f) throw new TraceError(`found unknown pc ${pc.toString(16)} for stack ${id}`, g.offset, g.gen);
      if (!t.strings.has(f.funcID)) {
        throw new TraceError(`found invalid func string ID ${f.funcID} for stack ${id}`, g.offset, g.gen);
      }
      if (!t.strings.has(f.fileID)) {
        throw new TraceError(`found invalid file string ID ${f.fileID} for stack ${id}`, g.offset, g.gen);
      }
    }
  }
  for (const s of g.cpuSamples) s.time = t.mul(s.time);
  sortFunc(g.cpuSamples, (a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
}
