/**
 * Perfetto's incremental state for one packet sequence: event names,
 * function names, source paths, frames and callstacks are each sent once,
 * in the InternedData of the first packet that uses them, and referred to
 * by their interning ID (iid) after that. Callstack iids are the model's
 * global stack IDs; frames are interned by (function, file, line). Frames
 * carry no mapping (mapping_id 0): Perfetto then keeps their function, file
 * and line as given, which is all a Go trace knows of them.
 */
import { create, toBinary } from "@bufbuild/protobuf";
import type { StackTable } from "../../model/stacks.js";
import {
  type Callstack,
  CallstackSchema,
  type EventName,
  EventNameSchema,
  type Frame,
  FrameSchema,
  InternedDataSchema,
  type InternedString,
  InternedStringSchema,
} from "./gen/perfetto_trace_pb.js";

const utf8 = new TextEncoder();

export class Interner {
  private readonly names = new Map<string, number>();
  private readonly functions = new Map<string, number>();
  private readonly paths = new Map<string, number>();
  private readonly frames = new Map<string, number>();
  /** Stacks sent, by model stack ID. */
  private readonly sentStacks = new Set<number>();

  private newNames: EventName[] = [];
  private newFunctions: InternedString[] = [];
  private newPaths: InternedString[] = [];
  private newFrames: Frame[] = [];
  private newStacks: Callstack[] = [];
  private pending = false;

  constructor(private readonly stacks: StackTable) {}

  /** The iid of event name `name`, queued to be sent if new. */
  name(name: string): number {
    let iid = this.names.get(name);
    if (iid === undefined) {
      iid = this.names.size + 1;
      this.names.set(name, iid);
      this.newNames.push(create(EventNameSchema, { iid: BigInt(iid), name }));
      this.pending = true;
    }
    return iid;
  }

  /** The callstack iid of model stack `stack` (0 for none), queued to be sent if new. */
  stack(stack: number): number {
    if (stack <= 0) return 0;
    if (this.sentStacks.has(stack)) return stack;
    this.sentStacks.add(stack);
    // The model lists frames innermost first; Perfetto wants the outermost first.
    const frameIDs = this.stacks
      .frames(stack)
      .reverse()
      .map((f) => BigInt(this.frame(f.func, f.file, f.line)));
    this.newStacks.push(create(CallstackSchema, { iid: BigInt(stack), frameIds: frameIDs }));
    this.pending = true;
    return stack;
  }

  private frame(func: string, file: string, line: number): number {
    const key = `${func}\n${file}\n${line}`;
    let iid = this.frames.get(key);
    if (iid === undefined) {
      iid = this.frames.size + 1;
      this.frames.set(key, iid);
      this.newFrames.push(
        create(FrameSchema, {
          iid: BigInt(iid),
          functionNameId: BigInt(this.intern(this.functions, this.newFunctions, func)),
          ...(file !== "" && { sourcePathIid: BigInt(this.intern(this.paths, this.newPaths, file)) }),
          ...(line > 0 && { lineNumber: line }),
        }),
      );
    }
    return iid;
  }

  private intern(known: Map<string, number>, queue: InternedString[], s: string): number {
    let iid = known.get(s);
    if (iid === undefined) {
      iid = known.size + 1;
      known.set(s, iid);
      queue.push(create(InternedStringSchema, { iid: BigInt(iid), str: utf8.encode(s) }));
    }
    return iid;
  }

  /** Whether anything new waits to be sent (take() would give it). */
  get hasNew(): boolean {
    return this.pending;
  }

  /** The InternedData to send with the next packet (encoded), or undefined when nothing is new. */
  take(): Uint8Array | undefined {
    if (!this.pending) return undefined;
    const data = create(InternedDataSchema, {
      eventNames: this.newNames,
      functionNames: this.newFunctions,
      sourcePaths: this.newPaths,
      frames: this.newFrames,
      callstacks: this.newStacks,
    });
    this.newNames = [];
    this.newFunctions = [];
    this.newPaths = [];
    this.newFrames = [];
    this.newStacks = [];
    this.pending = false;
    return toBinary(InternedDataSchema, data);
  }
}
