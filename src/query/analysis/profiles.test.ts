/**
 * The flame graph tree from profile records: every node's total is its self
 * time plus its children's, the root holds every record, paths grow from the
 * outermost frame, and heavier children come first.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import type { ProfileRecord } from "../../analysis/profile.js";
import { flameTree } from "./profiles.js";
import type { FlameNode } from "./protocol.js";

const frame = (func: string) => ({ func, file: "f.go", line: 1, pc: func.length });

function check(n: FlameNode): void {
  const sum = n.children.reduce((s, c) => s + c.totalNs, 0);
  assert.equal(n.totalNs, n.selfNs + sum, n.func);
  for (let i = 1; i < n.children.length; i++) assert.ok(n.children[i - 1]!.totalNs >= n.children[i]!.totalNs);
  n.children.forEach(check);
}

it("builds the flame graph tree from innermost-first stacks", () => {
  const records: ProfileRecord[] = [
    { stack: [frame("lock"), frame("work"), frame("main")], count: 2, delayNs: 30 },
    { stack: [frame("recv"), frame("work"), frame("main")], count: 1, delayNs: 50 },
    { stack: [frame("main")], count: 1, delayNs: 5 },
    { stack: [], count: 1, delayNs: 7 },
  ];
  const root = flameTree(records);
  check(root);
  assert.equal(root.totalNs, 92);
  assert.equal(root.count, 5);
  assert.equal(root.selfNs, 7);
  const main = root.children[0]!;
  assert.equal(main.func, "main");
  assert.equal(main.selfNs, 5);
  assert.deepEqual(
    main.children[0]!.children.map((c) => [c.func, c.totalNs, c.count]),
    [
      ["recv", 50, 1],
      ["lock", 30, 2],
    ],
  );
});
