import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runLogs } from '../../src/cli/logs-run.js';
import { renderTrace } from '../../src/output/render-trace.js';
import { traceLogs } from '../../src/services/logs.js';
import { ServiceLogFile } from '../../src/state/log-file.js';
import { toLogLine } from '../../src/state/log-record.js';
import { logsDir } from '../../src/state/paths.js';
import { SpanStoreWriter, type SpanRecord } from '../../src/state/span-store.js';
import { makeTempDir, removeDir } from '../helpers/cli.js';

const YAML = `version: 1
name: shop
services:
  orders: { kind: rest, context: ordering, path: contexts/ordering/orders, port: 42120 }
  stock: { kind: grpc, context: warehouse, path: contexts/warehouse/stock, port: 42121 }
`;
const TRACE = '4bf92f3577b34da6a3ce929b0e0e4736';
const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const SERVER = '00f067aa0ba902b7';
const CLIENT = '1111111111111111';
const STOCK = '2222222222222222';
// eslint-disable-next-line no-control-regex
const plain = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '');

const span = (spanId: string, service: string, name: string, startMs: number, durationMs: number, over: Partial<SpanRecord> = {}): SpanRecord => ({
  traceId: TRACE, spanId, service, name, kind: 'server', startMs, durationMs, status: { code: 'unset' }, attributes: {}, events: [], resource: { 'service.name': service }, ...over,
});

async function writeLogs(root: string, service: string, lines: Array<{ ms: number; msg: string; span?: string; level?: string }>): Promise<void> {
  const file = new ServiceLogFile(logsDir(root), service);
  for (const line of lines) {
    const fields = { level: line.level ?? 'info', time: new Date(T0 + line.ms).toISOString(), service, trace_id: TRACE, ...(line.span ? { span_id: line.span } : {}), msg: line.msg };
    file.write(toLogLine(service, 'stdout', JSON.stringify(fields), new Date(T0 + line.ms).toISOString()));
  }
  await file.close();
}

describe('msx logs --trace-id with stored spans', () => {
  let root: string;
  beforeEach(async () => {
    root = makeTempDir();
    writeFileSync(join(root, 'msx.yaml'), YAML);
    await writeLogs(root, 'orders', [{ ms: 1, msg: 'order received', span: SERVER }, { ms: 30, msg: 'order placed', span: SERVER }, { ms: 31, msg: 'no span here' }]);
    await writeLogs(root, 'stock', [{ ms: 12, msg: 'out of stock', span: STOCK, level: 'error' }]);
  });
  afterEach(() => removeDir(root));

  it('shows the span tree with the real durations, and each line under the span that wrote it', async () => {
    const writer = new SpanStoreWriter(root, { flushIntervalMs: 0 });
    writer.append([
      span(SERVER, 'orders', 'POST /orders', T0, 32.5, { attributes: { 'http.response.status_code': 201 } }),
      span(CLIENT, 'orders', 'stock.Stock/Reserve', T0 + 10, 4.25, { parentSpanId: SERVER, kind: 'client', status: { code: 'error', message: 'out of stock' } }),
    ]);
    writer.append([
      span(STOCK, 'stock', 'stock.Stock/Reserve', T0 + 11, 2, {
        parentSpanId: CLIENT,
        status: { code: 'error' },
        events: [{ name: 'exception', timeMs: T0 + 12, attributes: { 'exception.type': 'StockError', 'exception.message': 'none left' } }],
      }),
    ]);
    writer.close();

    const trace = await traceLogs({ cwd: root, services: [], filter: { traceId: TRACE } });
    expect(trace.spans?.map((node) => node.span.spanId)).toEqual([SERVER]);
    expect(trace.spans?.[0].children[0].children[0].span.spanId).toBe(STOCK);

    const text = plain(renderTrace(trace)).split('\n');
    expect(text[0]).toBe(`trace ${TRACE}  3 spans, 2 services, 32.5 ms, 2 errors`);
    expect(text.slice(2, 10).map((line) => line.replace(/ +/g, ' '))).toEqual([
      'orders POST /orders 00f067aa +0.00 ms 32.5 ms 201',
      expect.stringMatching(/^│ orders +\| .*order received/),
      expect.stringMatching(/^│ orders +\| .*order placed/),
      '└─ orders stock.Stock/Reserve 11111111 +10.0 ms 4.3 ms error: out of stock ✗',
      ' └─ stock stock.Stock/Reserve 22222222 +11.0 ms 2.0 ms error ✗',
      ' exception StockError: none left',
      expect.stringMatching(/^ stock +\| .*out of stock/),
      '',
    ]);
    expect(text[10]).toBe('lines outside the stored spans:');
    expect(text[11]).toMatch(/^orders +\| .*no span here/);

    const cwd = vi.spyOn(process, 'cwd').mockReturnValue(root);
    const json = await runLogs({ 'trace-id': TRACE }, [], { json: true, log: () => undefined }).finally(() => cwd.mockRestore());
    expect(json?.spans?.[0]).toMatchObject({ span: { spanId: SERVER, durationMs: 32.5 }, lines: [0, 2] });
    expect(json?.lines.map((line) => (line.line as { msg: string }).msg)).toEqual(['order received', 'out of stock', 'order placed', 'no span here']);
  });

  it('falls back to the hop tree from the log lines when no span was stored', async () => {
    const trace = await traceLogs({ cwd: root, services: [], filter: { traceId: TRACE } });
    expect(trace.spans).toBeUndefined();
    expect(plain(renderTrace(trace)).split('\n')[0]).toMatch(/^trace 4bf92f3577b34da6a3ce929b0e0e4736 {2}\d+ hops, 2 services/);
  });
});
