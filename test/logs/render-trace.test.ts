import chalk from 'chalk';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTraceTree } from '../../src/logs/trace-tree.js';
import { renderLogEntry, renderTrace } from '../../src/output/render-trace.js';
import { entry, TRACE } from './fixtures.js';

const T0 = Date.parse('2026-11-26T06:39:15.000Z');
const line = (service: string, ms: number, span: string, parent: string, fields: Record<string, unknown> = {}) =>
  entry(service, T0 + ms, { level: 'info', time: new Date(T0 + ms).toISOString(), service, trace_id: TRACE, span_id: span, parent_span_id: parent, msg: 'x', ...fields });

describe('renderTrace', () => {
  beforeAll(() => {
    chalk.level = 0; // compare text, not colour codes
  });

  it('draws the hops as a tree with offset, duration and status, then every line', () => {
    // Completion lines come last and carry duration_ms: a hop began that long before its completion line.
    const lines = [
      line('orders', 0, '137a49870ecd47f4', '00f067aa0ba902b7'),
      line('stock', 5, '5fd2c0e1a6b14d3e', '137a49870ecd47f4', { grpc_code: 0, duration_ms: 3 }),
      line('billing', 7, 'aaaabbbbccccdddd', '5fd2c0e1a6b14d3e', { status: 500, duration_ms: 1, level: 'error' }),
      line('orders', 12, '137a49870ecd47f4', '00f067aa0ba902b7', { status: 201, duration_ms: 12 }),
      line('mailer', 19, '9b1e77aa03c24f51', '137a49870ecd47f4', { event: 'order.placed', outcome: 'ack', duration_ms: 5 }),
    ];
    const text = renderTrace({ traceId: TRACE, tree: buildTraceTree(lines), lines });
    const rows = text.split('\n');
    expect(rows[0]).toBe(`trace ${TRACE}  4 hops, 4 services, 19 ms, 1 error`);
    expect(rows.slice(2, 6).map((r) => r.replace(/ +/g, ' '))).toEqual([
      'orders 137a4987 +0 ms 12 ms 201',
      '├─ stock 5fd2c0e1 +2 ms 3 ms OK',
      '│ └─ billing aaaabbbb +6 ms 1 ms 500 ✗',
      '└─ mailer 9b1e77aa +14 ms 5 ms ack order.placed',
    ]);
    expect(rows[6]).toBe('');
    expect(rows.slice(7)).toHaveLength(5);
    expect(rows[7]).toMatch(/^orders +\| 06:39:15\.000 INFO +x /);
  });

  it('prints a stack trace under its line', () => {
    const text = renderLogEntry({ ...entry('payments', T0, { level: 'error', msg: 'payment failed' }), stack: ['Error: declined', '    at charge (a.ts:1:1)'] }, 8);
    expect(text.split('\n')).toEqual([expect.stringContaining('payment failed'), 'payments | Error: declined', 'payments |     at charge (a.ts:1:1)']);
  });
});
