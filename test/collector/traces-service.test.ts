import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recentTraces } from '../../src/services/traces.js';
import { SpanStoreWriter, type SpanRecord } from '../../src/state/span-store.js';
import { makeTempDir, removeDir } from '../helpers/cli.js';

const YAML = `version: 1
name: shop
services:
  orders: { kind: rest, context: ordering, path: contexts/ordering/orders, port: 42110 }
  stock: { kind: grpc, context: warehouse, path: contexts/warehouse/stock, port: 42111 }
`;

const span = (trace: string, service: string, startMs: number, durationMs: number, error = false, parentSpanId?: string): SpanRecord => ({
  traceId: trace.padStart(32, '0'),
  spanId: `${service === 'orders' ? 'a' : 'b'}${trace}`.padStart(16, '0'),
  ...(parentSpanId ? { parentSpanId } : {}),
  service,
  name: service === 'orders' ? 'GET /orders' : 'Reserve',
  kind: 'server',
  startMs,
  durationMs,
  status: { code: error ? 'error' : 'unset' },
  attributes: {},
  events: [],
  resource: { 'service.name': service },
});

describe('recentTraces (the service behind msx traces), on a real span store', () => {
  let root: string;
  beforeEach(() => {
    root = makeTempDir();
    writeFileSync(join(root, 'msx.yaml'), YAML);
  });
  afterEach(() => removeDir(root));

  it('reads .msx/spans with no collector running: filters, order, since as a duration or a time', async () => {
    expect(await recentTraces({ cwd: root })).toEqual({ traces: [], stored: false });
    const now = Date.now();
    const writer = new SpanStoreWriter(root, { flushIntervalMs: 0 });
    writer.append([span('1', 'orders', now - 600_000, 50)]);
    writer.append([span('2', 'orders', now - 60_000, 5), span('2', 'stock', now - 59_999, 3, true, 'a2'.padStart(16, '0'))]);
    writer.append([span('3', 'orders', now - 1_000, 20)]);
    writer.close();

    const ids = async (options: Parameters<typeof recentTraces>[0]) => (await recentTraces(options)).traces.map((t) => Number.parseInt(t.traceId, 16));
    expect(await ids({ cwd: root })).toEqual([3, 2, 1]);
    expect(await ids({ cwd: root, slowest: true, limit: 2 })).toEqual([1, 3]);
    expect(await ids({ cwd: root, errors: true })).toEqual([2]);
    expect(await ids({ cwd: root, service: 'stock' })).toEqual([2]);
    expect(await ids({ cwd: root, since: '5m' })).toEqual([3, 2]);
    expect(await ids({ cwd: root, since: new Date(now - 30_000).toISOString() })).toEqual([3]);
    expect(await recentTraces({ cwd: root, errors: true, service: 'orders', since: '1s' })).toEqual({ traces: [], stored: true });
  });

  it('refuses a service msx.yaml does not name, a bad --since and a bad limit, in one line each', async () => {
    await expect(recentTraces({ cwd: root, service: 'ghost' })).rejects.toThrow('unknown service "ghost" (known: orders, stock)');
    await expect(recentTraces({ cwd: root, since: 'yesterday' })).rejects.toThrow('--since "yesterday" is not a duration or a time');
    await expect(recentTraces({ cwd: root, limit: 0 })).rejects.toThrow('--limit 0 must be a whole number of traces, 1 or more');
  });
});
