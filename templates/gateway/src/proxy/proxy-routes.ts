import replyFrom from "@fastify/reply-from";
import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleAll, type CircuitBreakerPolicy } from "cockatiel";
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler, preHandlerAsyncHookHandler } from "fastify";
import type { IncomingHttpHeaders } from "node:http";
import { ATTR_HTTP_RESPONSE_STATUS_CODE } from "@opentelemetry/semantic-conventions";
import type { Logger } from "../platform/logger.js";
import { SpanKind, endSpan, markFailed, recordingSpans, startOutgoing, type OutgoingSpan } from "../platform/trace-context.js";
import { sendProblem } from "../http/problem.js";
import { callerHeaders } from "../http/auth-hook.js";

/** One route the gateway proxies, resolved from config. */
export interface ProxyRoute {
  path: string;
  service: string;
  baseUrl: string;
  timeoutMs: number;
  /** The route's auth check, then its rate limit (which counts the verified caller). */
  onRequest: onRequestAsyncHookHandler[];
  preHandler: preHandlerAsyncHookHandler[];
  /** The service token the upstream requires (signed with the workspace key, aud = the upstream). */
  tokenFor?: (audience: string) => Promise<string | undefined>;
}

export interface BreakerPolicy {
  threshold: number;
  halfOpenAfterMs: number;
}

/** An upstream that did not answer: unreachable (503) or too slow (504). */
class UpstreamFailure extends Error {
  constructor(
    readonly status: 503 | 504,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Proxies `path` and everything under it to the route's upstream with @fastify/reply-from
 * (one undici pool per route), behind a cockatiel circuit breaker of its own: a 5xx, a
 * timeout or an unreachable upstream counts against it; open, it answers 503 at once.
 */
export async function registerProxyRoute(app: FastifyInstance, route: ProxyRoute, policy: BreakerPolicy, logger: Logger): Promise<CircuitBreakerPolicy> {
  const breaker = circuitBreaker(handleAll.orWhenResult((status) => typeof status === "number" && status >= 500), {
    halfOpenAfter: policy.halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(policy.threshold),
  });
  breaker.onStateChange((state) => logger.warn({ route: route.path, upstream: route.service, circuit: CircuitState[state] }, "circuit changed"));

  await app.register(async (scope) => {
    await scope.register(replyFrom, { base: route.baseUrl, disableRequestLogging: true, undici: { connections: 128, pipelining: 1 } });
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      try {
        const token = await route.tokenFor?.(route.service);
        await breaker.execute(() => forward(request, reply, route, token));
      } catch (error) {
        if (error instanceof BrokenCircuitError) return sendProblem(reply, 503, `${route.service} is failing: circuit open, not called`, { upstream: route.service });
        if (error instanceof UpstreamFailure) return sendProblem(reply, error.status, error.message, { upstream: route.service });
        throw error;
      }
      return reply;
    };
    const config = { gatewayRoute: route.path, upstream: route.service };
    const options = { onRequest: route.onRequest, preHandler: route.preHandler, config, handler };
    // Bodies go upstream as they came: no parsing here.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", (_request, payload, done) => done(null, payload));
    scope.all(route.path, options);
    scope.all(`${route.path}/*`, options);
  });
  return breaker;
}

/**
 * Resolves with the upstream's status once its answer is being sent; rejects when there is none.
 * The call is a client span of the request's server span, and the upstream's parent.
 */
function forward(request: FastifyRequest, reply: FastifyReply, route: ProxyRoute, token: string | undefined): Promise<number> {
  const method = request.method;
  // Ids only (no SDK): no attributes to build, nobody records them.
  // http.request.method and url.full written out, not computed keys: see serverSpan in trace-hooks.ts.
  const attributes = recordingSpans() ? { "http.request.method": method, "url.full": `${route.baseUrl}${request.url}` } : undefined;
  // Named by its method, as the platform client names its calls (OpenTelemetry's HTTP conventions).
  const outgoing = startOutgoing(request.trace, { name: method, kind: SpanKind.CLIENT, attributes });
  // The span ends once: when the upstream's body has been read, at an error, or when the
  // caller goes away, whichever is first.
  let open = true;
  let status: number | undefined;
  const end = (error?: Error) => {
    if (open) endCall(outgoing, status, error);
    open = false;
  };
  return new Promise((resolve, reject) => {
    // A caller that goes away before the upstream answers: nothing is sent, nothing counted.
    reply.raw.once("close", () => {
      end();
      resolve(0);
    });
    reply.from(request.url, {
      timeout: route.timeoutMs,
      rewriteRequestHeaders: (_req, headers) => upstreamHeaders(request, headers, token, outgoing),
      // The caller sees the gateway's span (set in onRequest), not the upstream's.
      rewriteHeaders: ({ traceparent: _upstreamSpan, ...headers }) => headers,
      onResponse: (_req, outer, response) => {
        status = response.statusCode;
        response.stream.once("end", () => end());
        resolve(status);
        outer.send(response.stream);
      },
      onError: (_outer, { error }) => {
        const timedOut = (error as { statusCode?: number }).statusCode === 504;
        const detail = timedOut ? `${route.service} did not answer within ${route.timeoutMs} ms` : `${route.service} is unreachable: ${error.message}`;
        const failure = new UpstreamFailure(timedOut ? 504 : 503, detail);
        end(failure);
        reject(failure);
      },
    });
  });
}

/** Ends the call's client span with the upstream's status, or the error that left it without one. */
function endCall(outgoing: OutgoingSpan | undefined, status?: number, error?: Error): void {
  if (!outgoing) return;
  const { span } = outgoing;
  if (status !== undefined) {
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    // A 4xx is the caller's answer, not a failure of the call (OpenTelemetry's HTTP conventions).
    if (status >= 500) markFailed(span, `HTTP ${status}`);
  }
  endSpan(span, error);
}

/**
 * What the upstream is told: the request id, the call's client span as its parent, and the caller
 * the gateway verified. Headers a client sent to pose as that caller are dropped, and so is
 * its token: a service trusts x-auth-* only because the gateway set them. The gateway's own
 * service token (when it has the workspace key) is what the upstream checks.
 */
export function upstreamHeaders(request: FastifyRequest, headers: IncomingHttpHeaders, serviceToken?: string, outgoing?: OutgoingSpan): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith("x-auth-") && name !== "authorization") out[name] = value;
  }
  if (serviceToken) out.authorization = `Bearer ${serviceToken}`;
  out["x-request-id"] = request.id;
  // The call's client span is the upstream's parent; tracestate names the gateway's hop for `msx logs`.
  if (outgoing) {
    out.traceparent = outgoing.headers.traceparent;
    out.tracestate = outgoing.headers.tracestate;
  }
  return Object.assign(out, callerHeaders(request.caller));
}
