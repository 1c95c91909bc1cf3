/**
 * The layering rules of src/README.md, checked on every source file, tests
 * included: each folder imports only the folders its row below allows, the
 * core never imports node:* (so it runs in a browser), and only the UI uses
 * the DOM. A new folder, or a new arrow between two, is a line added here.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, it } from "node:test";
import { repoRoot } from "./testing/corpus.js";

const srcDir = join(repoRoot, "src");

/**
 * Per folder, the folders (or single files) it may import from, besides
 * itself. "." is the files at the top of src/: index.ts is the library API.
 * Data flows format → decode → model → analysis → stream → query → server /
 * ui, cli wires them; validate is the checker beside decode. analysis/ is
 * computed from the model alone; stream/ holds the streaming analyzers, one
 * pass over decoded events as Go's own code computes each analysis.
 */
const mayImport: Readonly<Record<string, readonly string[]>> = {
  format: [],
  decode: ["format"],
  validate: ["format", "decode"],
  model: ["format", "decode"],
  analysis: ["format", "model"],
  stream: ["format", "decode", "model", "analysis"],
  "query/timeline": ["format", "decode", "model"],
  "query/analysis": ["format", "decode", "model", "analysis", "stream"],
  "query/why": ["format", "decode", "model"],
  server: [
    "format",
    "decode",
    "model",
    "analysis",
    "stream",
    "query/timeline",
    "query/analysis",
    "query/why",
  ],
  // Other tools' formats, written from the model.
  export: ["format", "decode", "model", "query/timeline", "query/analysis"],
  // The UI's only door to the core: the protocols, plain JSON types.
  ui: ["query/timeline/protocol.ts", "query/analysis/protocol.ts", "query/why/protocol.ts"],
  // The static page: the UI, with the engine (the core) in its Web Workers.
  web: [
    "format",
    "decode",
    "model",
    "analysis",
    "stream",
    "query/timeline",
    "query/analysis",
    "query/why",
    "ui",
  ],
  cli: [
    "format",
    "decode",
    "validate",
    "model",
    "analysis",
    "stream",
    "query/timeline",
    "query/analysis",
    "query/why",
    "server",
    "export",
  ],
  testing: [
    "format",
    "decode",
    "validate",
    "model",
    "analysis",
    "stream",
    "query/timeline",
    "query/analysis",
    "query/why",
    "server",
    "export",
    "cli",
  ],
  ".": ["format", "decode", "validate", "model", "analysis", "stream"],
};

/** Tests (`*.test.ts`) may also import testing/; these also check their folder with a later stage. */
const testsMayAlsoImport: Readonly<Record<string, readonly string[]>> = {
  // golden and v1 tests run what the reader returns through the validator and the overview analyzer.
  decode: ["validate", "stream"],
  // The analyses from the model are tested equal to the streaming analyzers, their oracle, on
  // the same decoded trace (the model's builder and the analyzers fed by one read).
  analysis: ["stream", "decode"],
  // goroutines.test prints percentages as go tool trace's page does, with the CLI's Go formatting.
  stream: ["cli"],
  // exec-time.test compares the timeline's execution time with the goroutine analysis.
  "query/timeline": ["stream"],
  // the Perfetto export's test compares execution times with the goroutine analysis.
  export: ["stream"],
  // walk.test builds its timelines as the engine does (query/timeline/build.ts).
  "query/why": ["query/timeline"],
};

/** Folders that may use node:* (they are not part of the portable core); so may `*-main.ts` entry points and tests. */
const nodeAllowed = new Set(["cli", "testing", "server"]);
/** Folders that may use the DOM: the web UI. */
const domAllowed = new Set(["ui", "web"]);

/** The folder a src-relative path belongs to: query/ counts as its two halves, files at the top as ".". */
function folderOf(rel: string): string {
  const parts = rel.split("/");
  if (parts.length === 1) return ".";
  if (parts[0] === "query" && parts.length > 2) return `query/${parts[1]}`;
  return parts[0]!;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === "testdata" ? [] : sources(p);
    return /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

/** The code of a file without its comments, where words like "window." are prose. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");
}

/** Static imports and re-exports, side-effect imports and dynamic import() with a literal. */
const importPattern =
  /^\s*(?:(?:import|export)\b[^"';]*?\bfrom\s*|import\s*)["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/gm;

/** What is wrong with the imports of the file at src/`rel` whose text is `text`. */
function problemsOf(rel: string, text: string): string[] {
  const problems: string[] = [];
  const from = folderOf(rel);
  const isTest = /\.test\.tsx?$/.test(rel);
  const allowed = mayImport[from];
  if (!allowed) return [`${rel}: folder ${from} is not in architecture.test.ts's table`];
  const extra = isTest ? ["testing", ...(testsMayAlsoImport[from] ?? [])] : [];
  const mayUseNode = isTest || nodeAllowed.has(from) || rel.endsWith("-main.ts");
  for (const m of text.matchAll(importPattern)) {
    const spec = (m[1] ?? m[2])!;
    if (spec.startsWith("node:")) {
      if (!mayUseNode) problems.push(`${rel} imports ${spec}`);
      continue;
    }
    if (!spec.startsWith(".")) continue;
    const target = normalize(join(dirname(rel), spec)).replace(/\.js$/, ".ts");
    if (target.startsWith("..")) {
      problems.push(`${rel} imports ${spec}, outside src/`);
      continue;
    }
    const to = folderOf(target);
    if (to === from) continue;
    const ok = [...allowed, ...extra].some((a) => a === to || a === target);
    if (!ok) problems.push(`${rel} (${from}/) imports ${spec} (${to}/), which its row does not allow`);
  }
  if (!isTest && !nodeAllowed.has(from) && !domAllowed.has(from)) {
    if (/(?<![\w./'"-])(?:document|window)\./.test(withoutComments(text)))
      problems.push(`${rel} uses the DOM`);
  }
  return problems;
}

describe("architecture", () => {
  it("every file imports only what its folder's row allows; the core uses neither node:* nor the DOM", () => {
    const files = sources(srcDir);
    assert.ok(files.length > 100);
    const problems = files.flatMap((f) => problemsOf(relative(srcDir, f), readFileSync(f, "utf8")));
    assert.deepEqual(problems, []);
  });

  it("the check catches what it is there to catch", () => {
    const bad: [string, string][] = [
      ["analysis/x.ts", 'import { Engine } from "../query/timeline/engine.js";'],
      ["decode/x.ts", 'import type { Timeline } from "../model/timeline.js";'],
      ["query/timeline/x.ts", 'export { flameTree } from "../analysis/profiles.js";'],
      ["ui/pages/x.tsx", 'import type { RegionInstance } from "../../stream/tasks.js";'],
      ["analysis/x.ts", 'import { readTrace } from "../decode/reader.js";'],
      ["analysis/x.ts", 'import type { Analyzer } from "../stream/analyzer.js";'],
      ["ui/x.ts", 'import { Engine } from "../query/timeline/engine.js";'],
      ["server/x.ts", 'import { fixturesDir } from "../testing/corpus.js";'],
      // Spelled so that this file's own text holds no such import.
      ["cli/x.ts", `const m = await ${"import"}("../ui/route.js");`],
      ["model/x.ts", 'import "../stream/goroutines.js";'],
      ["model/x.test.ts", 'import { percentile } from "../analysis/sched-stats.js";'],
      ["newfolder/x.ts", 'import { Ev } from "../format/v2/spec.js";'],
      ["format/x.ts", 'import { readFileSync } from "node:fs";'],
      ["decode/x.ts", "const ok = document.hidden;"],
    ];
    for (const [rel, text] of bad) assert.equal(problemsOf(rel, text).length, 1, `${rel}: ${text}`);
    const good: [string, string][] = [
      ["stream/x.ts", 'import { readTrace } from "../decode/reader.js";'],
      ["analysis/x.test.ts", 'import { runAnalyzers } from "../stream/analyzer.js";'],
      ["ui/pages/x.tsx", 'import type { TaskJson } from "../../query/analysis/protocol.js";'],
      ["model/x.test.ts", 'import { fixturesDir } from "../testing/corpus.js";\nimport fs from "node:fs";'],
      ["server/x-main.ts", 'import { parentPort } from "node:worker_threads";'],
      ["query/analysis/x.ts", 'import { noStackGroupName } from "./goroutines.js";'],
      ["index.ts", 'export { events } from "./decode/reader.js";'],
    ];
    for (const [rel, text] of good) assert.deepEqual(problemsOf(rel, text), [], `${rel}: ${text}`);
  });
});
