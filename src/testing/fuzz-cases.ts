/**
 * Fuzz inputs for the trace reader and the checks every input must pass,
 * shared by `decode/fuzz.test.ts` (a fixed number of cases in `npm test`) and
 * `fuzz-main.ts` (`npm run fuzz`, for minutes).
 *
 * Every case is a pure function of (seed, index, corpus), so a failure is
 * reproduced from its index alone. Mutations are plain data with positions
 * as fractions in [0, 1): the same mutation applies to any input, prints
 * readably, and fast-check can shrink a list of them.
 *
 * Like the decoder it feeds, this file uses neither `node:*` nor the DOM; the
 * caller passes the corpus bytes and, if it can, a memory probe.
 */
import { TraceError } from "../decode/errors.js";
import { formatEvent } from "../decode/event-string.js";
import { NeedInput, TraceReader } from "../decode/reader.js";
import { headerSize, readHeader, writeHeader } from "../format/header.js";
import type { RawEvent } from "../format/raw.js";
import { writeRawTrace } from "../format/raw-writer.js";
import { Ev, MaxBatchSize } from "../format/v2/spec.js";
import { specsOf } from "../format/v2/version.js";
import { appendUvarint, readUvarint, readUvarintBig, type VarintResult } from "../format/varint.js";
import { withBatchSizes } from "./build-trace.js";

// ---------------------------------------------------------------------------
// Deterministic randomness

/** fmix32 from MurmurHash3: spreads (seed, index) over all 32-bit seeds. */
function mix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The seed of case `index` of a run seeded with `seed`. */
export function caseSeed(seed: number, index: number): number {
  return mix32((seed >>> 0) ^ mix32(index + 0x9e3779b9));
}

/** sfc32: small, fast and good enough to pick mutations. */
export class Rng {
  private a = 0x9e3779b9;
  private b = 0x243f6a88;
  private c = 0xb7e15162;
  private d: number;

  constructor(seed: number) {
    this.d = seed | 0;
    for (let i = 0; i < 12; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.u32() / 2 ** 32;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** An integer in [0, max) where small values are as likely as large orders of magnitude. */
  smallish(max: number): number {
    return Math.min(max - 1, Math.floor(2 ** (this.float() * Math.log2(max + 1))) - 1);
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      const x = this.u32();
      for (let k = 0; k < 4 && i + k < n; k++) out[i + k] = (x >>> (8 * k)) & 0xff;
    }
    return out;
  }

  /** Picks a key of `weights` with probability proportional to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const keys = Object.keys(weights) as K[];
    let total = 0;
    for (const k of keys) total += weights[k];
    let x = this.float() * total;
    for (const k of keys) {
      x -= weights[k];
      if (x < 0) return k;
    }
    return keys[keys.length - 1]!;
  }
}

// ---------------------------------------------------------------------------
// Varints and byte surgery

const maxU64 = (1n << 64n) - 1n;

/**
 * The LEB128 encoding of `v`, stretched with 0x80 continuation bytes to
 * `length` bytes if that is longer. Go accepts non-minimal varints of up to
 * 10 bytes (the runtime writes batch sizes that way); 11 or more overflow.
 */
export function encodeUvarint(v: bigint, length = 0): number[] {
  const out: number[] = [];
  appendUvarint(out, v < 0n ? 0n : v > maxU64 ? maxU64 : v);
  if (length > out.length) {
    out[out.length - 1]! |= 0x80;
    while (out.length < length - 1) out.push(0x80);
    out.push(0);
  }
  return out;
}

function splice(bytes: Uint8Array, start: number, end: number, insert: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(bytes.length - (end - start) + insert.length);
  out.set(bytes.subarray(0, start));
  out.set(insert, start);
  out.set(bytes.subarray(end), start + insert.length);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** floor(f × n) clamped to [0, n−1] (0 when n is 0): a fraction picks an index. */
function at(f: number, n: number): number {
  return Math.max(0, Math.min(n - 1, Math.floor(f * n)));
}

// ---------------------------------------------------------------------------
// The layout of a modern trace, found without the reader under test

/** One varint in the file and what it means, e.g. "batch size" or "GoStart g". */
export interface VarintSite {
  readonly offset: number;
  readonly length: number;
  /** As a double: exact below 2^53 (readUvarintBig gives the exact value). */
  readonly value: number;
  readonly role: string;
  /** Index of the batch it belongs to. */
  readonly batch: number;
}

export interface BatchSpan {
  readonly offset: number;
  readonly end: number;
  readonly gen: number;
  /** Index of the batch's size varint in `sites`; −1 for a Go 1.26 end-of-generation marker. */
  readonly sizeSite: number;
  readonly payload: number;
  readonly endOfGeneration: boolean;
}

export interface GenerationSpan {
  readonly gen: number;
  /** Offset of the generation's first batch. */
  readonly start: number;
  /** Offset just past its last byte: the next generation's first batch (≤1.25) or past its end marker (1.26+). */
  readonly end: number;
}

export interface TraceLayout {
  readonly version: number;
  readonly batches: readonly BatchSpan[];
  readonly sites: readonly VarintSite[];
  /** Complete generations, in file order. */
  readonly generations: readonly GenerationSpan[];
  /** Bytes before this offset were framed; a valid trace is framed to its end. */
  readonly framedTo: number;
}

const batchRoles = ["batch gen", "batch m", "batch time", "batch size"];

/** Role names per event type and argument ("GoStart g"), made once. */
const argRoles = new Map<number, string[]>();
const frameRoles = ["frame pc", "frame func", "frame file", "frame line"];

/**
 * Frames a Go 1.22+ trace into batches and events using only the spec table,
 * recording every varint (unless `withSites` is false: batches only, much
 * faster). Stops quietly at the first thing it cannot frame, so it also maps
 * the valid prefix of a damaged file. Undefined for other headers.
 */
export function traceLayout(bytes: Uint8Array, withSites = true): TraceLayout | undefined {
  const h = readHeader(bytes);
  if (!h.ok || h.version < 22) return undefined;
  const version = h.version;
  const specs = specsOf(version);
  const len = bytes.length;
  const batches: BatchSpan[] = [];
  const sites: VarintSite[] = [];
  const vr: VarintResult = { value: 0, n: 0 };
  // Reads a varint at off into vr; false if there is none.
  const site = (off: number, role: string, batch: number): boolean => {
    readUvarint(bytes, off, len, vr);
    if (vr.n <= 0) return false;
    sites.push({ offset: off, length: vr.n, value: vr.value, role, batch });
    return true;
  };
  const walkPayload = (start: number, end: number, batch: number): void => {
    let q = start;
    while (q < end) {
      const type = bytes[q]!;
      const spec = specs[type];
      if (!spec) return;
      let roles = argRoles.get(type);
      if (!roles) {
        roles = spec.args.map((a) => `${spec.name} ${a}`);
        argRoles.set(type, roles);
      }
      q++;
      let frames = 0;
      for (let i = 0; i < roles.length; i++) {
        if (!site(q, roles[i]!, batch)) return;
        if (i === 1) frames = vr.value;
        q += vr.n;
      }
      if (spec.isStack) {
        for (let i = 0; i < frames * 4 && q < end; i++) {
          if (!site(q, frameRoles[i % 4]!, batch)) return;
          q += vr.n;
        }
      }
      if (spec.hasData) {
        if (!site(q, `${spec.name} len`, batch)) return;
        q += vr.n + vr.value;
      }
    }
  };

  let p = headerSize;
  for (;;) {
    if (p >= len) break;
    const start = p;
    const typ = bytes[p]!;
    const bi = batches.length;
    if (typ === Ev.EndOfGeneration && version >= 26) {
      batches.push({ offset: p, end: p + 1, gen: 0, sizeSite: -1, payload: p + 1, endOfGeneration: true });
      p++;
      continue;
    }
    if (typ !== Ev.EventBatch && typ !== Ev.ExperimentalBatch) break;
    p++;
    if (typ === Ev.ExperimentalBatch && p++ >= len) break;
    const fields: number[] = [];
    for (const role of batchRoles) {
      if (!site(p, role, bi)) break;
      fields.push(vr.value);
      p += vr.n;
    }
    if (fields.length < 4) break;
    const size = fields[3]!;
    if (size > MaxBatchSize || p + size > len) break;
    batches.push({
      offset: start,
      end: p + size,
      gen: fields[0]!,
      sizeSite: sites.length - 1,
      payload: p,
      endOfGeneration: false,
    });
    if (typ === Ev.EventBatch && withSites) walkPayload(p, p + size, bi);
    p += size;
  }
  // Sites of a batch cut off at the end are not in any batch: drop them.
  while (sites.length > 0 && sites[sites.length - 1]!.batch >= batches.length) sites.pop();
  const framedTo = batches.length > 0 ? batches[batches.length - 1]!.end : headerSize;
  return { version, batches, sites, generations: generationSpans(version, batches, framedTo), framedTo };
}

function generationSpans(version: number, batches: readonly BatchSpan[], framedTo: number): GenerationSpan[] {
  const gens: GenerationSpan[] = [];
  let gen = -1;
  let start = -1;
  for (const b of batches) {
    if (b.endOfGeneration) {
      if (start >= 0) gens.push({ gen, start, end: b.end });
      start = -1;
      continue;
    }
    if (start < 0) {
      gen = b.gen;
      start = b.offset;
    } else if (version < 26 && b.gen !== gen) {
      gens.push({ gen, start, end: b.offset });
      gen = b.gen;
      start = b.offset;
    }
  }
  // Before 1.26 a generation ends at the end of the file; from 1.26 only at its marker.
  if (version < 26 && start >= 0) gens.push({ gen, start, end: framedTo });
  return gens;
}

// ---------------------------------------------------------------------------
// Mutations

/** Which varints a "varint" mutation may rewrite. */
export const siteRoles = [
  "any",
  "batch size",
  "batch gen",
  "batch m",
  "batch time",
  "String len",
  "String id",
  "Stack nframes",
  "Stack id",
  "frame",
  "id",
  "seq",
  "status",
  "dt",
  "Frequency freq",
] as const;
export type SiteRole = (typeof siteRoles)[number];

const roleTests: Record<SiteRole, (role: string) => boolean> = {
  any: () => true,
  "batch size": (r) => r === "batch size",
  "batch gen": (r) => r === "batch gen",
  "batch m": (r) => r === "batch m",
  "batch time": (r) => r === "batch time",
  "String len": (r) => r === "String len",
  "String id": (r) => r === "String id",
  "Stack nframes": (r) => r === "Stack nframes",
  "Stack id": (r) => r === "Stack id",
  frame: (r) => r.startsWith("frame "),
  id: (r) => /_(string|stack)$| (g|p|m|new_g|task|parent_task|id|stack)$/.test(r),
  seq: (r) => r.endsWith("seq"),
  status: (r) => r.endsWith("status"),
  dt: (r) => r.endsWith(" dt") || r.endsWith(" time"),
  "Frequency freq": (r) => r === "Frequency freq",
};

/** Per role name, a bit per siteRoles entry it matches: a few hundred distinct names, tested once each. */
const roleMasks = new Map<string, number>();
function roleMatches(filter: SiteRole, role: string): boolean {
  let mask = roleMasks.get(role);
  if (mask === undefined) {
    mask = 0;
    for (const [i, r] of siteRoles.entries()) if (roleTests[r](role)) mask |= 1 << i;
    roleMasks.set(role, mask);
  }
  return (mask & (1 << siteRoles.indexOf(filter))) !== 0;
}

/** Values that hit limits: Go's maximums ±1, 2^31/2^32/2^53 edges, 2^63, 2^64−1. */
export const interestingValues: readonly bigint[] = [
  0n,
  1n,
  2n,
  127n,
  128n,
  129n,
  1024n,
  1025n,
  65536n,
  65537n,
  10n ** 9n,
  2n ** 31n - 1n,
  2n ** 32n,
  2n ** 40n,
  2n ** 53n - 1n,
  2n ** 53n,
  2n ** 53n + 1n,
  2n ** 63n,
  2n ** 64n - 2n,
  maxU64,
];

export type Mutation =
  | { readonly op: "flip"; readonly at: number; readonly bit: number }
  | { readonly op: "set"; readonly at: number; readonly value: number }
  | { readonly op: "insert"; readonly at: number; readonly bytes: readonly number[] }
  | { readonly op: "delete"; readonly at: number; readonly length: number }
  | { readonly op: "truncate"; readonly at: number }
  /** This file up to `at`, then corpus trace `other` from `from`. */
  | { readonly op: "splice"; readonly at: number; readonly other: number; readonly from: number }
  /** Another trace's batches after this one's. */
  | { readonly op: "append"; readonly other: number }
  /**
   * Rewrites a varint: to `value`, or to the old value plus `value` when
   * `relative`; at least `length` bytes long (11+ overflows). With `fixSize`
   * the batch's size follows a change of the payload's length.
   */
  | {
      readonly op: "varint";
      readonly role: SiteRole;
      readonly site: number;
      readonly value: bigint;
      readonly relative: boolean;
      readonly length: number;
      readonly fixSize: boolean;
    }
  | { readonly op: "dropBatch"; readonly batch: number }
  /** Copies a batch of corpus trace `other` (−1: this one) before batch `to`. */
  | { readonly op: "copyBatch"; readonly other: number; readonly batch: number; readonly to: number }
  | { readonly op: "swapBatches"; readonly a: number; readonly b: number };

export function describeMutation(m: Mutation): string {
  return JSON.stringify(m, (_k, v) => (typeof v === "bigint" ? `${v}n` : v));
}

export interface CorpusTrace {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly layout: TraceLayout | undefined;
}

export function corpusTrace(name: string, bytes: Uint8Array): CorpusTrace {
  // A copy as a plain Uint8Array: Node's Buffer.slice is a view, and a
  // mutation must never write into the corpus.
  const own = new Uint8Array(bytes);
  return { name, bytes: own, layout: traceLayout(own) };
}

/**
 * Applies one mutation; structure-aware ones fall back to doing nothing where
 * there is no structure. `known` is the layout of `bytes` if already made.
 */
export function applyMutation(
  bytes: Uint8Array,
  m: Mutation,
  corpus: readonly CorpusTrace[],
  known?: TraceLayout,
): Uint8Array {
  const n = bytes.length;
  const batchesOf = (b: Uint8Array) => (b === bytes && known ? known : traceLayout(b, false))?.batches ?? [];
  switch (m.op) {
    case "flip": {
      if (n === 0) return bytes;
      const out = new Uint8Array(bytes);
      out[at(m.at, n)]! ^= 1 << (m.bit & 7);
      return out;
    }
    case "set": {
      if (n === 0) return bytes;
      const out = new Uint8Array(bytes);
      out[at(m.at, n)] = m.value & 0xff;
      return out;
    }
    case "insert":
      return splice(bytes, at(m.at, n + 1), at(m.at, n + 1), m.bytes);
    case "delete": {
      const s = at(m.at, n);
      return splice(bytes, s, Math.min(n, s + m.length), []);
    }
    case "truncate":
      return bytes.subarray(0, at(m.at, n + 1));
    case "splice": {
      const other = corpus[at(m.other, corpus.length)]?.bytes ?? bytes;
      return concat(bytes.subarray(0, at(m.at, n + 1)), other.subarray(at(m.from, other.length)));
    }
    case "append": {
      const other = corpus[at(m.other, corpus.length)]?.bytes ?? bytes;
      return concat(bytes, other.subarray(headerSize));
    }
    case "varint": {
      const layout = known ?? traceLayout(bytes);
      const sites = layout?.sites.filter((s) => roleMatches(m.role, s.role)) ?? [];
      if (!layout || sites.length === 0) return bytes;
      const s = sites[at(m.site, sites.length)]!;
      let v = m.relative ? readUvarintBig(bytes, s.offset, n).value + m.value : m.value;
      if (v < 0n) v = 0n;
      const enc = encodeUvarint(v, m.length);
      let out = splice(bytes, s.offset, s.offset + s.length, enc);
      const b = layout.batches[s.batch]!;
      if (m.fixSize && b.sizeSite >= 0 && s.offset >= b.payload && enc.length !== s.length) {
        const size = layout.sites[b.sizeSite]!;
        const fixed = encodeUvarint(BigInt(size.value + enc.length - s.length), size.length);
        out = splice(out, size.offset, size.offset + size.length, fixed);
      }
      return out;
    }
    case "dropBatch": {
      const bs = batchesOf(bytes);
      if (bs.length === 0) return bytes;
      const b = bs[at(m.batch, bs.length)]!;
      return splice(bytes, b.offset, b.end, []);
    }
    case "copyBatch": {
      const own = batchesOf(bytes);
      const other = m.other < 0 ? undefined : corpus[at(m.other, corpus.length)];
      const src = other?.bytes ?? bytes;
      const theirs = other ? (other.layout?.batches ?? []) : own;
      if (own.length === 0 || theirs.length === 0) return bytes;
      const b = theirs[at(m.batch, theirs.length)]!;
      const to = own[at(m.to, own.length)]!.offset;
      return splice(bytes, to, to, src.subarray(b.offset, b.end));
    }
    case "swapBatches": {
      const bs = batchesOf(bytes);
      if (bs.length < 2) return bytes;
      let x = bs[at(m.a, bs.length)]!;
      let y = bs[at(m.b, bs.length)]!;
      if (x === y) return bytes;
      if (x.offset > y.offset) [x, y] = [y, x];
      return concat(
        bytes.subarray(0, x.offset),
        bytes.subarray(y.offset, y.end),
        bytes.subarray(x.end, y.offset),
        bytes.subarray(x.offset, x.end),
        bytes.subarray(y.end),
      );
    }
  }
}

/** Applies mutations in order; `known` is the layout of the original bytes, if made. */
export function applyMutations(
  bytes: Uint8Array,
  ms: readonly Mutation[],
  corpus: readonly CorpusTrace[],
  known?: TraceLayout,
): Uint8Array {
  for (const [i, m] of ms.entries()) bytes = applyMutation(bytes, m, corpus, i === 0 ? known : undefined);
  return bytes;
}

export function randomMutation(rng: Rng): Mutation {
  const f = () => rng.float();
  switch (
    rng.weighted({
      flip: 15,
      set: 8,
      insert: 6,
      delete: 6,
      truncate: 6,
      splice: 4,
      append: 2,
      varint: 30,
      dropBatch: 7,
      copyBatch: 8,
      swapBatches: 8,
    })
  ) {
    case "flip":
      return { op: "flip", at: f(), bit: rng.int(8) };
    case "set":
      return { op: "set", at: f(), value: rng.pick([0, 1, 0x7f, 0x80, 0xff, rng.int(53), rng.int(256)]) };
    case "insert":
      return { op: "insert", at: f(), bytes: [...rng.bytes(1 + rng.smallish(32))] };
    case "delete":
      return { op: "delete", at: f(), length: 1 + rng.smallish(256) };
    case "truncate":
      return { op: "truncate", at: f() };
    case "splice":
      return { op: "splice", at: f(), other: f(), from: f() };
    case "append":
      return { op: "append", other: f() };
    case "varint": {
      const relative = rng.chance(0.2);
      const value = relative
        ? BigInt(rng.pick([-2, -1, 1, 2, 1000]))
        : rng.chance(0.75)
          ? rng.pick(interestingValues)
          : BigInt(rng.smallish(2 ** 31));
      const length = rng.chance(0.85) ? 0 : rng.pick([2, 5, 10, 11]);
      return {
        op: "varint",
        role: rng.pick(siteRoles),
        site: f(),
        value,
        relative,
        length,
        fixSize: rng.chance(0.7),
      };
    }
    case "dropBatch":
      return { op: "dropBatch", batch: f() };
    case "copyBatch":
      return { op: "copyBatch", other: rng.chance(0.5) ? -1 : f(), batch: f(), to: f() };
    case "swapBatches":
      return { op: "swapBatches", a: f(), b: f() };
  }
}

// ---------------------------------------------------------------------------
// Inputs made from nothing

/** The header versions gotrace reads. */
export const modernVersions: readonly number[] = [22, 23, 25, 26];

/** A header that is valid, nearly valid, or not a header at all. */
function randomHeader(rng: Rng): Uint8Array {
  switch (rng.int(6)) {
    case 0:
      return rng.bytes(rng.int(24));
    case 1: {
      const v = rng.pick([0, 1, 5, 11, 19, 20, 21, 22, 23, 24, 25, 26, 27, 99, 4294967318, rng.int(1000)]);
      return Uint8Array.from(`go 1.${v} trace\0\0\0\0`, (c) => c.charCodeAt(0)).subarray(0, rng.int(22));
    }
    case 2: {
      const h = writeHeader(rng.pick(modernVersions));
      h[rng.int(h.length)] = rng.u32() & 0xff;
      return h;
    }
    case 3:
      return writeHeader(rng.pick(modernVersions)).subarray(0, rng.int(headerSize));
    case 4:
      return Uint8Array.from(
        rng.pick(["go 1.22 trace\0\0", "go  1.22 trace\0\0\0", "go 1.022 trace\0\0\0"]),
        (c) => c.charCodeAt(0),
      );
    default:
      return writeHeader(rng.pick([5, 8, 11, 19, 21]));
  }
}

/**
 * A well-framed trace of random but plausible events: sync, string and stack
 * batches that mostly hold together, then per-thread batches of timed events
 * with small arguments, so that reading gets past framing into the tables and
 * the ordering state machine.
 */
export function syntheticTrace(rng: Rng, version: number): Uint8Array {
  const specs = specsOf(version);
  const timed: number[] = [];
  specs.forEach((s, t) => {
    if (s?.isTimedEvent && (s.experiment === 0 || rng.chance(0.1))) timed.push(t);
  });
  const events: RawEvent[] = [];
  const ev = (type: number, ...args: bigint[]): RawEvent => ({ type, args });
  const small = (max: number) => BigInt(rng.chance(0.95) ? rng.int(max) : rng.smallish(2 ** 31));
  const nGen = 1 + rng.smallish(4);
  const firstGen = rng.chance(0.8) ? 1 : 1 + rng.int(1000);
  const nStrings = rng.int(6);
  const nStacks = rng.int(6);
  let clock = 1000 + rng.int(1 << 20);
  for (let gi = 0; gi < nGen; gi++) {
    const gen = BigInt(firstGen + gi);
    const batches: { m: bigint; time: number; payload: RawEvent[] }[] = [];
    const special = (payload: RawEvent[]) => batches.push({ m: maxU64, time: clock, payload });
    const freq = [ev(Ev.Frequency, rng.chance(0.9) ? 15625000n : small(1 << 30))];
    if (version >= 25) {
      const snap = [ev(Ev.ClockSnapshot, small(100), BigInt(clock) * 64n, 1_700_000_000n, small(1e9))];
      special([ev(Ev.Sync), ...(rng.chance(0.95) ? freq : []), ...(rng.chance(0.95) ? snap : [])]);
    } else if (rng.chance(0.95)) special(freq);
    const strs: RawEvent[] = [ev(Ev.Strings)];
    for (let id = 1; id <= nStrings; id++) {
      const s = rng.pick(["main.main", "main.go", "sleep", "chan receive", "GC", "€", "\xff"]);
      strs.push({ ...ev(Ev.String, BigInt(id)), data: Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff) });
    }
    if (nStrings > 0) special(strs);
    const stks: RawEvent[] = [ev(Ev.Stacks)];
    for (let id = 1; id <= nStacks; id++) {
      const frames = rng.int(4);
      const args = [BigInt(id), BigInt(frames)];
      for (let k = 0; k < frames; k++) {
        args.push(BigInt(0x401000 + rng.int(64) * 16));
        args.push(small(nStrings + 1), small(nStrings + 1));
        args.push(small(200));
      }
      stks.push(ev(Ev.Stack, ...args));
    }
    if (nStacks > 0) special(stks);
    const nM = 1 + rng.int(4);
    for (let m = 0; m < nM; m++) {
      for (let k = 0, nb = 1 + rng.int(3); k < nb; k++) {
        const payload: RawEvent[] = [];
        if (k === 0 && rng.chance(0.7)) {
          payload.push(ev(Ev.ProcStatus, 1n, BigInt(m), 1n));
          payload.push(ev(Ev.GoStatus, 1n, BigInt(m + 1), BigInt(m), 2n));
        }
        for (let e = 0, ne = rng.int(24); e < ne; e++) {
          const t = rng.pick(timed);
          const args = specs[t]!.args.map((name) =>
            name === "dt"
              ? small(1000)
              : name.endsWith("string")
                ? small(nStrings + 2)
                : name.endsWith("stack")
                  ? small(nStacks + 2)
                  : small(6),
          );
          payload.push(ev(t, ...args));
        }
        clock += 1 + rng.int(5000);
        batches.push({ m: BigInt(m), time: clock, payload });
      }
    }
    // Go writes a generation's batches in no particular order.
    for (let i = batches.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [batches[i], batches[j]] = [batches[j]!, batches[i]!];
    }
    for (const b of batches) events.push(ev(Ev.EventBatch, gen, b.m, BigInt(b.time), 0n), ...b.payload);
    if (version >= 26) events.push(ev(Ev.EndOfGeneration));
    clock += 10_000;
  }
  return writeRawTrace(version, withBatchSizes(version, events));
}

// ---------------------------------------------------------------------------
// Cases

export type CaseKind = "random-after-header" | "random-header" | "synthetic" | "mutated";
export const caseKinds: readonly CaseKind[] = [
  "random-after-header",
  "random-header",
  "synthetic",
  "mutated",
];

export interface FuzzCase {
  readonly index: number;
  readonly kind: CaseKind;
  /** What was done, enough to rebuild the bytes by hand. */
  readonly label: string;
  readonly bytes: Uint8Array;
  /** For mutated cases: the corpus trace and the mutations applied to it. */
  readonly source?: string;
  readonly mutations?: readonly Mutation[];
}

/** Out of every 20 cases: 2 random after a header, 1 random header, 3 synthetic, 14 mutated. */
export function caseKind(index: number): CaseKind {
  const k = index % 20;
  return k < 2 ? "random-after-header" : k < 3 ? "random-header" : k < 6 ? "synthetic" : "mutated";
}

/** Case `index` of the run seeded `seed`. `corpus` must be the same, in the same order, to reproduce it. */
export function generateCase(seed: number, index: number, corpus: readonly CorpusTrace[]): FuzzCase {
  const rng = new Rng(caseSeed(seed, index));
  const kind = corpus.length > 0 || caseKind(index) !== "mutated" ? caseKind(index) : "synthetic";
  switch (kind) {
    case "random-after-header": {
      const v = rng.pick(modernVersions);
      const n = rng.smallish(4096);
      return {
        index,
        kind,
        label: `go 1.${v} header + ${n} random bytes`,
        bytes: concat(writeHeader(v), rng.bytes(n)),
      };
    }
    case "random-header": {
      const h = randomHeader(rng);
      const n = rng.smallish(512);
      return {
        index,
        kind,
        label: `random header ${JSON.stringify(String.fromCharCode(...h))} + ${n} bytes`,
        bytes: concat(h, rng.bytes(n)),
      };
    }
    case "synthetic": {
      const v = rng.pick(modernVersions);
      let bytes = syntheticTrace(rng, v);
      const ms = rng.chance(0.3) ? [randomMutation(rng)] : [];
      bytes = applyMutations(bytes, ms, corpus);
      const label = `synthetic go 1.${v} trace${ms.map((m) => ` ${describeMutation(m)}`).join("")}`;
      return { index, kind, label, bytes };
    }
    case "mutated": {
      const src = rng.pick(corpus);
      const count = rng.pick([1, 1, 1, 1, 1, 1, 1, 2, 2, 3]);
      const ms = Array.from({ length: count }, () => randomMutation(rng));
      const bytes = applyMutations(src.bytes, ms, corpus, src.layout);
      const label = `${src.name} ${ms.map(describeMutation).join(" ")}`;
      return { index, kind, label, bytes, source: src.name, mutations: ms };
    }
  }
}

// ---------------------------------------------------------------------------
// Reading under guard

/** What a guarded read found wrong. */
export type ProblemKind =
  | "exception"
  | "bad-error"
  | "error-not-sticky"
  | "need-input-after-end"
  | "runaway"
  | "slow"
  | "memory"
  | "chunking"
  /** Set by the runner: a case that stopped making progress, or killed its worker. */
  | "hang"
  | "crash";

export class FuzzProblem extends Error {
  constructor(
    readonly problem: ProblemKind,
    detail: string,
  ) {
    super(`${problem}: ${detail}`);
    this.name = "FuzzProblem";
  }
}

export interface ReadLimits {
  /** Event cap; a valid trace has fewer events than bytes. */
  readonly maxEvents: number;
  readonly maxMs: number;
  /** Allowed growth of `memory()` during the read. */
  readonly maxGrowthBytes: number;
  /** Heap plus array buffers in bytes, if the platform can say. */
  readonly memory?: () => number;
}

/** The limits the brief sets: events and time well beyond any sane read, 64 MiB + 50× the input. */
export function limitsFor(size: number, memory?: () => number): ReadLimits {
  return { maxEvents: 8 * size + 10_000, maxMs: 5_000, maxGrowthBytes: 64 * 2 ** 20 + 50 * size, memory };
}

export interface ReadOutcome {
  readonly events: number;
  readonly text: string;
  readonly error: TraceError | undefined;
  readonly validOffset: number;
  /** Largest memory growth seen, in bytes (0 without a probe). */
  readonly growth: number;
}

function describeError(e: unknown): string {
  if (e instanceof Error)
    return `${e.name}: ${e.message}\n${e.stack?.split("\n").slice(1, 6).join("\n") ?? ""}`;
  return String(e);
}

/**
 * Reads `bytes` with the real reader, printing every event as `gotrace dump`
 * does, in chunks of the given sizes (cycled) or all at once. Returns the
 * outcome, or throws FuzzProblem for anything but success or one TraceError.
 */
export function readGuarded(
  bytes: Uint8Array,
  limits: ReadLimits,
  options: { chunkSizes?: readonly number[]; keepText?: boolean } = {},
): ReadOutcome {
  const { chunkSizes, keepText = false } = options;
  const started = performance.now();
  const mem0 = limits.memory?.() ?? 0;
  let growth = 0;
  const checkMemory = (): void => {
    if (!limits.memory) return;
    growth = Math.max(growth, limits.memory() - mem0);
    if (growth > limits.maxGrowthBytes) {
      throw new FuzzProblem(
        "memory",
        `grew by ${(growth / 2 ** 20).toFixed(1)} MiB reading ${bytes.length} bytes`,
      );
    }
  };
  const r = new TraceReader();
  const parts: string[] = [];
  let off = 0;
  let chunk = 0;
  let ended = false;
  let events = 0;
  let error: TraceError | undefined;
  for (;;) {
    let ev: ReturnType<TraceReader["read"]>;
    try {
      ev = r.read();
    } catch (e) {
      if (e instanceof TraceError) {
        error = e;
        break;
      }
      throw new FuzzProblem("exception", `read() threw ${describeError(e)}`);
    }
    if (ev === null) break;
    if (ev === NeedInput) {
      if (ended) throw new FuzzProblem("need-input-after-end", `at event ${events}`);
      if (off >= bytes.length) {
        r.end();
        ended = true;
      } else {
        const size = chunkSizes ? chunkSizes[chunk++ % chunkSizes.length]! : bytes.length;
        r.push(bytes.subarray(off, Math.min(bytes.length, off + size)));
        off += size;
      }
      continue;
    }
    events++;
    let line: string;
    try {
      line = formatEvent(ev, r.originNs);
    } catch (e) {
      throw new FuzzProblem("exception", `formatEvent threw ${describeError(e)}`);
    }
    if (keepText) parts.push(line, "\n");
    if (events > limits.maxEvents) throw new FuzzProblem("runaway", `more than ${limits.maxEvents} events`);
    if ((events & 1023) === 0) {
      if (performance.now() - started > limits.maxMs)
        throw new FuzzProblem("slow", `over ${limits.maxMs} ms`);
      checkMemory();
    }
  }
  checkMemory();
  const ms = performance.now() - started;
  if (ms > limits.maxMs) throw new FuzzProblem("slow", `${ms.toFixed(0)} ms for ${bytes.length} bytes`);
  if (error) checkTraceError(error, bytes.length, r);
  const validOffset = r.validOffset;
  if (!(Number.isInteger(validOffset) && validOffset >= 0 && validOffset <= bytes.length)) {
    throw new FuzzProblem("bad-error", `validOffset ${validOffset} outside the input`);
  }
  return { events, text: parts.join(""), error, validOffset, growth };
}

function checkTraceError(e: TraceError, size: number, r: TraceReader): void {
  if (typeof e.reason !== "string" || e.reason === "") throw new FuzzProblem("bad-error", "empty reason");
  const o = e.offset;
  if (o !== undefined && !(Number.isInteger(o) && o >= 0 && o <= size)) {
    throw new FuzzProblem("bad-error", `offset ${o} outside the ${size}-byte input: ${e.message}`);
  }
  const g = e.generation;
  if (g !== undefined && !(Number.isInteger(g) && g >= 0)) {
    throw new FuzzProblem("bad-error", `generation ${g}: ${e.message}`);
  }
  // One error, once: reading on must give the same error again, not another one or more events.
  try {
    const again = r.read();
    throw new FuzzProblem("error-not-sticky", `read() after "${e.message}" returned ${String(again)}`);
  } catch (again) {
    if (again instanceof FuzzProblem) throw again;
    if (again !== e) throw new FuzzProblem("error-not-sticky", `"${e.message}" then ${describeError(again)}`);
  }
}

/**
 * The check every case gets: read it whole; every eighth case also in random
 * chunks, which must give the same events and error.
 */
export function checkCase(c: FuzzCase, memory?: () => number): ReadOutcome {
  const limits = limitsFor(c.bytes.length, memory);
  const chunked = c.index % 8 === 0;
  const whole = readGuarded(c.bytes, limits, { keepText: chunked });
  if (chunked) {
    const rng = new Rng(caseSeed(c.index, 0x5eed));
    const sizes = Array.from({ length: 8 }, () => 1 + rng.smallish(4096));
    const parts = readGuarded(c.bytes, limits, { chunkSizes: sizes, keepText: true });
    if (parts.text !== whole.text || parts.error?.message !== whole.error?.message) {
      throw new FuzzProblem(
        "chunking",
        `chunks of ${sizes.join(",")}: ${parts.events} events, ${parts.error?.message}; whole: ${whole.events} events, ${whole.error?.message}`,
      );
    }
  }
  return whole;
}
