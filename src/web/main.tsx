/**
 * The static page (dist/web): the same UI as `gotrace view` with the engine
 * in a Web Worker of this tab. Until a trace is chosen it shows the start
 * page; `?url=ADDRESS` opens the trace at that address at once, so a link
 * to the page (with its #/page fragment) opens the same trace and page.
 */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { App } from "../ui/app.js";
import { WorkerEngine } from "../ui/engine-client.js";
import { setAnalysisClient } from "../ui/pages/analysis-api.js";
import { setDiffStatusSource } from "../ui/pages/diff-page.js";
import { setWhyClient } from "../ui/timeline/why-api.js";
import "../ui/style.css";
import "./web.css";
import { StartPage } from "./start-page.js";

interface Opened {
  readonly engine: WorkerEngine;
  readonly name: string;
  readonly serial: number;
}

let serial = 0;
let worker: Worker | undefined;

function openTrace(source: { file: Blob } | { url: string }, name: string): Opened {
  // One trace at a time: the previous engine and its memory go.
  worker?.terminate();
  worker = new Worker(new URL("./engine-worker.ts", import.meta.url), {
    type: "module",
    name: "gotrace engine",
  });
  const engine = new WorkerEngine(worker, source, name);
  setWhyClient((q) => engine.why({ ...q }));
  // The static page opens one trace: there is no diff to show.
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
  return { engine, name, serial: ++serial };
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
  if (abs.protocol !== "http:" && abs.protocol !== "https:") return `Not an http or https address: ${url}`;
  return openTrace({ url: abs.href }, urlName(url));
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
        <a href={start} data-testid="open-another" title="Open another trace (or drop one on the page)">
          Open…
        </a>
      }
    />
  );
}

render(<Web />, document.getElementById("app")!);
