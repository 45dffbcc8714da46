import type { IncomingMessage } from "node:http";
import { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { formatTraceparent, startTrace, traceFields, type TraceContext } from "../platform/trace-context.js";

declare module "fastify" {
  interface FastifyRequest {
    /** This request's span: pass it to clients and the publisher, so they continue it. */
    trace: TraceContext;
  }
}

const TRACE = Symbol("trace");
type TracedMessage = IncomingMessage & { [TRACE]?: TraceContext };

function spanOf(raw: TracedMessage): TraceContext {
  const header = raw.headers.traceparent;
  return (raw[TRACE] ??= startTrace(typeof header === "string" ? header : undefined));
}

/**
 * Runs every request in its own span: continues the caller's `traceparent`
 * (or starts a trace), answers with this service's span in `traceparent`, and
 * gives `request.log` the span's trace_id, span_id and parent_span_id.
 */
export function installTraceHooks(app: FastifyInstance): void {
  app.decorateRequest("trace", null as unknown as TraceContext);

  // Fastify makes each request's logger before any hook runs: the span starts there, so
  // every line of the request (fastify's own too) carries it, serialized once as bindings.
  app.setChildLoggerFactory((logger, bindings, options, raw) =>
    logger.child({ ...bindings, ...traceFields(spanOf(raw as TracedMessage)) }, options),
  );

  app.addHook("onRequest", (request, reply, done) => {
    const trace = spanOf(request.raw);
    request.trace = trace;
    reply.header("traceparent", formatTraceparent(trace));
    done();
  });
}

/** Fastify's own per-request lines: one when a request completes, with method, url, status and duration. */
export class TracedLogController extends LogController {
  // Fastify logs this before any hook runs; the completed line says all of it.
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const fields = { method: request.method, url: request.url, status: reply.statusCode, duration_ms: Math.round(reply.elapsedTime * 100) / 100 };
    if (error) request.log.error({ ...fields, err: error }, "request errored");
    // Probes arrive every few seconds from every poller; keep them out of the info stream.
    else if (request.url.startsWith("/health/")) request.log.debug(fields, "request completed");
    else request.log.info(fields, "request completed");
  }
}
