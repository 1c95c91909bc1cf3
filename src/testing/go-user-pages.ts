/**
 * Test support: reads the numbers out of go tool trace's task and region
 * pages (cmd/trace/tasks.go and regions.go templates): /usertasks,
 * /usertask?type=…, /userregions and /userregion?type=…&pc=….
 */
import { parseGoDuration, unescapeHtml } from "./go-trace-pages.js";

export interface GoBucket {
  readonly minNs: number;
  readonly count: number;
}

/** The rows of a TimeHistogram's HTML: each bucket's lower bound and count. */
export function parseHistogram(html: string): GoBucket[] {
  const re =
    /<tr><td class="histoTime" align="right">(?:<a [^>]*>)?([^<]*)(?:<\/a>)?<\/td><td><div [^>]*>&nbsp;<\/div><\/td><td align="right"><div [^>]*>(\d+)<\/div><\/td><\/tr>/g;
  return [...html.matchAll(re)].map((m) => ({ minNs: parseGoDuration(m[1]!), count: Number(m[2]) }));
}

export interface GoTypeRow {
  readonly type: string;
  readonly count: number;
  readonly buckets: readonly GoBucket[];
}

/** /usertasks: per task type, the count and the histogram of complete tasks. */
export function parseUserTasksPage(html: string): GoTypeRow[] {
  const re =
    /<tr>\s*<td>([^<]*)<\/td>\s*<td><a href="\/usertask\?type=[^"]*">(\d+)<\/a><\/td>\s*<td>((?:<table>[\s\S]*?<\/table>)?)<\/td>/g;
  return [...html.matchAll(re)].map((m) => ({
    type: unescapeHtml(m[1]!),
    count: Number(m[2]),
    buckets: parseHistogram(m[3]!),
  }));
}

export interface GoRegionGroupRow extends GoTypeRow {
  /** The type as Go prints it with %q. */
  readonly quotedType: string;
  readonly func: string;
  readonly pc: number;
  readonly file: string;
  readonly line: number;
}

/** /userregions: per (type, start frame), the count and the histogram. */
export function parseUserRegionsPage(html: string): GoRegionGroupRow[] {
  const re =
    /<td><pre>([^<]*)<br>([^<]*) @ 0x([0-9a-f]+)<br>([^<]*):(\d+)<\/pre><\/td>\s*<td><a href="[^"]*">(\d+)<\/a><\/td>\s*<td>((?:<table>[\s\S]*?<\/table>)?)<\/td>/g;
  return [...html.matchAll(re)].map((m) => ({
    quotedType: unescapeHtml(m[1]!),
    type: "",
    func: unescapeHtml(m[2]!),
    pc: Number.parseInt(m[3]!, 16),
    file: unescapeHtml(m[4]!),
    line: Number(m[5]),
    count: Number(m[6]),
    buckets: parseHistogram(m[7]!),
  }));
}

export interface GoTaskEvent {
  /** Seconds since the trace start, as printed ("0.000083840"). */
  readonly when: string;
  readonly g: number;
  readonly what: string;
}

export interface GoTaskRow {
  readonly id: number;
  /** "0.000083840s" */
  readonly when: string;
  readonly durNs: number;
  readonly complete: boolean;
  readonly events: readonly GoTaskEvent[];
}

/** /usertask?type=…: the tasks in Go's order, each with its event rows. */
export function parseUserTaskPage(html: string): GoTaskRow[] {
  const blocks = html.split('<tr class="first">').slice(1);
  return blocks.map((b) => {
    const head =
      /<td class="when">([^<]*)<\/td>\s*<td class="elapsed">([^<]*)<\/td>[\s\S]*?>Task (\d+)<\/a>[\s\S]*?\((complete|incomplete)\)/.exec(
        b,
      );
    if (!head) throw new Error("unexpected /usertask row");
    const events = [
      ...b.matchAll(
        /<td class="when">([^<]*)<\/td>\s*<td class="elapsed">[^<]*<\/td>\s*<td class="goid">(-?\d+)<\/td>\s*<td>([^<]*)<\/td>/g,
      ),
    ].map((m) => ({ when: m[1]!, g: Number(m[2]), what: unescapeHtml(m[3]!) }));
    return {
      id: Number(head[3]),
      when: head[1]!,
      durNs: parseGoDuration(head[2]!.trim()),
      complete: head[4] === "complete",
      events,
    };
  });
}

export interface GoRegionRow {
  readonly g: number;
  /** 0 when the page shows no task. */
  readonly task: number;
  readonly totalNs: number;
}

/** /userregion?type=…&pc=…: the breakdown table's goroutine, task and total time per region. */
export function parseUserRegionPage(html: string): GoRegionRow[] {
  const table = html.split('<table class="details">')[1]?.split("</table>")[0] ?? "";
  const re =
    /<td> <a href="\/trace\?goid=(\d+)">\d+<\/a> <\/td>\s*<td> (?:<a href="\/trace\?focustask=(\d+)">\d+<\/a>)? <\/td>\s*<td> ([^<]*?) <\/td>/g;
  return [...table.matchAll(re)].map((m) => ({
    g: Number(m[1]),
    task: Number(m[2] ?? 0),
    totalNs: parseGoDuration(m[3]!),
  }));
}
