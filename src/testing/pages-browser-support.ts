/**
 * What the analysis pages' browser tests share: the CLI's --json for the
 * same trace (the numbers the pages must show), reading table cells and
 * their exact values (`data-value`), keyboard-only navigation, and the
 * timeline address a page navigated to.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { repoRoot } from "./corpus.js";

const cli = join(repoRoot, "dist", "cli", "main.js");

/** `gotrace ARGS --json`, parsed. */
/** The seven analysis pages, each at its address. */
export const analysisPages = [
  "#/overview",
  "#/goroutines",
  "#/profiles?type=sync",
  "#/tasks",
  "#/regions",
  "#/mmu",
  "#/schedlat",
];

export function gotraceJson<T = unknown>(...args: string[]): T {
  return JSON.parse(
    execFileSync(process.execPath, [cli, ...args], { encoding: "utf8", maxBuffer: 1 << 28 }),
  ) as T;
}

/** `gotrace ARGS` as text. */
export function gotraceText(...args: string[]): string {
  return execFileSync(process.execPath, [cli, ...args], { encoding: "utf8", maxBuffer: 1 << 28 });
}

/**
 * Polls the JS expression `expr` in the page until it is true. (Not
 * page.waitForFunction: its string predicates are compiled in the page,
 * which the server's CSP forbids, as it should.)
 */
export async function waitUntil(page: Page, expr: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate(`!!(${expr})`))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${expr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until an analysis page has its title and no loading line. */
export async function pageLoaded(page: Page): Promise<void> {
  await page.waitForSelector(".apage h1", { timeout: 30_000 });
  await waitUntil(page, "!document.querySelector('.apage .loading')");
}

export interface Cell {
  readonly text: string;
  readonly value: string;
}

/** The cells of column `col` (its title) in the table with data-testid `table`, in row order. */
export function columnCells(page: Page, table: string, col: string): Promise<Cell[]> {
  const sel = JSON.stringify(`table[data-testid="${table}"] tbody td[data-col="${col}"]`);
  return page.evaluate(
    `[...document.querySelectorAll(${sel})].map((td) => ({ text: td.textContent, value: td.dataset.value }))`,
  );
}

/** data-value of the element with data-testid `id`. */
export async function testValue(page: Page, id: string): Promise<string> {
  const v = await page.getAttribute(`[data-testid="${id}"]`, "data-value");
  if (v === null) throw new Error(`no data-value on ${id}`);
  return v;
}

/**
 * Presses Tab until the focused element satisfies `test` (a JS expression
 * over `el`, the active element); throws after `max` presses.
 */
export async function tabTo(page: Page, test: string, max = 80): Promise<void> {
  const probe = `(() => { const el = document.activeElement; return !!el && (${test}); })()`;
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate(probe)) return;
  }
  throw new Error(`Tab never reached an element with ${test}`);
}

/** The page and parameters of the page's current address (`#/page?…`). */
export async function currentRoute(page: Page): Promise<{ page: string; params: URLSearchParams }> {
  const hash = (await page.evaluate("location.hash")) as string;
  const h = hash.replace(/^#\/?/, "");
  const q = h.indexOf("?");
  return { page: q >= 0 ? h.slice(0, q) : h, params: new URLSearchParams(q >= 0 ? h.slice(q + 1) : "") };
}

/** Waits until the address names `name`. */
export async function waitForPage(page: Page, name: string): Promise<void> {
  await waitUntil(page, `location.hash.startsWith(${JSON.stringify(`#/${name}`)})`, 10_000);
}

/** The texts of every element matching `selector`. */
export function texts(page: Page, selector: string): Promise<string[]> {
  return page.evaluate(
    `[...document.querySelectorAll(${JSON.stringify(selector)})].map((e) => e.textContent)`,
  );
}
