import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpanNode } from '../../src/logs/span-tree.js';
import type { ServiceStatus } from '../../src/runtimes/runtime.js';
import { makeTempDir, removeDir, runCli } from '../helpers/cli.js';
import { stopAndReap } from '../helpers/local-workspace.js';
import { npmInstall } from '../helpers/processes.js';

// On real processes under `msx up` with msx's own collector: the gateway's own OpenTelemetry
// spans (a request through the gateway to orders, which calls stock, is one trace whose root
// is the gateway's server span, with a client span per hop between the services); and
// `msx token`, whose token a real generated service accepts on its internal routes.

const PORTS = { gateway: 42120, orders: 42121, stock: 42122 };

interface TraceListing {
  traceId: string;
  root?: { name: string; service: string };
  services: string[];
  durationMs: number;
  spanCount: number;
}

/** A span tree as "service kind name" lines, indented by depth: what the assertions read. */
function outline(nodes: readonly SpanNode[], depth = 0): string[] {
  return nodes.flatMap((node) => [`${'  '.repeat(depth)}${node.span.service} ${node.span.kind} ${node.span.name}`, ...outline(node.children, depth + 1)]);
}

describe('the gateway records spans of its own: gateway → orders → stock, in msx traces and msx logs --trace-id', () => {
  let root: string;
  let ws: string;
  const seenPids = new Set<number>();

  beforeAll(() => {
    root = makeTempDir();
    ws = join(root, 'shop');
    expect(runCli(['init', 'shop'], root).code).toBe(0);
    const made = [
      runCli(['new', 'service', 'stock', '--kind', 'rest', '--context', 'warehouse', '--port', String(PORTS.stock)], ws),
      runCli(['new', 'service', 'orders', '--kind', 'rest', '--context', 'ordering', '--port', String(PORTS.orders), '--depends-on', 'stock'], ws),
      runCli(['new', 'gateway', 'edge', '--routes', 'orders,stock', '--port', String(PORTS.gateway), '--public'], ws),
    ];
    for (const result of made) expect(result.stderr).toBe('');
    for (const dir of ['warehouse/stock', 'ordering/orders', 'edge/edge']) npmInstall(join(ws, 'contexts', dir));
    const up = runCli(['up', '--detach'], ws);
    expect(up.code, up.stderr).toBe(0);
    for (const s of JSON.parse(runCli(['ps', '--json'], ws).stdout).services as ServiceStatus[]) if (s.pid) seenPids.add(s.pid);
  }, 600_000);

  afterAll(() => {
    if (ws) stopAndReap(ws, seenPids);
    if (root) removeDir(root);
  });

  it('one trace rooted at the gateway server span, a client span per call, real durations', async () => {
    // When a client with no trace of its own calls the gateway
    const response = await fetch(`http://127.0.0.1:${PORTS.gateway}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'spanned order' }),
    });
    expect(response.status, await response.clone().text()).toBe(201);
    // Then the gateway started the trace, and told the client its span
    const [, traceId, gatewaySpanId] = String(response.headers.get('traceparent')).split('-');

    // Spans arrive in the collector by the services' batch processors (5 s by default).
    let spans: SpanNode[] = [];
    for (let i = 0; i < 60 && outline(spans).length < 5; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const logs = runCli(['logs', '--trace-id', traceId, '--json'], ws);
      expect(logs.code, logs.stderr).toBe(0);
      spans = (JSON.parse(logs.stdout) as { spans?: SpanNode[] }).spans ?? [];
    }
    expect(outline(spans)).toEqual([
      'edge server POST /orders',
      '  edge client POST',
      '    orders server POST /orders',
      '      orders client GET',
      '        stock server GET /stock',
    ]);
    const [gateway] = spans;
    expect(gateway.span.spanId).toBe(gatewaySpanId);
    expect(gateway.span.parentSpanId).toBeUndefined();
    expect(gateway.span.attributes).toMatchObject({ 'http.route': '/orders', 'http.response.status_code': 201 });
    // The gateway's access line is under its server span.
    expect(gateway.lines.length).toBeGreaterThan(0);
    // Real durations: each span lasts; within the gateway, the call ends before its request does.
    const call = gateway.children[0];
    const orders = call.children[0];
    expect(orders.span.durationMs).toBeGreaterThan(0);
    expect(call.span.durationMs).toBeGreaterThan(0);
    expect(call.span.startMs).toBeGreaterThanOrEqual(gateway.span.startMs);
    expect(call.span.startMs + call.span.durationMs).toBeLessThanOrEqual(gateway.span.startMs + gateway.span.durationMs);

    // And msx traces lists it with the gateway at the root
    const listed = runCli(['traces', '--service', 'edge', '--json'], ws);
    expect(listed.code, listed.stderr).toBe(0);
    const trace = (JSON.parse(listed.stdout) as { traces: TraceListing[] }).traces.find((t) => t.traceId === traceId);
    expect(trace).toMatchObject({ root: { service: 'edge', name: 'POST /orders' }, services: ['edge', 'orders', 'stock'], spanCount: 5 });
    // The listing sums from binary summaries (float32 times): equal to within a microsecond.
    expect(trace!.durationMs).toBeGreaterThanOrEqual(gateway.span.durationMs - 0.001);

    // And the human tree shows it at the root
    const human = runCli(['logs', '--trace-id', traceId], ws);
    expect(human.stdout).toMatch(new RegExp(`trace ${traceId}  5 spans, 3 services`));
    expect(human.stdout.split('\n').find((line) => /POST \/orders/.test(line))).toMatch(/^\S*edge POST \/orders/);
  }, 60_000);

  it('msx token SERVICE: the service accepts it on its internal routes; not another audience, not once expired', async () => {
    const orders = `http://127.0.0.1:${PORTS.orders}/orders`;
    const minted = runCli(['token', 'orders'], ws);
    expect(minted.code, minted.stderr).toBe(0);
    const token = minted.stdout.trim();
    expect(token.split('.')).toHaveLength(3);
    expect((await fetch(orders, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    // Without it, or with one for stock: refused.
    expect((await fetch(orders)).status).toBe(401);
    const forStock = runCli(['token', 'stock', '--json'], ws);
    expect(JSON.parse(forStock.stdout)).toMatchObject({ service: 'stock', subject: 'msx-token', issuer: 'shop' });
    expect((await fetch(orders, { headers: { authorization: `Bearer ${JSON.parse(forStock.stdout).token}` } })).status).toBe(401);

    // A token that has expired (past the services' 5 s of clock tolerance) is refused.
    const short = runCli(['token', 'orders', '--ttl', '1s'], ws).stdout.trim();
    expect((await fetch(orders, { headers: { authorization: `Bearer ${short}` } })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 7_500));
    const late = await fetch(orders, { headers: { authorization: `Bearer ${short}` } });
    expect(late.status).toBe(401);
    expect(JSON.stringify(await late.json())).toMatch(/expired/);
  }, 60_000);

  it('msx token: an unknown service, or a workspace no msx up has made a key for, is one line and exit 3', () => {
    const unknown = runCli(['token', 'ghost'], ws);
    expect(unknown.code).toBe(3);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toMatch(/^error: unknown service "ghost" \(known: stock, orders, edge\)\n  next: /);

    const fresh = join(root, 'fresh');
    expect(runCli(['init', 'fresh'], root).code).toBe(0);
    expect(runCli(['new', 'service', 'alpha', '--kind', 'rest', '--context', 'core', '--port', String(PORTS.stock + 1)], fresh).code).toBe(0);
    const noKey = runCli(['token', 'alpha'], fresh);
    expect(noKey.code).toBe(3);
    expect(noKey.stderr).toBe('error: no service key yet: .msx/service-auth-key.json is made by the first `msx up`\n  next: run `msx up`, then `msx token` again\n');
    expect(runCli(['token', 'alpha', '--ttl', '2d'], fresh).stderr).toMatch(/^error: --ttl "2d" must be between 1s and 24h\n/);
  });
});
