/**
 * The builder's allocation-free reading of goroutine transitions equals
 * Event.stateTransition() on every goroutine transition of every fixture.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { it } from "node:test";
import { EventKind, ResourceKind } from "../decode/event.js";
import { readTrace } from "../decode/reader.js";
import { fixturesDir, requirement, traceFiles } from "../testing/corpus.js";
import { Transition } from "./transitions.js";

it("Transition.read equals Event.stateTransition on every fixture", async (t) => {
  const files = traceFiles(fixturesDir, () => true);
  if (requirement(files.length > 0, "testdata/traces")) return t.skip();
  const tr = new Transition();
  let compared = 0;
  for (const file of files) {
    try {
      await readTrace([readFileSync(file)], (ev) => {
        if (ev.kind !== EventKind.StateTransition) return;
        const st = ev.stateTransition();
        if (st.resource.kind !== ResourceKind.Goroutine) return;
        tr.read(ev);
        const want = [st.resource.id, st.from, st.to, st.reason, st.stack.id];
        assert.deepEqual(
          [tr.goroutine, tr.from, tr.to, tr.reason, tr.stackID],
          want,
          `${basename(file)} at ${ev.time}`,
        );
        compared++;
      });
    } catch (e) {
      if (!(e instanceof Error && e.name === "TraceError")) throw e;
    }
  }
  assert.ok(compared > 10_000, `only ${compared} transitions`);
});
