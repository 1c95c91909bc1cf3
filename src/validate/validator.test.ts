// The validator, two ways. (1) Every 1.22+ trace we have, decoded by the
// streaming reader, must pass it, as every trace in Go's own tests passes
// Go's. (2) Hand-built event sequences, one per rule: the sequence that breaks
// the rule must be reported with exactly that rule's reason and nothing else,
// and the same sequence done right must pass. Because the broken sequence
// raises no other reason, deleting the rule's check makes its test fail.

import assert from "node:assert/strict";
import { createReadStream, existsSync } from "node:fs";
import { basename } from "node:path";
import { describe, test } from "node:test";
import { Event, EvSync, GoState, ProcState, ResourceKind, type StateTransition } from "../decode/event.js";
import { EvTable } from "../decode/v2/table.js";
import { Ev } from "../format/v2/spec.js";
import { fixturesDir, requirement, traceFiles, wildOnly, wildTraces } from "../testing/corpus.js";
import {
  ValidationError,
  Validator,
  type ValidatorOptions,
  validateEvents,
  validateTrace,
} from "./validator.js";

describe("every 1.22+ trace passes the validator", () => {
  const sets = [
    { name: "wild traces", skip: wildOnly(), files: wildTraces((v) => v >= 22) },
    {
      name: "fixtures",
      skip: requirement(existsSync(fixturesDir), `fixtures (${fixturesDir})`),
      files: traceFiles(fixturesDir, (v) => v >= 22),
    },
  ];
  for (const { name, skip, files } of sets) {
    test(`${name}: some 1.22+ traces exist`, { skip }, () => {
      assert.ok(files.length > 0, `no 1.22+ trace among the ${name}`);
    });
    for (const path of files) {
      test(`${name}: ${basename(path)}`, async () => {
        // 64 KiB pieces: events and batches straddle chunk boundaries.
        const { validator } = await validateTrace(createReadStream(path, { highWaterMark: 64 * 1024 }));
        // At least the opening and closing Syncs, and something in between.
        assert.ok(validator.eventCount > 2, `only ${validator.eventCount} events`);
      });
    }
  }
});

// ---------------------------------------------------------------------------
// Hand-built sequences.

/** Builds one generation's worth of events over one table, times 0, 1, 2, … */
class Seq {
  readonly table = new EvTable();
  readonly events: Event[] = [];
  now = 0;

  constructor() {
    this.table.nsPerTick = 1;
  }

  str(s: string): number {
    return this.table.strings.append(s);
  }

  stack(frames: { pc: number; func: string; file: string; line: number }[]): number {
    for (const f of frames) {
      this.table.pcs.set(f.pc, {
        pc: f.pc,
        funcID: this.str(f.func),
        fileID: this.str(f.file),
        line: f.line,
      });
    }
    return this.table.stacks.append(frames.map((f) => f.pc));
  }

  /** Appends an event of wire type `type` in context {g, p, m} (each −1 if omitted). */
  add(type: number, ctx: { g?: number; p?: number; m?: number }, ...args: number[]): this {
    this.push(new Event(this.table, type, this.now++, ctx.g ?? -1, ctx.p ?? -1, ctx.m ?? -1, ...args));
    return this;
  }

  push(ev: Event): this {
    this.events.push(ev);
    return this;
  }

  sync(n: number, table: EvTable | undefined = this.table): this {
    return this.push(new Event(table, EvSync, this.now++, -1, -1, -1, n));
  }

  /** The usual start: Sync 1, P0 running on M1, G1 running on M1 with P0. */
  prelude(): this {
    return this.sync(1).procStatus(0, 1, ProcStatusWire.Running).goStatus(1, 1, GoStatusWire.Running);
  }

  goStatus(g: number, m: number, status: number, from = GoState.Undetermined): this {
    return this.add(Ev.GoStatus, { m, p: 0 }, g, m, from * 2 ** 32 + status);
  }

  procStatus(p: number, m: number, status: number, from = ProcState.Undetermined): this {
    return this.add(Ev.ProcStatus, { m }, p, status, from);
  }
}

/** Wire goroutine statuses (what GoStatus carries). */
const GoStatusWire = { Bad: 0, Runnable: 1, Running: 2, Syscall: 3, Waiting: 4 } as const;
/** Wire proc statuses (what ProcStatus carries). */
const ProcStatusWire = { Bad: 0, Running: 1, Idle: 2, Syscall: 3, SyscallAbandoned: 4 } as const;

/** G1 on M1 with P0, the prelude's running goroutine. */
const g1 = { g: 1, p: 0, m: 1 };

/** Every reason the validator gives, event by event, going on after each as Go's tests do. */
function reasons(events: Iterable<Event>, options: ValidatorOptions = { goVersion: 22 }): string[] {
  const v = new Validator(options);
  const out: string[] = [];
  for (const ev of events) {
    try {
      v.event(ev);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      out.push(...e.reasons);
    }
  }
  return out;
}

/**
 * `good` must pass; `bad` must give exactly the reasons in `want`, in order
 * (the last one is the rule under test; any before it set the scene).
 */
function check(good: Seq | Event[], bad: Seq | Event[], want: RegExp[], options?: ValidatorOptions): void {
  const evs = (s: Seq | Event[]) => (s instanceof Seq ? s.events : s);
  const before = want.slice(0, -1);
  const gotGood = reasons(evs(good), options);
  assert.equal(gotGood.length, before.length, `good sequence: ${JSON.stringify(gotGood)}`);
  const gotBad = reasons(evs(bad), options);
  assert.equal(gotBad.length, want.length, `bad sequence: ${JSON.stringify(gotBad)}`);
  want.forEach((re, i) => {
    assert.match(gotBad[i]!, re);
  });
}

/** An event whose details a test overrides, for rules gotrace's own events cannot break. */
function withTransition(ev: Event, tr: Partial<StateTransition>): Event {
  const base = ev.stateTransition();
  return Object.assign(Object.create(ev) as Event, { stateTransition: () => ({ ...base, ...tr }) });
}

describe("time", () => {
  test("times must strictly increase", () => {
    const good = new Seq().prelude();
    const bad = new Seq().prelude();
    bad.now--;
    bad.add(Ev.HeapAlloc, g1, 100);
    good.add(Ev.HeapAlloc, g1, 100);
    check(good, bad, [/^timestamp out-of-order \(want > 2\) for M=1 P=0 G=1 Metric Time=2/]);
  });

  test("an event at time 0 after the first (also at 0) is out of order", () => {
    // gotrace's times are relative, so 0 is a real time, not Go's "nothing yet".
    const good = new Seq().sync(1).add(Ev.HeapAlloc, g1, 1);
    const bad = new Seq().sync(1);
    bad.now = 0;
    bad.add(Ev.HeapAlloc, g1, 1);
    check(good, bad, [/^timestamp out-of-order \(want > 0\)/]);
  });
});

describe("sync", () => {
  test("Sync N counts 1, 2, 3 …", () => {
    check(new Seq().sync(1).sync(2), new Seq().sync(1).sync(3), [
      /^sync count is not sequential: expected 2, got 3$/,
    ]);
    check(new Seq().sync(1), new Seq().sync(2), [/^sync count is not sequential: expected 1, got 2$/]);
  });

  const snap = (time: number, mono: bigint, sec: number, nsec = 0): EvTable => {
    const t = new EvTable();
    t.nsPerTick = 1;
    t.clockSnapshot = { time, mono, sec, nsec };
    return t;
  };
  const go125 = { goVersion: 25 };
  const syncs = (...tables: (EvTable | undefined)[]): Seq => {
    const s = new Seq();
    tables.forEach((t, i) => {
      s.sync(i + 1, t);
    });
    return s;
  };

  test("Go 1.25+: the first Sync has a clock snapshot (the closing one need not)", () => {
    const good = syncs(snap(10, 5n, 1_700_000_000), undefined);
    check(good, syncs(new EvTable()), [/^sync 1 has no clock snapshot$/], go125);
    // Before 1.25 there are no snapshots to check.
    assert.deepEqual(reasons(syncs(new EvTable()).events, { goVersion: 23 }), []);
  });

  test("Go 1.25+: no clock reads zero", () => {
    const good = syncs(snap(10, 5n, 1_700_000_000));
    check(good, syncs(snap(10, 5n, -62135596800)), [/^sync 1 has zero wall time$/], go125);
    // Go normalises seconds and nanoseconds as time.Unix does.
    check(good, syncs(snap(10, 5n, -62135596801, 1e9)), [/^sync 1 has zero wall time$/], go125);
    check(good, syncs(snap(10, 0n, 1_700_000_000)), [/^sync 1 has zero mono time$/], go125);
    check(good, syncs(snap(0, 5n, 1_700_000_000)), [/^sync 1 has zero trace time$/], go125);
  });

  test("Go 1.25+: every clock increases from one generation to the next", () => {
    const first = snap(10, 5n, 1_700_000_000, 500);
    const good = syncs(first, snap(20, 6n, 1_700_000_000, 501));
    check(
      good,
      syncs(first, snap(20, 6n, 1_700_000_000, 500)),
      [/^sync 2 has non-increasing wall time/],
      go125,
    );
    check(good, syncs(first, snap(20, 5n, 1_700_000_001)), [/^sync 2 has non-increasing mono time/], go125);
    check(good, syncs(first, snap(10, 6n, 1_700_000_001)), [/^sync 2 has non-increasing trace time/], go125);
    // Windows' coarse clocks cannot promise it, so Go lets its tests skip this.
    const stalled = syncs(first, snap(10, 5n, 1_700_000_000, 500));
    assert.deepEqual(reasons(stalled.events, { ...go125, skipClockSnapshotChecks: true }), []);
  });

  test("Go 1.25+: a snapshot is compared only with a previous snapshot", () => {
    // Go would dereference the missing snapshot of Sync 1 and crash; here it is a reason.
    const good = syncs(new EvTable(), undefined);
    const bad = syncs(new EvTable(), snap(20, 6n, 1_700_000_000));
    check(
      good,
      bad,
      [/^sync 1 has no clock snapshot$/, /^sync 2 follows sync 1, which has no clock snapshot$/],
      go125,
    );
  });
});

describe("stacks", () => {
  test("every frame but the first has PC, function, file and line", () => {
    const frame = (pc: number, file = "main.go") => ({ pc, func: "main.f", file, line: 7 });
    const good = new Seq().prelude();
    const bad = new Seq().prelude();
    // The first frame may be empty, as Go allows.
    const okStack = good.stack([{ pc: 0, func: "", file: "", line: 0 }, frame(0x20)]);
    const badStack = bad.stack([frame(0x10), frame(0x20, "")]);
    good.add(Ev.GCSweepBegin, g1, okStack).add(Ev.GCSweepEnd, g1, 0, 0);
    bad.add(Ev.GCSweepBegin, g1, badStack).add(Ev.GCSweepEnd, g1, 0, 0);
    check(good, bad, [/^invalid stack frame \{PC:0x20 Func:"main.f" File:"" Line:7\}: missing information$/]);
  });

  test("a stack is in its generation's table", () => {
    // Go's reader guarantees it, and Go's Stack.Frames would panic otherwise.
    const good = new Seq().prelude();
    const stk = good.stack([{ pc: 0x10, func: "main.f", file: "main.go", line: 3 }]);
    good.add(Ev.GCSweepBegin, g1, stk);
    const bad = new Seq().prelude().add(Ev.GCSweepBegin, g1, 42);
    check(good, bad, [/^stack 42 is not in its generation's stack table$/]);
  });

  test("a transition's own stack is checked too", () => {
    const good = new Seq().prelude();
    const bad = new Seq().prelude();
    const okStack = good.stack([{ pc: 0x10, func: "main.f", file: "main.go", line: 3 }]);
    const badStack = bad.stack([
      { pc: 0x10, func: "main.f", file: "main.go", line: 3 },
      { pc: 0x20, func: "main.g", file: "main.go", line: 0 },
    ]);
    // GoCreate: the new goroutine's stack is the transition's, not the event's.
    good.add(Ev.GoCreate, g1, 2, okStack, 0);
    bad.add(Ev.GoCreate, g1, 2, badStack, 0);
    check(good, bad, [/^invalid stack frame \{PC:0x20 Func:"main.g".*Line:0\}: missing information$/]);
  });
});

describe("metrics and labels", () => {
  test("metric names have a unit after ':'", () => {
    const good = new Seq().prelude().add(Ev.HeapGoal, g1, 4096);
    const bad = new Seq().prelude();
    const ev = new Event(bad.table, Ev.HeapGoal, bad.now++, 1, 0, 1, 4096);
    bad.push(
      Object.assign(Object.create(ev) as Event, { metric: () => ({ name: "heap goal", value: 4096 }) }),
    );
    check(good, bad, [/^invalid metric name "heap goal"$/]);
  });

  test("a label is not empty", () => {
    const good = new Seq().prelude();
    good.add(Ev.GoLabel, g1, good.str("worker"));
    check(good, new Seq().prelude().add(Ev.GoLabel, g1, 0), [/^invalid label ""$/]);
  });

  test("a label names a goroutine the trace has shown", () => {
    const good = new Seq().prelude();
    good.add(Ev.GoLabel, g1, good.str("worker"));
    const bad = new Seq().prelude();
    bad.add(Ev.GoLabel, { g: 9, p: 0, m: 1 }, bad.str("worker"));
    check(good, bad, [/^label for invalid goroutine 9$/]);
  });

  test("a label has a resource", () => {
    const good = new Seq().prelude();
    good.add(Ev.GoLabel, g1, good.str("worker"));
    const bad = new Seq().prelude();
    const ev = new Event(bad.table, Ev.GoLabel, bad.now++, 1, 0, 1, bad.str("worker"));
    const none = { label: "worker", resource: { kind: ResourceKind.None, id: 0 } };
    bad.push(Object.assign(Object.create(ev) as Event, { label: () => none }));
    check(good, bad, [/^label resource none$/]);
  });

  test("a proc or thread label names a proc or thread the trace has shown", () => {
    // Go's labels are all goroutine labels today; its validator checks the other kinds anyway.
    for (const [kind, name] of [
      [ResourceKind.Proc, "proc"],
      [ResourceKind.Thread, "thread"],
    ] as const) {
      const labelled = (id: number) => {
        const s = new Seq().prelude();
        const ev = new Event(s.table, Ev.GoLabel, s.now++, 1, 0, 1, s.str("x"));
        const label = { label: "x", resource: { kind, id } };
        return s.push(Object.assign(Object.create(ev) as Event, { label: () => label }));
      };
      // The prelude shows P0 and M1.
      check(labelled(kind === ResourceKind.Proc ? 0 : 1), labelled(9), [
        new RegExp(`^label for invalid ${name} 9$`),
      ]);
    }
  });
});

describe("goroutine transitions", () => {
  test("the from-state is the state the goroutine is in", () => {
    // G2 is created runnable; GoUnblock claims it was waiting.
    const good = new Seq().prelude().add(Ev.GoCreate, g1, 2, 0, 0).add(Ev.GoBlock, g1, 0, 0);
    good.add(Ev.GoStart, { p: 0, m: 1 }, 2, 1);
    const bad = new Seq().prelude().add(Ev.GoCreate, g1, 2, 0, 0).add(Ev.GoUnblock, g1, 2, 1, 0);
    check(good, bad, [/^bad old state for goroutine 2: got Waiting, want Runnable$/]);
  });

  test("a goroutine first seen comes from NotExist or Undetermined", () => {
    const good = new Seq().prelude().goStatus(5, 1, GoStatusWire.Runnable);
    const bad = new Seq().prelude().add(Ev.GoUnblock, g1, 5, 1, 0);
    check(good, bad, [/^bad old state for unregistered goroutine 5: Waiting$/]);
  });

  test("no goroutine goes to Undetermined", () => {
    const good = new Seq().prelude().goStatus(5, 1, GoStatusWire.Waiting);
    const bad = new Seq().prelude().goStatus(5, 1, GoStatusWire.Bad);
    check(good, bad, [/^transition to undetermined state for goroutine 5$/]);
  });

  test("Undetermined only in the first generation", () => {
    const good = new Seq().prelude().goStatus(5, 1, GoStatusWire.Waiting).sync(2);
    const bad = new Seq().prelude().sync(2).goStatus(5, 1, GoStatusWire.Waiting);
    check(good, bad, [/^undetermined goroutine 5 after first global sync$/]);
  });

  test("a goroutine does not die inside a range", () => {
    const good = new Seq().prelude().add(Ev.GCMarkAssistBegin, g1, 0).add(Ev.GCMarkAssistEnd, g1);
    good.add(Ev.GoDestroy, g1);
    const bad = new Seq().prelude().add(Ev.GCMarkAssistBegin, g1, 0).add(Ev.GoDestroy, g1);
    check(good, bad, [/^goroutine 1 died with active ranges$/]);
  });

  test("one goroutine at a time on a thread", () => {
    const good = new Seq().prelude().add(Ev.GoCreate, g1, 2, 0, 0).add(Ev.GoStop, g1, 0, 0);
    good.add(Ev.GoStart, { p: 0, m: 1 }, 2, 1);
    const bad = new Seq().prelude().add(Ev.GoCreate, g1, 2, 0, 0).add(Ev.GoStart, g1, 2, 1);
    check(good, bad, [/^tried to run goroutine 2 when one was already executing \(1\) on thread 1$/]);
  });

  test("a goroutine runs on a thread", () => {
    const good = new Seq().prelude().add(Ev.GoCreate, g1, 2, 0, 0).add(Ev.GoStop, g1, 0, 0);
    good.add(Ev.GoStart, { p: 0, m: 1 }, 2, 1);
    const bad = new Seq().prelude().add(Ev.GoCreate, g1, 2, 0, 0).add(Ev.GoStop, g1, 0, 0);
    bad.add(Ev.GoStart, { p: 0 }, 2, 1);
    check(good, bad, [/^must have thread, but thread ID is none$/]);
  });

  test("before 1.22, a goroutine already in a syscall may come without a thread", () => {
    // Old traces lack that goroutine's thread; Go forgives exactly this for them.
    const seq = new Seq().sync(1).goStatus(4, -1, GoStatusWire.Syscall);
    assert.deepEqual(reasons(seq.events, { goVersion: 21 }), []);
    assert.deepEqual(reasons(seq.events, { goVersion: 22 }), ["must have thread, but thread ID is none"]);
  });

  test("the goroutine that stops is the one running on its thread", () => {
    // After G2 wrongly starts over G1 on M1, M1 runs G2 (Go updates its model
    // after a violation too), so G1 cannot stop there.
    const scene = () => new Seq().prelude().add(Ev.GoCreate, g1, 2, 0, 0).add(Ev.GoStart, g1, 2, 1);
    const already = /^tried to run goroutine 2 when one was already executing \(1\) on thread 1$/;
    const good = scene().add(Ev.GoStop, { g: 2, p: 0, m: 1 }, 0, 0);
    const bad = scene().add(Ev.GoStop, g1, 0, 0);
    check(good, bad, [
      already,
      /^tried to stop goroutine 1 when it wasn't currently executing \(currently executing 2\) on thread 1$/,
    ]);
  });

  test("a goroutine that stops was bound to a thread", () => {
    // G5 enters Running without a thread (a violation), so it has no binding to leave.
    const scene = () => new Seq().sync(1).procStatus(0, 1, ProcStatusWire.Running).goStatus(5, -1, 2);
    const good = scene();
    const bad = scene().add(Ev.GoStop, { g: 5, p: 0, m: 1 }, 0, 0);
    check(good, bad, [/^must have thread/, /^stopping goroutine 5 not bound to any active context$/]);
  });

  test("the stack of a stopping goroutine is the event's stack", () => {
    const good = new Seq().prelude();
    const stk = good.stack([{ pc: 0x10, func: "main.f", file: "main.go", line: 3 }]);
    good.add(Ev.GoBlock, g1, 0, stk);
    const bad = new Seq().prelude();
    const stk2 = bad.stack([{ pc: 0x10, func: "main.f", file: "main.go", line: 3 }]);
    const ev = new Event(bad.table, Ev.GoBlock, bad.now++, 1, 0, 1, 0, stk2);
    bad.push(withTransition(ev, { stack: { table: bad.table, id: 0 } }));
    check(good, bad, [/^StateTransition.Stack doesn't match Event.Stack$/]);
  });
});

describe("proc transitions", () => {
  test("the from-state is the state the proc is in", () => {
    const good = new Seq().prelude().procStatus(1, 2, ProcStatusWire.Idle).add(Ev.ProcStart, { m: 2 }, 1, 1);
    const bad = new Seq().prelude().add(Ev.ProcStart, { m: 2 }, 0, 1);
    check(good, bad, [/^bad old state for proc 0: got Idle, want Running$/]);
  });

  test("a proc first seen comes from NotExist or Undetermined", () => {
    const good = new Seq().sync(1).procStatus(3, 2, ProcStatusWire.Idle).add(Ev.ProcStart, { m: 2 }, 3, 1);
    const bad = new Seq().sync(1).add(Ev.ProcStart, { m: 2 }, 3, 1);
    check(good, bad, [/^bad old state for unregistered proc 3: Idle$/]);
  });

  test("no proc goes to Undetermined", () => {
    const good = new Seq().prelude().procStatus(1, 2, ProcStatusWire.Idle);
    const bad = new Seq().prelude().procStatus(1, 2, ProcStatusWire.Bad);
    check(good, bad, [/^transition to undetermined state for proc 1$/]);
  });

  test("Undetermined only in the first generation", () => {
    const good = new Seq().prelude().procStatus(1, 2, ProcStatusWire.Idle).sync(2);
    const bad = new Seq().prelude().sync(2).procStatus(1, 2, ProcStatusWire.Idle);
    check(good, bad, [/^undetermined proc 1 after first global sync$/]);
  });

  test("a proc does not die inside a range", () => {
    // gotrace's events never take a proc to NotExist, so the test rewrites a ProcStop.
    const scene = () => new Seq().prelude().add(Ev.GoStop, g1, 0, 0);
    const good = scene().add(Ev.GCSweepBegin, { p: 0, m: 1 }, 0).add(Ev.GCSweepEnd, { p: 0, m: 1 }, 0, 0);
    const bad = scene().add(Ev.GCSweepBegin, { p: 0, m: 1 }, 0);
    for (const s of [good, bad]) {
      const stop = new Event(s.table, Ev.ProcStop, s.now++, -1, 0, 1);
      s.push(withTransition(stop, { to: ProcState.NotExist }));
    }
    check(good, bad, [/^proc 0 died with active ranges$/]);
  });

  test("one proc at a time on a thread", () => {
    const good = new Seq().prelude().procStatus(1, 2, ProcStatusWire.Idle).add(Ev.ProcStart, { m: 2 }, 1, 1);
    const bad = new Seq().prelude().procStatus(1, 2, ProcStatusWire.Idle).add(Ev.ProcStart, { m: 1 }, 1, 1);
    check(good, bad, [/^tried to run proc 1 when one was already executing \(0\) on thread 1$/]);
  });

  test("a running proc runs on a thread", () => {
    const good = new Seq().prelude().procStatus(1, 2, ProcStatusWire.Idle).add(Ev.ProcStart, { m: 2 }, 1, 1);
    const bad = new Seq().prelude().procStatus(1, 2, ProcStatusWire.Idle).add(Ev.ProcStart, {}, 1, 1);
    check(good, bad, [/^must have thread, but thread ID is none$/]);
  });

  test("the proc that stops is the one running on its thread", () => {
    // P1 wrongly starts over P0 on M1; after that, M1 runs P1 and P0 cannot stop there.
    const scene = () =>
      new Seq().prelude().procStatus(1, 2, ProcStatusWire.Idle).add(Ev.ProcStart, { m: 1 }, 1, 1);
    const already = /^tried to run proc 1 when one was already executing \(0\) on thread 1$/;
    const good = scene().add(Ev.ProcStop, { p: 1, m: 1 });
    const bad = scene().add(Ev.ProcStop, { p: 0, m: 1 });
    check(good, bad, [
      already,
      /^tried to stop proc 0 when it wasn't currently executing \(currently executing 1\) on thread 1$/,
    ]);
  });

  test("a proc that stops was bound to a thread", () => {
    const scene = () => new Seq().sync(1).procStatus(4, -1, ProcStatusWire.Running);
    const good = scene();
    const bad = scene().add(Ev.ProcStop, { p: 4, m: 1 });
    check(good, bad, [/^must have thread/, /^stopping proc 4 not bound to any active context$/]);
  });

  test("a stolen proc leaves the thread it ran on", () => {
    // A steal from another thread unbinds P0 from M1, so M1 may take P1.
    const good = new Seq().prelude().add(Ev.GoSyscallBegin, g1, 1, 0);
    good.add(Ev.ProcSteal, { m: 2 }, 0, 2, 1).procStatus(1, 2, ProcStatusWire.Idle);
    good.add(Ev.ProcStart, { g: 1, m: 1 }, 1, 1);
    const bad = new Seq().prelude().add(Ev.GoSyscallBegin, g1, 1, 0).procStatus(1, 2, ProcStatusWire.Idle);
    bad.add(Ev.ProcStart, { g: 1, m: 1 }, 1, 1);
    check(good, bad, [/^tried to run proc 1 when one was already executing \(0\) on thread 1$/]);
  });
});

describe("ranges", () => {
  test("a range is not begun twice on one resource", () => {
    const good = new Seq().prelude().add(Ev.GCBegin, g1, 1, 0).add(Ev.GCEnd, g1, 1).add(Ev.GCBegin, g1, 2, 0);
    const bad = new Seq().prelude().add(Ev.GCBegin, g1, 1, 0).add(Ev.GCBegin, g1, 2, 0);
    check(good, bad, [/^already active range "GC concurrent mark phase" on None begun again$/]);
  });

  test("a range ends only if it began, or was active when the trace started", () => {
    const good = new Seq().prelude().add(Ev.GCActive, g1, 1).add(Ev.GCEnd, g1, 1);
    const bad = new Seq().prelude().add(Ev.GCEnd, g1, 1);
    check(good, bad, [/^inactive range "GC concurrent mark phase" on None ended$/]);
  });

  test("ranges are per resource", () => {
    // A sweep begun on P0 does not end on P1.
    const scene = () =>
      new Seq().prelude().procStatus(1, 2, ProcStatusWire.Running).add(Ev.GCSweepBegin, g1, 0);
    const good = scene().add(Ev.GCSweepEnd, g1, 0, 0);
    const bad = scene().add(Ev.GCSweepEnd, { p: 1, m: 2 }, 0, 0);
    check(good, bad, [/^inactive range "GC incremental sweep" on Proc\(1\) ended$/]);
  });

  test("the active range named by GCMarkAssistActive is its goroutine's", () => {
    // G7 was in an assist when the trace began; it must end before G7 dies.
    const scene = () =>
      new Seq()
        .prelude()
        .goStatus(7, 2, GoStatusWire.Runnable)
        .add(Ev.GCMarkAssistActive, g1, 7)
        .add(Ev.GoStart, { m: 2 }, 7, 1);
    const good = scene().add(Ev.GCMarkAssistEnd, { g: 7, m: 2 }).add(Ev.GoDestroy, { g: 7, m: 2 });
    const bad = scene().add(Ev.GoDestroy, { g: 7, m: 2 });
    check(good, bad, [/^goroutine 7 died with active ranges$/]);
  });
});

describe("tasks", () => {
  const task = (s: Seq, id: number, parent: number, type: string): Seq =>
    s.add(Ev.UserTaskBegin, g1, id, parent, s.str(type), 0);
  /** A task end as the reader makes it: the begin's parent and type in the extra slots. */
  const taskEnd = (s: Seq, id: number, parent: number, type: string): Seq =>
    s.add(Ev.UserTaskEnd, g1, id, 0, parent, s.table.addExtraString(type));

  test("a task's id is neither the background task nor NoTask", () => {
    check(task(new Seq().prelude(), 1, -1, "t"), task(new Seq().prelude(), 0, -1, "t"), [
      /^found invalid task ID for task of type t$/,
    ]);
    check(task(new Seq().prelude(), 1, -1, "t"), task(new Seq().prelude(), -1, -1, "t"), [
      /^found invalid task ID for task of type t$/,
    ]);
  });

  test("no task's parent is the background task", () => {
    check(task(new Seq().prelude(), 2, 1, "t"), task(new Seq().prelude(), 2, 0, "t"), [
      /^found background task as the parent for task of type t$/,
    ]);
  });

  test("a task ends with the type it began with", () => {
    const good = taskEnd(task(new Seq().prelude(), 3, -1, "load"), 3, -1, "load");
    const bad = taskEnd(task(new Seq().prelude(), 3, -1, "load"), 3, -1, "save");
    check(good, bad, [/^task end type "save" doesn't match task start type "load" for task 3$/]);
    // The end consumed the begin: another end of task 3 is an end without a begin.
    assert.deepEqual(reasons(taskEnd(good, 3, -1, "save").events), []);
  });

  test("a task may end without a begin (it began before tracing did)", () => {
    assert.deepEqual(reasons(taskEnd(new Seq().prelude(), 9, -1, "").events), []);
  });
});

describe("API", () => {
  test("validateEvents throws the first ValidationError with the event and its index", () => {
    const s = new Seq().prelude().add(Ev.GoStart, { m: 1 }, 1, 1);
    assert.throws(
      () => validateEvents(s.events, { goVersion: 22 }),
      (e: unknown) => e instanceof ValidationError && e.index === 3 && e.event === s.events[3],
    );
    assert.equal(validateEvents(s.events.slice(0, 3), { goVersion: 22 }).eventCount, 3);
  });

  test("a violation lists every rule the event breaks, as Go joins them", () => {
    const s = new Seq().prelude();
    s.now = 1;
    s.add(Ev.GoStart, { m: 1 }, 1, 1);
    const got = reasons(s.events);
    assert.equal(got.length, 2, JSON.stringify(got));
    assert.match(got[0]!, /^timestamp out-of-order/);
    assert.match(got[1]!, /^bad old state for goroutine 1: got Runnable, want Running$/);
  });

  test("clock snapshots are checked with the goVersion given", () => {
    const snapshotless = new Seq().sync(1).events;
    assert.doesNotThrow(() => validateEvents(snapshotless, { goVersion: 23 }));
    // The default is the newest version, as in Go.
    assert.throws(() => validateEvents(snapshotless), /sync 1 has no clock snapshot/);
  });
});
