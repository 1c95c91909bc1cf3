/** The timeline's "Why?" question to `gotrace view`'s server (/api/why, query/why/protocol.ts). */
import type { CriticalPathResponse, WhyChainResponse, WhyError, WhyQuery } from "../../query/why/protocol.js";

export type WhyAnswer = WhyChainResponse | CriticalPathResponse;

export async function askWhy(q: WhyQuery): Promise<WhyAnswer | WhyError> {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined) p.set(k, String(v));
  const res = await fetch(`api/why?${p}`);
  if (!res.ok) return { error: `${res.status} ${await res.text()}` };
  return (await res.json()) as WhyAnswer | WhyError;
}

export function isCriticalPath(a: WhyAnswer): a is CriticalPathResponse {
  return "breakdown" in a;
}
