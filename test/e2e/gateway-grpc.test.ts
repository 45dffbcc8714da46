import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpanNode } from '../../src/logs/span-tree.js';
import type { ServiceStatus } from '../../src/runtimes/runtime.js';
import { makeTempDir, removeDir, runCli } from '../helpers/cli.js';
import { groupAlive } from '../helpers/process-groups.js';
import { freePort, npmInstall, waitForStatus } from '../helpers/processes.js';

// A route to a gRPC service on real processes: msx makes a generated gRPC `stock` and a gateway
// that routes /stock to it (its API copied into the gateway's proto/). `msx up` starts both, and
// JSON over HTTP through the gateway calls stock's real methods through the resilient gRPC
// client: answers in proto3 JSON, google.rpc field violations as a 400, a stream as an array, the
// composed /bff/overview reading stock's List stream, the
// trace edge → stock from both processes' spans, a stopped stock as a 503.

interface Stock {
  id: string;
  name: string;
  description: string;
  createdAt: string;
}

describe('msx new gateway: JSON over HTTP to a gRPC service, on real processes', () => {
  let root: string;
  let ws: string;
  const ports = { edge: 0, stock: 0 };
  const seenPids = new Set<number>();
  let base = '';

  beforeAll(async () => {
    root = makeTempDir();
    ws = join(root, 'shop');
    expect(runCli(['init', 'shop'], root).code).toBe(0);
    ports.stock = await freePort();
    ports.edge = await freePort();
    base = `http://127.0.0.1:${ports.edge}`;
    const made = [
      runCli(['new', 'service', 'stock', '--kind', 'grpc', '--context', 'warehouse', '--port', String(ports.stock)], ws),
      runCli(['new', 'gateway', 'edge', '--routes', 'stock', '--public', '--port', String(ports.edge)], ws),
    ];
    for (const result of made) expect(result.stderr).toBe('');
    for (const dir of [join(ws, 'contexts', 'warehouse', 'stock'), join(ws, 'contexts', 'edge', 'edge')]) npmInstall(dir);
  }, 600_000);

  afterAll(() => {
    if (ws) runCli(['down'], ws);
    for (const pid of seenPids) if (groupAlive(pid)) process.kill(-pid, 'SIGKILL');
    if (root) removeDir(root);
  });

  const statuses = (): ServiceStatus[] => {
    const services = JSON.parse(runCli(['ps', '--json'], ws).stdout).services as ServiceStatus[];
    for (const s of services) if (s.pid) seenPids.add(s.pid);
    return services;
  };
  const call = (method: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}/stock/${method}`, {
      method: 'POST',
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it('msx up starts stock, then the gateway, ready once stock answers its health check; it says when the gateway\'s API copy is older', () => {
    // stock's API edited after the gateway copied it (a comment: the methods stay the same).
    const own = join(ws, 'contexts', 'warehouse', 'stock', 'proto', 'stock.proto');
    writeFileSync(own, `${readFileSync(own, 'utf8')}// edited after the gateway's copy\n`);
    const up = runCli(['up', '--detach'], ws);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toContain(
      "msx edge serves stock's API as contexts/edge/edge/proto/stock.proto has it, not as contexts/warehouse/stock/proto/stock.proto does now: cp contexts/warehouse/stock/proto/stock.proto contexts/edge/edge/proto/stock.proto",
    );
    expect(up.stderr).toContain(`msx: entry point http://127.0.0.1:${ports.edge} (gateway edge)`);
    expect(statuses().map((s) => `${s.service} ${s.state}`)).toEqual(['stock ready', 'edge ready']);
  }, 300_000);

  it("calls stock's methods with JSON: create, get, the stream as an array; the trace is edge → stock", async () => {
    const traceId = randomBytes(16).toString('hex');
    const created = await call('CreateStock', { name: 'bolts', description: 'M6' }, { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` });
    expect(created.status, await created.clone().text()).toBe(200);
    const stock = (await created.json()) as Stock;
    expect(stock).toMatchObject({ name: 'bolts', description: 'M6', id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    // proto3 JSON names: created_at in the .proto is createdAt here.
    expect(Date.parse(stock.createdAt)).not.toBeNaN();

    const got = await call('GetStock', { id: stock.id });
    expect(await got.json()).toEqual(stock);
    const listed = (await (await call('ListStock')).json()) as Stock[];
    expect(listed.map((s) => s.id)).toContain(stock.id);
    // The composed route reads stock through its List method: the first page, as proto3 JSON.
    const overview = await fetch(`${base}/bff/overview`);
    expect(overview.status).toBe(200);
    expect(await overview.json()).toEqual({ partial: false, missing: [], stock: listed.slice(0, 5) });

    let spans: SpanNode[] = [];
    const depth = (nodes: SpanNode[]): number => (nodes.length === 0 ? 0 : 1 + Math.max(...nodes.map((n) => depth(n.children))));
    for (let i = 0; i < 60 && depth(spans) < 3; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const logs = runCli(['logs', '--trace-id', traceId, '--json'], ws);
      expect(logs.code, logs.stderr).toBe(0);
      spans = (JSON.parse(logs.stdout) as { spans?: SpanNode[] }).spans ?? [];
    }
    const names = (nodes: SpanNode[]) => nodes.map((node) => `${node.span.service} ${node.span.name}`);
    expect(names(spans)).toEqual(['edge POST /stock']);
    expect(names(spans[0].children)).toEqual(['edge stock.v1.StockService/CreateStock']);
    expect(names(spans[0].children[0].children)).toEqual(['stock stock.v1.StockService/CreateStock']);
  });

  it("answers stock's INVALID_ARGUMENT as a 400 with its field violations, and a body that does not fit as a 400 without calling", async () => {
    const invalid = await call('GetStock', { id: 'not-a-uuid' });
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await invalid.json()).toMatchObject({ grpcStatus: 'INVALID_ARGUMENT', upstream: 'stock', details: [{ type: 'BadRequest', fieldViolations: [{ field: 'id' }] }] });
    const missing = await call('GetStock', { id: '00000000-0000-4000-8000-000000000000' });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ grpcStatus: 'NOT_FOUND' });
    const unknownField = await call('CreateStock', { name: 'nuts', colour: 'red' });
    expect(unknownField.status).toBe(400);
    expect(((await unknownField.json()) as { detail: string }).detail).toBe('unknown field "colour" (fields of CreateStockRequest: name, description)');
    // The JSON mapping is checked, not coerced: a fraction is no int32, and stock never sees one.
    const fraction = await call('ListStock', { limit: 1.5 });
    expect(fraction.status).toBe(400);
    expect(((await fraction.json()) as { detail: string }).detail).toBe('field "limit" must be an int32 (a whole number from -2147483648 to 2147483647), not 1.5');
  });

  it('stock stopped: 503 from the gateway and not ready; started again: answered again', async () => {
    expect(runCli(['stop', 'stock'], ws).code).toBe(0);
    const down = await call('ListStock');
    expect(down.status).toBe(503);
    expect(((await down.json()) as { detail: string }).detail).toMatch(/^stock is unreachable/);
    expect((await fetch(`${base}/health/ready`)).status).toBe(503);
    expect(await (await fetch(`${base}/bff/overview`)).json()).toEqual({ partial: true, missing: ['stock'] });

    expect(runCli(['start', 'stock'], ws).code).toBe(0);
    await waitForStatus(`${base}/health/ready`);
    let status = 0;
    for (let i = 0; i < 40 && status !== 200; i += 1) {
      status = (await call('ListStock')).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(status).toBe(200);
  }, 120_000);

  it("msx up --watch: an edit of stock's API restarts stock and says the gateway's copy is older", { timeout: 180_000 }, async () => {
    expect(runCli(['down'], ws).code).toBe(0);
    const own = join(ws, 'contexts', 'warehouse', 'stock', 'proto', 'stock.proto');
    const copy = join(ws, 'contexts', 'edge', 'edge', 'proto', 'stock.proto');
    copyFileSync(own, copy);
    const log = join(ws, '.msx', 'supervisor.log');
    const logStart = existsSync(log) ? readFileSync(log, 'utf8').length : 0;
    const up = runCli(['up', '--detach', '--watch'], ws);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).not.toContain("serves stock's API");
    writeFileSync(own, `${readFileSync(own, 'utf8')}// edited while watching\n`);
    const note = "edge: serves stock's API as contexts/edge/edge/proto/stock.proto has it, not as contexts/warehouse/stock/proto/stock.proto does now";
    const written = () => (existsSync(log) ? readFileSync(log, 'utf8').slice(logStart) : '');
    for (let i = 0; i < 600 && !written().includes(note); i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(written()).toContain(note);
    expect(statuses().map((s) => `${s.service} ${s.state}`)).toEqual(['stock ready', 'edge ready']);
  });

  it('msx down leaves nothing running', () => {
    const pids = statuses().flatMap((s) => (s.pid ? [s.pid] : []));
    expect(runCli(['down'], ws).code).toBe(0);
    for (const pid of [...pids, ...seenPids]) expect(groupAlive(pid)).toBe(false);
  });
});
