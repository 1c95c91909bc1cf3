/**
 * Test support: go tool trace's web server as an oracle. Starts it on a
 * trace, fetches its goroutine analysis pages and reads the numbers out of
 * their HTML (cmd/trace/goroutines.go's templates), and parses the Go
 * durations they print back into exact nanoseconds.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";

export interface GoTraceServer {
  readonly url: string;
  get(path: string): Promise<string>;
  close(): void;
}

let toolPath: string | undefined;

/** The trace tool's binary (`go tool -n trace`), so we start and stop it directly. */
function traceTool(): string {
  toolPath ??= execFileSync("go", ["tool", "-n", "trace"]).toString().trim();
  return toolPath;
}

/** Starts `go tool trace -http=127.0.0.1:0 FILE` and waits for the URL it prints on stderr. */
export function startGoTraceServer(file: string, timeoutMs = 60_000): Promise<GoTraceServer> {
  const child: ChildProcess = spawn(traceTool(), ["-http=127.0.0.1:0", file], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let err = "";
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`go tool trace ${file}: no URL after ${timeoutMs} ms\n${err}`));
    }, timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`go tool trace ${file} exited with ${code}\n${err}`));
    });
    child.stderr!.on("data", (b: Buffer) => {
      err += b.toString();
      const m = /listening on (http:\/\/[0-9.:]+)/.exec(err);
      if (!m) return;
      clearTimeout(timer);
      child.removeAllListeners("exit");
      child.stderr!.removeAllListeners("data");
      child.stderr!.resume();
      const url = m[1]!;
      resolve({
        url,
        async get(path: string) {
          const r = await fetch(url + path);
          if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
          return r.text();
        },
        close() {
          child.kill();
        },
      });
    });
  });
}

const entities: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'", nbsp: "\u00a0" };

export function unescapeHtml(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, e: string) => {
    if (e[0] === "#") {
      const code = e[1] === "x" || e[1] === "X" ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1));
      return String.fromCodePoint(code);
    }
    return entities[e] ?? all;
  });
}

function cellText(html: string): string {
  return unescapeHtml(html.replace(/<[^>]*>/g, "")).trim();
}

const units: Record<string, number> = { ns: 1, µs: 1e3, us: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** A Go time.Duration string ("1h2m3.5s", "38.281409ms", "0s") as exact nanoseconds. */
export function parseGoDuration(s: string): number {
  const neg = s.startsWith("-");
  const body = neg ? s.slice(1) : s;
  if (body === "0") return 0;
  const re = /(\d+)(?:\.(\d+))?(ns|µs|us|ms|s|m|h)/y;
  let ns = 0;
  let at = 0;
  while (at < body.length) {
    re.lastIndex = at;
    const m = re.exec(body);
    if (!m) throw new Error(`not a Go duration: ${s}`);
    const unit = units[m[3]!]!;
    const frac = m[2] ?? "";
    ns += Number(m[1]) * unit;
    // Exact: Go prints at most as many decimals as the unit has digits.
    if (frac) ns += (Number(frac) * unit) / 10 ** frac.length;
    at = re.lastIndex;
  }
  if (!Number.isInteger(ns)) throw new Error(`duration ${s} is not whole nanoseconds`);
  return neg ? -ns : ns;
}

export interface GoGroupRow {
  readonly name: string;
  readonly count: number;
  readonly execNs: number;
}

/** The groups listed on /goroutines (start location "" for goroutines without a stack). */
export function parseGoroutinesPage(html: string): GoGroupRow[] {
  const rows: GoGroupRow[] = [];
  const re =
    /<tr>\s*<td><code><a href="[^"]*">([\s\S]*?)<\/a><\/code><\/td>\s*<td>(\d+)<\/td>\s*<td>([^<]*)<\/td>/g;
  for (const m of html.matchAll(re)) {
    const name = cellText(m[1]!);
    rows.push({
      name: name === "(Inactive, no stack trace sampled)" ? "" : name,
      count: Number(m[2]),
      execNs: parseGoDuration(m[3]!.trim()),
    });
  }
  return rows;
}

export interface GoTable {
  readonly columns: readonly string[];
  /** Goroutine ID → the durations in the columns' order, in ns. */
  readonly rows: ReadonlyMap<number, readonly number[]>;
  /** Total time per goroutine, in ns. */
  readonly totals: ReadonlyMap<number, number>;
}

export interface GoGroupPage {
  readonly count: number;
  /** "27.27%", or "" when the whole trace had no execution time. */
  readonly execPercent: string;
  readonly breakdown: GoTable;
  readonly ranges: GoTable;
}

function parseDetailsTable(html: string, skipBar: boolean): GoTable {
  const [head, ...trs] = html.split(/<tr>/).slice(1);
  const headers = [...head!.matchAll(/<th[^>]*>([^<]*)<\/th>/g)].map((m) => cellText(m[1]!));
  // Goroutine, Total, [the bar], then the stats.
  const columns = headers.slice(skipBar ? 3 : 2);
  const rows = new Map<number, number[]>();
  const totals = new Map<number, number>();
  for (const tr of trs) {
    const cells = [...tr.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => cellText(m[1]!));
    if (cells.length === 0) continue;
    const id = Number(cells[0]);
    totals.set(id, parseGoDuration(cells[1]!));
    rows.set(id, cells.slice(skipBar ? 3 : 2).map(parseGoDuration));
  }
  return { columns, rows, totals };
}

/** One group's page, /goroutine?name=…: its summary, the breakdown and the special ranges. */
export function parseGoroutinePage(html: string): GoGroupPage {
  const count = /<td>Count:<\/td>\s*<td>(\d+)<\/td>/.exec(html);
  const percent = /<td>Execution Time:<\/td>\s*<td>([^<]*) of total program execution time/.exec(html);
  const tables = html.split('<table class="details">').slice(1);
  if (!count || !percent || tables.length !== 2) throw new Error("unexpected /goroutine page");
  return {
    count: Number(count[1]),
    execPercent: percent[1]!.trim(),
    breakdown: parseDetailsTable(tables[0]!.split("</table>")[0]!, true),
    ranges: parseDetailsTable(tables[1]!.split("</table>")[0]!, false),
  };
}
