/**
 * Ranges of time: GC mark assist (a goroutine's), sweeping (a P's), GC
 * concurrent mark phases and stop-the-world pauses (the whole program's),
 * paired from their begin/active/end events as go tool trace's generators
 * pair them (cmd/trace/gen.go, gstate.go).
 */

import { type Event, EventKind } from "../decode/event.js";
import { Ev } from "../format/v2/spec.js";
import type { StringTable } from "./columns.js";
import type { GState } from "./goroutine-state.js";
import { GlobalKind, GlobalRangeTable, ProcRangeTable, RangeKind } from "./tables.js";

interface Open {
  startNs: number;
  stack: number;
  m: number;
  g: number;
  name: number;
}

export class RangeRecorder {
  readonly proc = new ProcRangeTable();
  readonly global = new GlobalRangeTable();
  readonly markAssistName: number;
  private readonly sweepName: number;
  private readonly openProc = new Map<string, Open>();
  private readonly openGlobal = new Map<string, Open>();
  private syncs = 0;

  constructor(private readonly strings: StringTable) {
    this.markAssistName = strings.intern("GC mark assist");
    this.sweepName = strings.intern("GC incremental sweep");
  }

  sync(): void {
    this.syncs++;
  }

  /**
   * An Active event repeats what an earlier generation already said, except
   * in the first generation, where the range began before the trace did.
   */
  private activeFromStart(): boolean {
    return this.syncs < 2;
  }

  /** A goroutine-scoped range. It is drawn on the P only while its goroutine executes there. */
  goroutineRange(gs: GState, ev: Event, t: number, name: string, stack: number): void {
    const id = this.strings.intern(name);
    gs.ranges ??= new Map();
    switch (ev.kind) {
      case EventKind.RangeBegin:
        gs.ranges.set(id, { startNs: gs.executing ? t : Number.NaN, stack });
        break;
      case EventKind.RangeActive:
        gs.ranges.set(id, { startNs: gs.executing ? gs.execStartNs : Number.NaN, stack: 0 });
        break;
      case EventKind.RangeEnd: {
        const r = gs.ranges.get(id);
        if (r && gs.executing && !Number.isNaN(r.startNs))
          this.pushProc(gs, id, r.startNs, t, r.stack, stack);
        gs.ranges.delete(id);
        break;
      }
    }
  }

  goroutineStarted(gs: GState, t: number): void {
    if (!gs.ranges) return;
    for (const r of gs.ranges.values()) {
      r.startNs = t;
      r.stack = 0;
    }
  }

  goroutineStopped(gs: GState, t: number): void {
    if (!gs.ranges) return;
    for (const [id, r] of gs.ranges) {
      if (!Number.isNaN(r.startNs)) this.pushProc(gs, id, r.startNs, t, r.stack, 0);
      r.startNs = Number.NaN;
    }
  }

  private pushProc(
    gs: GState,
    name: number,
    startNs: number,
    endNs: number,
    startStack: number,
    endStack: number,
  ): void {
    this.pushProcRow(name, gs.execP, gs.execM, gs.index, startNs, endNs, startStack, endStack);
  }

  private pushProcRow(
    name: number,
    p: number,
    m: number,
    g: number,
    startNs: number,
    endNs: number,
    startStack: number,
    endStack: number,
  ): void {
    const t = this.proc;
    t.startNs.push(startNs);
    t.endNs.push(endNs);
    t.kind.push(
      name === this.markAssistName
        ? RangeKind.MarkAssist
        : name === this.sweepName
          ? RangeKind.Sweep
          : RangeKind.Other,
    );
    t.name.push(name);
    t.p.push(p);
    t.m.push(m);
    t.g.push(g);
    t.startStack.push(startStack);
    t.endStack.push(endStack);
  }

  /** A P-scoped range (sweeping). */
  procRange(ev: Event, t: number, p: number, name: string, stack: number, m: number, g: number): void {
    const key = `${p}/${name}`;
    const id = this.strings.intern(name);
    switch (ev.kind) {
      case EventKind.RangeBegin:
        this.openProc.set(key, { startNs: t, stack, m, g, name: id });
        break;
      case EventKind.RangeActive:
        if (this.activeFromStart()) this.openProc.set(key, { startNs: 0, stack, m, g, name: id });
        break;
      case EventKind.RangeEnd: {
        const r = this.openProc.get(key);
        this.openProc.delete(key);
        this.pushProcRow(id, p, r?.m ?? m, r?.g ?? g, r?.startNs ?? 0, t, r?.stack ?? 0, stack);
        break;
      }
    }
  }

  /** A whole-program range: a GC concurrent mark phase, or a stop-the-world pause. */
  globalRange(ev: Event, t: number, name: string, stack: number, g: number): void {
    const stw = ev.type === Ev.STWBegin || ev.type === Ev.STWEnd;
    const key = stw ? "STW" : name;
    switch (ev.kind) {
      case EventKind.RangeBegin:
        this.openGlobal.set(key, { startNs: t, stack, m: -1, g, name: this.strings.intern(name) });
        break;
      case EventKind.RangeActive:
        if (this.activeFromStart())
          this.openGlobal.set(key, { startNs: 0, stack, m: -1, g, name: this.strings.intern(name) });
        break;
      case EventKind.RangeEnd: {
        const r = this.openGlobal.get(key);
        this.openGlobal.delete(key);
        this.pushGlobal(
          stw,
          r?.name ?? this.strings.intern(name),
          r?.startNs ?? 0,
          t,
          r?.stack ?? 0,
          stack,
          r?.g ?? g,
        );
        break;
      }
    }
  }

  private pushGlobal(
    stw: boolean,
    name: number,
    startNs: number,
    endNs: number,
    startStack: number,
    endStack: number,
    g: number,
  ): void {
    const t = this.global;
    t.startNs.push(startNs);
    t.endNs.push(endNs);
    t.kind.push(stw ? GlobalKind.STW : GlobalKind.GC);
    t.name.push(name);
    t.g.push(g);
    t.startStack.push(startStack);
    t.endStack.push(endStack);
  }

  /** Ranges still open at the end of the trace last until its end. */
  finish(endNs: number): void {
    for (const [key, r] of this.openProc) {
      const p = Number(key.slice(0, key.indexOf("/")));
      this.pushProcRow(r.name, p, r.m, r.g, r.startNs, endNs, r.stack, 0);
    }
    for (const [key, r] of this.openGlobal)
      this.pushGlobal(key === "STW", r.name, r.startNs, endNs, r.stack, 0, r.g);
    this.openProc.clear();
    this.openGlobal.clear();
  }
}
