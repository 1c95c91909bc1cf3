/** Tables fitted to a terminal: nothing lost, nothing wider than asked. */
import assert from "node:assert/strict";
import { it } from "node:test";
import fc from "fast-check";
import { type Column, formatTable, formatTableFitting } from "./table.js";

const columns: Column[] = [
  { title: "Goroutine", right: true },
  { title: "Total", right: true },
  { title: "Block time (chan receive)", right: true },
  { title: "Block time (sync)", right: true },
  { title: "Sched wait time", right: true },
  { title: "Syscall execution time", right: true },
  { title: "Note" },
];
const rows = [
  [22, "21.111779648s", "1.856µs", "1.090624ms", "92.484594ms", "609.189248ms", "first"],
  [65, "1.546048ms", "0s", "0s", "152.576µs", "0s", "second"],
];

it("a table that fits is left as it is", () => {
  assert.equal(formatTableFitting(columns, rows, 500), formatTable(columns, rows));
});

it("a wide table goes on in blocks that repeat the first column, each within the width", () => {
  // From 40 on, every column fits beside the first (the widest, "Syscall execution time", takes 33).
  fc.assert(
    fc.property(fc.integer({ min: 40, max: 140 }), (width) => {
      const text = formatTableFitting(columns, rows, width);
      const blocks = text.trimEnd().split("\n\n");
      for (const line of text.split("\n")) assert.ok(line.length <= width, `${width}: ${line}`);
      // Every block starts with the Goroutine column, and every row of it.
      for (const block of blocks) {
        const lines = block.split("\n");
        assert.match(lines[0]!, /^Goroutine/);
        assert.deepEqual(
          lines.slice(-2).map((l) => l.trim().split(/\s+/)[0]),
          ["22", "65"],
        );
      }
      // Every title and every cell is somewhere.
      for (const c of columns) {
        const [head, tail] = c.title.includes(" (") ? c.title.split(/ (?=\()/) : [c.title, ""];
        assert.ok(text.includes(head!) && text.includes(tail!), c.title);
      }
      for (const cell of rows.flat()) assert.ok(text.includes(String(cell)), String(cell));
    }),
    { numRuns: 60, seed: 3 },
  );
  // At 100 columns the long titles take two lines.
  assert.match(formatTableFitting(columns, rows, 100), /Block time\n?[^\n]*\n[^\n]*\(chan receive\)/);
});
