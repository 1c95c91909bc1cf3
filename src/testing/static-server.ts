/**
 * A plain static file server on loopback, as any static host would serve
 * the static page (dist/web): files by path with a content type, nothing
 * else (no CSP headers, no rewrites). Extra paths can answer with given
 * bytes (the traces a test opens through `?url=`). For tests and benches.
 */
import { readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";
import { repoRoot } from "./corpus.js";

export const builtWeb = join(repoRoot, "dist", "web");

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json",
  ".svg": "image/svg+xml",
};

export interface StaticServer {
  /** `http://127.0.0.1:PORT/`. */
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

/** Serves `dir` (dist/web by default) and `extra` (URL path → bytes) on 127.0.0.1 at a free port. */
export function startStaticServer(
  extra: ReadonlyMap<string, Uint8Array> = new Map(),
  dir = builtWeb,
): Promise<StaticServer> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const bytes = extra.get(path);
    if (bytes) {
      res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": bytes.length });
      res.end(bytes);
      return;
    }
    const rel = normalize(path === "/" ? "/index.html" : path);
    const file = join(dir, rel);
    if (rel.includes("..") || !file.startsWith(dir)) {
      res.writeHead(404).end();
      return;
    }
    try {
      if (!statSync(file).isFile()) throw new Error("not a file");
      const body = readFileSync(file);
      res.writeHead(200, {
        "Content-Type": types[extname(file)] ?? "application/octet-stream",
        "Content-Length": body.length,
      });
      res.end(body);
    } catch {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
    }
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}/`,
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
