import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from "fastify";
import type { Upstream } from "../collaborators.js";
import { describeError } from "../platform/describe-error.js";
import { callerHeaders } from "../http/auth-hook.js";
import { collectionMethod, firstOfCollection } from "../proxy/grpc-routes.js";

export const OVERVIEW_PATH = "/bff/overview";

/** How many of each upstream's collection the overview shows. */
const FIRST = 5;

/** The composed answer: each upstream's list under its name; `partial` and `missing` say which could not be had. */
export interface Overview {
  partial: boolean;
  missing: string[];
  [service: string]: unknown;
}

/** One upstream's part of the overview: the first page of its collection, read in the request's span. */
interface Part {
  name: string;
  read: (request: FastifyRequest) => Promise<unknown>;
}

/**
 * A Backend-for-Frontend route: one call from a client, the first page of every upstream's
 * collection fetched in parallel (each through its resilient client, in this request's span,
 * for the verified caller), merged into one answer. An HTTP service is asked `GET <path>?limit=5`;
 * a gRPC service its List method with `limit: 5` (a server stream, read to 5 messages and
 * cancelled), answered as a JSON array as the gRPC routes answer a stream. An upstream that fails
 * is left out and named in `missing`: the client gets what there is, not a 500. A gRPC service
 * with no List method taking a limit has no collection to ask for: left out, said once at start.
 */
export function registerOverviewRoute(app: FastifyInstance, upstreams: readonly Upstream[], onRequest: onRequestAsyncHookHandler[]): void {
  const parts: Part[] = [];
  for (const upstream of upstreams) {
    if (upstream.protocol === "http") {
      parts.push({
        name: upstream.name,
        read: async (request) => {
          const headers: Record<string, string> = { "x-request-id": request.id, ...callerHeaders(request.caller) };
          const response = await upstream.client.get(`${upstream.path}?limit=${FIRST}`, { trace: request.trace, headers });
          if (!response.ok) {
            await response.body?.cancel();
            throw new Error(`${upstream.name} answered ${response.status}`);
          }
          return response.json() as Promise<unknown>;
        },
      });
      continue;
    }
    const method = collectionMethod(upstream.grpc);
    if (!method) {
      app.log.info({ upstream: upstream.name }, `${OVERVIEW_PATH} leaves ${upstream.name} out: its API has no server-streaming List method that takes a limit`);
      continue;
    }
    parts.push({ name: upstream.name, read: (request) => firstOfCollection(upstream.grpc, upstream.calls, method, request, FIRST) });
  }
  const config = { gatewayRoute: OVERVIEW_PATH, upstream: parts.map((part) => part.name).join(",") };
  app.get(OVERVIEW_PATH, { onRequest, config }, async (request) => {
    const answers = await Promise.allSettled(parts.map((part) => part.read(request)));
    const overview: Overview = { partial: false, missing: [] };
    answers.forEach((answer, i) => {
      const { name } = parts[i];
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
