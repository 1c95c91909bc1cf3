/**
 * Stacks interned across generations. Each generation of a trace has its
 * own stack table with its own IDs; the timeline keeps one global table so
 * a slice stores a single 32-bit stack ID, and a stack seen in every
 * generation is stored once. Frames are (function, file, line) with the
 * strings interned.
 */
import type { EvTable } from "../decode/v2/table.js";
import { I32List, IdCache, type StringTable } from "./columns.js";

export interface FrameView {
  readonly pc: number;
  readonly func: string;
  readonly file: string;
  readonly line: number;
}

/** Global stack ID 0 is the empty stack (or no stack). */
export const NoStackID = 0;

export class StackTable {
  readonly strings: StringTable;
  private readonly byKey = new Map<string, number>([["", 0]]);
  /** Frames of stack s: frameIDs[offsets[s] .. offsets[s+1]), innermost first. */
  private readonly offsets = new I32List();
  private readonly frameIDs = new I32List();
  private readonly frameByPC = new Map<number, number>();
  private readonly frameFunc = new I32List();
  private readonly frameFile = new I32List();
  private readonly frameLine = new I32List();
  /** PCs exceed 32 bits: kept as doubles (exact to 2^53). */
  private readonly framePC: number[] = [];
  /** The generation table the local IDs below belong to. */
  private table: EvTable | undefined;
  private readonly local = new IdCache();

  constructor(strings: StringTable) {
    this.strings = strings;
    this.offsets.push(0);
    this.offsets.push(0);
  }

  /** The global ID of stack `id` of generation table `table` (0 for none). */
  intern(table: EvTable | undefined, id: number): number {
    if (id === 0 || !table) return NoStackID;
    if (table !== this.table) {
      this.table = table;
      this.local.clear();
    }
    const known = this.local.get(id);
    if (known >= 0) return known;
    const global = this.internPCs(table, id);
    this.local.set(id, global);
    return global;
  }

  private internPCs(table: EvTable, id: number): number {
    const pcs = table.stacks.get(id);
    if (!pcs || pcs.length === 0) return NoStackID;
    const key = pcs.join(",");
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    const frames = table.frames(id);
    for (const f of frames) {
      let fid = this.frameByPC.get(f.pc);
      if (fid === undefined) {
        fid = this.frameFunc.length;
        this.frameFunc.push(this.strings.intern(f.func));
        this.frameFile.push(this.strings.intern(f.file));
        this.frameLine.push(f.line);
        this.framePC.push(f.pc);
        this.frameByPC.set(f.pc, fid);
      }
      this.frameIDs.push(fid);
    }
    const s = this.offsets.length - 1;
    this.offsets.push(this.frameIDs.length);
    this.byKey.set(key, s);
    return s;
  }

  /** Number of stacks (including the empty stack 0). */
  get size(): number {
    return this.offsets.length - 1;
  }

  frames(s: number): FrameView[] {
    if (s <= 0 || s >= this.size) return [];
    const out: FrameView[] = [];
    for (let i = this.offsets.get(s); i < this.offsets.get(s + 1); i++) {
      const f = this.frameIDs.get(i);
      out.push({
        pc: this.framePC[f]!,
        func: this.strings.get(this.frameFunc.get(f)),
        file: this.strings.get(this.frameFile.get(f)),
        line: this.frameLine.get(f),
      });
    }
    return out;
  }

  /** Number of frames (distinct PCs) across all stacks. */
  get frameCount(): number {
    return this.frameFunc.length;
  }

  /** Frame f's function and file (string IDs) and line. */
  frame(f: number): { readonly func: number; readonly file: number; readonly line: number } {
    return { func: this.frameFunc.get(f), file: this.frameFile.get(f), line: this.frameLine.get(f) };
  }

  /** The frame IDs of stack s, innermost first ([] for the empty stack). */
  frameIDsOf(s: number): number[] {
    if (s <= 0 || s >= this.size) return [];
    const out: number[] = [];
    for (let i = this.offsets.get(s); i < this.offsets.get(s + 1); i++) out.push(this.frameIDs.get(i));
    return out;
  }

  /** The outermost frame's function ("" for the empty stack): how Go names goroutines. */
  rootFunc(s: number): string {
    if (s <= 0 || s >= this.size) return "";
    const last = this.offsets.get(s + 1) - 1;
    if (last < this.offsets.get(s)) return "";
    return this.strings.get(this.frameFunc.get(this.frameIDs.get(last)));
  }

  /** Whether any frame's function contains `needle` (for find). */
  hasFunc(s: number, needle: string): boolean {
    for (let i = this.offsets.get(s); i < this.offsets.get(s + 1); i++) {
      if (this.strings.get(this.frameFunc.get(this.frameIDs.get(i))).includes(needle)) return true;
    }
    return false;
  }

  /**
   * For find: which stacks have a frame whose function or file is one of
   * the `marked` strings (indexed by string ID). One pass over the frames,
   * then one over the stacks' frame lists.
   */
  stacksWithStrings(marked: Uint8Array): Uint8Array {
    const frameHit = new Uint8Array(this.frameFunc.length);
    for (let f = 0; f < frameHit.length; f++)
      frameHit[f] = marked[this.frameFunc.get(f)]! | marked[this.frameFile.get(f)]!;
    const out = new Uint8Array(this.size);
    for (let s = 1; s < this.size; s++) {
      const end = this.offsets.get(s + 1);
      for (let i = this.offsets.get(s); i < end; i++) {
        if (frameHit[this.frameIDs.get(i)]) {
          out[s] = 1;
          break;
        }
      }
    }
    return out;
  }

  /** The innermost frame of stack s whose function or file is a `marked` string, if any. */
  frameWithStrings(s: number, marked: Uint8Array): FrameView | undefined {
    if (s <= 0 || s >= this.size) return undefined;
    for (let i = this.offsets.get(s); i < this.offsets.get(s + 1); i++) {
      const f = this.frameIDs.get(i);
      const func = this.frameFunc.get(f);
      const file = this.frameFile.get(f);
      if (marked[func] || marked[file])
        return {
          pc: this.framePC[f]!,
          func: this.strings.get(func),
          file: this.strings.get(file),
          line: this.frameLine.get(f),
        };
    }
    return undefined;
  }

  /** Forgets the per-generation ID map (the stacks themselves stay). */
  release(): void {
    this.table = undefined;
    this.local.clear();
  }
}
