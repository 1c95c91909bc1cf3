/**
 * A goroutine's time split into non-overlapping categories, in go tool
 * trace's colours (execution red, scheduler wait blue, syscall purple,
 * blocking magenta, the rest grey), for the stacked bars and their columns.
 */
import type { GoroutineJson } from "../../query/analysis/protocol.js";

export interface Category {
  readonly key: string;
  readonly title: string;
  readonly color: string;
  readonly ns: (g: GoroutineJson) => number;
}

export const blockColor = "#d01c8b";

/** The categories the goroutines of a group have (block reasons present in any of them), in bar order. */
export function categoriesOf(goroutines: readonly GoroutineJson[]): Category[] {
  const reasons = new Set<string>();
  for (const g of goroutines) for (const r of Object.keys(g.blockNs)) reasons.add(r);
  const cats: Category[] = [
    { key: "exec", title: "Execution", color: "#d7191c", ns: (g) => g.execNs },
    { key: "sched", title: "Sched wait", color: "#2c7bb6", ns: (g) => g.schedWaitNs },
    { key: "syscall", title: "Syscall execution", color: "#7b3294", ns: (g) => g.syscallNs },
    { key: "syscallBlock", title: "Block (syscall)", color: blockColor, ns: (g) => g.syscallBlockNs },
  ];
  for (const r of [...reasons].sort()) {
    // A block reason "syscall" shares the syscall-block column, as on Go's page.
    if (r === "syscall") continue;
    // Go records some blocking with no reason at all ("Block time ()" on its page).
    const title = r === "" ? "Block (no reason given)" : `Block (${r})`;
    cats.push({ key: `block:${r}`, title, color: blockColor, ns: (g) => g.blockNs[r] ?? 0 });
  }
  const syscallReason = reasons.has("syscall");
  if (syscallReason) {
    cats[3] = { ...cats[3]!, ns: (g) => g.syscallBlockNs + (g.blockNs.syscall ?? 0) };
  }
  cats.push({ key: "unknown", title: "Unknown", color: "#636363", ns: (g) => g.unknownNs });
  // Columns nobody has are noise.
  return cats.filter((c) => c.key === "exec" || goroutines.some((g) => c.ns(g) > 0));
}
