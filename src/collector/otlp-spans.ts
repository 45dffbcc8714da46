import type { AttributeValue, Attributes, SpanKindName, SpanRecord, SpanStatusCode } from '../state/span-store.js';

/**
 * An ExportTraceServiceRequest → the spans to store. Takes both encodings:
 * OTLP/JSON (ids as hex strings, times as decimal strings or numbers, enums
 * as numbers or names) and what protobufjs decodes from OTLP/protobuf (ids as
 * bytes, times as Long). A span without valid ids is rejected, not stored.
 */
export interface ConvertedSpans {
  spans: SpanRecord[];
  rejected: number;
  /** Why the first rejected span was, for the partial-success answer. */
  reason?: string;
}

type Message = Record<string, unknown>;

/** A Long as protobufjs decodes a (fixed)64-bit field. */
interface LongLike {
  low: number;
  high: number;
  unsigned: boolean;
}

const KINDS: readonly SpanKindName[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUS: readonly SpanStatusCode[] = ['unset', 'ok', 'error'];
const HEX = /^[0-9a-f]*$/;

export class OtlpShapeError extends Error {}

export function spansOfRequest(request: unknown): ConvertedSpans {
  if (!isMessage(request)) throw new OtlpShapeError('the body is not an ExportTraceServiceRequest object');
  const out: ConvertedSpans = { spans: [], rejected: 0 };
  for (const resourceSpans of list(request.resourceSpans, 'resourceSpans')) {
    const resource = attributes(isMessage(resourceSpans.resource) ? resourceSpans.resource.attributes : undefined);
    const service = typeof resource['service.name'] === 'string' && resource['service.name'] !== '' ? resource['service.name'] : 'unknown_service';
    for (const scopeSpans of list(resourceSpans.scopeSpans, 'scopeSpans')) {
      const scope = scopeOf(scopeSpans.scope);
      for (const span of list(scopeSpans.spans, 'spans')) {
        const record = toSpanRecord(span, service, resource, scope);
        if (typeof record === 'string') {
          out.rejected += 1;
          out.reason ??= record;
        } else out.spans.push(record);
      }
    }
  }
  return out;
}

/** The record, or why the span cannot be stored. */
function toSpanRecord(span: Message, service: string, resource: Attributes, scope: SpanRecord['scope']): SpanRecord | string {
  const traceId = idOf(span.traceId);
  const spanId = idOf(span.spanId);
  if (traceId?.length !== 32 || /^0+$/.test(traceId)) return `a span has an invalid traceId (${String(traceId ?? 'none')})`;
  if (spanId?.length !== 16 || /^0+$/.test(spanId)) return `a span has an invalid spanId (${String(spanId ?? 'none')})`;
  const start = nanos(span.startTimeUnixNano);
  const end = nanos(span.endTimeUnixNano);
  const record: SpanRecord = {
    traceId,
    spanId,
    service,
    name: typeof span.name === 'string' ? span.name : '',
    kind: enumName(span.kind, KINDS, 'SPAN_KIND_'),
    startMs: start[0] + start[1] / 1e6,
    durationMs: Math.max(0, end[0] - start[0] + (end[1] - start[1]) / 1e6),
    status: statusOf(span.status),
    attributes: attributes(span.attributes),
    events: list(span.events, 'events').map((event) => ({
      name: typeof event.name === 'string' ? event.name : '',
      timeMs: msOf(event.timeUnixNano),
      attributes: attributes(event.attributes),
    })),
    resource,
  };
  const parent = idOf(span.parentSpanId);
  if (parent && parent.length === 16 && !/^0+$/.test(parent)) record.parentSpanId = parent;
  const links = list(span.links, 'links').flatMap((link) => {
    const linkTrace = idOf(link.traceId);
    const linkSpan = idOf(link.spanId);
    return linkTrace && linkSpan ? [{ traceId: linkTrace, spanId: linkSpan, attributes: attributes(link.attributes) }] : [];
  });
  if (links.length > 0) record.links = links;
  if (scope) record.scope = scope;
  return record;
}

function statusOf(status: unknown): SpanRecord['status'] {
  if (!isMessage(status)) return { code: 'unset' };
  const result: SpanRecord['status'] = { code: enumName(status.code, STATUS, 'STATUS_CODE_') };
  if (typeof status.message === 'string' && status.message !== '') result.message = status.message;
  return result;
}

function scopeOf(scope: unknown): SpanRecord['scope'] {
  if (!isMessage(scope) || typeof scope.name !== 'string' || scope.name === '') return undefined;
  return typeof scope.version === 'string' && scope.version !== '' ? { name: scope.name, version: scope.version } : { name: scope.name };
}

/** Bytes (protobuf) or hex (OTLP/JSON) → lowercase hex; undefined when empty or not an id. */
export function idOf(value: unknown): string | undefined {
  if (value instanceof Uint8Array) return value.length === 0 ? undefined : Buffer.from(value.buffer, value.byteOffset, value.length).toString('hex');
  if (typeof value !== 'string' || value === '') return undefined;
  const hex = value.toLowerCase();
  return HEX.test(hex) ? hex : undefined;
}

/** Nanoseconds since the epoch as [whole milliseconds, the nanoseconds past them], without losing a digit. */
export function nanos(value: unknown): [number, number] {
  if (typeof value === 'string' && /^\d+$/.test(value)) {
    return value.length > 6 ? [Number(value.slice(0, -6)), Number(value.slice(-6))] : [0, Number(value)];
  }
  if (typeof value === 'number' && Number.isFinite(value)) return [Math.floor(value / 1e6), value % 1e6];
  if (isLong(value)) {
    const big = (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0);
    return [Number(big / 1_000_000n), Number(big % 1_000_000n)];
  }
  return [0, 0];
}

function msOf(value: unknown): number {
  const [ms, ns] = nanos(value);
  return ms + ns / 1e6;
}

function enumName<T extends string>(value: unknown, names: readonly T[], prefix: string): T {
  if (typeof value === 'number') return names[value] ?? names[0];
  if (typeof value === 'string') {
    const name = value.startsWith(prefix) ? value.slice(prefix.length).toLowerCase() : value.toLowerCase();
    return (names as readonly string[]).includes(name) ? (name as T) : names[0];
  }
  return names[0];
}

export function attributes(values: unknown): Attributes {
  const result: Attributes = {};
  if (!Array.isArray(values)) return result;
  for (const entry of values) {
    if (isMessage(entry) && typeof entry.key === 'string') result[entry.key] = anyValue(entry.value);
  }
  return result;
}

/** OTLP's AnyValue: the one field set (own property in both encodings) → a JSON value. */
export function anyValue(value: unknown): AttributeValue {
  if (!isMessage(value)) return null;
  if (Object.hasOwn(value, 'stringValue')) return String(value.stringValue);
  if (Object.hasOwn(value, 'boolValue')) return value.boolValue === true;
  if (Object.hasOwn(value, 'intValue')) return integer(value.intValue);
  if (Object.hasOwn(value, 'doubleValue')) return Number(value.doubleValue);
  if (Object.hasOwn(value, 'arrayValue')) return isMessage(value.arrayValue) && Array.isArray(value.arrayValue.values) ? value.arrayValue.values.map(anyValue) : [];
  if (Object.hasOwn(value, 'kvlistValue')) return isMessage(value.kvlistValue) ? attributes(value.kvlistValue.values) : {};
  if (Object.hasOwn(value, 'bytesValue')) {
    const bytes = value.bytesValue;
    return bytes instanceof Uint8Array ? Buffer.from(bytes).toString('base64') : String(bytes);
  }
  return null;
}

/** An int64: a number when it is one exactly, else its decimal digits. */
function integer(value: unknown): number | string {
  if (typeof value === 'number') return value;
  if (isLong(value)) {
    const big = BigInt.asIntN(64, (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0));
    const unsignedBig = value.unsigned ? BigInt.asUintN(64, big) : big;
    return Number.isSafeInteger(Number(unsignedBig)) ? Number(unsignedBig) : unsignedBig.toString();
  }
  const parsed = Number(value);
  return typeof value === 'string' && Number.isSafeInteger(parsed) ? parsed : String(value);
}

export function list(value: unknown, what: string): Message[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new OtlpShapeError(`${what} is not a list`);
  return value.filter(isMessage);
}

export function isMessage(value: unknown): value is Message {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isLong(value: unknown): value is LongLike {
  return isMessage(value) && typeof value.low === 'number' && typeof value.high === 'number';
}
