/**
 * `gotrace view DIR` (or a quoted pattern, 'snapshots/*.trace'): several
 * traces, such as flight-recorder snapshots, on one page. The server is the
 * static page's (dist/web) with the listed traces' bytes beside it: the
 * start page lists them (`?list=traces.json`), and the one chosen is read
 * in the browser's tab, as the static page reads any trace, so opening
 * another one costs the server nothing. Same guards as `gotrace view`.
 */
import { closeSync, createReadStream, openSync, readdirSync, readSync, statSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { basename, dirname, join } from "node:path";
import { isGzip } from "../decode/gunzip.js";
import { headerSize, readHeader } from "../format/header.js";
import { StaticPageMissing, startWebServer } from "../server/serve-web.js";
import { type RouteHandler, sendJSON } from "../server/server.js";
import { CommandError } from "./errors.js";
import { checkListen, openBrowser, servingLines, type ViewOptions } from "./view.js";

/** Whether `operand` names several traces: a folder, or a pattern with * or ? in its last part. */
export function isTraceList(operand: string): boolean {
  if (/^https?:\/\//i.test(operand)) return false;
  try {
    if (statSync(operand).isDirectory()) return true;
  } catch {
    // Not there: a pattern, or a missing file (reported as one).
  }
  return /[*?]/.test(basename(operand));
}

/** `*` any run of characters but "/", `?` one: the pattern as a RegExp over a file name. */
function patternRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

/** Whether a file starts as a trace (or a gzipped file) does. */
function looksLikeTrace(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    const head = Buffer.alloc(headerSize);
    const n = readSync(fd, head, 0, headerSize, 0);
    return readHeader(head.subarray(0, n)).ok || isGzip(head.subarray(0, n));
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The traces `operand` names, sorted by name. */
export function listTraces(operand: string): string[] {
  let dir = operand;
  let match: RegExp | undefined;
  let isDir = false;
  try {
    isDir = statSync(operand).isDirectory();
  } catch {
    // A pattern.
  }
  if (!isDir) {
    dir = dirname(operand);
    match = patternRegExp(basename(operand));
  }
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new CommandError(`${dir}: ${(e as Error).message}`);
  }
  return names
    .filter((n) => !match || match.test(n))
    .sort()
    .map((n) => join(dir, n))
    .filter((f) => {
      try {
        return statSync(f).isFile() && looksLikeTrace(f);
      } catch {
        return false;
      }
    });
}

export async function runViewList(opts: ViewOptions): Promise<number> {
  const files = listTraces(opts.file);
  if (files.length === 0) {
    const isDir = statSync(opts.file, { throwIfNoEntry: false })?.isDirectory();
    throw new CommandError(
      `${opts.file}: ${isDir ? "is a directory with no Go execution traces in it" : "no Go execution traces match"}`,
    );
  }
  if (opts.port !== 0) await checkListen(opts.host, opts.port);
  const list = files.map((f, i) => ({
    name: basename(f),
    size: statSync(f).size,
    url: `traces/${i}/${encodeURIComponent(basename(f))}`,
  }));
  const route: RouteHandler = (url, _req, res) => {
    if (url.pathname === "/traces.json") {
      sendJSON(res, 200, list);
      return true;
    }
    const m = /^\/traces\/(\d+)\/[^/]+$/.exec(url.pathname);
    const i = m ? Number(m[1]) : -1;
    if (!m || i >= files.length || url.pathname !== `/${list[i]!.url}`) return false;
    const size = statSync(files[i]!).size;
    res.writeHead(200, {
      "Content-Type": "application/octet-stream",
      "Content-Length": size,
      "Cache-Control": "no-store",
    });
    if (res.req.method === "HEAD") res.end();
    else createReadStream(files[i]!).pipe(res);
    return true;
  };
  const server = await startWebServer({ host: opts.host, port: opts.port, routes: [route] }).catch(
    (e: unknown) => {
      if (e instanceof StaticPageMissing) throw new CommandError(e.message);
      throw new CommandError(
        `cannot serve on ${opts.host}:${opts.port}: ${e instanceof Error ? e.message : String(e)}`,
      );
    },
  );
  const page = `${server.url}?list=traces.json`;
  const lines = servingLines(
    `${files.length} traces in ${opts.file}`,
    page,
    server.server.address() as AddressInfo,
  );
  process.stdout.write(lines.stdout);
  process.stderr.write(lines.stderr);
  if (opts.open) openBrowser(page);
  const stop = () => {
    server.close().finally(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return 0;
}
