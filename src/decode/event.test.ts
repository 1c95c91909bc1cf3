/** The event model's accessors on hand-made events. */
import assert from "node:assert/strict";
import { it } from "node:test";
import { Ev } from "../format/v2/spec.js";
import { Event, NoTask } from "./event.js";
import { EvTable } from "./v2/table.js";

it("a task ID of 2^64−1 written literally reads as NoTask, like the reader's 0 parent", () => {
  const t = new EvTable();
  // 2^64−1 arrives from the varint reader rounded to 2^64.
  const begin = new Event(t, Ev.UserTaskBegin, 0, 1, 0, 1, 5, 2 ** 64, 0, 0);
  assert.equal(begin.task().parent, NoTask);
  assert.equal(begin.task().id, 5);
  const region = new Event(t, Ev.UserRegionBegin, 0, 1, 0, 1, 2 ** 64, 0, 0, 0);
  assert.equal(region.region().task, NoTask);
  const end = new Event(t, Ev.UserTaskEnd, 0, 1, 0, 1, 5, 0, 2 ** 64, 0);
  assert.equal(end.task().parent, NoTask);
});

it("clone() keeps an event after the reader reuses its object", () => {
  const e = new Event(undefined, Ev.GoStart, 10, 1, 2, 3, 7, 1, 0, 0);
  const c = e.clone();
  e.set(undefined, Ev.GoBlock, 20, 4, 5, 6, 0, 0, 0, 0);
  assert.deepEqual([c.type, c.time, c.g, c.p, c.m, c.a0], [Ev.GoStart, 10, 1, 2, 3, 7]);
});
