/**
 * The analysis pages' HTTP routes, mounted into the view server
 * (ViewServerOptions.routes): JSON under /api/analysis/…, and the profile
 * as a gzipped pprof file at /api/analysis/profile.pb.gz. Each question is
 * answered by the server's AnalysisService from the model (the timeline the
 * server builds), or, for what is still computed from events, by the
 * analysis worker (analysis-worker-main.ts) that the server feeds, so the
 * timeline's requests are answered while a big trace is analysed. Given a
 * file instead, a worker reads it and answers everything (not started until
 * asked or `start()`).
 */
import type { ServerResponse } from "node:http";
import { gzipSync } from "node:zlib";
import type { AnalysisUnavailable } from "../query/analysis/protocol.js";
import { analysisRequest, profileQuery } from "../query/analysis/requests.js";
import { AnalysisError, AnalysisService, answer } from "../query/analysis/service.js";
import { AnalysisFailed, AnalysisWorkerClient } from "./analysis-worker-client.js";
import { type RouteHandler, sendJSON, sendText } from "./server.js";

const prefix = "/api/analysis/";

export interface AnalysisRoutes {
  readonly route: RouteHandler;
  /** Starts the analyses now (call it once the timeline is being served). */
  start(): void;
  /**
   * Computes the fields of the model nobody asked for yet, one at a time,
   * at quiet moments between requests, once the model is built.
   */
  precompute(): void;
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
 * The analysis routes: answered by `service` (whose delegate is the fed
 * `worker`, if any), or by a worker that reads `file` itself.
 */
export function analysisRoutes(
  source: string | { readonly service: AnalysisService; readonly worker?: AnalysisWorkerClient },
): AnalysisRoutes {
  const worker = typeof source === "string" ? AnalysisWorkerClient.reading(source) : source.worker;
  const service =
    typeof source === "string"
      ? new AnalysisService({
          delegate: (m, a) => worker!.call(m, a),
          delegateStatus: () => worker!.status(),
        })
      : source.service;
  const gzip = (b: Uint8Array) => gzipSync(b);
  const route: RouteHandler = async (url, _req, res) => {
    // Mounted first, this sees every request: the precompute waits for a quiet moment after each.
    if (url.pathname !== `${prefix}status`) service.noteActivity();
    if (!url.pathname.startsWith(prefix)) return false;
    const name = url.pathname.slice(prefix.length);
    try {
      if (name === "status") {
        sendJSON(res, 200, service.status());
        return true;
      }
      if (name === "profile.pb.gz") {
        const query = profileQuery(url.searchParams);
        const out = (await answer(service, "profilePprof", { query }, gzip)) as
          | Uint8Array
          | { error: string };
        if (out instanceof Uint8Array) sendPprof(res, query.type, out);
        else sendText(res, 404, `gotrace: ${out.error}`);
        return true;
      }
      const r = analysisRequest(name, url.searchParams);
      if (!r) return false;
      sendJSON(res, 200, await answer(service, r.method, r.args, gzip));
    } catch (e) {
      if (!(e instanceof AnalysisFailed || e instanceof AnalysisError)) throw e;
      // Nothing to analyse in this trace is an answer, not a server failure:
      // the page shows the reason (an HTTP error would also be a console error).
      const unavailable: AnalysisUnavailable = { unavailable: `gotrace: ${e.message}` };
      sendJSON(res, 200, unavailable);
    }
    return true;
  };
  return {
    route,
    start: () => {
      service.start().catch(() => {});
      worker?.start();
    },
    precompute: () => {
      // Timers unref'd: the server keeps the process alive, not the precompute.
      const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
      service.precompute({ sleep }).catch(() => {});
    },
    close: async () => {
      await worker?.close();
    },
  };
}
