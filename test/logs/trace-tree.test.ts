import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src/logs/log-entry.js';
import { buildTraceTree, type TraceHop } from '../../src/logs/trace-tree.js';
import { entry, TRACE } from './fixtures.js';

const T0 = Date.parse('2026-11-26T06:39:15.000Z');
const INCOMING = '00f067aa0ba902b7'; // the span id of the traceparent curl sent
const SPANS = { orders: '137a49870ecd47f4', stock: '5fd2c0e1a6b14d3e', mailer: '9b1e77aa03c24f51', billing: 'c0ffee00c0ffee00' };

const line = (service: string, ms: number, span: string, parent: string | undefined, fields: Record<string, unknown> = {}): LogEntry =>
  entry(service, T0 + ms, { level: 'info', service, trace_id: TRACE, span_id: span, ...(parent ? { parent_span_id: parent } : {}), msg: 'x', ...fields });

/** Only what the tests compare: the shape of the tree and each hop's facts. */
const shape = (hops: TraceHop[]): unknown[] =>
  hops.map((h) => ({ service: h.service, durationMs: h.durationMs, status: h.status, error: h.error, lines: h.lines, children: shape(h.children) }));

describe('buildTraceTree', () => {
  it('REST → gRPC and REST → consumer: one hop per span, under its caller', () => {
    const tree = buildTraceTree([
      line('orders', 0, SPANS.orders, INCOMING, { method: 'POST', url: '/orders' }),
      line('stock', 2, SPANS.stock, SPANS.orders, { rpc: 'stock.Stock/Reserve' }),
      line('stock', 5, SPANS.stock, SPANS.orders, { grpc_code: 0, duration_ms: 3 }),
      line('orders', 12, SPANS.orders, INCOMING, { status: 201, duration_ms: 12 }),
      line('mailer', 14, SPANS.mailer, SPANS.orders, { event: 'order.placed' }),
      line('mailer', 19, SPANS.mailer, SPANS.orders, { event: 'order.placed', outcome: 'ack' }),
    ]);
    expect(shape(tree)).toEqual([
      {
        service: 'orders', durationMs: 12, status: '201', error: false, lines: 2,
        children: [
          { service: 'stock', durationMs: 3, status: 'OK', error: false, lines: 2, children: [] },
          { service: 'mailer', durationMs: 5, status: 'ack', error: false, lines: 2, children: [] },
        ],
      },
    ]);
    expect(tree[0]).toMatchObject({ spanId: SPANS.orders, parentSpanId: INCOMING, start: new Date(T0).toISOString() });
    expect(tree[0].children[1].event).toBe('order.placed');
  });

  it('flags errors: error-level lines, 5xx, server-side gRPC codes, failed outcomes (not 4xx or NOT_FOUND)', () => {
    const tree = buildTraceTree([
      line('orders', 0, SPANS.orders, undefined, { status: 502 }),
      line('stock', 1, SPANS.stock, SPANS.orders, { grpc_code: 14 }),
      line('billing', 2, SPANS.billing, SPANS.orders, { grpc_code: 5 }),
      line('mailer', 3, SPANS.mailer, SPANS.orders, { level: 'error', msg: 'smtp down' }),
    ]);
    const [orders] = tree;
    expect(orders).toMatchObject({ status: '502', error: true });
    expect(orders.children.map((h) => [h.service, h.status, h.error])).toEqual([
      ['stock', 'UNAVAILABLE', true],
      ['billing', 'NOT_FOUND', false],
      ['mailer', 'error', true],
    ]);
    const consumer = buildTraceTree([line('mailer', 0, SPANS.mailer, undefined, { outcome: 'dead-lettered' })]);
    expect(consumer[0]).toMatchObject({ status: 'dead-lettered', error: true });
    const client = buildTraceTree([line('orders', 0, SPANS.orders, undefined, { status: 404 })]);
    expect(client[0]).toMatchObject({ status: '404', error: false });
  });

  it('without duration_ms, a hop lasts from its first line to its last', () => {
    const tree = buildTraceTree([line('mailer', 10, SPANS.mailer, undefined), line('mailer', 17, SPANS.mailer, undefined)]);
    expect(tree[0].durationMs).toBe(7);
  });

  it('a hop whose caller logged nothing is a root; roots and children come in start order', () => {
    const tree = buildTraceTree([
      line('mailer', 5, SPANS.mailer, 'feedfacefeedface'),
      line('orders', 0, SPANS.orders, INCOMING),
      line('stock', 3, SPANS.stock, SPANS.orders),
    ]);
    expect(tree.map((h) => h.service)).toEqual(['orders', 'mailer']);
    expect(tree[0].children.map((h) => h.service)).toEqual(['stock']);
  });

  it('lines without a span id make one hop per service, and a parent loop in bad data does not hang', () => {
    const noSpan = buildTraceTree([entry('legacy', T0, { trace_id: TRACE, msg: 'a' }), entry('legacy', T0 + 4, { trace_id: TRACE, msg: 'b' })]);
    expect(noSpan).toHaveLength(1);
    expect(noSpan[0]).toMatchObject({ service: 'legacy', lines: 2, durationMs: 4 });
    expect(noSpan[0].spanId).toBeUndefined();
    const loop = buildTraceTree([line('a', 0, SPANS.orders, SPANS.stock), line('b', 1, SPANS.stock, SPANS.orders)]);
    expect(loop.map((h) => h.service)).toEqual(['b']);
    expect(loop[0].children.map((h) => h.service)).toEqual(['a']);
  });
});
