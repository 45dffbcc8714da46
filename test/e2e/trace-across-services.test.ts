import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TraceHop } from '../../src/logs/trace-tree.js';
import type { DemoResult } from '../../src/services/demo.js';
import { deleteBrokerObjects } from '../helpers/broker-objects.js';
import { makeTempDir, removeDir, runCli } from '../helpers/cli.js';

// The README's main job, end to end on the local runtime: `msx demo` makes
// orders (REST) → stock (gRPC) and mailer (RabbitMQ consumer of
// order.placed), brings them up, sends one request with a fresh trace id; then
// `msx logs --trace-id` finds that request in all three, in time order, as a
// tree of hops.


describe('one request followed across REST → gRPC → consumer (msx demo + msx logs)', () => {
  let root: string;
  let ws: string;
  let demo: DemoResult;

  beforeAll(() => {
    root = makeTempDir();
    ws = join(root, 'shop');
    const result = runCli(['demo', ws, '--json'], root);
    expect(result.code, result.stderr + result.stdout).toBe(0);
    demo = JSON.parse(result.stdout) as DemoResult;
  });

  afterAll(async () => {
    runCli(['down'], ws);
    await deleteBrokerObjects({ name: 'shop', root: ws }, join(ws, 'contexts', 'engagement', 'mailer'), { service: 'mailer', event: 'order.placed' });
    removeDir(root);
  });

  it('brings all three up and the request succeeds', () => {
    expect(demo.services.map((s) => [s.service, s.state])).toEqual([
      ['stock', 'ready'],
      ['orders', 'ready'],
      ['mailer', 'ready'],
    ]);
    expect(demo.request.status).toBe(201);
    expect(demo.tracedServices.sort()).toEqual(['mailer', 'orders', 'stock']);
  });

  it('msx logs --trace-id returns lines from all three in time order, and the hop tree', () => {
    const result = runCli(['logs', '--trace-id', demo.traceId, '--json'], ws);
    expect(result.code, result.stderr).toBe(0);
    const trace = JSON.parse(result.stdout) as { traceId: string; tree: TraceHop[]; lines: { time: string; service: string; line: unknown }[] };
    expect(new Set(trace.lines.map((l) => l.service))).toEqual(new Set(['orders', 'stock', 'mailer']));
    const times = trace.lines.map((l) => Date.parse(l.time));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    for (const line of trace.lines) expect(line.line).toMatchObject({ trace_id: demo.traceId });

    expect(trace.tree).toHaveLength(1);
    const [entry] = trace.tree;
    expect(entry.service).toBe('orders');
    expect(entry.children.map((hop) => hop.service).sort()).toEqual(['mailer', 'stock']);
    expect(entry.error).toBe(false);
  });

  it('renders the same trace for a person, and a traceparent is accepted as the id', () => {
    const result = runCli(['logs', '--trace-id', `00-${demo.traceId}-0123456789abcdef-01`], ws);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`trace ${demo.traceId}`));
    // stock and mailer are nodes under orders: straight under it in the hop tree (from the log
    // lines), or under orders' client and producer spans once the spans have reached the collector
    // (its batch goes after 1 s), whichever this run renders.
    expect(result.stdout).toMatch(/^[│ ]*[├└]─ stock /m);
    expect(result.stdout).toMatch(/^[│ ]*[├└]─ mailer /m);
    expect(result.stdout).toMatch(/^orders /m);
  });
});
