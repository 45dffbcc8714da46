/**
 * The span store under `.msx/spans/`: what msx's OTLP collector writes and
 * `msx traces`, `msx logs --trace-id` and the dashboard read. This file is
 * its door: the record types, the query, and the writer and readers.
 *
 * Layout, per segment N (a writer always starts a new segment, so two
 * writers never share a file and a writer that died leaves only a segment
 * whose tail nobody summarised):
 *
 *   spans-<N>.ndjson  one SpanRecord per line, as received (append only)
 *   spans-<N>.sum     binary partial trace summaries (span-store-summary.ts):
 *                     per flush, one record per trace touched since the last
 *                     flush, with the byte range of its spans in the segment
 *
 * A reader merges the partial summaries of a trace (count, errors, services,
 * earliest start, latest end, root) and reads in full only what no summary
 * covers yet (the segment's tail since the last flush), so listing 100,000
 * traces reads a few MB of fixed-size records and parses no span; one trace's
 * spans are read from the byte ranges its summaries name. Size is bounded:
 * the writer rotates segments and removes the oldest past a limit.
 */
export { SpanStoreWriter, type SpanStoreWriterOptions } from './span-store-writer.js';
export { listTraces, readTrace } from './span-store-reader.js';

/** An attribute value as OTLP's AnyValue carries it: bytes become base64, kvlists objects. */
export type AttributeValue = string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };
export type Attributes = Record<string, AttributeValue>;

export type SpanKindName = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';
export type SpanStatusCode = 'unset' | 'ok' | 'error';

/** A span event; an exception is one named `exception` with exception.type / .message / .stacktrace attributes. */
export interface SpanEvent {
  name: string;
  /** Epoch milliseconds (fraction to the microsecond). */
  timeMs: number;
  attributes: Attributes;
}

export interface SpanLink {
  traceId: string;
  spanId: string;
  attributes: Attributes;
}

/** One finished span, as stored (one JSON line of a segment). */
export interface SpanRecord {
  /** 32 lowercase hex digits. */
  traceId: string;
  /** 16 lowercase hex digits. */
  spanId: string;
  /** Absent on a root span. */
  parentSpanId?: string;
  /** The resource's service.name (`unknown_service` when none). */
  service: string;
  name: string;
  kind: SpanKindName;
  /** Epoch milliseconds (fraction to the microsecond). */
  startMs: number;
  durationMs: number;
  status: { code: SpanStatusCode; message?: string };
  attributes: Attributes;
  events: SpanEvent[];
  links?: SpanLink[];
  /** The resource's attributes (service.name, telemetry.sdk.*, ...). */
  resource: Attributes;
  /** The instrumentation scope. */
  scope?: { name: string; version?: string };
}

/** One trace, summed over its spans stored so far. */
export interface TraceSummary {
  traceId: string;
  /**
   * The span with no parent; while none is stored, the earliest span, with
   * parentOutside (its parent is a caller outside msx, or has not arrived).
   * Undefined only for spans stored before that stand-in was kept.
   */
  root?: { name: string; service: string; parentOutside?: true };
  /** Every service that wrote a span of the trace, sorted. */
  services: string[];
  /** Earliest span start, epoch milliseconds. */
  startMs: number;
  /** Latest span end minus earliest start. */
  durationMs: number;
  /** Spans with status error. */
  errorCount: number;
  spanCount: number;
}

export interface TraceQuery {
  /** Only traces a span of this service is in. */
  service?: string;
  /** Only traces that started at or after this (epoch ms). */
  sinceMs?: number;
  /** Only traces with an error span. */
  errors?: boolean;
  /** `recent` (latest start first, the default) or `slowest` (longest first). */
  order?: 'recent' | 'slowest';
  /** At most this many (default 20; 0 for all). */
  limit?: number;
}

export const SPAN_KIND_NAMES: readonly SpanKindName[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
