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
