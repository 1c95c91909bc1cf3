/**
 * The HTTP server behind `gotrace view`: the built UI (dist/ui) and the
 * timeline engine's questions as JSON under /api/. It is meant for one user
 * on one machine, so it is careful about who else can reach it:
 *
 * - it binds 127.0.0.1 unless told otherwise;
 * - it answers only requests whose Host header names the address it is bound
 *   to, so a web page on another origin cannot read the trace through DNS
 *   rebinding (its requests carry the attacker's host name);
 * - it serves only the files that were in dist/ui when it started (symlinks
 *   left out), looked up by exact path, so no spelling of `..` reaches
 *   anything else;
 * - every response carries a Content-Security-Policy without inline scripts,
 *   so a string from the trace that slips into markup cannot run.
 *
 * Other stages (the analysis pages' routes) mount extra handlers through
 * `ViewServerOptions.routes`, with `sendJSON`/`badRequest` and the parameter
 * readers below.
 */
import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { hostname, networkInterfaces } from "node:os";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ParamError as BadRequest } from "../query/analysis/requests.js";
import {
  type LoadProgress,
  type TimelineEngine,
  type ViewKind,
  viewKinds,
} from "../query/timeline/protocol.js";

/**
 * An extra route: return true if it answered the request (it must then end
 * `res`), false to let the next handler or the 404 have it. It runs after
 * the Host check and with the security headers already set; `url` is the
 * request's URL with the server's own origin. Throw `BadRequest` for bad
 * parameters (→ 400 with its message); any other error becomes a 500.
 */
export type RouteHandler = (
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
) => boolean | Promise<boolean>;

export interface ViewServerOptions {
  /**
   * The engine, or its promise while the trace is still being read: the
   * server (and the page) can start at once, engine questions wait for it,
   * and `/api/progress` says how far the read has got.
   */
  readonly engine?: TimelineEngine | Promise<TimelineEngine>;
  /** How far the read has got (for a promised engine). */
  readonly progress?: () => LoadProgress;
  /** Address to bind; 127.0.0.1 by default. */
  readonly host?: string;
  /** Port to bind; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Tried in order before the built-in routes. */
  readonly routes?: readonly RouteHandler[];
  /** The built UI; dist/ui beside this compiled module by default. */
  readonly assetsDir?: string;
  /**
   * What every response carries; `securityHeaders` by default. Without an
   * engine the server serves its assets only (`gotrace serve-web`).
   */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ViewServer {
  /** `http://HOST:PORT/`, with IPv6 addresses in brackets. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

/** dist/ui, beside dist/server where this module is compiled to. */
export const defaultAssetsDir = fileURLToPath(new URL("../ui/", import.meta.url));

/** A parameter error: the server answers 400 with this one-line message (the analysis questions' ParamError). */
export { BadRequest };

/**
 * What every response carries. The UI is one bundled module script and a
 * stylesheet, so nothing inline is needed; styles set from script (CSSOM)
 * are not inline styles and stay allowed. `blob:` is allowed for images (a
 * canvas exported as a picture) and workers (a future in-browser engine).
 */
export const securityHeaders: Readonly<Record<string, string>> = {
  "Content-Security-Policy": [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "worker-src 'self' blob:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; "),
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Opener-Policy": "same-origin",
  // Other origins may not even embed the JSON (no-cors <script>/<img> reads).
  "Cross-Origin-Resource-Policy": "same-origin",
};

export function sendJSON(res: ServerResponse, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value ?? null));
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": body.length,
    // One trace per run, often on a reused port: never cache answers.
    "Cache-Control": "no-store",
  });
  res.end(res.req.method === "HEAD" ? undefined : body);
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  const body = Buffer.from(`${text}\n`);
  res.writeHead(status, {
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": body.length,
    "Cache-Control": "no-store",
  });
  res.end(res.req.method === "HEAD" ? undefined : body);
}

export function badRequest(res: ServerResponse, message: string): void {
  sendText(res, 400, message.split("\n")[0]!);
}

/** Parameter readers: each throws BadRequest naming the parameter. */
export function stringParam(url: URL, name: string, maxLength = 1000): string {
  const v = url.searchParams.get(name);
  if (v === null) throw new BadRequest(`missing parameter ${name}`);
  if (v.length > maxLength) throw new BadRequest(`parameter ${name} is longer than ${maxLength} characters`);
  return v;
}

/** A finite number (nanosecond times may be fractional after zooming). */
export function numberParam(url: URL, name: string, fallback?: number): number {
  const v = url.searchParams.get(name);
  if (v === null || v === "") {
    if (fallback !== undefined) return fallback;
    throw new BadRequest(`missing parameter ${name}`);
  }
  const n = Number(v);
  if (!Number.isFinite(n)) throw new BadRequest(`parameter ${name} is not a number: ${JSON.stringify(v)}`);
  return n;
}

export function intParam(url: URL, name: string, min: number, max: number, fallback?: number): number {
  const n = numberParam(url, name, fallback);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new BadRequest(`parameter ${name} must be an integer from ${min} to ${max}`);
  }
  return n;
}

export function boolParam(url: URL, name: string, fallback: boolean): boolean {
  const v = url.searchParams.get(name);
  if (v === null || v === "") return fallback;
  if (v === "true" || v === "1") return true;
  if (v === "false" || v === "0") return false;
  throw new BadRequest(`parameter ${name} must be true or false`);
}

export function viewParam(url: URL): ViewKind {
  const v = url.searchParams.get("view");
  if (v === null) throw new BadRequest("missing parameter view");
  if (!(viewKinds as readonly string[]).includes(v)) {
    throw new BadRequest(`parameter view must be one of ${viewKinds.join(", ")}`);
  }
  return v as ViewKind;
}

/** Canvas widths beyond this are not a screen; the engine's work grows with the width. */
const maxWidthPx = 1 << 15;
/** IDs are indices into the engine's tables (2^32 is beyond any trace's count of slices). */
const maxId = 2 ** 32;
/** Matches a find request may ask for. */
const maxFindLimit = 10_000;

/**
 * The engine's questions, by path. Each returns the JSON to send (undefined
 * → null). `engineOf()` is called only once the engine is there.
 */
function engineRoutes(engineOf: () => TimelineEngine): Map<string, (url: URL) => unknown> {
  const rowCounts = new Map<ViewKind, number>();
  const rowCount = (view: ViewKind) => {
    let n = rowCounts.get(view);
    if (n === undefined) {
      n = engineOf().rows(view).length;
      rowCounts.set(view, n);
    }
    return n;
  };
  return new Map<string, (url: URL) => unknown>([
    ["/api/info", () => engineOf().info()],
    ["/api/rows", (url) => engineOf().rows(viewParam(url))],
    [
      "/api/window",
      (url) => {
        const view = viewParam(url);
        const startNs = numberParam(url, "startNs");
        const endNs = numberParam(url, "endNs");
        if (!(endNs > startNs)) throw new BadRequest("endNs must be greater than startNs");
        const widthPx = numberParam(url, "widthPx");
        if (!(widthPx >= 1 && widthPx <= maxWidthPx)) {
          throw new BadRequest(`parameter widthPx must be from 1 to ${maxWidthPx}`);
        }
        const rows = rowCount(view);
        const rowFrom = intParam(url, "rowFrom", 0, rows);
        const rowTo = intParam(url, "rowTo", rowFrom, rows);
        const flows = boolParam(url, "flows", false);
        return engineOf().window({ view, startNs, endNs, widthPx, rowFrom, rowTo, flows });
      },
    ],
    ["/api/slice", (url) => engineOf().slice(viewParam(url), intParam(url, "id", 0, maxId))],
    ["/api/mark", (url) => engineOf().mark(viewParam(url), intParam(url, "id", 0, maxId))],
    ["/api/goroutine", (url) => engineOf().goroutine(intParam(url, "id", 0, Number.MAX_SAFE_INTEGER))],
    [
      "/api/find",
      (url) => engineOf().find(stringParam(url, "q"), intParam(url, "limit", 1, maxFindLimit, 100)),
    ],
    [
      "/api/range",
      (url) => {
        const startNs = numberParam(url, "startNs");
        const endNs = numberParam(url, "endNs");
        if (!(endNs >= startNs)) throw new BadRequest("endNs must not be less than startNs");
        return engineOf().range(startNs, endNs);
      },
    ],
  ]);
}

const contentTypes: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".wasm": "application/wasm",
  ".txt": "text/plain; charset=utf-8",
};

/**
 * Every regular file under `dir` by URL path ("/assets/x.js" → absolute
 * path). Symlinks and other special files are left out, so the server can
 * reach nothing but what the build wrote.
 */
export function listAssets(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (abs: string, urlPath: string) => {
    let entries: string[];
    try {
      entries = readdirSync(abs);
    } catch {
      return;
    }
    for (const name of entries) {
      const p = join(abs, name);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p, `${urlPath}${name}/`);
      else if (st.isFile() && contentTypes[extname(name)]) files.set(`${urlPath}${name}`, p);
    }
  };
  walk(dir, "/");
  return files;
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function isWildcard(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "";
}

/** `host:port` as it appears in a Host header, IPv6 in brackets, lower case. */
function hostHeader(host: string, port: number): string {
  return `${host.includes(":") ? `[${host}]` : host}:${port}`.toLowerCase();
}

/**
 * The Host header values the server answers to: the bound address with its
 * port; the loopback names with that port when bound to loopback; every
 * local interface address, the machine's host name and the loopback names
 * when bound to all interfaces (0.0.0.0 or ::), since a browser then names
 * the machine any of those ways.
 */
export function allowedHosts(boundHost: string, port: number): Set<string> {
  const names = new Set<string>([boundHost]);
  if (isLoopback(boundHost) || isWildcard(boundHost)) {
    for (const n of ["localhost", "127.0.0.1", "::1"]) names.add(n);
  }
  if (isWildcard(boundHost)) {
    names.add(hostname().toLowerCase());
    for (const addrs of Object.values(networkInterfaces())) {
      for (const a of addrs ?? []) names.add(a.address.replace(/%.*$/, ""));
    }
  }
  const allowed = new Set<string>();
  for (const n of names) {
    if (isWildcard(n)) continue;
    allowed.add(hostHeader(n, port));
    // Browsers leave out the scheme's default port.
    if (port === 80) allowed.add(n.includes(":") ? `[${n}]` : n.toLowerCase());
  }
  return allowed;
}

function cacheControl(urlPath: string): string {
  // Vite names bundled files by content hash: they never change under a name.
  return urlPath.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache";
}

/** Starts the server; resolves once it is listening. */
export function startViewServer(opts: ViewServerOptions): Promise<ViewServer> {
  const bindHost = opts.host ?? "127.0.0.1";
  const assets = listAssets(opts.assetsDir ?? defaultAssetsDir);
  let engine: TimelineEngine | undefined;
  let engineError: string | undefined;
  const engineReady = Promise.resolve(opts.engine).then(
    (e) => {
      engine = e;
    },
    (e: unknown) => {
      engineError = e instanceof Error ? e.message : String(e);
    },
  );
  const api =
    opts.engine === undefined ? new Map<string, (url: URL) => unknown>() : engineRoutes(() => engine!);
  const headers = opts.headers ?? securityHeaders;
  const progress = (): LoadProgress =>
    opts.progress?.() ?? {
      bytesRead: 0,
      totalBytes: null,
      events: 0,
      done: engine !== undefined,
      error: engineError ?? null,
    };
  const routes = opts.routes ?? [];
  let allowed = new Set<string>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    const host = (req.headers.host ?? "").toLowerCase();
    if (!allowed.has(host)) {
      // Nothing from the trace: the page asking is not ours.
      sendText(res, 421, "gotrace: unexpected Host header");
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("Allow", "GET, HEAD");
      sendText(res, 405, "gotrace: only GET and HEAD");
      return;
    }
    // Origin-form targets only ("/path?query"): "//x/y" or "http://x/y" would
    // otherwise be read as another host by the URL parser.
    const target = req.url ?? "";
    if (!target.startsWith("/") || target.startsWith("//")) {
      badRequest(res, "gotrace: bad request target");
      return;
    }
    const url = new URL(`http://${host}${target}`);
    try {
      if (url.pathname === "/api/progress" && opts.engine !== undefined) {
        sendJSON(res, 200, progress());
        return;
      }
      for (const route of routes) if (await route(url, req, res)) return;
      const answer = api.get(url.pathname);
      if (answer) {
        // Asked while the trace is read: answered when it has been.
        if (!engine) await engineReady;
        if (!engine) {
          sendText(res, 503, `gotrace: ${engineError ?? "the trace could not be read"}`);
          return;
        }
        sendJSON(res, 200, answer(url));
        return;
      }
    } catch (e) {
      if (e instanceof BadRequest) {
        if (!res.headersSent) badRequest(res, e.message);
        return;
      }
      process.stderr.write(
        `gotrace: ${req.url}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
      );
      if (!res.headersSent) sendText(res, 500, "gotrace: internal error (see the terminal)");
      else res.destroy();
      return;
    }
    serveAsset(url.pathname, res);
  };

  const serveAsset = (pathname: string, res: ServerResponse) => {
    const key = pathname === "/" ? "/index.html" : pathname;
    const file = assets.get(key);
    if (!file && key === "/favicon.ico") {
      // Browsers ask on every page; a 404 would show as a console error.
      res.writeHead(204, { "Cache-Control": "public, max-age=86400" });
      res.end();
      return;
    }
    if (!file) {
      sendText(res, 404, "gotrace: not found");
      return;
    }
    let body: Buffer;
    try {
      body = readFileSync(file);
    } catch {
      sendText(res, 404, "gotrace: not found");
      return;
    }
    res.writeHead(200, {
      "Content-Type": contentTypes[extname(file)]!,
      "Content-Length": body.length,
      "Cache-Control": cacheControl(key),
    });
    res.end(res.req.method === "HEAD" ? undefined : body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, bindHost, () => {
      server.off("error", reject);
      const port = (server.address() as AddressInfo).port;
      allowed = allowedHosts(bindHost, port);
      const shown = isWildcard(bindHost) ? "127.0.0.1" : bindHost;
      resolve({
        url: `http://${hostHeader(shown, port)}/`,
        host: bindHost,
        port,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
