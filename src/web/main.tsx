/**
 * The static page (dist/web): the same UI as `gotrace view` with the engine
 * in a Web Worker of this tab. Until a trace is chosen it shows the start
 * page; `?url=ADDRESS` opens the trace at that address at once, so a link
 * to the page (with its #/page fragment) opens the same trace and page.
 */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { type diffSide, diffSides } from "../query/analysis/diff.js";
import type { DiffStatus } from "../query/analysis/protocol.js";
import { App } from "../ui/app.js";
import { WorkerEngine } from "../ui/engine-client.js";
import { setAnalysisClient } from "../ui/pages/analysis-api.js";
import { setDiffStatusSource } from "../ui/pages/diff-page.js";
import { setWhyClient } from "../ui/timeline/why-api.js";
import "../ui/style.css";
import "./web.css";
import { StartPage } from "./start-page.js";

type Source = { file: Blob } | { url: string };

interface Opened {
  readonly engine: WorkerEngine;
  readonly source: Source;
  readonly name: string;
  readonly serial: number;
}

let serial = 0;
let worker: Worker | undefined;
/** The workers reading the two sides of a comparison ("Compare with…"). */
let compareWorkers: Worker[] = [];

function stopComparing(): void {
  for (const w of compareWorkers) w.terminate();
  compareWorkers = [];
}

type Side = Awaited<ReturnType<typeof diffSide>>;

/** One trace's side of the diff, read in a worker of its own (diff-worker.ts). */
function sideOf(source: Source, name: string): Promise<Side> {
  const w = new Worker(new URL("./diff-worker.ts", import.meta.url), {
    type: "module",
    name: "gotrace diff",
  });
  compareWorkers.push(w);
  return new Promise((resolve, reject) => {
    w.onmessage = (e: MessageEvent) => {
      w.terminate();
      const m = e.data as { side: Side } | { error: string };
      if ("error" in m) reject(new Error(m.error));
      else resolve(m.side);
    };
    w.onerror = (e: ErrorEvent) => {
      w.terminate();
      reject(new Error(`${name}: ${e.message}`));
    };
    w.postMessage({ source, name });
  });
}

/**
 * Compares the open trace (A) with trace B, each read in a worker of its
 * own beside the engine's, as `gotrace diff A B` reads them, and shows the
 * Diff page. B's own pages open in another tab of this page, from an
 * address of the file that lives as long as this tab.
 */
function compareWith(opened: Opened, b: File): void {
  stopComparing();
  const bUrl = `./?${new URLSearchParams({ url: URL.createObjectURL(b), name: b.name })}`;
  let status: DiffStatus = { state: "pending", a: opened.name, b: b.name, bUrl: null };
  setDiffStatusSource(() => Promise.resolve(status));
  Promise.all([sideOf(opened.source, opened.name), sideOf({ file: b }, b.name)]).then(
    ([sa, sb]) => {
      status = { state: "done", a: opened.name, b: b.name, bUrl, diff: diffSides(sa, sb) };
    },
    (e: unknown) => {
      stopComparing();
      status = {
        state: "failed",
        a: opened.name,
        b: b.name,
        message: e instanceof Error ? e.message : String(e),
      };
    },
  );
  location.hash = "#/diff";
}

function openTrace(source: Source, name: string): Opened {
  // One trace at a time: the previous engine and its memory go.
  worker?.terminate();
  stopComparing();
  worker = new Worker(new URL("./engine-worker.ts", import.meta.url), {
    type: "module",
    name: "gotrace engine",
  });
  const engine = new WorkerEngine(worker, source, name);
  setWhyClient((q) => engine.why({ ...q }));
  // One trace is open: no diff to show until another is chosen to compare with.
  setDiffStatusSource(() => Promise.resolve({ state: "none" }));
  setAnalysisClient({
    get: (n, params) => engine.analysis(n, params),
    async save(n, params, filename) {
      const bytes = await engine.analysis<Uint8Array | { error?: string; unavailable?: string }>(n, params);
      if (!(bytes instanceof Uint8Array)) {
        alert(bytes.error ?? bytes.unavailable ?? "nothing to download");
        return;
      }
      const href = URL.createObjectURL(
        new Blob([bytes as Uint8Array<ArrayBuffer>], { type: "application/gzip" }),
      );
      const a = document.createElement("a");
      a.href = href;
      a.download = filename;
      a.click();
      setTimeout(() => URL.revokeObjectURL(href), 10_000);
    },
  });
  return { engine, source, name, serial: ++serial };
}

/** The name a trace address is shown by: its last path segment, or the address. */
function urlName(url: string): string {
  try {
    const u = new URL(url, location.href);
    return u.pathname.split("/").filter(Boolean).pop() ?? u.host;
  } catch {
    return url;
  }
}

function initial(): Opened | string | undefined {
  const url = new URLSearchParams(location.search).get("url");
  if (url === null || url === "") return undefined;
  let abs: URL;
  try {
    abs = new URL(url, location.href);
  } catch {
    return `Not an address: ${url}`;
  }
  // blob: addresses of this page's origin are the files "Compare with…" opens in another tab.
  const blob = abs.protocol === "blob:" && abs.origin === location.origin;
  if (abs.protocol !== "http:" && abs.protocol !== "https:" && !blob)
    return `Not an http or https address: ${url}`;
  return openTrace({ url: abs.href }, new URLSearchParams(location.search).get("name") || urlName(url));
}

function Web() {
  const [opened, setOpened] = useState<Opened | string | undefined>(initial);
  useEffect(() => {
    // Drop a trace anywhere, before or after one is open.
    const over = (e: DragEvent) => {
      if (e.dataTransfer?.types.includes("Files")) e.preventDefault();
    };
    const drop = (e: DragEvent) => {
      const f = e.dataTransfer?.files[0];
      if (!f) return;
      e.preventDefault();
      setOpened(openTrace({ file: f }, f.name));
    };
    addEventListener("dragover", over);
    addEventListener("drop", drop);
    return () => {
      removeEventListener("dragover", over);
      removeEventListener("drop", drop);
    };
  }, []);
  useEffect(() => {
    if (typeof opened === "object") document.title = `${opened.name} · gotrace`;
  }, [opened]);
  if (typeof opened !== "object") {
    return <StartPage error={opened} onFile={(f) => setOpened(openTrace({ file: f }, f.name))} />;
  }
  // Back to the start page (a list's, when the trace came from one).
  const list = new URLSearchParams(location.search).get("list");
  const start = list ? `?${new URLSearchParams({ list })}` : "./";
  return (
    <App
      key={opened.serial}
      engine={opened.engine}
      extraNav={
        <>
          <a href={start} data-testid="open-another" title="Open another trace (or drop one on the page)">
            Open…
          </a>
          <label class="compare-with" title="Compare this trace with another (the Diff page)">
            Compare with…
            <input
              type="file"
              data-testid="compare-input"
              onChange={(e) => {
                const input = e.currentTarget;
                const f = input.files?.[0];
                if (f) compareWith(opened, f);
                input.value = "";
              }}
            />
          </label>
        </>
      }
    />
  );
}

render(<Web />, document.getElementById("app")!);
