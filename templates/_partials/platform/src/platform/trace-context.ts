import { randomFillSync } from "node:crypto";

/**
 * One hop of a request: the span this service works in, inside a W3C trace.
 * It is passed along explicitly (handler scope -> clients, publisher, logger),
 * not kept in AsyncLocalStorage: on Node 20 that hooks every promise and
 * socket write in the process, 6-9% of the CPU of a gRPC call.
 */
export interface TraceContext {
  traceId: string;
  spanId: string;
  /** The caller's span; absent when this hop started the trace. */
  parentSpanId?: string;
  flags: string;
  /** When the caller stops waiting (epoch ms), if it said: outgoing calls end no later. */
  deadline?: number;
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

/**
 * Starts this service's span for one inbound unit of work: continues the
 * caller's trace when the header is valid, else starts a new sampled trace.
 */
export function startTrace(incoming?: string): TraceContext {
  const parent = parseTraceparent(incoming);
  if (!parent) return { traceId: newId(16), spanId: newId(8), flags: "01" };
  return { traceId: parent.traceId, spanId: newId(8), parentSpanId: parent.parentId, flags: parent.flags };
}

/** The header to send downstream: our span becomes the callee's parent. None outside a trace. */
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

// Random bytes come from a pool refilled once per 4 KiB: a randomBytes() call per id cost
// more CPU than all the rest of a request's trace handling.
const pool = Buffer.alloc(4096);
let used = pool.length;

function newId(bytes: number): string {
  let id: string;
  do {
    if (used + bytes > pool.length) {
      randomFillSync(pool);
      used = 0;
    }
    id = pool.toString("hex", used, (used += bytes));
    // An all-zero id is invalid; the odds are negligible but the check is free.
  } while (/^0+$/.test(id));
  return id;
}
