/**
 * Which fields the event analyzers still compute beside a model, and which
 * fields each question reads: a question is answered where all of its
 * fields are, so a field read together with an event-computed one must be
 * computed from events too, and a model that answers every field leaves no
 * event pass (and no worker) at all.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { allFields, eventFields, type Field, fieldsOf, fromModel } from "./fields.js";
import type { AnalysisMethod } from "./requests.js";

/** A model table that gives exactly these fields (the functions are never called here). */
function gives(...fields: Field[]): typeof fromModel {
  return Object.fromEntries(fields.map((f) => [f, () => undefined])) as unknown as typeof fromModel;
}

describe("analysis fields", () => {
  it("a model with every field leaves nothing to the events", () => {
    assert.deepEqual([...eventFields(gives(...allFields))], []);
  });

  it("without a model every field comes from the events", () => {
    assert.deepEqual([...eventFields(gives())].sort(), [...allFields].sort());
  });

  it("a field read together with an event-computed one is computed from the events too", () => {
    const rest = allFields.filter((f) => f !== "annotations");
    assert.deepEqual([...eventFields(gives(...rest))].sort(), ["annotations", "goroutines"]);
    assert.deepEqual([...eventFields(gives(...allFields.filter((f) => f !== "mmu")))], ["mmu"]);
  });

  it("every question that two fields answer is covered by the closure", () => {
    const methods: [AnalysisMethod, Record<string, unknown>][] = [
      ["overview", {}],
      ["goroutines", {}],
      ["goroutineGroup", {}],
      ["profileFilters", {}],
      ["profile", { query: { type: "sync" } }],
      ["profile", { query: { type: "wall" } }],
      ["profilePprof", { query: { type: "cpu" } }],
      ["tasks", {}],
      ["taskList", {}],
      ["regions", {}],
      ["regionList", {}],
      ["mmu", {}],
      ["schedLatency", {}],
    ];
    for (const missing of allFields) {
      const events = eventFields(gives(...allFields.filter((f) => f !== missing)));
      for (const [m, args] of methods) {
        const fields = fieldsOf(m, args);
        // A question is answered on one side: all its fields from the events, or none.
        const onEvents = fields.filter((f) => events.has(f)).length;
        assert.ok(onEvents === 0 || onEvents === fields.length, `${m} without ${missing}`);
      }
    }
    assert.deepEqual(fieldsOf("profile", { query: { type: "sched" } }), ["blocking"]);
    assert.deepEqual(fieldsOf("profile", { query: { type: "wall" } }), ["cpuProfiles"]);
  });

  it("the blocking profiles come from the model", () => {
    assert.ok(fromModel.blocking !== undefined);
    assert.ok(!eventFields().has("blocking"));
  });
});
