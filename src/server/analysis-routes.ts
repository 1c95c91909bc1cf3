/**
 * The analysis pages' HTTP routes, mounted into the view server
 * (ViewServerOptions.routes): JSON under /api/analysis/…, and the profile
 * as a gzipped pprof file at /api/analysis/profile.pb.gz. The analyses run
 * in a worker thread (analysis-worker-main.ts), so the timeline's requests
 * are answered while a big trace is analysed; `start()` begins the first
 * pass before any page asks, and the worker keeps every result it computed.
 */
import type { ServerResponse } from "node:http";
import type { AnalysisUnavailable } from "../query/analysis/protocol.js";
import { analysisRequest, profileQuery } from "../query/analysis/requests.js";
import { AnalysisFailed, AnalysisWorkerClient } from "./analysis-worker-client.js";
import { type RouteHandler, sendJSON, sendText } from "./server.js";

const prefix = "/api/analysis/";

export interface AnalysisRoutes {
  readonly route: RouteHandler;
  /** Starts the first analysis pass now (call it once the timeline is being served). */
  start(): void;
  close(): Promise<void>;
}

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
        const query = profileQuery(url.searchParams);
        const out = (await client.call("profilePprof", { query })) as Uint8Array | { error: string };
        if (out instanceof Uint8Array) sendPprof(res, query.type, out);
        else sendText(res, 404, `gotrace: ${out.error}`);
        return true;
      }
      const r = analysisRequest(name, url.searchParams);
      if (!r) return false;
      const answer = await client.call(r.method, r.args);
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
