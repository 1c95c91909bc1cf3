/**
 * The analysis pages' HTTP routes, mounted into the view server
 * (ViewServerOptions.routes): JSON under /api/analysis/…, and the profile
 * as a gzipped pprof file at /api/analysis/profile.pb.gz. The analyses run
 * in a worker thread (analysis-worker-main.ts), so the timeline's requests
 * are answered while a big trace is analysed; `start()` begins the first
 * pass before any page asks, and the worker keeps every result it computed.
 */
import type { ServerResponse } from "node:http";
import type {
  AnalysisUnavailable,
  MMUInclude,
  MMUQuery,
  ProfileKind,
  ProfileQuery,
} from "../query/analysis/protocol.js";
import { AnalysisFailed, type AnalysisMethod, AnalysisWorkerClient } from "./analysis-worker-client.js";
import {
  BadRequest,
  boolParam,
  intParam,
  numberParam,
  type RouteHandler,
  sendJSON,
  sendText,
} from "./server.js";

const prefix = "/api/analysis/";
const profileKinds: readonly ProfileKind[] = ["net", "sync", "syscall", "sched", "cpu", "wall"];
const mmuIncludes: readonly MMUInclude[] = ["stw", "background", "assist", "sweep"];
/** Trace strings (function names, region types) are short; anything longer is not one. */
const maxNameLength = 64 * 1024;

export interface AnalysisRoutes {
  readonly route: RouteHandler;
  /** Starts the first analysis pass now (call it once the timeline is being served). */
  start(): void;
  close(): Promise<void>;
}

function optionalString(url: URL, name: string): string | undefined {
  const v = url.searchParams.get(name);
  if (v === null) return undefined;
  if (v.length > maxNameLength) throw new BadRequest(`parameter ${name} is too long`);
  return v;
}

function requiredString(url: URL, name: string): string {
  const v = optionalString(url, name);
  if (v === undefined) throw new BadRequest(`missing parameter ${name}`);
  return v;
}

function optionalNumber(url: URL, name: string): number | undefined {
  const v = url.searchParams.get(name);
  return v === null || v === "" ? undefined : numberParam(url, name);
}

function optionalBucket(url: URL): number | undefined {
  const v = url.searchParams.get("bucket");
  return v === null || v === "" ? undefined : intParam(url, "bucket", 0, 1000);
}

export function profileQuery(url: URL): ProfileQuery {
  const type = url.searchParams.get("type") ?? "";
  if (!(profileKinds as readonly string[]).includes(type)) {
    throw new BadRequest(`parameter type must be one of ${profileKinds.join(", ")}`);
  }
  const q: ProfileQuery = {
    type: type as ProfileKind,
    group: optionalString(url, "group"),
    goroutine: url.searchParams.get("goroutine")
      ? intParam(url, "goroutine", 0, Number.MAX_SAFE_INTEGER)
      : undefined,
    region: optionalString(url, "region"),
    startNs: optionalNumber(url, "startNs"),
    endNs: optionalNumber(url, "endNs"),
  };
  if (q.startNs !== undefined && q.endNs !== undefined && !(q.endNs >= q.startNs)) {
    throw new BadRequest("endNs must not be less than startNs");
  }
  return q;
}

export function mmuQuery(url: URL): MMUQuery {
  const text = url.searchParams.get("include");
  const include = (text ?? "stw,background,assist").split(",").filter((s) => s !== "");
  for (const name of include) {
    if (!(mmuIncludes as readonly string[]).includes(name)) {
      throw new BadRequest(
        `parameter include: unknown ${JSON.stringify(name)}; want some of ${mmuIncludes.join(", ")}`,
      );
    }
  }
  const worstWindowNs = optionalNumber(url, "worstWindowNs");
  if (worstWindowNs !== undefined && !(worstWindowNs >= 1))
    throw new BadRequest("worstWindowNs must be at least 1");
  return {
    include: include as MMUInclude[],
    perProc: boolParam(url, "perProc", false),
    percentiles: boolParam(url, "percentiles", false),
    toTraceLength: boolParam(url, "toTraceLength", false),
    worstWindowNs: worstWindowNs === undefined ? undefined : Math.round(worstWindowNs),
    worst: intParam(url, "worst", 0, 1000, 10),
  };
}

/** Each JSON route: its worker method and how its arguments are read from the URL. */
const jsonRoutes = new Map<string, [AnalysisMethod, (url: URL) => Record<string, unknown>]>([
  ["overview", ["overview", () => ({})]],
  ["goroutines", ["goroutines", () => ({})]],
  ["goroutine-group", ["goroutineGroup", (url) => ({ name: requiredString(url, "name") })]],
  ["profile-filters", ["profileFilters", () => ({})]],
  ["profile", ["profile", (url) => ({ query: profileQuery(url) })]],
  ["tasks", ["tasks", () => ({})]],
  ["task-list", ["taskList", (url) => ({ type: requiredString(url, "type"), bucket: optionalBucket(url) })]],
  ["regions", ["regions", () => ({})]],
  [
    "region-list",
    [
      "regionList",
      (url) => ({
        type: requiredString(url, "type"),
        pc: optionalNumber(url, "pc"),
        bucket: optionalBucket(url),
      }),
    ],
  ],
  ["mmu", ["mmu", (url) => ({ query: mmuQuery(url) })]],
  ["schedlat", ["schedLatency", () => ({})]],
]);

function sendPprof(res: ServerResponse, type: string, body: Uint8Array): void {
  res.writeHead(200, {
    "Content-Type": "application/gzip",
    "Content-Length": body.length,
    "Content-Disposition": `attachment; filename="${type}.pb.gz"`,
    "Cache-Control": "no-store",
  });
  res.end(res.req.method === "HEAD" ? undefined : body);
}

/**
 * The analysis routes, answered by a worker: one fed by the server's own
 * read of the trace, or one that reads `file` (not started until asked or
 * `start()`).
 */
export function analysisRoutes(source: string | AnalysisWorkerClient): AnalysisRoutes {
  const client = typeof source === "string" ? AnalysisWorkerClient.reading(source) : source;
  const route: RouteHandler = async (url, _req, res) => {
    if (!url.pathname.startsWith(prefix)) return false;
    const name = url.pathname.slice(prefix.length);
    try {
      if (name === "status") {
        sendJSON(res, 200, client.status());
        return true;
      }
      if (name === "profile.pb.gz") {
        const query = profileQuery(url);
        const out = (await client.call("profilePprof", { query })) as Uint8Array | { error: string };
        if (out instanceof Uint8Array) sendPprof(res, query.type, out);
        else sendText(res, 404, `gotrace: ${out.error}`);
        return true;
      }
      const r = jsonRoutes.get(name);
      if (!r) return false;
      const answer = await client.call(r[0], r[1](url));
      sendJSON(res, 200, answer);
    } catch (e) {
      if (!(e instanceof AnalysisFailed)) throw e;
      // Nothing to analyse in this trace is an answer, not a server failure:
      // the page shows the reason (an HTTP error would also be a console error).
      const answer: AnalysisUnavailable = { unavailable: `gotrace: ${e.message}` };
      sendJSON(res, 200, answer);
    }
    return true;
  };
  return { route, start: () => client.start(), close: () => client.close() };
}
