/**
 * `gotrace serve-web [--http HOST:PORT]`: serves the static page (dist/web)
 * on this machine, for the page without a CDN: traces are chosen in the
 * page and read in the browser's tab, never sent to this server. Loopback
 * and a free port by default; runs until killed.
 */
import type { AddressInfo } from "node:net";
import { StaticPageMissing, startWebServer } from "../server/serve-web.js";
import type { Command, ParsedArgs } from "./args.js";
import { CommandError } from "./errors.js";
import { openBrowser, parseHttpAddr, servingLines } from "./view.js";

export const serveWebCommand: Command = {
  name: "serve-web",
  operands: [],
  summary: "serve the static page, which reads traces in the browser",
  flags: [
    {
      name: "http",
      value: "HOST:PORT",
      help: "serve on this address (default 127.0.0.1 at a free port; 0.0.0.0:PORT serves every\nnetwork interface)",
    },
    { name: "no-open", help: "do not open a browser; the URL is printed" },
  ],
  run: runServeWeb,
};

async function runServeWeb(args: ParsedArgs): Promise<number> {
  const { host, port } = parseHttpAddr(args.values.get("http") ?? "127.0.0.1:0");
  const server = await startWebServer({ host, port }).catch((e: unknown) => {
    if (e instanceof StaticPageMissing) throw new CommandError(e.message);
    throw new CommandError(`cannot serve on ${host}:${port}: ${e instanceof Error ? e.message : String(e)}`);
  });
  const lines = servingLines("the static page", server.url, server.server.address() as AddressInfo);
  process.stdout.write(lines.stdout);
  // Only the page's files are served; the warning about a reachable trace does not apply.
  if (!args.switches.has("no-open")) openBrowser(server.url);
  const stop = () => {
    server.close().finally(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return 0;
}
