import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  createTraceState,
  trace as api,
  type Attributes,
  type Context,
  type Span,
} from "@opentelemetry/api";
import { getTracer, idsOnlyTracer, recordingSpans } from "./tracing.js";

export { recordingSpans };

export { SpanKind, type Span } from "@opentelemetry/api";

/**
 * One hop of a request: the OpenTelemetry span this service works in, inside
 * a W3C trace. It is passed along explicitly (handler scope -> clients,
 * publisher, logger) with an explicit Context, not kept in AsyncLocalStorage:
 * on Node 20 that hooks every promise and socket write in the process, 6-9%
 * of the CPU of a gRPC call.
 */
export interface TraceContext {
  traceId: string;
  spanId: string;
  /** The caller's hop (its server span, for `msx logs`); absent when this hop started the trace. */
  parentSpanId?: string;
  flags: string;
  /** When the caller stops waiting (epoch ms), if it said: outgoing calls end no later. */
  deadline?: number;
  /** This hop's span: ended by the code that started it (the server, the call scope, the delivery). */
  span: Span;
  /** The Context that holds `span`: the parent of this hop's client spans (made on first use). */
  context?: Context;
  /** Set by failHop: the span already says why it failed. */
  failed?: boolean;
}

/** The four fields of a `traceparent` header. */
export interface Traceparent {
  version: string;
  traceId: string;
  parentId: string;
  flags: string;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** Parses a W3C traceparent; returns undefined for anything the spec says to ignore. */
export function parseTraceparent(header: string | undefined): Traceparent | undefined {
  const match = TRACEPARENT.exec(header?.trim().toLowerCase() ?? "");
  if (!match) return undefined;
  const [, version, traceId, parentId, flags, rest] = match;
  // Version ff is forbidden; version 00 has exactly four fields, later versions may add more.
  if (version === "ff" || (version === "00" && rest !== undefined)) return undefined;
  if (/^0+$/.test(traceId) || /^0+$/.test(parentId)) return undefined;
  return { version, traceId, parentId, flags };
}

export function formatTraceparent(ctx: Pick<TraceContext, "traceId" | "spanId" | "flags">): string {
  return `00-${ctx.traceId}-${ctx.spanId}-${ctx.flags}`;
}

/** The headers of an inbound request, message or call: only `traceparent` and `tracestate` are read. */
export type InboundHeaders = Readonly<Record<string, unknown>>;

/** The span to start for one inbound unit of work (or one outgoing call). */
export interface SpanStart {
  name: string;
  kind: SpanKind;
  attributes?: Attributes;
  /** false: ids only, nothing recorded or exported (health probes). */
  record?: boolean;
}

/**
 * The tracestate key that names the caller's hop (its server span), so that
 * `msx logs` can link hops from log lines alone, whatever client spans lie
 * between them and whether or not spans are exported.
 */
const HOP_KEY = "msx";

/**
 * Starts this service's span for one inbound unit of work: continues the
 * caller's trace when its traceparent is valid (tracestate kept), else starts
 * a new trace. `incoming` is the inbound headers, or a traceparent alone.
 */
export function startTrace(incoming?: InboundHeaders | string, start: SpanStart = { name: "work", kind: SpanKind.INTERNAL }): TraceContext {
  const headers = typeof incoming === "string" ? { traceparent: incoming } : incoming;
  const parent = remoteParent(headers?.traceparent, headers?.tracestate);
  const remote = api.getSpanContext(parent);
  const tracer = start.record === false ? idsOnlyTracer : getTracer();
  // `start` is the SpanOptions too (kind, attributes; the SDK reads nothing else of it): no copy per span.
  const span = tracer.startSpan(start.name, start, parent);
  const own = span.spanContext();
  const hop: TraceContext = { traceId: own.traceId, spanId: own.spanId, flags: flagsOf(own.traceFlags), span };
  if (remote) hop.parentSpanId = remote.traceState?.get(HOP_KEY) ?? remote.spanId;
  return hop;
}

/**
 * The caller's span as a Context (W3C trace context: an invalid traceparent
 * is ignored, and tracestate with it); ROOT_CONTEXT when there is none.
 */
function remoteParent(traceparent: unknown, tracestate: unknown): Context {
  const parsed = parseTraceparent(typeof traceparent === "string" ? traceparent : undefined);
  if (!parsed) return ROOT_CONTEXT;
  const state = typeof tracestate === "string" && tracestate !== "" ? createTraceState(tracestate) : undefined;
  const traceFlags = parseInt(parsed.flags, 16) & TraceFlags.SAMPLED;
  return api.setSpanContext(ROOT_CONTEXT, { traceId: parsed.traceId, spanId: parsed.parentId, traceFlags, isRemote: true, traceState: state });
}

/** A client (or producer) span of `trace`'s hop, and the headers that make it the callee's parent. */
export interface OutgoingSpan {
  span: Span;
  headers: { traceparent: string; tracestate: string };
}

/** A child span of `trace`'s hop that sends no headers (a database query); none outside a trace. */
export function startChildSpan(trace: TraceContext | undefined, start: SpanStart): Span | undefined {
  if (!trace) return undefined;
  trace.context ??= api.setSpan(ROOT_CONTEXT, trace.span);
  return getTracer().startSpan(start.name, start, trace.context);
}

/** Starts the span of one outgoing call made in `trace`; none outside a trace (nothing to continue). */
export function startOutgoing(trace: TraceContext | undefined, start: SpanStart): OutgoingSpan | undefined {
  const span = startChildSpan(trace, start);
  if (!trace || !span) return undefined;
  const own = span.spanContext();
  const tracestate = (own.traceState ?? createTraceState()).set(HOP_KEY, trace.spanId).serialize();
  return { span, headers: { traceparent: `00-${own.traceId}-${own.spanId}-${flagsOf(own.traceFlags)}`, tracestate } };
}

/** Ends a span; with an error, records it as an exception and marks the span failed. */
export function endSpan(span: Span | undefined, error?: unknown): void {
  if (!span) return;
  if (error !== undefined) failSpan(span, error);
  span.end();
}

/** Records `error` on the span and marks it failed (without ending it). */
export function failSpan(span: Span | undefined, error: unknown): void {
  if (!span) return;
  const exception = error instanceof Error ? error : new Error(String(error));
  span.recordException(exception);
  span.setStatus({ code: SpanStatusCode.ERROR, message: exception.message });
}

/** Fails the hop's span with `error` (recorded as its exception); the server's own end keeps that status. */
export function failHop(trace: TraceContext | undefined, error: unknown): void {
  if (!trace) return;
  trace.failed = true;
  failSpan(trace.span, error);
}

/** Marks a span failed with a message only (a status the protocol reported, not an exception here). */
export function markFailed(span: Span, message: string): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

/** The header to send downstream without a span of its own: our hop becomes the callee's parent. */
export function outgoingTraceparent(trace: TraceContext | undefined): string | undefined {
  return trace ? formatTraceparent(trace) : undefined;
}

/** The fields `msx logs` follows a request by; parent_span_id is null for a trace's root span. */
export interface TraceFields {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
}

export function traceFields(trace: TraceContext): TraceFields {
  return { trace_id: trace.traceId, span_id: trace.spanId, parent_span_id: trace.parentSpanId ?? null };
}

const flagsOf = (flags: number) => ((flags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED ? "01" : "00");
