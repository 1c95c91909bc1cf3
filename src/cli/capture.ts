/**
 * `gotrace capture URL -o FILE`: fetches a trace from a running Go
 * program's net/http/pprof endpoint (`/debug/pprof/trace?seconds=N`) into
 * FILE, with a progress line on stderr. `gotrace view URL` captures the same
 * way into a file it names, then opens it.
 *
 * Each failure is one line and exit status 1: an address that is not
 * http(s), a connection refused (or any other network failure before an
 * answer), an answer other than 200, a body that is not a trace (what
 * arrived is saved, for a look), and a body cut part-way: what arrived is
 * saved and read up to the cut, with the damage line every command prints.
 */
import { createWriteStream, type WriteStream } from "node:fs";
import { get as httpGet, type IncomingMessage } from "node:http";
import { get as httpsGet } from "node:https";
import { TraceError } from "../decode/errors.js";
import { isGzip } from "../decode/gunzip.js";
import { headerSize, readHeader } from "../format/header.js";
import { analyzeFile } from "./analyze.js";
import { type Command, type ParsedArgs, UsageError } from "./args.js";
import { CommandError } from "./errors.js";
import { formatBytes } from "./format.js";
import type { ProgressStream } from "./progress.js";

export const captureCommand: Command = {
  name: "capture",
  operands: ["URL"],
  summary: "save a trace from a running program's /debug/pprof/trace",
  flags: [{ name: "output", short: "o", value: "FILE", help: "the file to save the trace in (required)" }],
  details:
    "URL is net/http/pprof's trace endpoint, e.g. http://localhost:6060/debug/pprof/trace?seconds=5.\ngotrace view URL captures into a file it names and opens it.",
  run: runCapture,
};

/** Whether a command-line operand is a trace's address rather than a file. */
export function isTraceURL(operand: string): boolean {
  return /^https?:\/\//i.test(operand);
}

/** The URL, checked: one line for anything that is not an http(s) address. */
export function parseTraceURL(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CommandError(`${text}: not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new CommandError(`${text}: not an http or https URL`);
  }
  return url;
}

export interface Captured {
  /** Bytes saved. */
  readonly bytes: number;
  /** Set when the body stopped part-way: why. The bytes before it are saved. */
  readonly cut?: string;
}

const redrawMs = 100;
/** Seconds of silence allowed beyond the capture's own `seconds`. */
const idleMarginSec = Number(process.env.GOTRACE_CAPTURE_IDLE_SEC ?? 30);

/** Network failures before any answer, in words. */
function connectReason(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case "ECONNREFUSED":
      return "connection refused (is the program running, and serving net/http/pprof on that port?)";
    case "ENOTFOUND":
      return "no such host";
    case "ETIMEDOUT":
      return "connection timed out";
    case "ECONNRESET":
      return "connection reset before an answer";
    default:
      return e.message;
  }
}

/**
 * Fetches `url` into `file`. Rejects with a CommandError (one line) when
 * nothing usable came; resolves with `cut` set when the body stopped
 * part-way (what arrived is in `file`).
 */
export function captureTrace(
  url: URL,
  file: string,
  out: ProgressStream = process.stderr,
): Promise<Captured> {
  const where = url.href;
  const seconds = Number(url.searchParams.get("seconds"));
  const label = `gotrace: capturing ${where}`;
  out.write(
    out.isTTY
      ? `${label}${seconds > 0 ? ` (the program traces for ${seconds} s)` : ""}…`
      : `${label} into ${file}${seconds > 0 ? ` (the program traces for ${seconds} s)` : ""}\n`,
  );
  return new Promise<Captured>((resolve, reject) => {
    let settled = false;
    let drawn = out.isTTY === true;
    const clear = () => {
      if (drawn) out.write("\r\x1b[K");
      drawn = false;
    };
    const fail = (message: string) => {
      if (settled) return;
      settled = true;
      clear();
      reject(new CommandError(message));
    };
    const get = url.protocol === "https:" ? httpsGet : httpGet;
    const req = get(url, { headers: { "Accept-Encoding": "identity" } }, (res: IncomingMessage) => {
      if (res.statusCode !== 200) {
        // The first line of the answer says why (pprof answers errors in text).
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (s: string) => {
          if (text.length < 500) text += s;
        });
        res.on("end", () => {
          const why = text.trim().split("\n")[0]?.slice(0, 200);
          fail(
            `${where}: the server answered ${res.statusCode} ${res.statusMessage ?? ""}`.trimEnd() +
              (why ? `: ${why}` : ""),
          );
        });
        res.on("error", () => fail(`${where}: the server answered ${res.statusCode}`));
        return;
      }
      const expected = Number(res.headers["content-length"]);
      let stream: WriteStream;
      try {
        stream = createWriteStream(file);
      } catch (e) {
        res.destroy();
        fail(`${file}: ${(e as Error).message}`);
        return;
      }
      let bytes = 0;
      let head = Buffer.alloc(0);
      let checked = false;
      let lastDraw = 0;
      let cut: string | undefined;
      stream.on("error", (e) => {
        res.destroy();
        fail(`${file}: cannot write: ${e.message}`);
      });
      const finish = (notTrace?: string) => {
        stream.end(() => {
          if (settled) return;
          clear();
          if (notTrace) {
            fail(
              `${where}: the answer is not a Go execution trace (${notTrace}); the ${formatBytes(bytes)} that arrived are in ${file}`,
            );
            return;
          }
          if (!cut && Number.isFinite(expected) && expected > 0 && bytes < expected) {
            cut = `the body ended after ${bytes} of ${expected} bytes`;
          }
          settled = true;
          resolve({ bytes, ...(cut && { cut }) });
        });
      };
      res.on("data", (chunk: Buffer) => {
        if (settled) return;
        bytes += chunk.length;
        if (!checked) {
          head = Buffer.concat([head, chunk]);
          if (head.length >= headerSize) {
            checked = true;
            const h = readHeader(head.subarray(0, headerSize));
            if (!h.ok && !isGzip(head)) {
              stream.write(chunk);
              res.destroy();
              finish(new TraceError(h.reason, 0).message);
              return;
            }
          }
        }
        stream.write(chunk);
        const now = Date.now();
        if (out.isTTY && now - lastDraw >= redrawMs) {
          lastDraw = now;
          out.write(`\r\x1b[K${label}: ${formatBytes(bytes)}`);
          drawn = true;
        }
      });
      res.on("aborted", () => {
        cut ??= `the connection closed after ${bytes} bytes`;
      });
      res.on("error", (e: NodeJS.ErrnoException) => {
        cut ??= idle
          ? `nothing more arrived for ${idleSec} s after ${bytes} bytes`
          : `the connection failed after ${bytes} bytes (${e.code ?? e.message})`;
        if (!settled) finish();
      });
      res.on("end", () => {
        if (settled) return;
        if (!checked) {
          const h = readHeader(head.subarray(0, headerSize));
          if (bytes === 0) return finish("the body is empty");
          if (!h.ok && !isGzip(head)) return finish(new TraceError(h.reason, 0).message);
        }
        finish();
      });
      res.on("close", () => {
        // Closed without 'end': the connection broke part-way.
        if (!res.complete && !settled && !stream.writableEnded) {
          cut ??= `the connection closed after ${bytes} bytes`;
          finish();
        }
      });
    });
    req.on("error", (e: NodeJS.ErrnoException) => {
      if (idle) fail(`${where}: nothing arrived for ${idleSec} s`);
      else fail(`${where}: ${connectReason(e)}`);
    });
    // The program sends little or nothing until its tracing ends: silence
    // is allowed for the seconds asked and a margin, then it is a failure
    // (what arrived before it is saved, as for any cut).
    const idleSec = (seconds > 0 ? seconds : 1) + idleMarginSec;
    let idle = false;
    req.setTimeout(idleSec * 1000, () => {
      idle = true;
      req.destroy(new Error("idle"));
    });
  });
}

/** The line for a capture cut part-way, naming the saved file. */
export function cutLine(url: URL, file: string, captured: Captured): string {
  return `gotrace: ${url.href}: the capture stopped part-way: ${captured.cut}; the ${formatBytes(captured.bytes)} that arrived are in ${file}\n`;
}

async function runCapture(args: ParsedArgs): Promise<number> {
  const url = parseTraceURL(args.operands[0]!);
  const file = args.values.get("output");
  if (file === undefined) throw new UsageError("missing --output FILE (-o FILE)", true);
  const captured = await captureTrace(url, file);
  if (captured.cut) {
    process.stderr.write(cutLine(url, file, captured));
    // What arrived, read up to the cut: the damage line every command prints.
    await analyzeFile(file, []);
    return 1;
  }
  process.stderr.write(`gotrace: saved ${formatBytes(captured.bytes)} of trace in ${file}\n`);
  return 0;
}
