/**
 * `gotrace why FILE --goroutine ID [--at NS]`: the chain of wake-ups that
 * explains where a goroutine was (at a time, or during its longest wait).
 * `gotrace why FILE --task ID | --task-type TYPE | --region TYPE
 * [--goroutine ID] [--at NS]`: the critical path of a task or region
 * instance (the longest one of the type unless named), and its time by
 * cause. `--json` gives the protocol's shapes (query/why/protocol.ts).
 */
import { blockingSite } from "../query/analysis/diff.js";
import type { CriticalPathResponse, WhyChainResponse, WhyStep } from "../query/why/protocol.js";
import { WhyService } from "../query/why/service.js";
import { type Command, countFlag, type ParsedArgs, UsageError } from "./args.js";
import { CommandError } from "./errors.js";
import { formatDuration } from "./format.js";
import { readTimeline } from "./timeline-file.js";

export const whyCommand: Command = {
  name: "why",
  operands: ["FILE"],
  summary: "why a goroutine waited (its wake-up chain), or a task's critical path",
  flags: [
    {
      name: "goroutine",
      value: "ID",
      help: "the goroutine whose wait to explain (with --region: its regions)",
    },
    {
      name: "at",
      value: "NS",
      help: "the time (ns since the trace's start) to explain; default: the longest wait",
    },
    { name: "task", value: "ID", help: "the critical path of the task with this ID" },
    { name: "task-type", value: "TYPE", help: "the critical path of the longest task of this type" },
    { name: "region", value: "TYPE", help: "the critical path of the longest region of this type" },
    { name: "json", help: "JSON: the steps, and a critical path's breakdown" },
  ],
  exclusive: [["task", "task-type", "region"]],
  details:
    "A chain goes back from the wait to whatever ended it, and on from there, to a root:\nrunning work, a timer, the network poller, a syscall or the trace's start\n(docs/why.md says how each kind of wait is decided).",
  run: runWhy,
};

export async function runWhy(flags: ParsedArgs): Promise<number> {
  const v = flags.values;
  const goroutine = v.has("goroutine") ? countFlag(flags, "goroutine", 0) : undefined;
  const atNs = v.has("at") ? countFlag(flags, "at", 0) : undefined;
  const task = v.has("task") ? countFlag(flags, "task", 0) : undefined;
  const taskType = v.get("task-type");
  const region = v.get("region");
  const path = task !== undefined || taskType !== undefined || region !== undefined;
  if (!path && goroutine === undefined)
    throw new UsageError(
      "say what to explain: --goroutine ID, --task ID, --task-type TYPE or --region TYPE",
      true,
    );
  if ((task !== undefined || taskType !== undefined) && (goroutine !== undefined || atNs !== undefined))
    throw new UsageError("--goroutine and --at pick a region, not a task", true);
  const file = flags.operands[0]!;
  const tl = await readTimeline(file);
  if (!tl) return 1;
  const answer = new WhyService(tl).answer({ goroutine, atNs, task, taskType, region });
  if ("error" in answer) throw new CommandError(`${file}: ${answer.error}`);
  if (flags.switches.has("json")) {
    process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
    return 0;
  }
  process.stdout.write("steps" in answer && "breakdown" in answer ? pathText(answer) : chainText(answer));
  return 0;
}

function at(ns: number): string {
  return formatDuration(ns);
}

/** One step as a line, and what ended it. */
function stepLines(s: WhyStep): string {
  const what = s.reason ? `${s.state} (${s.reason})` : s.state;
  let text = `  ${s.name}: ${what} for ${formatDuration(s.endNs - s.startNs)}, ${at(s.startNs)} → ${at(s.endNs)}\n`;
  const top = s.stack[0];
  if (top) text += `      at ${top.func} ${top.file}:${top.line}\n`;
  // And the innermost frame of the program's own code, when the top is the runtime's or a library's.
  const site = blockingSite(s.stack);
  const own = s.stack.find((f) => f.func === site);
  if (own && own !== top) text += `      in ${own.func} ${own.file}:${own.line}\n`;
  if (s.wake === "goroutine" && s.wokenBy !== null)
    text += `      woken by G${s.wokenBy} at ${at(s.endNs)}\n`;
  else if (s.wake === "created" && s.wokenBy !== null) text += `      created by G${s.wokenBy}\n`;
  else if (s.wake === "timer") text += "      woken by a timer\n";
  else if (s.wake === "network") text += "      woken by the network poller\n";
  else if (s.wake === "unknown") text += "      woken by: the trace does not say\n";
  return text;
}

export function chainText(c: WhyChainResponse): string {
  const when = c.atNs === null ? "its longest wait" : `${at(c.atNs)}`;
  let text = `Why G${c.goroutine} (${when}), latest first:\n`;
  for (const s of c.steps) text += stepLines(s);
  return `${text}Root: ${c.rootText}\n`;
}

export function pathText(p: CriticalPathResponse): string {
  const name = p.kind === "task" ? `task ${p.task} (${p.type})` : `region ${p.type} on G${p.goroutine}`;
  let text = `Critical path of ${name}: ${formatDuration(p.durNs)}, ${at(p.startNs)} → ${at(p.endNs)}\n\n`;
  text += "Time by cause:\n";
  for (const s of p.breakdown) {
    const who = s.goroutine === null ? "(the trace does not say)" : s.name;
    const what = s.reason ? `${s.category} (${s.reason})` : s.category;
    const via = s.member || s.goroutine === null ? "" : " [waiting for it]";
    text += `  ${formatDuration(s.ns).padStart(12)}  ${s.percent.toFixed(1).padStart(5)}%  ${what} on ${who}${via}\n`;
  }
  text += "\nSteps, latest first:\n";
  for (const s of p.steps) text += stepLines(s);
  return `${text}Root: ${p.rootText}\n`;
}
