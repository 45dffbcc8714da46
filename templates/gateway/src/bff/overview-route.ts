import type { FastifyInstance, onRequestAsyncHookHandler } from "fastify";
import type { HttpUpstream, Upstream } from "../collaborators.js";
import { describeError } from "../platform/describe-error.js";
import { callerHeaders } from "../http/auth-hook.js";

export const OVERVIEW_PATH = "/bff/overview";

/** The composed answer: each upstream's list under its name; `partial` and `missing` say which could not be had. */
export interface Overview {
  partial: boolean;
  missing: string[];
  [service: string]: unknown;
}

/**
 * A Backend-for-Frontend route: one call from a client, the first page of every upstream's
 * collection fetched in parallel (each through its resilient client, in this request's span),
 * merged into one answer. An upstream that fails is left out and named in `missing`: the
 * client gets what there is, not a 500. The HTTP upstreams only: a gRPC service's collection
 * has no one shape to ask for (its routes serve each method instead).
 */
export function registerOverviewRoute(app: FastifyInstance, all: readonly Upstream[], onRequest: onRequestAsyncHookHandler[]): void {
  const upstreams = all.filter((upstream): upstream is HttpUpstream => upstream.protocol === "http");
  app.get(OVERVIEW_PATH, { onRequest, config: { gatewayRoute: OVERVIEW_PATH, upstream: upstreams.map((u) => u.name).join(",") } }, async (request) => {
    const headers: Record<string, string> = { "x-request-id": request.id, ...callerHeaders(request.caller) };
    const answers = await Promise.allSettled(
      upstreams.map(async (upstream) => {
        const response = await upstream.client.get(`${upstream.path}?limit=5`, { trace: request.trace, headers });
        if (!response.ok) {
          await response.body?.cancel();
          throw new Error(`${upstream.name} answered ${response.status}`);
        }
        return response.json() as Promise<unknown>;
      }),
    );
    const overview: Overview = { partial: false, missing: [] };
    answers.forEach((answer, i) => {
      const name = upstreams[i].name;
      if (answer.status === "fulfilled") overview[name] = answer.value;
      else {
        overview.missing.push(name);
        request.log.warn({ upstream: name, reason: describeError(answer.reason) }, "composed call failed, answering without it");
      }
    });
    overview.partial = overview.missing.length > 0;
    return overview;
  });
}
