/**
 * `gotrace view FILE`: reads the trace into the timeline engine, with a
 * progress bar on stderr, serves the UI and the engine on 127.0.0.1 (or
 * `--http host:port`, or go tool trace's `-http=addr`), prints the URL and
 * opens a browser unless `--no-open`. Served beyond loopback, it prints the
 * address it listens on and warns that the trace is reachable from the
 * network. Runs until killed. `gotrace view A B` serves A with a Diff page
 * (gotrace diff's tables, /api/diff), and B by a second `gotrace view` so
 * the page links into both.
 */
import { spawn } from "node:child_process";
import { accessSync, closeSync, constants as fsConstants, openSync, readSync, statSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { TraceError } from "../decode/errors.js";
import { EventKind } from "../decode/event.js";
import { EventBatcher } from "../decode/event-batch.js";
import { isGzip, maybeGunzip } from "../decode/gunzip.js";
import type { TraceReader } from "../decode/reader.js";
import { headerSize, readHeader } from "../format/header.js";
import { eventFields } from "../query/analysis/fields.js";
import { AnalysisService, feedEnd } from "../query/analysis/service.js";
import {
  type BuildOptions,
  type BuildResult,
  buildTimeline,
  buildTimelineFrom,
} from "../query/timeline/build.js";
import { analysisRoutes } from "../server/analysis-routes.js";
import { AnalysisWorkerClient } from "../server/analysis-worker-client.js";
import { diffRoute } from "../server/diff-routes.js";
import { startViewServer } from "../server/server.js";
import { whyRoute } from "../server/why-routes.js";
import { type Command, type ParsedArgs, parseCommandArgs, UsageError } from "./args.js";
import { captureTrace, cutLine, isTraceURL, parseTraceURL } from "./capture.js";
import { fileChunks } from "./chunks.js";
import { reportDamage } from "./damage.js";
import { driveFile } from "./decode-thread.js";
import { readDiff } from "./diff.js";
import { CommandError, checkInputFile, fileErrorReason } from "./errors.js";
import { formatBytes } from "./format.js";
import { ProgressBar } from "./progress.js";
import { isTraceList, runViewList } from "./view-list.js";

export { isTraceList };

export const viewCommand: Command = {
  name: "view",
  operands: ["FILE", "[B]"],
  summary: "the timeline and analysis pages in a browser; with B, a diff page (FILE → B)",
  flags: [
    {
      name: "http",
      value: "HOST:PORT",
      help: "serve on this address (default 127.0.0.1 at a free port; an empty HOST\nalso means 127.0.0.1; 0.0.0.0:PORT serves every network interface)",
    },
    { name: "no-open", help: "do not open a browser; the URL is printed" },
  ],
  details: `gotrace FILE, and go tool trace's gotrace -http=HOST:PORT FILE, do the same.
With B, a Diff page compares FILE with B (gotrace diff's tables); B is served by a
second gotrace view on the same host, which the page links to.
FILE may also be a URL or a folder:
URL: a running program's /debug/pprof/trace?seconds=N is captured into a file named
  trace-HOST-PORT-TIME.out in the current directory (or the temporary directory when
  that cannot be written), which is kept, and opened.
DIR, or a quoted pattern such as 'snapshots/*.trace' (* and ? in its last part): a page
  lists its traces; each opens in the browser's tab, as the static page reads them.`,
  run: runView,
};

export interface ViewOptions {
  readonly file: string;
  /** A second trace: the diff page compares FILE (A) with it. */
  readonly compare?: string;
  readonly host: string;
  readonly port: number;
  readonly open: boolean;
}

/**
 * `host:port`, `[v6]:port` or `:port`. An empty host means 127.0.0.1: go
 * tool trace would listen on every interface, but a trace holds stacks and
 * strings of the traced program, so reaching it from elsewhere must be asked
 * for by name (`0.0.0.0:PORT`).
 */
export function parseHttpAddr(addr: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.%\w]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(addr);
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || port > 65535) throw new UsageError(`--http: want HOST:PORT, got ${JSON.stringify(addr)}`);
  return { host: m[1] ?? (m[2] || "127.0.0.1"), port };
}

export function viewOptions(args: ParsedArgs): ViewOptions {
  const addr = args.values.get("http") ?? "127.0.0.1:0";
  const compare = args.operands[1];
  return {
    file: args.operands[0]!,
    ...(compare !== undefined && { compare }),
    ...parseHttpAddr(addr),
    open: !args.switches.has("no-open"),
  };
}

/** `gotrace view`'s arguments, as the command line gives them. */
export function parseViewArgs(argv: readonly string[]): ViewOptions {
  return viewOptions(parseCommandArgs(viewCommand, argv));
}

/** Whether a bound address can be reached only from this machine. */
export function isLoopbackAddress(address: string): boolean {
  return /^(::ffff:)?127\.\d+\.\d+\.\d+$/i.test(address) || address === "::1";
}

/**
 * What `view` prints once it listens: the URL, the address it really
 * listens on when that is every interface, and a warning when the trace can
 * be reached from other machines.
 */
export function servingLines(
  file: string,
  url: string,
  bound: { address: string; port: number },
): { stdout: string; stderr: string } {
  const wildcard = bound.address === "0.0.0.0" || bound.address === "::";
  const where = bound.address.includes(":")
    ? `[${bound.address}]:${bound.port}`
    : `${bound.address}:${bound.port}`;
  const stdout = wildcard
    ? `gotrace: serving ${file} on every network interface (${where}) at ${url}\n`
    : `gotrace: serving ${file} at ${url}\n`;
  const stderr = isLoopbackAddress(bound.address)
    ? ""
    : `gotrace: warning: the trace is now reachable from the network (listening on ${where}): anyone who can connect can read its stacks and strings\n`;
  return { stdout, stderr };
}

/** Bytes read after which the page is served even before a generation is whole. */
const serveAfterBytes = 64 << 20;

/** The first bytes of a file (its header), or fewer if it is shorter. */
function readHead(file: string): Uint8Array {
  const fd = openSync(file, "r");
  try {
    const head = new Uint8Array(headerSize);
    return head.subarray(0, readSync(fd, head, 0, headerSize, 0));
  } finally {
    closeSync(fd);
  }
}

/** The file's chunks, reporting the bytes read so far. */
async function* countedChunks(file: string, onBytes: (n: number) => void): AsyncGenerator<Uint8Array> {
  let n = 0;
  for await (const chunk of fileChunks(file)) {
    n += chunk.length;
    onBytes(n);
    yield chunk;
  }
}

export function checkListen(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (e) => reject(new CommandError(`cannot serve on ${host}:${port}: ${e.message}`)));
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/** Opens `url` in the desktop's browser; any failure (no desktop, no opener) is ignored. */
export function openBrowser(url: string): void {
  const [cmd, args] =
    process.platform === "darwin"
      ? ["open", [url]]
      : process.platform === "win32"
        ? ["cmd", ["/c", "start", "", url]]
        : ["xdg-open", [url]];
  try {
    const child = spawn(cmd, args, { stdio: "ignore", detached: true });
    child.on("error", () => {});
    child.unref();
  } catch {
    // No opener: the URL is on stdout.
  }
}

/**
 * Trace B of `gotrace view A B`, served by its own `gotrace view` (a child
 * process on the same host) so the diff page can link into B's timeline and
 * pages. Resolves to its URL, or undefined if it could not serve.
 */
function serveCompared(file: string, host: string): Promise<string | undefined> {
  const main = fileURLToPath(new URL("./main.js", import.meta.url));
  const addr = host.includes(":") ? `[${host}]:0` : `${host}:0`;
  const child = spawn(process.execPath, [main, "view", "--no-open", "--http", addr, file], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  process.once("exit", () => child.kill());
  let out = "";
  let err = "";
  return new Promise((resolve) => {
    child.stdout!.on("data", (b: Buffer) => {
      out += b.toString();
      const m = /^gotrace: serving .* at (http:\/\/\S+)$/m.exec(out);
      if (m) resolve(m[1]);
    });
    child.stderr!.on("data", (b: Buffer) => {
      err += b.toString();
    });
    child.once("exit", () => {
      // Its own damage line or error, once: the diff page says the rest.
      if (err) process.stderr.write(err);
      resolve(undefined);
    });
  });
}

/**
 * Whether the trace is decoded on a worker thread while the timeline is
 * built in this one: only with GOTRACE_DECODE_WORKERS=1, for a plain file,
 * and when no analysis worker runs (with one, a third thread on two cores).
 * Measured on two cores (bench/timeline-decode.mjs), the build was no faster
 * that way, so it is not the default.
 */
function decodeOnWorker(gzipped: boolean, analysisWorker: boolean): boolean {
  return process.env.GOTRACE_DECODE_WORKERS === "1" && !gzipped && !analysisWorker;
}

/** Passes chunks through, each once `ready()` resolves (the analysis worker has room for more events). */
async function* throttled(
  chunks: AsyncIterable<Uint8Array>,
  ready: () => Promise<void>,
): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    await ready();
    yield chunk;
  }
}

/** Where `gotrace view URL` saves a capture: the current directory if it can be written, else the temporary one. */
export function captureFileName(url: URL, now = new Date()): string {
  let dir = process.cwd();
  try {
    accessSync(dir, fsConstants.W_OK);
  } catch {
    dir = tmpdir();
  }
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  const host = url.hostname.replace(/[^\w.-]+/g, "_");
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return join(dir, `trace-${host}-${port}-${stamp}.out`);
}

export async function runView(args: ParsedArgs): Promise<number> {
  let opts = viewOptions(args);
  if (opts.compare !== undefined) checkInputFile(opts.compare);
  if (isTraceList(opts.file)) {
    if (opts.compare !== undefined) throw new UsageError("a folder or pattern of traces cannot be compared");
    return runViewList(opts);
  }
  /** A capture cut part-way: served up to the cut, and the command's status is 1. */
  let captureCut = false;
  if (isTraceURL(opts.file)) {
    const url = parseTraceURL(opts.file);
    if (opts.port !== 0) await checkListen(opts.host, opts.port);
    const file = captureFileName(url);
    const captured = await captureTrace(url, file);
    if (captured.cut) {
      process.stderr.write(cutLine(url, file, captured));
      captureCut = true;
    } else {
      process.stderr.write(`gotrace: saved ${formatBytes(captured.bytes)} of trace in ${file}\n`);
    }
    opts = { ...opts, file };
  }
  const size = statSync(opts.file).size;
  // A fixed port that is taken should fail now, not after starting the read.
  if (opts.port !== 0) await checkListen(opts.host, opts.port);
  // Not a trace at all: nothing to serve, as go tool trace. Worded as every command words it.
  // A gzipped trace is inflated as it is read; its header is checked by the read.
  const head = readHead(opts.file);
  const gzipped = isGzip(head);
  const header = readHeader(head);
  if (!header.ok && !gzipped) {
    throw new CommandError(`${opts.file}: ${new TraceError(header.reason, 0).message}`);
  }
  // The trace is decoded once, into the timeline built here; the analyses
  // are answered from it (query/analysis/fields.ts). Fields still computed
  // from events are analysed by a worker fed the same events in batches,
  // started only if there is any. The server starts first: the page shows
  // the read's progress and fills in when it is done.
  const fields = eventFields();
  const worker = fields.size > 0 ? AnalysisWorkerClient.fed(size, fields) : undefined;
  let bytesRead = 0;
  let events = 0;
  let built: BuildResult | undefined;
  let failed: string | null = null;
  // Serving waits until the read shows something to analyse (a whole
  // generation: a Sync after events), so that a file with nothing usable
  // fails with one line rather than as an empty page; past serveAfterBytes
  // the page and its progress come first, for huge first generations and
  // old traces, which are read whole before their first event.
  let ready: () => void = () => {};
  const usable = new Promise<void>((resolve) => {
    ready = resolve;
  });
  let eventsSinceStart = 0;
  const batcher =
    worker &&
    new EventBatcher((b) => {
      events += b.count;
      worker.post(b, bytesRead);
    });
  const bar = new ProgressBar(size, `gotrace: reading ${opts.file}`);
  const read = (async () => {
    try {
      const chunks = countedChunks(opts.file, (n) => {
        bytesRead = n;
        bar.update(n);
        if (n >= serveAfterBytes) ready();
      });
      const inflated = gzipped ? maybeGunzip(chunks) : chunks;
      const options: BuildOptions = {
        // Damage counts lost bytes of the trace: a gzipped file's inflated size is not known beforehand.
        totalBytes: gzipped ? undefined : size,
        onProgress: batcher ? undefined : (n) => (events = n),
        onEvent: (ev) => {
          if (ev.kind !== EventKind.Sync) eventsSinceStart++;
          else if (eventsSinceStart > 0) ready();
          batcher?.push(ev);
        },
      };
      if (decodeOnWorker(gzipped, worker !== undefined)) {
        // The events come without their reader: the timeline reads only its version.
        const reader = { version: header.ok ? header.version : undefined } as TraceReader;
        built = await buildTimelineFrom(
          (each) =>
            driveFile(opts.file, (ev) => each(ev, reader), {
              workers: 1,
              onBytes: (n) => {
                bytesRead = n;
                bar.update(n);
                if (n >= serveAfterBytes) ready();
              },
            }),
          options,
        );
      } else {
        built = await buildTimeline(worker ? throttled(inflated, () => worker.ready()) : inflated, options);
      }
    } catch (e) {
      failed = e instanceof Error ? e.message : String(e);
      void worker?.close();
      throw e;
    } finally {
      bar.finish();
      ready();
    }
    batcher?.flush();
    worker?.end(feedEnd(built.run));
    return built;
  })();
  const service = new AnalysisService(
    {
      model: () => read.then((b) => ({ tl: b.engine.tl, firstNs: b.firstNs, end: feedEnd(b.run) })),
      modelProgress: () => ({ events, bytesRead }),
      ...(worker && { delegate: (m, a) => worker.call(m, a), delegateStatus: () => worker.status() }),
    },
    size,
  );
  const analysis = analysisRoutes({ service, worker });
  service.start().catch(() => {});
  analysis.precompute();
  // Handled below, once serving; marked handled now so that a failure before then is not fatal.
  read.catch(() => {});
  await usable;
  // Read to the end before serving and nothing to show: one line, as every command.
  /** The trace's size, for the damage line: inflated, for a gzipped file. */
  const traceSize = (b: BuildResult) => (gzipped ? b.run.bytes : size);
  if (built && !reportDamage(opts.file, built.run, traceSize(built), "showing")) {
    await analysis.close();
    return 1;
  }
  const server = await startViewServer({
    engine: read.then((b) => b.engine),
    progress: () => ({
      bytesRead,
      totalBytes: size,
      events: built?.engine.info().events ?? events,
      done: built !== undefined,
      error: failed,
    }),
    host: opts.host,
    port: opts.port,
    routes: [
      analysis.route,
      whyRoute(read.then((b) => b.engine.tl)),
      diffRoute(
        opts.compare === undefined
          ? undefined
          : // Once A's timeline is read: both traces through the diff's analyses, as gotrace diff reads them.
            {
              a: opts.file,
              b: opts.compare,
              diff: read.then(() => readDiff(opts.file, opts.compare!)),
              bUrl: serveCompared(opts.compare, opts.host),
            },
      ),
    ],
  }).catch((e: unknown) => {
    void analysis.close();
    throw new CommandError(
      `cannot serve on ${opts.host}:${opts.port}: ${e instanceof Error ? e.message : String(e)}`,
    );
  });
  const lines = servingLines(opts.file, server.url, server.server.address() as AddressInfo);
  process.stdout.write(lines.stdout);
  process.stderr.write(lines.stderr);
  if (opts.open) openBrowser(server.url);
  const reported = built !== undefined;
  read.then(
    (b) => {
      if (reported) return;
      // Served before the read ended: the damage rule now, ending the command if nothing was usable.
      if (!reportDamage(opts.file, b.run, traceSize(b), "showing")) {
        void Promise.all([server.close(), analysis.close()]).finally(() => process.exit(1));
      }
    },
    // A failure that is not damage (none is expected) ends the command, with its reason.
    (e: unknown) => {
      const reason = fileErrorReason(e) ?? (e instanceof Error ? e.message : String(e));
      process.stderr.write(`gotrace: ${opts.file}: ${reason}\n`);
      void Promise.all([server.close(), analysis.close()]).finally(() => process.exit(1));
    },
  );
  const stop = () => {
    Promise.all([server.close(), analysis.close()]).finally(() => process.exit(captureCut ? 1 : 0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return 0;
}
