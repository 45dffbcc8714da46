import { execFileSync, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gatewayEnv } from '../../src/models/gateway-routes.js';
import { parseWorkspace } from '../../src/models/load-workspace.js';
import { dependencyOrder } from '../../src/models/graph.js';
import { serviceEnv } from '../../src/models/wiring.js';
import { staleGrpcApis } from '../../src/models/grpc-apis.js';
import { noteStaleGrpcApis } from '../../src/runtimes/watch/grpc-api-notes.js';
import { newGateway } from '../../src/services/new-gateway.js';
import { newService } from '../../src/services/new-service.js';
import { initWorkspace } from '../../src/services/init-workspace.js';
import { makeTempDir, removeDir, snapshotDir } from '../helpers/cli.js';
import { packageJsonOf, render, service } from './service-matrix.js';

describe('the gateway kind, rendered', () => {
  it('is a fastify gateway with the platform partials and its own collaborators, README and tests', async () => {
    const tree = await render(service({ name: 'edge', kind: 'gateway' }), 'contexts/edge/edge');
    const files = tree.entries().map((e) => e.path.replace('contexts/edge/edge/', ''));
    for (const file of ['src/main.ts', 'src/app.ts', 'src/auth/verify-token.ts', 'src/proxy/proxy-routes.ts', 'src/proxy/grpc-routes.ts', 'src/platform/grpc-client.ts', 'proto/README.md', 'test/grpc-routes.test.ts', 'test/fixtures/inventory.proto', 'src/bff/overview-route.ts', 'src/platform/health.ts', 'src/platform/shutdown.ts', 'test/proxy.test.ts', 'test/auth.test.ts', 'Dockerfile']) {
      expect(files).toContain(file);
    }
    // Its collaborators are its upstreams, read at run time: no per-service client is generated.
    expect(files.filter((f) => f.startsWith('src/clients/'))).toEqual([]);
    expect(tree.read('contexts/edge/edge/src/collaborators.ts')).toMatch(/export function openUpstreams/);
    expect(tree.read('contexts/edge/edge/README.md')).toMatch(/^# edge\n\nThe `edge` API gateway of the `shop` workspace/);
    expect(tree.read('contexts/edge/edge/README.md')).toMatch(/\| `GATEWAY_ROUTES` \|/);
    expect(tree.read('contexts/edge/edge/src/service-config.ts')).toMatch(/port: 3000, serviceName: "edge"/);
  });

  it('pins the proxy, rate-limit, JWT and Redis packages exactly', async () => {
    const pkg = packageJsonOf(await render(service({ name: 'edge', kind: 'gateway' }), 'contexts/edge/edge'), 'contexts/edge/edge');
    expect(pkg.dependencies).toMatchObject({ fastify: '5.12.8', '@fastify/reply-from': '12.6.5', '@fastify/rate-limit': '11.2.0', jose: '6.2.18', ioredis: '5.9.2', cockatiel: '3.2.1' });
    for (const version of Object.values(pkg.dependencies)) expect(version).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('msx new gateway (service), against a real workspace folder', () => {
  let root: string | undefined;
  afterEach(() => root && removeDir(root));

  async function workspaceWithTwoServices() {
    root = makeTempDir();
    const { root: ws } = await initWorkspace({ dir: join(root, 'shop') });
    await newService({ cwd: ws, name: 'stock', kind: 'rest', context: 'warehouse', port: 42350 });
    await newService({ cwd: ws, name: 'orders', kind: 'rest', context: 'ordering', port: 42351, dependsOn: ['stock'] });
    return ws;
  }

  it('registers routes that the loader reads back as dependencies: started last, wired with each URL and GATEWAY_ROUTES', async () => {
    const ws = await workspaceWithTwoServices();
    await newGateway({ cwd: ws, name: 'edge', port: 42352, routes: ['orders', 'stock'], jwksUrl: 'https://issuer.example/jwks.json', audience: 'shop', redis: true });
    const workspace = parseWorkspace(readFileSync(join(ws, 'msx.yaml'), 'utf8'), ws);
    const edge = workspace.services.find((s) => s.name === 'edge')!;
    expect(edge).toMatchObject({ kind: 'gateway', context: 'edge', port: 42352, routes: [{ path: '/orders', service: 'orders' }, { path: '/stock', service: 'stock' }] });
    expect(edge.dependsOn).toEqual(['redis', 'orders', 'stock']);
    expect(dependencyOrder(workspace.services).map((s) => s.name)).toEqual(['stock', 'orders', 'edge']);

    const env = serviceEnv({ workspace, service: edge, environment: 'local', addressOf: (s) => ({ host: '127.0.0.1', port: s.port }), redisUrl: 'redis://127.0.0.1:6379' });
    expect(env).toMatchObject({ ORDERS_URL: 'http://127.0.0.1:42351', STOCK_URL: 'http://127.0.0.1:42350', REDIS_URL: 'redis://127.0.0.1:6379', AUTH_JWKS_URL: 'https://issuer.example/jwks.json', AUTH_AUDIENCE: 'shop' });
    expect(JSON.parse(env.GATEWAY_ROUTES)).toEqual([
      { path: '/orders', service: 'orders', protocol: 'http', urlEnv: 'ORDERS_URL', public: false },
      { path: '/stock', service: 'stock', protocol: 'http', urlEnv: 'STOCK_URL', public: false },
    ]);
  });

  it('reads --public-key from a pipe, as `--public-key <(...)` passes it', async () => {
    const ws = await workspaceWithTwoServices();
    const { publicKey } = generateKeyPairSync('ed25519');
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const fifo = join(root!, 'key.pipe');
    execFileSync('mkfifo', [fifo]);
    // The writer is another process: reading the pipe blocks this one until it opens.
    const writer = spawn('sh', ['-c', 'cat > "$1"', 'sh', fifo], { stdio: ['pipe', 'ignore', 'ignore'] });
    writer.stdin.end(pem);
    try {
      await newGateway({ cwd: ws, name: 'edge', port: 42352, routes: ['orders'], publicKeyFile: fifo });
    } finally {
      // A failure before the pipe was read leaves the writer waiting on it: not left behind.
      if (writer.exitCode === null) writer.kill('SIGKILL');
    }
    const edge = parseWorkspace(readFileSync(join(ws, 'msx.yaml'), 'utf8'), ws).services.find((s) => s.name === 'edge')!;
    expect(String(edge.config.AUTH_PUBLIC_KEY).trim()).toBe(pem.trim());
  });

  it('routes to a gRPC service: its API copied into the gateway, wired host:port, protocol grpc', async () => {
    const ws = await workspaceWithTwoServices();
    await newService({ cwd: ws, name: 'ledger', kind: 'grpc', context: 'billing', port: 42355 });
    const ledgerApi = join(ws, 'contexts/billing/ledger/proto/ledger.proto');
    // The service's own file, edits included, not the template's.
    writeFileSync(ledgerApi, `${readFileSync(ledgerApi, 'utf8')}\n// edited by hand\n`);
    await newGateway({ cwd: ws, name: 'edge', port: 42352, routes: ['orders', 'ledger'], public: true });
    expect(readFileSync(join(ws, 'contexts/edge/edge/proto/ledger.proto'), 'utf8')).toBe(readFileSync(ledgerApi, 'utf8'));
    const workspace = parseWorkspace(readFileSync(join(ws, 'msx.yaml'), 'utf8'), ws);
    const edge = workspace.services.find((s) => s.name === 'edge')!;
    const env = serviceEnv({ workspace, service: edge, environment: 'local', addressOf: (s) => ({ host: '127.0.0.1', port: s.port }) });
    expect(env.LEDGER_URL).toBe('127.0.0.1:42355');
    expect(JSON.parse(env.GATEWAY_ROUTES)).toEqual([
      { path: '/orders', service: 'orders', protocol: 'http', urlEnv: 'ORDERS_URL', public: true },
      { path: '/ledger', service: 'ledger', protocol: 'grpc', urlEnv: 'LEDGER_URL', public: true },
    ]);
  });

  it('tells a gateway whose copy of a gRPC API is missing or older than the service\'s own', async () => {
    const ws = await workspaceWithTwoServices();
    await newService({ cwd: ws, name: 'ledger', kind: 'grpc', context: 'billing', port: 42355 });
    await newGateway({ cwd: ws, name: 'edge', port: 42352, routes: ['orders', 'ledger'], public: true });
    const services = () => parseWorkspace(readFileSync(join(ws, 'msx.yaml'), 'utf8'), ws).services;
    expect(staleGrpcApis(ws, services())).toEqual([]);
    const own = join(ws, 'contexts/billing/ledger/proto/ledger.proto');
    writeFileSync(own, `${readFileSync(own, 'utf8')}\n// a new method would go here\n`);
    const stale = { gateway: 'edge', service: 'ledger', source: 'contexts/billing/ledger/proto/ledger.proto', copy: 'contexts/edge/edge/proto/ledger.proto' };
    expect(staleGrpcApis(ws, services())).toEqual([{ ...stale, problem: 'differs' }]);
    // What the watchers (local and docker) say after a save: only for an edit under the service's proto/.
    const notes: string[] = [];
    const events = { state: () => undefined, log: () => undefined, note: (service: string | undefined, message: string) => void notes.push(`${service}: ${message}`) };
    const ledger = services().find((s) => s.name === 'ledger')!;
    noteStaleGrpcApis({ root: ws, services: services() }, ledger, [join(ledger.dir, 'src', 'main.ts')], events);
    expect(notes).toEqual([]);
    noteStaleGrpcApis({ root: ws, services: services() }, ledger, [own], events);
    expect(notes).toEqual([`edge: serves ledger's API as ${stale.copy} has it, not as ${stale.source} does now: cp ${stale.source} ${stale.copy}`]);
    rmSync(join(ws, stale.copy));
    expect(staleGrpcApis(ws, services())).toEqual([{ ...stale, problem: 'missing' }]);
    // A gateway from before gRPC routes, its route to ledger added to msx.yaml by hand.
    rmSync(join(ws, 'contexts/edge/edge/src/proxy/grpc-routes.ts'));
    expect(staleGrpcApis(ws, services())).toEqual([{ ...stale, problem: 'unsupported' }]);
  });

  it('refuses a gRPC route whose service has lost its API file, and writes nothing', async () => {
    const ws = await workspaceWithTwoServices();
    await newService({ cwd: ws, name: 'ledger', kind: 'grpc', context: 'billing', port: 42355 });
    rmSync(join(ws, 'contexts/billing/ledger/proto/ledger.proto'));
    const before = snapshotDir(ws);
    await expect(newGateway({ cwd: ws, name: 'edge', routes: ['ledger'], public: true })).rejects.toThrow(
      'gRPC service "ledger" has no contexts/billing/ledger/proto/ledger.proto for gateway "edge" to route to',
    );
    expect(snapshotDir(ws)).toEqual(before);
  });

  it('msx new service --kind grpc --expose routes it and copies its API into the gateway; an older gateway is refused', async () => {
    const ws = await workspaceWithTwoServices();
    await newGateway({ cwd: ws, name: 'edge', port: 42352, routes: ['orders'], public: true });
    await newService({ cwd: ws, name: 'ledger', kind: 'grpc', context: 'billing', port: 42355, expose: true, publicRoute: true });
    expect(readFileSync(join(ws, 'contexts/edge/edge/proto/ledger.proto'), 'utf8')).toBe(readFileSync(join(ws, 'contexts/billing/ledger/proto/ledger.proto'), 'utf8'));
    expect(parseWorkspace(readFileSync(join(ws, 'msx.yaml'), 'utf8'), ws).services.find((s) => s.name === 'edge')!.routes).toContainEqual({ path: '/ledger', service: 'ledger', public: true });

    // A gateway from before gRPC routes has no gRPC client to call it with.
    rmSync(join(ws, 'contexts/edge/edge/src/proxy/grpc-routes.ts'));
    const before = snapshotDir(ws);
    await expect(newService({ cwd: ws, name: 'payments', kind: 'grpc', context: 'billing', port: 42356, expose: true, publicRoute: true })).rejects.toThrow(
      '--expose: gateway "edge" was made by an older msx and cannot route to gRPC services',
    );
    expect(snapshotDir(ws)).toEqual(before);
  });

  it('refuses a route to an unknown service and writes nothing', async () => {
    const ws = await workspaceWithTwoServices();
    const before = snapshotDir(ws);
    await expect(newGateway({ cwd: ws, name: 'edge', routes: ['orders', 'ghost'], public: true })).rejects.toThrow(/--routes: unknown service "ghost"/);
    expect(snapshotDir(ws)).toEqual(before);
  });

  it('msx new service --expose adds /NAME to the only gateway', async () => {
    const ws = await workspaceWithTwoServices();
    await newGateway({ cwd: ws, name: 'edge', port: 42352, routes: ['orders'], public: true });
    // Given a gateway with no key, a route that needs a token is refused, and nothing written.
    const before = snapshotDir(ws);
    await expect(newService({ cwd: ws, name: 'billing', kind: 'rest', context: 'ordering', port: 42353, expose: true })).rejects.toThrow(/--expose: gateway "edge" has no key to check tokens with/);
    expect(snapshotDir(ws)).toEqual(before);
    // A public route is what such a gateway can take: --public-route.
    await newService({ cwd: ws, name: 'ledger', kind: 'rest', context: 'ordering', port: 42354, expose: true, publicRoute: true });
    expect(parseWorkspace(readFileSync(join(ws, 'msx.yaml'), 'utf8'), ws).services.find((s) => s.name === 'edge')!.routes).toContainEqual({ path: '/ledger', service: 'ledger', public: true });
    const yaml = join(ws, 'msx.yaml');
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('    routes:', '    config:\n      AUTH_JWKS_URL: https://issuer.example/jwks.json\n    routes:'));
    await newService({ cwd: ws, name: 'billing', kind: 'rest', context: 'ordering', port: 42353, expose: true });
    const edge = parseWorkspace(readFileSync(join(ws, 'msx.yaml'), 'utf8'), ws).services.find((s) => s.name === 'edge')!;
    expect(edge.routes).toEqual([{ path: '/orders', service: 'orders', public: true }, { path: '/ledger', service: 'ledger', public: true }, { path: '/billing', service: 'billing' }]);
    expect(edge.dependsOn).toEqual(['orders', 'ledger', 'billing']);
  });
});

describe('gateway routes in msx.yaml', () => {
  it('turns durations into milliseconds for the gateway', () => {
    const env = gatewayEnv({ routes: [{ path: '/a', service: 'a', public: true, timeout: '1.5s', rateLimit: { max: 10, window: '1m' }, scopes: ['read'] }] }, () => 'rest');
    expect(JSON.parse(env.GATEWAY_ROUTES)).toEqual([{ path: '/a', service: 'a', protocol: 'http', urlEnv: 'A_URL', public: true, timeoutMs: 1500, rateLimit: { max: 10, windowMs: 60_000 }, scopes: ['read'] }]);
  });

  it('names a cycle through a route as a dependsOn cycle', () => {
    const yaml = [
      'version: 1',
      'name: shop',
      'services:',
      '  a: { kind: rest, context: c, path: contexts/c/a, port: 3000, dependsOn: [edge] }',
      '  edge: { kind: gateway, context: c, path: contexts/c/edge, port: 3001, routes: [{ path: /a, service: a, public: true }] }',
      '',
    ].join('\n');
    expect(() => parseWorkspace(yaml, '/tmp/ws')).toThrow(/cycle: a → edge → a/);
  });
});
