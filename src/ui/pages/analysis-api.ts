/**
 * The analysis pages' questions, by name and parameters, through an
 * `AnalysisClient`: `gotrace view`'s server (/api/analysis/…, the default)
 * or the static page's Web Worker (set with `setAnalysisClient`). Also a
 * hook that loads an answer, shows progress while the trace's first
 * analysis pass runs, and drops answers to questions no longer asked.
 */
import { useEffect, useState } from "preact/hooks";
import type { AnalysisStatus, AnalysisUnavailable } from "../../query/analysis/protocol.js";

export type Params = Record<string, string | number | boolean | undefined>;

export function analysisUrl(name: string, params: Params = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return `api/analysis/${name}${s ? `?${s}` : ""}`;
}

/** Where the analysis pages' answers come from. */
export interface AnalysisClient {
  /** The answer to the question `name` (an AnalysisUnavailable when there is nothing to analyse). */
  get(name: string, params: Record<string, string>): Promise<unknown>;
  /**
   * Saves a file answer (profile.pb.gz) as `filename`. Without it, a
   * download link's own address (analysisUrl) fetches the file.
   */
  save?(name: string, params: Record<string, string>, filename: string): Promise<void>;
}

/** `gotrace view`'s server. */
export const httpAnalysis: AnalysisClient = {
  async get(name, params) {
    const res = await fetch(analysisUrl(name, params));
    if (!res.ok) throw new Error((await res.text()).trim() || `${name}: HTTP ${res.status}`);
    return res.json();
  },
};

let client: AnalysisClient = httpAnalysis;

/** Sets where the pages' questions go (once, before the pages render). */
export function setAnalysisClient(c: AnalysisClient): void {
  client = c;
  firstEventNs = undefined;
}

function stringParams(params: Params): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined) out[k] = String(v);
  return out;
}

/**
 * The attributes, besides its `href` (analysisUrl), of a link that
 * downloads the file answer `name` as `filename`.
 */
export function downloadLink(name: string, params: Params, filename: string) {
  const save = client.save;
  return {
    download: filename,
    onClick: save
      ? (e: MouseEvent) => {
          e.preventDefault();
          void save.call(client, name, stringParams(params), filename);
        }
      : undefined,
  };
}

export async function getAnalysis<T>(name: string, params: Params = {}): Promise<T> {
  const answer = (await client.get(name, stringParams(params))) as T | AnalysisUnavailable;
  if (
    answer !== null &&
    typeof answer === "object" &&
    typeof (answer as AnalysisUnavailable).unavailable === "string"
  ) {
    throw new Error((answer as AnalysisUnavailable).unavailable);
  }
  return answer as T;
}

export type Loaded<T> =
  | { readonly state: "loading"; readonly status: AnalysisStatus | undefined }
  | { readonly state: "error"; readonly message: string }
  | { readonly state: "done"; readonly value: T };

/** Loads `name` with `params`; reloads when either changes (params compared as JSON). */
export function useAnalysis<T>(name: string | undefined, params: Params = {}): Loaded<T> {
  const key = name === undefined ? "" : analysisUrl(name, params);
  const [loaded, setLoaded] = useState<{ key: string; value: Loaded<T> }>({
    key: "",
    value: { state: "loading", status: undefined },
  });
  useEffect(() => {
    if (name === undefined) return;
    let live = true;
    setLoaded({ key, value: { state: "loading", status: undefined } });
    // While the first pass runs, say how far it got.
    const poll = setInterval(() => {
      getAnalysis<AnalysisStatus>("status").then(
        (status) => {
          if (live && status.state === "running") setLoaded({ key, value: { state: "loading", status } });
        },
        () => {},
      );
    }, 500);
    getAnalysis<T>(name, params)
      .then(
        (value) => live && setLoaded({ key, value: { state: "done", value } }),
        (e: unknown) =>
          live && setLoaded({ key, value: { state: "error", message: String((e as Error).message ?? e) } }),
      )
      .finally(() => clearInterval(poll));
    return () => {
      live = false;
      clearInterval(poll);
    };
  }, [key]);
  return loaded.key === key ? loaded.value : { state: "loading", status: undefined };
}

/**
 * Where the timeline's zero is in the analyses' time: the analyses count
 * from the trace's origin (as the CLI does), the timeline from the first
 * event; they differ for old traces (Go ≤ 1.21 starts at −1 ns). Links to
 * the timeline subtract it; a time range from the timeline adds it.
 */
let firstEventNs: Promise<number> | undefined;

export function useFirstEventNs(): number | undefined {
  const [ns, setNs] = useState<number | undefined>(undefined);
  useEffect(() => {
    firstEventNs ??= getAnalysis<{ firstNs: number }>("overview").then((o) => o.firstNs);
    let live = true;
    firstEventNs.then(
      (v) => live && setNs(v),
      () => {
        firstEventNs = undefined;
      },
    );
    return () => {
      live = false;
    };
  }, []);
  return ns;
}
