/**
 * The timeline's "Why?" question (query/why/protocol.ts): to `gotrace
 * view`'s server (/api/why) by default, or where `setWhyClient` says (the
 * static page's engine worker).
 */
import type { CriticalPathResponse, WhyChainResponse, WhyError, WhyQuery } from "../../query/why/protocol.js";

export type WhyAnswer = WhyChainResponse | CriticalPathResponse;

let client: (q: WhyQuery) => Promise<WhyAnswer | WhyError> = httpWhy;

/** Sets where the question goes (once, before the timeline renders). */
export function setWhyClient(ask: (q: WhyQuery) => Promise<WhyAnswer | WhyError>): void {
  client = ask;
}

export function askWhy(q: WhyQuery): Promise<WhyAnswer | WhyError> {
  return client(q);
}

async function httpWhy(q: WhyQuery): Promise<WhyAnswer | WhyError> {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined) p.set(k, String(v));
  const res = await fetch(`api/why?${p}`);
  if (!res.ok) return { error: `${res.status} ${await res.text()}` };
  return (await res.json()) as WhyAnswer | WhyError;
}

export function isCriticalPath(a: WhyAnswer): a is CriticalPathResponse {
  return "breakdown" in a;
}
