import type { IncomingHttpHeaders } from "node:http";
import { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { formatTraceparent, startTrace, traceFields, type TraceContext } from "../platform/trace-context.js";

declare module "fastify" {
  /** What the access log line says about a route: the gateway route and the upstream behind it. */
  interface FastifyContextConfig {
    gatewayRoute?: string;
    upstream?: string;
  }
  interface FastifyRequest {
    /** This request's span: pass it to clients and the publisher, so they continue it. */
    trace: TraceContext;
  }
}

// The span rides on the request's logger from the factory to the onRequest hook. Not on the raw
// request: a property added to every IncomingMessage (or a WeakMap beside them) cost more
// than the rest of the trace handling (bench/rest-throughput.sh).
const TRACE = Symbol("trace");
type SpanLogger = FastifyBaseLogger & { [TRACE]?: TraceContext };

const traceparentOf = (headers: IncomingHttpHeaders) => (typeof headers.traceparent === "string" ? headers.traceparent : undefined);

/**
 * Runs every request in its own span: continues the caller's `traceparent`
 * (or starts a trace), answers with this service's span in `traceparent`, and
 * gives `request.log` the span's trace_id, span_id and parent_span_id.
 */
export function installTraceHooks(app: FastifyInstance): void {
  app.decorateRequest("trace", null as unknown as TraceContext);

  // Fastify makes each request's logger before any hook runs: the span starts there, so
  // every line of the request (fastify's own too) carries it, serialized once as bindings.
  // `bindings` ({ reqId }) is made afresh for each request.
  app.setChildLoggerFactory((logger, bindings, options, raw) => {
    const trace = startTrace(traceparentOf(raw.headers));
    const child: SpanLogger = logger.child(Object.assign(bindings, traceFields(trace)), options);
    child[TRACE] = trace;
    return child;
  });

  app.addHook("onRequest", (request, reply, done) => {
    // Only a logger made elsewhere (a plugin replacing request.log) lacks the span.
    const trace = (request.log as SpanLogger)[TRACE] ?? startTrace(traceparentOf(request.headers));
    request.trace = trace;
    reply.header("traceparent", formatTraceparent(trace));
    done();
  });
}

/**
 * The access log: one line per request when it completes, with the gateway route, the upstream
 * it went to, the status and the duration (in the request's span, so `msx logs --trace-id`
 * shows the gateway hop).
 */
export class GatewayLogController extends LogController {
  // Fastify logs this before any hook runs; the completed line says all of it.
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const route = request.routeOptions.config;
    const fields = {
      method: request.method,
      url: request.url,
      route: route.gatewayRoute ?? null,
      upstream: route.upstream ?? null,
      status: reply.statusCode,
      duration_ms: Math.round(reply.elapsedTime * 100) / 100,
    };
    if (error) request.log.error({ ...fields, err: error }, "request errored");
    // Probes arrive every few seconds from every poller; keep them out of the info stream.
    else if (request.url.startsWith("/health/")) request.log.debug(fields, "request completed");
    else request.log.info(fields, "request completed");
  }
}
