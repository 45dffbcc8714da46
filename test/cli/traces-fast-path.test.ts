import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpanStoreWriter, type SpanRecord } from '../../src/state/span-store.js';
import { makeTempDir, removeDir, runCli } from '../helpers/cli.js';

// `msx traces` run by bin/run.js on the fast path and, with MSX_NO_FAST_PATH, by oclif:
// the same stdout, stderr and exit code for plain invocations, odd ones and errors alike.
const YAML = `version: 1
name: shop
services:
  orders: { kind: rest, context: ordering, path: contexts/ordering/orders, port: 42110 }
  stock: { kind: grpc, context: warehouse, path: contexts/warehouse/stock, port: 42111 }
`;

const span = (trace: number, service: string, startMs: number, durationMs: number, over: Partial<SpanRecord> = {}): SpanRecord => ({
  traceId: trace.toString(16).padStart(32, '0'),
  spanId: `${service === 'orders' ? 'a' : 'b'}${trace}`.padStart(16, '0'),
  service,
  name: service === 'orders' ? 'GET /orders' : 'Reserve',
  kind: 'server',
  startMs,
  durationMs,
  status: { code: 'unset' },
  attributes: {},
  events: [],
  resource: { 'service.name': service },
  ...over,
});

describe('msx traces: fast path and oclif agree (bin/run.js)', () => {
  let ws: string;
  beforeAll(() => {
    ws = makeTempDir();
    writeFileSync(join(ws, 'msx.yaml'), YAML);
    const now = Date.now();
    const writer = new SpanStoreWriter(ws, { flushIntervalMs: 0 });
    for (let trace = 1; trace <= 30; trace++) {
      const start = now - 60_000 + trace * 1000;
      const parent = trace % 5 === 0 ? { parentSpanId: 'f'.repeat(16) } : {};
      writer.append([span(trace, 'orders', start, trace % 7, parent), span(trace, 'stock', start + 0.5, 1, { parentSpanId: `a${trace}`.padStart(16, '0'), status: { code: trace % 4 === 0 ? 'error' : 'unset' } })]);
    }
    writer.close();
  });
  afterAll(() => removeDir(ws));

  it.each([
    [[]],
    [['--json']],
    [['--slowest', '--limit', '3']],
    [['--errors', '--service=stock', '--json']],
    [['--since', '30s', '--limit=2', '--json']],
    [['--service', 'ghost']],
    [['--service', 'ghost', '--json']],
    [['--since', 'yesterday']],
    [['--limit', '0']],
    [['--limit', 'x']],
    [['--limit', '05']],
    [['--bogus']],
    [['extra']],
    [['--help']],
  ])('msx traces %j', (args) => {
    const fast = runCli(['traces', ...args], ws);
    const oclif = runCli(['traces', ...args], ws, { MSX_NO_FAST_PATH: '1' });
    expect({ code: fast.code, stdout: fast.stdout, stderr: fast.stderr }).toEqual({ code: oclif.code, stdout: oclif.stdout, stderr: oclif.stderr });
  });

  it('names the entry span as root when its parent is a caller outside msx', () => {
    const result = runCli(['traces', '--limit', '30'], ws);
    expect(result.code).toBe(0);
    const row = result.stdout.split('\n').find((line) => line.startsWith((30).toString(16).padStart(32, '0')));
    expect(row?.replace(/\s+/g, ' ')).toMatch(/orders GET \/orders \(parent not stored\)/);
  });
});
