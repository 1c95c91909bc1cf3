// Counts how often goroutines entered each state, and prints the ten
// goroutines that blocked most often with the reasons they gave.
// Run: node examples/goroutine-states.mjs testdata/traces/sched-go1.26.trace
import { createReadStream } from "node:fs";
import { EventKind, events, GoState, goStateNames, ResourceKind } from "../dist/index.js";

const entered = new Map();
const blocks = new Map();
for await (const ev of events(createReadStream(process.argv[2]))) {
  if (ev.kind !== EventKind.StateTransition) continue;
  const st = ev.stateTransition();
  if (st.resource.kind !== ResourceKind.Goroutine) continue;
  const state = goStateNames[st.to];
  entered.set(state, (entered.get(state) ?? 0) + 1);
  if (st.to === GoState.Waiting) {
    const b = blocks.get(st.resource.id) ?? { count: 0, reasons: new Set() };
    b.count++;
    b.reasons.add(st.reason);
    blocks.set(st.resource.id, b);
  }
}
console.log("transitions into each state:", Object.fromEntries(entered));
const top = [...blocks].sort((a, b) => b[1].count - a[1].count).slice(0, 10);
for (const [g, b] of top) console.log(`goroutine ${g} blocked ${b.count}× (${[...b.reasons].join(", ")})`);
