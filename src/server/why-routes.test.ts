/** /api/why's parameters: one question, every number checked, one line for a mistake. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BadRequest } from "./server.js";
import { whyQuery } from "./why-routes.js";

const q = (s: string) => whyQuery(new URL(`http://h/api/why?${s}`));

describe("/api/why parameters", () => {
  it("reads a goroutine and a time, a task, a task type or a region", () => {
    assert.deepEqual(q("goroutine=5&atNs=12.5"), { goroutine: 5, atNs: 12.5 });
    assert.deepEqual(q("task=3"), { task: 3 });
    assert.deepEqual(q("taskType=request"), { taskType: "request" });
    assert.deepEqual(q("region=%3Cscript%3E&goroutine=2"), { goroutine: 2, region: "<script>" });
  });
  it("refuses a question without a subject, and numbers that are not", () => {
    for (const bad of [
      "",
      "atNs=5",
      "goroutine=x",
      "goroutine=-1",
      "goroutine=1.5",
      "task=1e400",
      "atNs=NaN&goroutine=1",
    ]) {
      assert.throws(() => q(bad), BadRequest, bad);
    }
  });
});
