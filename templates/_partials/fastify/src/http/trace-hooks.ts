import type { IncomingHttpHeaders } from "node:http";
import { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_ROUTE } from "@opentelemetry/semantic-conventions";
import { SpanKind, endSpan, formatTraceparent, markFailed, recordingSpans, startTrace, traceFields, type TraceContext } from "../platform/trace-context.js";
import { whenConnectionCloses } from "./connection-close.js";

declare module "fastify" {
  interface FastifyRequest {
    /** This request's server span: pass it to clients (the gateway's proxy and BFF calls too), so they continue it. */
    trace: TraceContext;
  }
}

// The span rides on the request's logger from the factory to the onRequest hook. Not on the raw
// request: a property added to every IncomingMessage (or a WeakMap beside them) cost more
// than the rest of the trace handling (bench/rest-throughput.sh).
const TRACE = Symbol("trace");
type SpanLogger = FastifyBaseLogger & { [TRACE]?: TraceContext };

/**
 * The request's server span, named by its method until routing gives the route
 * (TracedLogController ends it). Probes get ids but no recorded span: they
 * arrive every few seconds from every poller and would bury the traces.
 */
function serverSpan(method: string | undefined, url: string | undefined, headers: IncomingHttpHeaders): TraceContext {
  // Ids only (OTEL_SDK_DISABLED, no endpoint): nothing to describe the span with.
  if (!recordingSpans()) return startTrace(headers, IDS_ONLY);
  const query = url === undefined ? -1 : url.indexOf("?");
  const path = url === undefined ? "/" : query < 0 ? url : url.slice(0, query);
  // The semantic-convention names written out (ATTR_HTTP_REQUEST_METHOD, ATTR_URL_PATH): V8 builds a
  // literal with computed keys through its runtime, a quarter of an exported span's CPU (bench/span-cost.sh).
  const attributes = { "http.request.method": method ?? "GET", "url.path": path };
  return startTrace(headers, { name: method ?? "GET", kind: SpanKind.SERVER, attributes, record: !path.startsWith("/health/") });
}

const IDS_ONLY = { name: "request", kind: SpanKind.SERVER, record: false };

function isEmpty(options: object): boolean {
  for (const key in options) if (key) return false;
  return true;
}

/**
 * Runs every request in its own server span: continues the caller's
 * `traceparent` and `tracestate` (or starts a trace), answers with this
 * service's span in `traceparent`, and gives `request.log` the span's
 * trace_id, span_id and parent_span_id. A caller that goes away before the
 * answer is sent still gets its line and its span's end from `controller`
 * (fastify's own completed line waits for an answer that is never sent).
 */
export function installTraceHooks(app: FastifyInstance, controller: TracedLogController): void {
  app.decorateRequest("trace", null as unknown as TraceContext);

  // Fastify makes each request's logger before any hook runs: the span starts there, so
  // every line of the request (fastify's own too) carries it, serialized once as bindings.
  // `bindings` ({ reqId }) is made afresh for each request.
  app.setChildLoggerFactory((logger, bindings, options, raw) => {
    const trace = serverSpan(raw.method, raw.url, raw.headers);
    // No options (fastify passes {} unless the route sets a level or serializers): pino's fast path,
    // which skips rebuilding the formatters for every request.
    const child: SpanLogger = logger.child(Object.assign(bindings, traceFields(trace)), isEmpty(options) ? undefined : options);
    child[TRACE] = trace;
    return child;
  });

  app.addHook("onRequest", (request, reply, done) => {
    // Only a logger made elsewhere (a plugin replacing request.log) lacks the span.
    const trace = (request.log as SpanLogger)[TRACE] ?? serverSpan(request.method, request.url, request.headers);
    request.trace = trace;
    reply.header("traceparent", formatTraceparent(trace));
    // Closed before the answer was ended: fastify's line (on "finish") never comes. An ended answer
    // gets it (inject's responses never report themselves flushed, so writableFinished cannot tell).
    // "close" comes once; `on`, not `once`, spares a wrapper per request (bench/span-cost.sh: the listener is ~2% of a GET's instructions).
    const abandoned = () => {
      if (!reply.raw.writableEnded) controller.requestAbandoned(request, reply);
    };
    reply.raw.on("close", abandoned);
    // A request queued behind another on a pipelined connection: its answer has no socket yet and
    // says nothing when the socket closes, so the socket is watched until the answer closes.
    const socket = request.raw.socket;
    if (reply.raw.socket === null && socket) reply.raw.once("close", whenConnectionCloses(socket, abandoned));
    done();
  });
}

/**
 * Fastify's own per-request lines: one when a request completes, with method,
 * url, status and duration; and the end of the request's server span, named
 * by its route, with the status (5xx: failed). A kind that names its routes
 * otherwise (the gateway: its route and upstream) overrides the two hooks.
 */
export class TracedLogController extends LogController {
  /** Requests whose caller went away: already logged, whatever fastify says of them later. */
  readonly #abandoned = new WeakSet<FastifyRequest>();

  // Fastify logs this before any hook runs; the completed line says all of it.
  override incomingRequest(): void {}

  /**
   * The caller closed the connection before the whole answer was sent: the line and the span
   * end now, with 499 (nginx's "client closed request") if no answer was begun, else the status sent.
   */
  requestAbandoned(request: FastifyRequest, reply: FastifyReply): void {
    if (this.#abandoned.has(request)) return;
    this.#abandoned.add(request);
    if (!reply.raw.headersSent) reply.code(499);
    this.#completed(undefined, request, reply);
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (!this.#abandoned.has(request)) this.#completed(error, request, reply);
  }

  #completed(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    endServerSpan(request, reply, this.spanRoute(request), error);
    const fields = this.completedFields(request, reply);
    if (error) request.log.error({ ...fields, err: error }, "request errored");
    // Probes arrive every few seconds from every poller; keep them out of the info stream.
    else if (request.url.startsWith("/health/")) request.log.debug(fields, "request completed");
    else request.log.info(fields, "request completed");
  }

  /** The route the server span is named by: fastify's pattern (/orders/:id). */
  protected spanRoute(request: FastifyRequest): string | undefined {
    return request.routeOptions.url;
  }

  /** What the completed line says about the request. */
  protected completedFields(request: FastifyRequest, reply: FastifyReply): Record<string, unknown> {
    return { method: request.method, url: request.url, status: reply.statusCode, duration_ms: durationMs(reply) };
  }
}

/** How long the request took, in ms to two decimals. */
export const durationMs = (reply: FastifyReply): number => Math.round(reply.elapsedTime * 100) / 100;

function endServerSpan(request: FastifyRequest, reply: FastifyReply, route: string | undefined, error: Error | null | undefined): void {
  // Absent when the request failed before the onRequest hook (a malformed request line).
  const trace = request.trace ?? (request.log as SpanLogger)[TRACE];
  if (!trace?.span.isRecording()) return;
  const { span } = trace;
  if (route !== undefined) {
    span.updateName(`${request.method} ${route}`);
    span.setAttribute(ATTR_HTTP_ROUTE, route);
  }
  span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, reply.statusCode);
  if (reply.statusCode >= 500 && !error && !trace.failed) markFailed(span, `HTTP ${reply.statusCode}`);
  endSpan(span, error ?? undefined);
}
