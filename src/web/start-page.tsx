/**
 * The static page's start: a trace is chosen with the file input, dropped
 * anywhere on the page (handled in main.tsx), or fetched from an address
 * (the form sets `?url=`, so the address of the page opens the same trace).
 */
import { useEffect, useState } from "preact/hooks";

interface Listed {
  readonly name: string;
  readonly size: number;
  /** Relative to the page. */
  readonly url: string;
}

/** `?list=ADDRESS`: the traces `gotrace view DIR` serves, each a link that opens it (`?url=`). */
function TraceList({ list }: { list: string }) {
  const [items, setItems] = useState<readonly Listed[] | string | undefined>();
  useEffect(() => {
    fetch(list)
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`${list}: ${r.status} ${r.statusText}`))))
      .then(
        (v: Listed[]) => setItems(v),
        (e: unknown) => setItems(e instanceof Error ? e.message : String(e)),
      );
  }, [list]);
  if (items === undefined) return <p class="muted">Listing the traces…</p>;
  if (typeof items === "string")
    return (
      <div class="banner" role="alert">
        {items}
      </div>
    );
  return (
    <table data-testid="trace-list">
      <thead>
        <tr>
          <th>Trace</th>
          <th class="num">Size</th>
        </tr>
      </thead>
      <tbody>
        {items.map((t) => (
          <tr>
            <td>
              <a href={`?${new URLSearchParams({ url: t.url, list })}`}>{t.name}</a>
            </td>
            <td class="num">{(t.size / 1e6).toFixed(1)} MB</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function StartPage({ onFile, error }: { onFile: (f: File) => void; error?: string }) {
  const [url, setUrl] = useState("");
  const list = new URLSearchParams(location.search).get("list");
  if (list) {
    return (
      <div class="start">
        <h1>gotrace</h1>
        <p>Choose a trace to open; come back here (the browser's Back) for the next one.</p>
        <TraceList list={list} />
      </div>
    );
  }
  return (
    <div class="start">
      <h1>gotrace</h1>
      <p>
        Open a Go execution trace (Go 1.5 to 1.27; gzipped <code>.gz</code> too). It is read in this tab:
        nothing is uploaded.
      </p>
      {error && (
        <div class="banner" role="alert" data-testid="start-error">
          {error}
        </div>
      )}
      <p>
        <label>
          Trace file:{" "}
          <input
            type="file"
            data-testid="file-input"
            onChange={(e) => {
              const f = (e.currentTarget as HTMLInputElement).files?.[0];
              if (f) onFile(f);
            }}
          />
        </label>
      </p>
      <p class="muted">…or drop a trace anywhere on this page.</p>
      <form
        method="get"
        onSubmit={(e) => {
          e.preventDefault();
          if (!url.trim()) return;
          const q = new URLSearchParams({ url: url.trim() });
          location.search = `?${q}`;
        }}
      >
        <label>
          Trace address:{" "}
          <input
            type="url"
            name="url"
            size={60}
            data-testid="url-input"
            placeholder="http://localhost:6060/debug/pprof/trace?seconds=5"
            value={url}
            onInput={(e) => setUrl((e.currentTarget as HTMLInputElement).value)}
          />
        </label>{" "}
        <button type="submit">Open</button>
      </form>
      <p class="muted">
        The browser fetches the address itself, so its server must allow this page to read it (CORS). A
        running program's <code>/debug/pprof/trace</code> usually does not: capture it with{" "}
        <code>gotrace capture URL -o FILE</code> and open the file here, or run <code>gotrace view URL</code>.
      </p>
    </div>
  );
}
