import { randomBytes } from 'node:crypto';
import type { SpanRecord } from '../../src/state/span-store.js';

export const hexId = (bytes: number) => randomBytes(bytes).toString('hex');

/** A span as the collector stores it, with what a test does not care about filled in. */
export function span(fields: Pick<SpanRecord, 'traceId' | 'spanId' | 'service' | 'name' | 'startMs' | 'durationMs'> & Partial<SpanRecord>): SpanRecord {
  return { kind: 'internal', status: { code: 'unset' }, attributes: {}, events: [], resource: { 'service.name': fields.service }, ...fields };
}

/** A wide, deep trace of `count` spans over three services (each span has three children), about 600 ms long. */
export function bigTrace(traceId: string, count: number, start = Date.now() - 5_000): SpanRecord[] {
  const id = (i: number) => (i + 1).toString(16).padStart(16, '0');
  const services = ['orders', 'stock', 'mailer'];
  return Array.from({ length: count }, (_, i) =>
    span({
      traceId,
      spanId: id(i),
      parentSpanId: i === 0 ? undefined : id(Math.floor((i - 1) / 3)),
      service: services[i % 3],
      name: i === 0 ? 'GET /orders' : `SELECT stock ${i}`,
      kind: i === 0 ? 'server' : 'client',
      startMs: start + i * 0.5,
      durationMs: Math.max(1, 600 - i * 0.55),
      status: { code: i % 97 === 5 ? 'error' : 'unset' },
      attributes: { 'db.statement': `SELECT * FROM stock WHERE id = ${i}`, 'db.system': 'postgresql' },
    }),
  );
}

const KIND_NUMBERS: Record<string, number> = { unspecified: 0, internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };
const STATUS_NUMBERS: Record<string, number> = { unset: 0, ok: 1, error: 2 };
const nanos = (ms: number) => (BigInt(Math.round(ms * 1000)) * 1000n).toString();
const anyValue = (value: unknown) => (typeof value === 'number' ? (Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value }) : { stringValue: String(value) });

/** An OTLP/JSON ExportTraceServiceRequest of these spans, one resource per service: what an OTel exporter posts to /v1/traces. */
export function otlpJson(spans: SpanRecord[]): unknown {
  const byService = new Map<string, SpanRecord[]>();
  for (const s of spans) byService.set(s.service, [...(byService.get(s.service) ?? []), s]);
  return {
    resourceSpans: [...byService].map(([service, list]) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [{
        scope: { name: 'msx-dashboard-test' },
        spans: list.map((s) => ({
          traceId: s.traceId,
          spanId: s.spanId,
          ...(s.parentSpanId && { parentSpanId: s.parentSpanId }),
          name: s.name,
          kind: KIND_NUMBERS[s.kind],
          startTimeUnixNano: nanos(s.startMs),
          endTimeUnixNano: nanos(s.startMs + s.durationMs),
          attributes: Object.entries(s.attributes).map(([key, value]) => ({ key, value: anyValue(value) })),
          status: { code: STATUS_NUMBERS[s.status.code], ...(s.status.message && { message: s.status.message }) },
        })),
      }],
    })),
  };
}
