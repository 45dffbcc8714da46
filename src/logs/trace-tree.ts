import { entryLevel, levelValue, type LogEntry } from './log-entry.js';
import type { SpanNode } from './span-tree.js';

/** One request across services: its hops as a tree (roots first, the entry service) and every line in time order. */
export interface Trace<Line = LogEntry> {
  traceId: string;
  tree: TraceHop[];
  lines: Line[];
  /** The spans msx's collector stored for the trace, as a tree with each span's lines; absent when none were. */
  spans?: SpanNode[];
}

/** One hop of a request: one service's span, with the hops it called as children. */
export interface TraceHop {
  service: string;
  /** Absent when the service logged lines of the trace without a span id. */
  spanId?: string;
  /** The caller's span id (for the entry service, the incoming traceparent's, if any). */
  parentSpanId?: string;
  /** ISO time of the hop's first line. */
  start: string;
  /** duration_ms from the completion line when logged, else last line minus first. */
  durationMs: number;
  /** HTTP status, gRPC code name, a consumer's outcome, or "error". */
  status?: string;
  /** The event a consumer handled. */
  event?: string;
  /** Lines at error level or above, a 5xx status, a server-side gRPC code or a failed outcome. */
  error: boolean;
  lines: number;
  children: TraceHop[];
}

const GRPC_CODES = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
];
/** The gRPC codes that map to HTTP 5xx (the caller's fault is not an error of this hop, as with HTTP 4xx). */
const GRPC_SERVER_ERRORS = new Set([2, 4, 12, 13, 14, 15]);
const FAILED_OUTCOME = /^(?:error|errored|fail|failed|failure|nack|nacked|rejected|dead-?letter(?:ed)?)$/i;

interface HopDraft {
  hop: TraceHop;
  first: number;
  last: number;
  loggedDuration?: number;
  errorLines: number;
  httpStatus?: number;
  grpcCode?: number;
  outcome?: string;
}

/**
 * The hops of one trace arranged as a tree: one hop per service span, each
 * under the hop whose span id is its parent_span_id. A hop whose parent is not
 * among the lines (the entry service, or a caller that logged nothing) is a
 * root. `entries` are the trace's lines in time order.
 */
export function buildTraceTree(entries: LogEntry[]): TraceHop[] {
  const drafts = new Map<string, HopDraft>();
  for (const entry of entries) {
    const spanId = stringField(entry, 'span_id');
    const key = `${entry.service}\u0000${spanId ?? ''}`;
    let draft = drafts.get(key);
    if (!draft) drafts.set(key, (draft = newDraft(entry, spanId)));
    addLine(draft, entry);
  }
  return arrange([...drafts.values()].map(finish));
}

function newDraft(entry: LogEntry, spanId: string | undefined): HopDraft {
  const hop: TraceHop = { service: entry.service, start: new Date(entry.time).toISOString(), durationMs: 0, error: false, lines: 0, children: [] };
  if (spanId) hop.spanId = spanId;
  return { hop, first: entry.time, last: entry.time, errorLines: 0 };
}

function addLine(draft: HopDraft, entry: LogEntry): void {
  const { hop } = draft;
  hop.lines += 1;
  draft.first = Math.min(draft.first, entry.time);
  draft.last = Math.max(draft.last, entry.time);
  if (entryLevel(entry) >= levelValue('error')) draft.errorLines += 1;
  hop.parentSpanId ??= stringField(entry, 'parent_span_id');
  hop.event ??= stringField(entry, 'event');
  draft.loggedDuration = numberField(entry, 'duration_ms') ?? draft.loggedDuration;
  draft.httpStatus = numberField(entry, 'status') ?? draft.httpStatus;
  draft.grpcCode = numberField(entry, 'grpc_code') ?? draft.grpcCode;
  draft.outcome = stringField(entry, 'outcome') ?? draft.outcome;
}

function finish(draft: HopDraft): TraceHop {
  const { hop, httpStatus, grpcCode, outcome } = draft;
  // A completion line logs how long the hop took: it began that long before that line,
  // which may be before the hop's first line (a service that logs only on completion).
  const begin = draft.loggedDuration === undefined ? draft.first : Math.min(draft.first, draft.last - draft.loggedDuration);
  hop.start = new Date(begin).toISOString();
  hop.durationMs = Math.round((draft.loggedDuration ?? draft.last - draft.first) * 100) / 100;
  const failed =
    draft.errorLines > 0 ||
    (httpStatus !== undefined && httpStatus >= 500) ||
    (grpcCode !== undefined && GRPC_SERVER_ERRORS.has(grpcCode)) ||
    (outcome !== undefined && FAILED_OUTCOME.test(outcome));
  hop.error = failed;
  if (httpStatus !== undefined) hop.status = String(httpStatus);
  else if (grpcCode !== undefined) hop.status = GRPC_CODES[grpcCode] ?? `code ${grpcCode}`;
  else if (outcome !== undefined) hop.status = outcome;
  else if (failed) hop.status = 'error';
  return hop;
}

/** Links each hop under its parent's span, refusing a link that would close a loop (bad data must not hang msx). */
function arrange(hops: TraceHop[]): TraceHop[] {
  const bySpan = new Map<string, TraceHop>();
  for (const hop of hops) if (hop.spanId && !bySpan.has(hop.spanId)) bySpan.set(hop.spanId, hop);
  const parentOf = new Map<TraceHop, TraceHop>();
  const roots: TraceHop[] = [];
  for (const hop of hops) {
    const parent = hop.parentSpanId ? bySpan.get(hop.parentSpanId) : undefined;
    if (parent && !isAncestor(hop, parent, parentOf)) {
      parentOf.set(hop, parent);
      parent.children.push(hop);
    } else {
      roots.push(hop);
    }
  }
  // ISO times of one format order as plain strings; localeCompare would load ICU's collator (~7 ms).
  const byStart = (a: TraceHop, b: TraceHop) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0);
  for (const hop of hops) hop.children.sort(byStart);
  return roots.sort(byStart);
}

function isAncestor(candidate: TraceHop, of: TraceHop, parentOf: Map<TraceHop, TraceHop>): boolean {
  for (let at: TraceHop | undefined = of; at; at = parentOf.get(at)) if (at === candidate) return true;
  return false;
}

function stringField(entry: LogEntry, key: string): string | undefined {
  const value = entry.fields?.[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function numberField(entry: LogEntry, key: string): number | undefined {
  const value = entry.fields?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
