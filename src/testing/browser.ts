/**
 * Browser tests against `gotrace view`: starts the real command on a trace
 * (`node dist/cli/main.js view --no-open --http 127.0.0.1:0 FILE`), drives
 * Debian's chromium through playwright-core, collects every console error,
 * page error, failed request and HTTP error so a test can assert there were
 * none, and saves screenshots in test-output/screenshots/ (git-ignored; look
 * at them). Without chromium or a built UI the tests skip with a printed
 * reason locally and fail under CI=true.
 *
 * Usage, in a `*.test.ts` compiled to dist/ and run by `node --test`:
 *
 *     import { browserSkip, openView, type ViewSession } from "../testing/browser.js";
 *     import { fixturesDir } from "../testing/corpus.js";
 *
 *     describe("timeline", { skip: browserSkip() }, () => {
 *       let s: ViewSession;
 *       before(async () => { s = await openView(join(fixturesDir, "gc-go1.26.trace")); });
 *       after(() => s?.close());
 *       it("draws", async () => {
 *         const page = await s.newPage("#/timeline");
 *         await waitForTimelineFrames(page, 1);
 *         assert.ok(inkPixels(await elementPixels(page, "canvas")) > 1000);
 *         await s.screenshot(page, "timeline-gc-go1.26");
 *         s.assertNoErrors();
 *       });
 *     });
 *
 * Pass functions, not strings, to `page.waitForFunction`: playwright runs
 * a string predicate through eval, which the page's CSP forbids.
 *
 * One `openView` per trace (a server and a browser, ~1 s to start); pages
 * are cheap. `s.api(path)` fetches the server's JSON from Node to compare
 * with what the page shows. `close()` ends the browser and the server;
 * anything left at exit is killed too.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { repoRoot, requirement } from "./corpus.js";
import { decodePNG, type Pixels } from "./png.js";

export { distinctColors, inkPixels, type Pixels } from "./png.js";

export const chromiumPath = process.env.GOTRACE_CHROMIUM ?? "/usr/bin/chromium";
export const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
];
export const screenshotDir = join(repoRoot, "test-output", "screenshots");
const mainJs = join(repoRoot, "dist", "cli", "main.js");
const builtUI = join(repoRoot, "dist", "ui", "index.html");

/**
 * A reason to skip browser tests (chromium or the built UI missing), or
 * undefined. Under CI=true a missing requirement throws instead.
 */
export function browserSkip(): string | undefined {
  return (
    requirement(existsSync(chromiumPath), `chromium (${chromiumPath})`) ??
    requirement(existsSync(builtUI), "the built UI, dist/ui (npm run build)")
  );
}

/** Children and browsers still running, killed at exit if a test forgot them. */
const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const c of live) c.kill("SIGKILL");
});

export interface ViewProcess {
  /** The URL the command printed, e.g. http://127.0.0.1:41234/. */
  readonly url: string;
  readonly child: ChildProcess;
  /** What the command wrote to stderr so far (progress, damage line). */
  stderr(): string;
  close(): Promise<void>;
}

/**
 * Runs `gotrace view --no-open --http 127.0.0.1:0 [extra] FILE` and waits
 * for the line with its URL. Rejects with the command's stderr if it exits
 * first or prints nothing within `timeoutMs`.
 */
export function startView(
  file: string,
  opts: { extraArgs?: readonly string[]; timeoutMs?: number } = {},
): Promise<ViewProcess> {
  const args = [mainJs, "view", "--no-open", "--http", "127.0.0.1:0", ...(opts.extraArgs ?? []), file];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  live.add(child);
  let out = "";
  let err = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
    live.delete(child);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void close();
      reject(new Error(`gotrace view ${file}: no URL within ${opts.timeoutMs ?? 60_000} ms\n${err}`));
    }, opts.timeoutMs ?? 60_000);
    child.stderr!.on("data", (b: Buffer) => {
      err += b.toString();
    });
    child.stdout!.on("data", (b: Buffer) => {
      out += b.toString();
      const m = /^gotrace: serving .* at (http:\/\/\S+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1]!, child, stderr: () => err, close });
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      reject(new Error(`gotrace view ${file} exited (${code ?? signal}) before serving:\n${err}`));
    });
  });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
}

export interface ViewSession {
  readonly view: ViewProcess;
  readonly browser: Browser;
  readonly url: string;
  /** Console errors, page errors, failed requests and HTTP errors ≥ 400, from every page, in order. */
  readonly errors: string[];
  /** A new page at `url + hash` (e.g. "#/timeline?view=goroutine"), loaded, with errors collected. */
  newPage(hash?: string, viewport?: { width: number; height: number }): Promise<Page>;
  /** Saves a PNG of the page as test-output/screenshots/NAME.png; returns its path. */
  screenshot(page: Page, name: string): Promise<string>;
  /** Fetches the server's JSON (e.g. "api/rows?view=proc") from Node. */
  api<T = unknown>(path: string): Promise<T>;
  /** Throws, listing them, if any error was collected. */
  assertNoErrors(): void;
  close(): Promise<void>;
}

/** Pushes onto `errors` every console error, page error, failed request and HTTP error ≥ 400 of `page`. */
export function collectErrors(page: Page, errors: string[], prefix = ""): void {
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`${prefix}console: ${m.text()} (${m.location().url})`);
  });
  page.on("pageerror", (e) => errors.push(`${prefix}page error: ${e.message}`));
  page.on("requestfailed", (r) =>
    errors.push(`${prefix}request failed: ${r.url()} ${r.failure()?.errorText ?? ""}`),
  );
  page.on("response", (r) => {
    if (r.status() >= 400) errors.push(`${prefix}HTTP ${r.status()}: ${r.url()}`);
  });
}

/** `startView` plus a headless chromium; see the module comment. */
export async function openView(
  file: string,
  opts: { extraArgs?: readonly string[]; timeoutMs?: number } = {},
): Promise<ViewSession> {
  const view = await startView(file, opts);
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (e) {
    await view.close();
    throw e;
  }
  const errors: string[] = [];
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  return {
    view,
    browser,
    url: view.url,
    errors,
    async newPage(hash = "", viewport) {
      const page = await context.newPage();
      if (viewport) await page.setViewportSize(viewport);
      collectErrors(page, errors);
      await page.goto(view.url + hash, { waitUntil: "load" });
      return page;
    },
    async screenshot(page, name) {
      mkdirSync(screenshotDir, { recursive: true });
      const path = join(screenshotDir, `${name.replace(/[^\w.-]+/g, "_")}.png`);
      await page.screenshot({ path, fullPage: false });
      return path;
    },
    async api<T>(path: string) {
      const res = await fetch(new URL(path, view.url));
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
    assertNoErrors() {
      if (errors.length > 0) throw new Error(`errors in the page:\n  ${errors.join("\n  ")}`);
    },
    async close() {
      await browser.close().catch(() => {});
      await view.close();
    },
  };
}

/**
 * Waits until the timeline has drawn at least `n` frames: it counts them in
 * `document.documentElement.dataset.timelineFrames`.
 */
export async function waitForTimelineFrames(page: Page, n: number, timeoutMs = 30_000): Promise<number> {
  // A function, not a string: the page's CSP forbids evaluating strings, and
  // playwright evaluates a string predicate with eval.
  // Each function is sent to the page as source, so each is self-contained.
  type Html = { document: { documentElement: { dataset: Record<string, string | undefined> } } };
  await page.waitForFunction(
    (min) =>
      Number((globalThis as unknown as Html).document.documentElement.dataset.timelineFrames ?? 0) >= min,
    n,
    { timeout: timeoutMs },
  );
  return page.evaluate(() =>
    Number((globalThis as unknown as Html).document.documentElement.dataset.timelineFrames ?? 0),
  );
}

/**
 * The pixels of the first element matching `selector` as the user sees
 * them (a screenshot, so 2D and WebGL canvases alike). With `inkPixels` and
 * `distinctColors` from png.ts, a test checks that something was drawn.
 */
export async function elementPixels(page: Page, selector: string): Promise<Pixels> {
  return decodePNG(await page.locator(selector).first().screenshot());
}
