/**
 * Imports a DOM-free module of the web UI (src/ui, bundled by vite and not
 * compiled by `tsc -p .`) into a Node test: the file and the relative
 * imports it needs at run time are transpiled by TypeScript and loaded as
 * data: URLs, so the test runs exactly the code the browser runs. Type-only
 * imports vanish in the transpiling; a module that touches the DOM at load
 * time cannot be imported this way.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import ts from "typescript";
import { repoRoot } from "./corpus.js";

const cache = new Map<string, Promise<string>>();

function moduleURL(file: string): Promise<string> {
  let url = cache.get(file);
  if (!url) {
    url = build(file);
    cache.set(file, url);
  }
  return url;
}

async function build(file: string): Promise<string> {
  let js = ts.transpileModule(readFileSync(file, "utf8"), {
    fileName: file,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      jsx: ts.JsxEmit.ReactJSX,
      // `const enum`s from query/timeline/protocol.ts are read at run time by other modules.
      preserveConstEnums: true,
    },
  }).outputText;
  const specs = new Set([...js.matchAll(/\bfrom\s+["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1]!));
  for (const spec of specs) {
    const target = resolve(dirname(file), spec.replace(/\.js$/, ".ts"));
    const url = await moduleURL(target);
    js = js.replaceAll(`"${spec}"`, JSON.stringify(url)).replaceAll(`'${spec}'`, JSON.stringify(url));
  }
  return `data:text/javascript;base64,${Buffer.from(js).toString("base64")}`;
}

/** The module at src/ui/`path` (e.g. "timeline/window-cache.ts"), transpiled with its run-time imports. */
export async function importUiModule<T>(path: string): Promise<T> {
  return (await import(await moduleURL(join(repoRoot, "src", "ui", path)))) as T;
}
