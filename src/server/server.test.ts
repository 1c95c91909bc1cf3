/**
 * The view server over HTTP with a small fake engine: the Host check,
 * serving nothing outside the assets, loopback by default, parameter
 * validation and the security headers on every answer.
 */
import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { request } from "node:http";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Row, TimelineEngine, WindowRequest } from "../query/timeline/protocol.js";
import {
  allowedHosts,
  BadRequest,
  defaultAssetsDir,
  intParam,
  type RouteHandler,
  sendJSON,
  startViewServer,
  type ViewServer,
} from "./server.js";

/** Written where a traversal would land; no response may contain it. */
const secret = "SECRET-7f3a9c";

const rows: Row[] = [
  { index: 0, label: "Goroutines", kind: "counter", group: "Counters", series: ["running"] },
  { index: 1, label: "Proc 0", kind: "slices", group: "Procs" },
];

function fakeEngine(calls: unknown[]): TimelineEngine {
  return {
    info: () => ({
      format: "go 1.26 trace",
      durationNs: 1000,
      events: 3,
      goroutines: 1,
      procs: 1,
      threads: 1,
    }),
    rows: () => rows,
    window: (req: WindowRequest) => {
      calls.push(req);
      return {
        ...req,
        resolutionNs: (req.endNs - req.startNs) / req.widthPx,
        labels: [],
        slices: [],
        counters: [],
        marks: [],
        flows: [],
        flowsTruncated: false,
      };
    },
    slice: (view, id) =>
      id === 7
        ? {
            id,
            view,
            row: 1,
            title: "G1",
            kind: "goroutine",
            startNs: 0,
            durNs: 10,
            startStack: [],
            endStack: [],
          }
        : undefined,
    mark: () => undefined,
    goroutine: () => undefined,
    find: (query, limit) => {
      calls.push({ query, limit });
      return { query, matches: [], goroutines: [], truncated: false };
    },
    range: (startNs, endNs) => ({ startNs, endNs, states: [], procs: [], events: [] }),
  };
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw GET: the path goes out exactly as written, with any Host header. */
function get(
  server: ViewServer,
  path: string,
  host = `127.0.0.1:${server.port}`,
  method = "GET",
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // An empty `host` sends no Host header at all.
    const headers = host === "" ? {} : { host };
    const opts = { host: "127.0.0.1", port: server.port, path, method, headers, setHost: host !== "" };
    const req = request(opts, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (b: Buffer) => parts.push(b));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString() }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

describe("view server", () => {
  let dir: string;
  let server: ViewServer;
  const calls: unknown[] = [];
  const extra: RouteHandler = (url, _req, res) => {
    if (url.pathname !== "/api/analysis/echo") return false;
    sendJSON(res, 200, { n: intParam(url, "n", 0, 10) });
    return true;
  };

  before(async () => {
    // tmp/secret.txt beside tmp/ui/, which is what the server serves.
    dir = mkdtempSync(join(tmpdir(), "gotrace-server-"));
    const ui = join(dir, "ui");
    mkdirSync(join(ui, "assets"), { recursive: true });
    writeFileSync(join(dir, "secret.txt"), secret);
    writeFileSync(join(dir, "secret.js"), secret);
    writeFileSync(
      join(ui, "index.html"),
      '<!doctype html><script type="module" src="./assets/app.js"></script>',
    );
    writeFileSync(join(ui, "assets", "app.js"), "console.log(1)");
    writeFileSync(join(ui, "assets", "style.css"), "body{}");
    symlinkSync(join(dir, "secret.txt"), join(ui, "link.txt"));
    symlinkSync(join(dir, "secret.js"), join(ui, "assets", "link.js"));
    symlinkSync(dir, join(ui, "up"));
    server = await startViewServer({ engine: fakeEngine(calls), assetsDir: ui, routes: [extra] });
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("binds 127.0.0.1 by default and prints that URL", () => {
    const addr = server.server.address();
    assert.ok(addr && typeof addr === "object");
    assert.equal(addr.address, "127.0.0.1");
    assert.equal(server.url, `http://127.0.0.1:${server.port}/`);
  });

  it("serves the UI with content types and caching", async () => {
    const index = await get(server, "/");
    assert.equal(index.status, 200);
    assert.match(index.body, /assets\/app\.js/);
    assert.equal(index.headers["content-type"], "text/html; charset=utf-8");
    assert.equal(index.headers["cache-control"], "no-cache");
    const js = await get(server, "/assets/app.js");
    assert.equal(js.status, 200);
    assert.equal(js.headers["content-type"], "text/javascript; charset=utf-8");
    assert.match(String(js.headers["cache-control"]), /immutable/);
    const css = await get(server, "/assets/style.css");
    assert.equal(css.headers["content-type"], "text/css; charset=utf-8");
    const head = await get(server, "/assets/app.js", undefined, "HEAD");
    assert.equal(head.status, 200);
    assert.equal(head.body, "");
  });

  it("answers only its own Host names", async () => {
    const port = server.port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
      assert.equal((await get(server, "/api/info", host)).status, 200, host);
    }
    for (const host of [
      `evil.example:${port}`,
      "evil.example",
      `127.0.0.1:${port + 1}`,
      "127.0.0.1",
      `127.0.0.1.evil.example:${port}`,
      `localhost.:${port}`,
      "",
    ]) {
      for (const path of ["/api/info", "/", "/assets/app.js"]) {
        const r = await get(server, path, host);
        // Node itself answers 400 to HTTP/1.1 without a Host header.
        assert.equal(r.status, host === "" ? 400 : 421, `${host} ${path}`);
        assert.doesNotMatch(r.body, /go 1\.26|app\.js|console/, `${host} ${path}`);
        if (host !== "") assert.ok(r.headers["content-security-policy"], "headers on refusals too");
      }
    }
  });

  it("serves nothing outside its assets", async () => {
    const attempts = [
      "/../secret.txt",
      "/assets/../../secret.txt",
      "/assets/../../secret.js",
      "/%2e%2e/secret.txt",
      "/%2E%2E/secret.txt",
      "/assets/%2e%2e/%2e%2e/secret.txt",
      "/..%2fsecret.txt",
      "/assets/..%2f..%2fsecret.txt",
      "/..%5csecret.txt",
      "/assets\\..\\..\\secret.txt",
      "/assets%5c..%5c..%5csecret.txt",
      "/%252e%252e/secret.txt",
      "/.%2e/secret.txt",
      "/..;/secret.txt",
      `/${join(dir, "secret.txt")}`,
      `/${encodeURIComponent(join(dir, "secret.txt"))}`,
      join(dir, "secret.txt"),
      `//${join(dir, "secret.txt")}`,
      `file://${join(dir, "secret.txt")}`,
      `http://127.0.0.1:${server.port}/../secret.txt`,
      "/link.txt",
      "/assets/link.js",
      "/up/secret.txt",
      "/up/ui/index.html",
      "/secret.txt%00.html",
      "/index.html/../../secret.txt",
      "/etc/passwd",
      "/../../../../../../etc/passwd",
    ];
    for (const path of attempts) {
      const r = await get(server, path);
      assert.notEqual(r.status, 200, path);
      assert.ok(!r.body.includes(secret), path);
      assert.doesNotMatch(r.body, /root:/, path);
    }
  });

  it("sets the security headers on every kind of answer", async () => {
    for (const path of ["/", "/assets/app.js", "/api/info", "/api/rows?view=bad", "/nothing"]) {
      const r = await get(server, path);
      const csp = String(r.headers["content-security-policy"]);
      assert.match(csp, /default-src 'self'/, path);
      assert.match(csp, /script-src 'self'(;|$)/, path);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, path);
      assert.match(csp, /object-src 'none'/, path);
      assert.match(csp, /frame-ancestors 'none'/, path);
      assert.equal(r.headers["x-content-type-options"], "nosniff", path);
      assert.equal(r.headers["referrer-policy"], "no-referrer", path);
      assert.ok(r.headers["cache-control"], path);
    }
  });

  it("maps the API to the engine, null for what is not there", async () => {
    const info = await get(server, "/api/info");
    assert.equal(info.headers["content-type"], "application/json; charset=utf-8");
    assert.equal(info.headers["cache-control"], "no-store");
    assert.equal(JSON.parse(info.body).format, "go 1.26 trace");
    assert.deepEqual(JSON.parse((await get(server, "/api/rows?view=proc")).body), rows);
    assert.equal(JSON.parse((await get(server, "/api/slice?view=proc&id=7")).body).title, "G1");
    assert.equal((await get(server, "/api/slice?view=proc&id=8")).body, "null");
    assert.equal((await get(server, "/api/mark?view=thread&id=1")).body, "null");
    assert.equal((await get(server, "/api/goroutine?id=1")).body, "null");
    calls.length = 0;
    const w = await get(
      server,
      "/api/window?view=goroutine&startNs=0.5&endNs=1000&widthPx=800&rowFrom=0&rowTo=2&flows=true",
    );
    assert.equal(w.status, 200);
    assert.deepEqual(calls, [
      { view: "goroutine", startNs: 0.5, endNs: 1000, widthPx: 800, rowFrom: 0, rowTo: 2, flows: true },
    ]);
    calls.length = 0;
    const f = await get(server, `/api/find?q=${encodeURIComponent("<script>alert(1)</script>")}`);
    assert.equal(JSON.parse(f.body).query, "<script>alert(1)</script>");
    assert.deepEqual(calls, [{ query: "<script>alert(1)</script>", limit: 100 }]);
    assert.deepEqual(JSON.parse((await get(server, "/api/range?startNs=1&endNs=5")).body).endNs, 5);
    assert.equal((await get(server, "/api/nothing")).status, 404);
  });

  it("refuses bad parameters with 400 and one line", async () => {
    const bad = [
      "/api/rows",
      "/api/rows?view=procs",
      "/api/window?view=proc&startNs=0&endNs=10&widthPx=800&rowFrom=0",
      "/api/window?view=proc&startNs=x&endNs=10&widthPx=800&rowFrom=0&rowTo=1",
      "/api/window?view=proc&startNs=10&endNs=10&widthPx=800&rowFrom=0&rowTo=1",
      "/api/window?view=proc&startNs=0&endNs=Infinity&widthPx=800&rowFrom=0&rowTo=1",
      "/api/window?view=proc&startNs=0&endNs=10&widthPx=0&rowFrom=0&rowTo=1",
      "/api/window?view=proc&startNs=0&endNs=10&widthPx=1e9&rowFrom=0&rowTo=1",
      "/api/window?view=proc&startNs=0&endNs=10&widthPx=800&rowFrom=2&rowTo=1",
      "/api/window?view=proc&startNs=0&endNs=10&widthPx=800&rowFrom=0&rowTo=3",
      "/api/window?view=proc&startNs=0&endNs=10&widthPx=800&rowFrom=-1&rowTo=1",
      "/api/window?view=proc&startNs=0&endNs=10&widthPx=800&rowFrom=0&rowTo=1&flows=maybe",
      "/api/slice?view=proc",
      "/api/slice?view=proc&id=1.5",
      "/api/slice?view=proc&id=-1",
      "/api/goroutine?id=abc",
      "/api/find",
      `/api/find?q=${"x".repeat(1001)}`,
      "/api/find?q=a&limit=0",
      "/api/range?startNs=5&endNs=1",
      "/api/analysis/echo?n=11",
    ];
    for (const path of bad) {
      const r = await get(server, path);
      assert.equal(r.status, 400, path);
      assert.equal(r.body.trimEnd().split("\n").length, 1, path);
      assert.ok(r.body.length < 200, path);
    }
  });

  it("runs mounted routes, and refuses other methods", async () => {
    assert.deepEqual(JSON.parse((await get(server, "/api/analysis/echo?n=3")).body), { n: 3 });
    const post = await get(server, "/api/info", undefined, "POST");
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, "GET, HEAD");
  });
});

describe("view server while the trace is read", () => {
  it("answers progress at once, and engine questions once the engine is there", async () => {
    let resolve!: (e: TimelineEngine) => void;
    const engine = new Promise<TimelineEngine>((r) => {
      resolve = r;
    });
    let bytesRead = 10;
    const server = await startViewServer({
      engine,
      progress: () => ({ bytesRead, totalBytes: 100, events: 3, done: false, error: null }),
      assetsDir: defaultAssetsDir,
    });
    try {
      const progress = JSON.parse((await get(server, "/api/progress")).body);
      assert.deepEqual(progress, { bytesRead: 10, totalBytes: 100, events: 3, done: false, error: null });
      let answered = false;
      const info = get(server, "/api/info").then((r) => {
        answered = true;
        return r;
      });
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(answered, false, "info waits for the engine");
      bytesRead = 100;
      resolve(fakeEngine([]));
      assert.equal(JSON.parse((await info).body).format, "go 1.26 trace");
    } finally {
      await server.close();
    }
  });

  it("says why when the read fails", async () => {
    const server = await startViewServer({
      engine: Promise.reject(new Error("disk gone")),
      assetsDir: defaultAssetsDir,
    });
    try {
      const res = await get(server, "/api/rows?view=proc");
      assert.equal(res.status, 503);
      assert.equal(res.body, "gotrace: disk gone\n");
      assert.equal(JSON.parse((await get(server, "/api/progress")).body).error, "disk gone");
    } finally {
      await server.close();
    }
  });
});

describe("allowed Host names", () => {
  it("loopback: the bound address and the loopback names, with the port", () => {
    assert.deepEqual(
      [...allowedHosts("127.0.0.1", 8080)].sort(),
      ["127.0.0.1:8080", "[::1]:8080", "localhost:8080"].sort(),
    );
  });
  it("a host the user chose is allowed too, and nothing else", () => {
    assert.deepEqual([...allowedHosts("192.168.1.20", 9000)], ["192.168.1.20:9000"]);
    assert.deepEqual([...allowedHosts("Tracebox.local", 9000)], ["tracebox.local:9000"]);
  });
  it("port 80 may be left out, as browsers do", () => {
    assert.ok(allowedHosts("127.0.0.1", 80).has("localhost"));
    assert.ok(!allowedHosts("127.0.0.1", 8080).has("localhost"));
  });
  it("all interfaces: loopback and this machine's addresses, never the wildcard", () => {
    const hosts = allowedHosts("0.0.0.0", 7000);
    assert.ok(hosts.has("localhost:7000") && hosts.has("127.0.0.1:7000"));
    assert.ok(hosts.has(`${hostname().toLowerCase()}:7000`));
    assert.ok(!hosts.has("0.0.0.0:7000") && !hosts.has("[::]:7000"));
  });
});

describe("BadRequest", () => {
  it("is what parameter readers throw", () => {
    assert.throws(() => intParam(new URL("http://h/?n=x"), "n", 0, 1), BadRequest);
  });
});

describe("the built UI", () => {
  const index = join(defaultAssetsDir, "index.html");
  const skip = existsSync(index) ? undefined : "dist/ui is not built (npm run build)";
  it("has no inline script, so the Content-Security-Policy lets it run", { skip }, () => {
    const html = readFileSync(index, "utf8");
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.ok(scripts.length > 0);
    for (const [, attrs, body] of scripts) {
      assert.match(attrs!, /\bsrc=/);
      assert.equal(body!.trim(), "");
    }
    assert.doesNotMatch(html, /\son[a-z]+=/i, "no inline event handlers");
  });
});
