import type { IncomingHttpHeaders } from "node:http";
import { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_ROUTE, ATTR_URL_PATH } from "@opentelemetry/semantic-conventions";
import { SpanKind, endSpan, formatTraceparent, markFailed, recordingSpans, startTrace, traceFields, type TraceContext } from "../platform/trace-context.js";

declare module "fastify" {
  /** What the access log line says about a route: the gateway route and the upstream behind it. */
  interface FastifyContextConfig {
    gatewayRoute?: string;
    upstream?: string;
  }
  interface FastifyRequest {
    /** This request's server span: the proxy and the BFF calls start their client spans in it. */
    trace: TraceContext;
  }
}

// The span rides on the request's logger from the factory to the onRequest hook. Not on the raw
// request: a property added to every IncomingMessage (or a WeakMap beside them) cost more
// than the rest of the trace handling (bench/rest-throughput.sh).
const TRACE = Symbol("trace");
type SpanLogger = FastifyBaseLogger & { [TRACE]?: TraceContext };

const IDS_ONLY = { name: "request", kind: SpanKind.SERVER, record: false };

/**
 * The request's server span, named by its method until routing gives the gateway route
 * (GatewayLogController ends it). Probes get ids but no recorded span: every poller sends
 * them every few seconds, and they would bury the traces.
 */
function serverSpan(method: string | undefined, url: string | undefined, headers: IncomingHttpHeaders): TraceContext {
  // Ids only (OTEL_SDK_DISABLED, no endpoint): nothing to describe the span with.
  if (!recordingSpans()) return startTrace(headers, IDS_ONLY);
  const path = url === undefined ? "/" : url.split("?", 1)[0];
  const attributes = { [ATTR_HTTP_REQUEST_METHOD]: method ?? "GET", [ATTR_URL_PATH]: path };
  return startTrace(headers, { name: method ?? "GET", kind: SpanKind.SERVER, attributes, record: !path.startsWith("/health/") });
}

/**
 * Runs every request in its own server span: continues the caller's `traceparent` and
 * `tracestate` (or starts a trace), answers with the gateway's span in `traceparent`, and
 * gives `request.log` the span's trace_id, span_id and parent_span_id.
 */
export function installTraceHooks(app: FastifyInstance): void {
  app.decorateRequest("trace", null as unknown as TraceContext);

  // Fastify makes each request's logger before any hook runs: the span starts there, so
  // every line of the request (fastify's own too) carries it, serialized once as bindings.
  // `bindings` ({ reqId }) is made afresh for each request.
  app.setChildLoggerFactory((logger, bindings, options, raw) => {
    const trace = serverSpan(raw.method, raw.url, raw.headers);
    const child: SpanLogger = logger.child(Object.assign(bindings, traceFields(trace)), options);
    child[TRACE] = trace;
    return child;
  });

  app.addHook("onRequest", (request, reply, done) => {
    // Only a logger made elsewhere (a plugin replacing request.log) lacks the span.
    const trace = (request.log as SpanLogger)[TRACE] ?? serverSpan(request.method, request.url, request.headers);
    request.trace = trace;
    reply.header("traceparent", formatTraceparent(trace));
    done();
  });
}

/**
 * The access log: one line per request when it completes, with the gateway route, the upstream
 * it went to, the status and the duration (in the request's span, so `msx logs --trace-id`
 * shows the gateway hop); and the end of the request's server span, named by the gateway route.
 */
export class GatewayLogController extends LogController {
  // Fastify logs this before any hook runs; the completed line says all of it.
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const route = request.routeOptions.config;
    endServerSpan(request, reply, route.gatewayRoute, error);
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

function endServerSpan(request: FastifyRequest, reply: FastifyReply, gatewayRoute: string | undefined, error: Error | null | undefined): void {
  // Absent when the request failed before the onRequest hook (a malformed request line).
  const trace = request.trace ?? (request.log as SpanLogger)[TRACE];
  if (!trace?.span.isRecording()) return;
  const { span } = trace;
  // The gateway route (/orders), not fastify's pattern (/orders/*): one name per route in `msx traces`.
  const route = gatewayRoute ?? request.routeOptions.url;
  if (route !== undefined) {
    span.updateName(`${request.method} ${route}`);
    span.setAttribute(ATTR_HTTP_ROUTE, route);
  }
  span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, reply.statusCode);
  if (reply.statusCode >= 500 && !error && !trace.failed) markFailed(span, `HTTP ${reply.statusCode}`);
  endSpan(span, error ?? undefined);
}
