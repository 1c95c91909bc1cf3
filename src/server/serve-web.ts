/**
 * `gotrace serve-web`'s server: the static page (dist/web) and nothing
 * else, with the view server's guards (loopback by default, the Host header
 * checked, files by exact path only) and its headers. One difference in the
 * Content-Security-Policy: the page's worker may fetch a trace from any
 * http(s) address (`?url=`), so connect-src allows those; scripts, styles
 * and everything else stay 'self' only.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type RouteHandler, securityHeaders, startViewServer, type ViewServer } from "./server.js";

/** dist/web, beside dist/server where this module is compiled to. */
export const defaultWebDir = fileURLToPath(new URL("../web/", import.meta.url));

const csp = "Content-Security-Policy";

export const staticPageHeaders: Readonly<Record<string, string>> = {
  ...securityHeaders,
  [csp]: securityHeaders[csp]!.replace("connect-src 'self'", "connect-src 'self' http: https:"),
};

export class StaticPageMissing extends Error {}

/**
 * Serves `dir` (dist/web) on `host:port` (127.0.0.1 and a free port by
 * default); `routes` answer before the files (`gotrace view DIR`'s traces).
 */
export async function startWebServer(
  opts: { host?: string; port?: number; dir?: string; routes?: readonly RouteHandler[] } = {},
): Promise<ViewServer> {
  const dir = opts.dir ?? defaultWebDir;
  if (!existsSync(join(dir, "index.html"))) {
    throw new StaticPageMissing(
      `the static page is not built (no ${join(dir, "index.html")}): run npm run build`,
    );
  }
  return startViewServer({
    host: opts.host,
    port: opts.port,
    assetsDir: dir,
    headers: staticPageHeaders,
    routes: opts.routes,
  });
}
