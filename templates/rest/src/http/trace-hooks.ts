import { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { formatTraceparent, runWithTrace, startTrace, type TraceContext } from "../platform/trace-context.js";

declare module "fastify" {
  interface FastifyRequest {
    trace: TraceContext;
  }
}

/**
 * Runs every request in its own span: continues the caller's `traceparent`
 * (or starts a trace) and answers with this service's span in `traceparent`.
 */
export function installTraceHooks(app: FastifyInstance): void {
  app.decorateRequest("trace", null as unknown as TraceContext);

  app.addHook("onRequest", (request, reply, done) => {
    const header = request.headers.traceparent;
    const trace = startTrace(typeof header === "string" ? header : undefined);
    request.trace = trace;
    reply.header("traceparent", formatTraceparent(trace));
    // Every later hook and the handler run inside this call's async context: fastify
    // binds its body-parsing continuation to the request (content-type-parser.js).
    runWithTrace(trace, done);
  });
}

/**
 * Fastify's own per-request lines, made to carry the trace ids: one line when
 * a request completes, with method, url, status and duration.
 */
export class TracedLogController extends LogController {
  // Fastify logs this before any hook runs, so before the trace exists.
  override incomingRequest(): void {}

  // Fired from the socket's "finish" event, maybe outside the request's context: the line names
  // its trace itself (re-entering the context to look it up cost ~3% of a request). Kept a plain
  // literal (a variant spreading the fields in, with a custom mixin merge, measured slower).
  // Undefined fields are left out of the line.
  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const trace: TraceContext | null = request.trace;
    const fields = {
      trace_id: trace?.traceId,
      span_id: trace?.spanId,
      parent_span_id: trace ? (trace.parentSpanId ?? null) : undefined,
      method: request.method,
      url: request.url,
      status: reply.statusCode,
      duration_ms: Math.round(reply.elapsedTime * 100) / 100,
    };
    if (error) request.log.error({ ...fields, err: error }, "request errored");
    // Probes arrive every few seconds from every poller; keep them out of the info stream.
    else if (request.url.startsWith("/health/")) request.log.debug(fields, "request completed");
    else request.log.info(fields, "request completed");
  }
}
