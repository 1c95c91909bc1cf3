/**
 * `/api/why`: the timeline's "Why?" (query/why/protocol.ts), answered from
 * the timeline the view server holds. One of: `goroutine` (with `atNs`),
 * `task`, `taskType`, `region` (with `goroutine`, `atNs` to pick one). A
 * question that names nothing in the trace is answered `{error}`.
 */
import type { Timeline } from "../model/timeline.js";
import type { WhyQuery } from "../query/why/protocol.js";
import { WhyService } from "../query/why/service.js";
import { BadRequest, intParam, numberParam, type RouteHandler, sendJSON, stringParam } from "./server.js";

export function whyQuery(url: URL): WhyQuery {
  const p = url.searchParams;
  const has = (k: string) => p.has(k) && p.get(k) !== "";
  const q: WhyQuery = {
    ...(has("goroutine") && { goroutine: intParam(url, "goroutine", 0, Number.MAX_SAFE_INTEGER) }),
    ...(has("atNs") && { atNs: numberParam(url, "atNs") }),
    ...(has("task") && { task: intParam(url, "task", 0, Number.MAX_SAFE_INTEGER) }),
    ...(has("taskType") && { taskType: stringParam(url, "taskType", 64 * 1024) }),
    ...(has("region") && { region: stringParam(url, "region", 64 * 1024) }),
  };
  if (q.goroutine === undefined && q.task === undefined && q.taskType === undefined && q.region === undefined)
    throw new BadRequest("ask about a goroutine, task, taskType or region");
  return q;
}

/** The route, answering once `timeline` is there (the states it walks are kept between questions). */
export function whyRoute(timeline: Promise<Timeline>): RouteHandler {
  let service: WhyService | undefined;
  return async (url, _req, res) => {
    if (url.pathname !== "/api/why") return false;
    const q = whyQuery(url);
    const tl = await timeline;
    service ??= new WhyService(tl);
    sendJSON(res, 200, service.answer(q));
    return true;
  };
}
