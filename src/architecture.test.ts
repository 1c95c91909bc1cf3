/**
 * The layering rules of src/README.md, checked: the core never imports
 * node:* (so it runs in a browser), and no folder imports from a later stage.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { it } from "node:test";
import { repoRoot } from "./testing/corpus.js";

const srcDir = join(repoRoot, "src");
/** Stages in data-flow order; a file may import only from its own stage or earlier ones. */
const stages = ["format", "decode", "validate", "model", "analysis", "query", "server", "ui", "cli"];
/** Folders that may use node:* (they are not part of the portable core); so may `*-main.ts` entry points. */
const nodeAllowed = new Set(["cli", "testing", "server"]);
/** Folders that may use the DOM: the web UI. */
const domAllowed = new Set(["ui"]);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === "testdata" ? [] : sources(p);
    return /\.tsx?$/.test(e.name) && !e.name.endsWith(".test.ts") ? [p] : [];
  });
}

/** The code of a file without its comments, where words like "window." are prose. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");
}

const importPattern = /^\s*(?:import|export)[^"']*from\s+["']([^"']+)["']/gm;

it("the core imports no node:* module and no later stage", () => {
  const problems: string[] = [];
  const files = sources(srcDir);
  assert.ok(files.length > 20);
  for (const file of files) {
    const rel = relative(srcDir, file);
    const top = rel.split("/")[0]!;
    const stage = stages.indexOf(top);
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(importPattern)) {
      const spec = m[1]!;
      if (spec.startsWith("node:") && !nodeAllowed.has(top) && !rel.endsWith("-main.ts")) {
        problems.push(`${rel} imports ${spec}`);
      }
      if (spec.startsWith(".") && stage >= 0) {
        const target = relative(srcDir, join(file, "..", spec)).split("/")[0]!;
        const targetStage = stages.indexOf(target);
        if (target === "testing" && !nodeAllowed.has(top) && !rel.endsWith("-main.ts")) {
          problems.push(`${rel} imports test support ${spec}`);
        }
        if (targetStage > stage) problems.push(`${rel} (${top}) imports later stage ${spec}`);
      }
    }
    if (
      !nodeAllowed.has(top) &&
      !domAllowed.has(top) &&
      /(?<![\w./'"-])(?:document|window)\./.test(withoutComments(text))
    )
      problems.push(`${rel} uses the DOM`);
  }
  assert.deepEqual(problems, []);
});
