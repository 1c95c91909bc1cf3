/**
 * A blocking profile as the Profiles page shows it: a flame graph tree (the
 * records' stacks from the outermost frame in, merged by function name at
 * each depth, heaviest child first) and the top functions, which
 * `gotrace pprof --top --json` prints too.
 */

import { topFunctions } from "../../analysis/pprof-top.js";
import type { ProfileRecord } from "../../analysis/profile.js";
import type { FlameNode, TopFunctionJson } from "./protocol.js";

/** The functions by flat delay, with percentages of the profile's total delay. */
export function topFunctionsJson(records: readonly ProfileRecord[], limit?: number): TopFunctionJson[] {
  const all = topFunctions(records);
  const rows = limit === undefined ? all : all.slice(0, limit);
  const total = all.reduce((s, f) => s + f.flatNs, 0);
  const pct = (ns: number) => (total > 0 ? (ns / total) * 100 : 0);
  return rows.map((f) => ({
    function: f.func,
    flatNs: f.flatNs,
    flatPercent: pct(f.flatNs),
    flatCount: f.flatCount,
    cumNs: f.cumNs,
    cumPercent: pct(f.cumNs),
    cumCount: f.cumCount,
  }));
}

interface MutableNode {
  func: string;
  totalNs: number;
  selfNs: number;
  count: number;
  children: Map<string, MutableNode>;
}

function node(func: string): MutableNode {
  return { func, totalNs: 0, selfNs: 0, count: 0, children: new Map() };
}

function freeze(n: MutableNode): FlameNode {
  const children = [...n.children.values()]
    .sort((a, b) => b.totalNs - a.totalNs || (a.func < b.func ? -1 : a.func > b.func ? 1 : 0))
    .map(freeze);
  return { func: n.func, totalNs: n.totalNs, selfNs: n.selfNs, count: n.count, children };
}

/** The flame graph of the records: the root (func "") holds them all. */
export function flameTree(records: readonly ProfileRecord[]): FlameNode {
  const root = node("");
  for (const r of records) {
    root.totalNs += r.delayNs;
    root.count += r.count;
    let at = root;
    // Stacks are innermost first; the graph grows from the outermost frame.
    for (let i = r.stack.length - 1; i >= 0; i--) {
      const func = r.stack[i]!.func;
      let child = at.children.get(func);
      if (!child) {
        child = node(func);
        at.children.set(func, child);
      }
      child.totalNs += r.delayNs;
      child.count += r.count;
      at = child;
    }
    at.selfNs += r.delayNs;
  }
  return freeze(root);
}
