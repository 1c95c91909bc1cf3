/**
 * One trace's side of the static page's "Compare with…" (main.tsx): reads a
 * trace (a File, or a URL it fetches; gzipped ones are inflated) through
 * the unfiltered analysis service, as `gotrace diff` reads each of its
 * two, and posts its side of the diff (query/analysis/diff.ts's diffSide).
 * A damaged trace gives the side of what was read before the damage.
 *
 * Message in: { source: { file: Blob } | { url: string }, name }.
 * Out: { side } or { error } (one line, the trace's name first).
 */
import { maybeGunzip } from "../decode/gunzip.js";
import { diffSide } from "../query/analysis/diff.js";
import { AnalysisService, bytesFeed } from "../query/analysis/service.js";

interface WorkerScope {
  postMessage(message: unknown): void;
  onmessage: ((e: MessageEvent) => void) | null;
}
const scope = self as unknown as WorkerScope;

type Source = { file: Blob } | { url: string };

async function* chunks(source: Source, name: string): AsyncGenerator<Uint8Array> {
  let body: ReadableStream<Uint8Array> | null;
  if ("file" in source) body = source.file.stream();
  else {
    const res = await fetch(source.url).catch(() => {
      throw new Error(`${name}: the browser could not fetch it`);
    });
    if (!res.ok) throw new Error(`${name}: the server answered ${res.status} ${res.statusText}`.trim());
    body = res.body;
  }
  if (!body) return;
  const reader = body.getReader();
  for (;;) {
    const r = await reader.read();
    if (r.done) return;
    yield r.value;
  }
}

scope.onmessage = (e: MessageEvent) => {
  const { source, name } = e.data as { source: Source; name: string };
  const service = new AnalysisService(
    bytesFeed(() => maybeGunzip(chunks(source, name))),
    "file" in source ? source.file.size : undefined,
    true,
  );
  diffSide(service).then(
    (side) => scope.postMessage({ side }),
    (err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      scope.postMessage({ error: message.startsWith(`${name}:`) ? message : `${name}: ${message}` });
    },
  );
};
