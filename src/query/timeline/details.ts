/**
 * Details of one slice or mark, for the panel a click opens: what it is,
 * when, its stacks, why it ended, and the goroutines that created or
 * unblocked it.
 */
import { CauseKind, GlobalKind } from "../../model/tables.js";
import type { Timeline } from "../../model/timeline.js";
import { execAt } from "./flows.js";
import { goroutineSegments, Part } from "./goroutine-lanes.js";
import { splitID, Tag } from "./lanes.js";
import type { Frame, GoroutineRef, MarkDetails, SliceDetails } from "./protocol.js";
import type { ViewRows } from "./rows.js";
import { markTitle } from "./window.js";

export function frames(tl: Timeline, stack: number): Frame[] {
  return tl.stacks.frames(stack).map((f) => ({ func: f.func, file: f.file, line: f.line }));
}

/** The stack a goroutine was left with when its previous slice ended (Go's "start stack"). */
function previousEndStack(tl: Timeline, i: number): number {
  const prev = tl.previousSlice(i);
  return prev >= 0 ? tl.exec.endStack.get(prev) : tl.goroutines.createStack.get(tl.exec.g.get(i));
}

export function goroutineRef(tl: Timeline, g: number, atNs: number, stack: number): GoroutineRef | undefined {
  if (g < 0) return undefined;
  return { goroutine: tl.goroutines.id.get(g), name: tl.goroutineName(g), atNs, stack: frames(tl, stack) };
}

function rowOf(rows: ViewRows, resource: number): number {
  return rows.rowOfResource.get(resource) ?? -1;
}

export function sliceDetails(tl: Timeline, rows: ViewRows, id: number): SliceDetails | undefined {
  if (!Number.isInteger(id) || id < 0) return undefined;
  const view = rows.view;
  const { tag, index: i } = splitID(id);
  const base = { id, view };
  switch (tag) {
    case Tag.Exec: {
      const x = tl.exec;
      if (i >= x.length) return undefined;
      const g = x.g.get(i);
      const endNs = view === "proc" ? x.endNs.get(i) : x.threadEnd(i);
      const cause = x.causeKind.get(i) as CauseKind;
      const causeRef = goroutineRef(tl, x.causeG.get(i), tl.causeNs(i), 0);
      const p = x.p.get(i);
      return {
        ...base,
        row: rowOf(rows, view === "proc" ? p : view === "thread" ? x.m.get(i) : g),
        title: tl.sliceName(i),
        kind: "goroutine",
        goroutine: tl.goroutines.id.get(g),
        startNs: x.startNs.get(i),
        durNs: endNs - x.startNs.get(i),
        startStack: frames(tl, previousEndStack(tl, i)),
        endStack: frames(tl, x.endStack.get(i)),
        endReason: tl.strings.get(x.endState.get(i)),
        args: {
          P: String(p),
          M: String(tl.threadIDs[x.m.get(i)] ?? -1),
          cause: ["", "created", "unblocked", "network", "syscall returned"][cause] ?? "",
        },
        createdBy:
          cause === CauseKind.Create
            ? causeRef
            : goroutineRef(
                tl,
                tl.goroutines.creator.get(g),
                tl.goroutines.createdNs.get(g),
                tl.goroutines.createStack.get(g),
              ),
        unblockedBy: cause === CauseKind.Unblock ? causeRef : undefined,
      };
    }
    case Tag.Syscall: {
      const s = tl.syscalls;
      if (i >= s.length) return undefined;
      const g = s.g.get(i);
      const blocked = s.blocked.get(i) === 1;
      const endNs = view === "proc" ? s.endNs.get(i) : s.threadEnd(i);
      return {
        ...base,
        row:
          rowOf(rows, view === "proc" ? s.p.get(i) : view === "thread" ? s.m.get(i) : g) +
          (view === "goroutine" ? 0 : 1),
        title: "syscall",
        kind: "syscall",
        goroutine: tl.goroutines.id.get(g),
        startNs: s.startNs.get(i),
        durNs: endNs - s.startNs.get(i),
        startStack: frames(tl, s.stack.get(i)),
        endStack: [],
        args: { blocked: blocked ? "yes" : "no" },
      };
    }
    case Tag.ProcRange: {
      const r = tl.procRanges;
      if (i >= r.length) return undefined;
      const name = tl.strings.get(r.name.get(i));
      const g = r.g.get(i);
      return {
        ...base,
        row: view === "goroutine" ? rowOf(rows, g) : rowOf(rows, r.p.get(i)) + 1,
        title: name,
        kind: name === "GC mark assist" ? "mark assist" : name.includes("sweep") ? "sweep" : name,
        goroutine: g >= 0 ? tl.goroutines.id.get(g) : undefined,
        startNs: r.startNs.get(i),
        durNs: r.endNs.get(i) - r.startNs.get(i),
        startStack: frames(tl, r.startStack.get(i)),
        endStack: frames(tl, r.endStack.get(i)),
      };
    }
    case Tag.GlobalRange: {
      const r = tl.globalRanges;
      if (i >= r.length) return undefined;
      const stw = r.kind.get(i) === GlobalKind.STW;
      const g = r.g.get(i);
      return {
        ...base,
        row: stw ? 4 : 3,
        title: tl.strings.get(r.name.get(i)),
        kind: stw ? "STW" : "GC",
        goroutine: g >= 0 ? tl.goroutines.id.get(g) : undefined,
        startNs: r.startNs.get(i),
        durNs: r.endNs.get(i) - r.startNs.get(i),
        startStack: frames(tl, r.startStack.get(i)),
        endStack: frames(tl, r.endStack.get(i)),
      };
    }
    case Tag.Task: {
      const t = tl.tasks;
      if (i >= t.length) return undefined;
      const parent = t.parent.get(i);
      const startG = t.startG.get(i);
      const endG = t.endG.get(i);
      const args: Record<string, string> = { id: String(t.id.get(i)) };
      if (parent >= 0) args["parent"] = `${t.id.get(parent)} ${tl.strings.get(t.name.get(parent))}`;
      if (startG >= 0) args["start goroutine"] = String(tl.goroutines.id.get(startG));
      if (endG >= 0) args["end goroutine"] = String(tl.goroutines.id.get(endG));
      return {
        ...base,
        row: 7,
        title: tl.strings.get(t.name.get(i)),
        kind: "task",
        goroutine: startG >= 0 ? tl.goroutines.id.get(startG) : undefined,
        startNs: t.startNs.get(i),
        durNs: t.endNs.get(i) - t.startNs.get(i),
        startStack: frames(tl, t.startStack.get(i)),
        endStack: frames(tl, t.endStack.get(i)),
        args,
      };
    }
    case Tag.Region: {
      const r = tl.regions;
      if (i >= r.length) return undefined;
      const g = r.g.get(i);
      const task = r.task.get(i);
      const args: Record<string, string> = {};
      if (task >= 0) args["task"] = `${tl.tasks.id.get(task)} ${tl.strings.get(tl.tasks.name.get(task))}`;
      return {
        ...base,
        row: rowOf(rows, g),
        title: tl.strings.get(r.name.get(i)),
        kind: "region",
        goroutine: tl.goroutines.id.get(g),
        startNs: r.startNs.get(i),
        durNs: r.endNs.get(i) - r.startNs.get(i),
        startStack: frames(tl, r.startStack.get(i)),
        endStack: frames(tl, r.endStack.get(i)),
        args,
      };
    }
    case Tag.State:
    case Tag.StateStart:
      return stateDetails(tl, rows, id, tag, i);
  }
  return undefined;
}

function stateDetails(
  tl: Timeline,
  rows: ViewRows,
  id: number,
  tag: Tag,
  index: number,
): SliceDetails | undefined {
  const part = (index % 4) as Part;
  const ref = Math.floor(index / 4);
  const x = tl.exec;
  let g: number;
  let exec = -1;
  if (tag === Tag.State) {
    if (ref >= x.length) return undefined;
    exec = ref;
    g = x.g.get(ref);
  } else {
    if (ref >= tl.goroutines.length) return undefined;
    g = ref;
  }
  let found: { startNs: number; endNs: number; state: string } | undefined;
  goroutineSegments(tl, g, (s) => {
    if (!found && s.exec === exec && s.part === part) found = s;
  });
  if (!found) return undefined;
  const stack = exec >= 0 ? x.endStack.get(exec) : tl.goroutines.createStack.get(g);
  // The cause of the next run says who unblocked it.
  let unblockedBy: GoroutineRef | undefined;
  if (part !== Part.Running) {
    const next = execAt(tl, g, found.endNs);
    if (next >= 0 && x.causeKind.get(next) === CauseKind.Unblock)
      unblockedBy = goroutineRef(tl, x.causeG.get(next), tl.causeNs(next), 0);
  }
  const G = tl.goroutines;
  return {
    id,
    view: "goroutine",
    row: rows.rowOfResource.get(g) ?? -1,
    title: tl.goroutineName(g),
    kind: found.state,
    goroutine: G.id.get(g),
    startNs: found.startNs,
    durNs: found.endNs - found.startNs,
    startStack: part === Part.Running ? [] : frames(tl, stack),
    endStack: part === Part.Running && exec >= 0 ? frames(tl, x.endStack.get(exec)) : [],
    endReason: part === Part.Running && exec >= 0 ? tl.strings.get(x.endState.get(exec)) : undefined,
    createdBy: goroutineRef(tl, G.creator.get(g), G.createdNs.get(g), G.createStack.get(g)),
    unblockedBy,
  };
}

export function markDetails(tl: Timeline, rows: ViewRows, id: number): MarkDetails | undefined {
  const mk = tl.marks;
  if (!Number.isInteger(id) || id < 0 || id >= mk.length) return undefined;
  const g = mk.g.get(id);
  const kind = mk.kind.get(id);
  let row = -1;
  if (kind === 2) row = 5;
  else if (kind === 3) row = 6;
  else if (rows.view === "proc") row = (rows.rowOfResource.get(mk.p.get(id)) ?? -2) + 1;
  else if (rows.view === "thread") row = (rows.rowOfResource.get(mk.m.get(id)) ?? -2) + 1;
  else row = rows.rowOfResource.get(g) ?? -1;
  return {
    id,
    row,
    title: markTitle(tl, id),
    timeNs: mk.timeNs.get(id),
    goroutine: g >= 0 ? tl.goroutines.id.get(g) : undefined,
    stack: frames(tl, mk.stack.get(id)),
  };
}
