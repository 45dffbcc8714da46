import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import type { TraceHop } from '../../src/logs/trace-tree.js';
import type { ServiceStatus } from '../../src/runtimes/runtime.js';
import { ensureServiceKey } from '../../src/state/service-key.js';
import { makeTempDir, removeDir, runCli } from '../helpers/cli.js';
import { groupAlive } from '../helpers/process-groups.js';
import { killGroup, npmInstall, startProcess, waitForStatus, type StartedProcess } from '../helpers/processes.js';

// The gateway on real processes: msx makes stock, orders (→ stock) and a gateway in front
// of both, `msx up` starts them in order with the gateway last, and real requests go
// through it: JWTs signed with jose and served from a JWKS test server, rate limits counted
// in the real Redis (shared by a second gateway process), a stopped upstream, the BFF route.

const PORTS = { gateway: 42300, orders: 42301, stock: 42302, second: 42303, jwks: 42310 };
const PREFIX = `gateway-e2e-${randomBytes(4).toString('hex')}:`;
const AUDIENCE = 'shop';
const ISSUER = 'https://issuer.gateway-e2e.test';

interface JwtBuilder {
  setProtectedHeader(header: Record<string, unknown>): JwtBuilder;
  setIssuer(issuer: string): JwtBuilder;
  setAudience(audience: string): JwtBuilder;
  setSubject(subject: string): JwtBuilder;
  setIssuedAt(): JwtBuilder;
  setExpirationTime(expiry: string): JwtBuilder;
  sign(key: unknown): Promise<string>;
}
/** The part of jose this suite uses (taken from the generated gateway's node_modules). */
interface Jose {
  generateKeyPair(alg: string, options?: { extractable?: boolean }): Promise<{ publicKey: unknown; privateKey: unknown }>;
  exportJWK(key: unknown): Promise<Record<string, unknown>>;
  SignJWT: new (claims: Record<string, unknown>) => JwtBuilder;
}
interface RedisClient {
  keys(pattern: string): Promise<string[]>;
  del(...keys: string[]): Promise<number>;
  quit(): Promise<unknown>;
}

describe('msx new gateway: one entry point in front of orders → stock, on real processes', () => {
  let root: string;
  let ws: string;
  let gatewayDir: string;
  let jwks: Server;
  let sign: (claims?: { sub?: string; aud?: string }) => Promise<string>;
  let second: StartedProcess | undefined;
  const seenPids = new Set<number>();
  const base = `http://127.0.0.1:${PORTS.gateway}`;

  beforeAll(async () => {
    root = makeTempDir();
    ws = join(root, 'shop');
    expect(runCli(['init', 'shop'], root).code).toBe(0);
    const made = [
      runCli(['new', 'service', 'stock', '--kind', 'rest', '--context', 'warehouse', '--port', String(PORTS.stock)], ws),
      runCli(['new', 'service', 'orders', '--kind', 'rest', '--context', 'ordering', '--port', String(PORTS.orders), '--depends-on', 'stock'], ws),
      runCli(['new', 'gateway', 'edge', '--routes', 'orders,stock', '--port', String(PORTS.gateway), '--jwks-url', `http://127.0.0.1:${PORTS.jwks}/jwks.json`, '--audience', AUDIENCE, '--issuer', ISSUER, '--redis'], ws),
    ];
    for (const result of made) expect(result.stderr).toBe('');
    gatewayDir = join(ws, 'contexts', 'edge', 'edge');
    editGateway(ws);
    for (const dir of [join(ws, 'contexts', 'warehouse', 'stock'), join(ws, 'contexts', 'ordering', 'orders'), gatewayDir]) npmInstall(dir);

    const jose = (await import(pathToFileURL(join(gatewayDir, 'node_modules', 'jose', 'dist', 'webapi', 'index.js')).href)) as Jose;
    const { publicKey, privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
    const jwk = { ...(await jose.exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwks = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => jwks.listen(PORTS.jwks, '127.0.0.1', resolve));
    sign = (claims = {}) =>
      new jose.SignJWT({ scope: 'orders:write' })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(ISSUER)
        .setAudience(claims.aud ?? AUDIENCE)
        .setSubject(claims.sub ?? 'alice')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
  }, 600_000);

  afterAll(async () => {
    killGroup(second?.child);
    runCli(['down'], ws);
    for (const pid of seenPids) if (groupAlive(pid)) process.kill(-pid, 'SIGKILL');
    await new Promise((resolve) => jwks?.close(resolve));
    if (gatewayDir) await removeRedisKeys(gatewayDir);
    removeDir(root);
  });

  const statuses = (): ServiceStatus[] => {
    const services = JSON.parse(runCli(['ps', '--json'], ws).stdout).services as ServiceStatus[];
    for (const s of services) if (s.pid) seenPids.add(s.pid);
    return services;
  };

  it('msx up starts the gateway after what it routes to and names it the entry point', () => {
    const up = runCli(['up', '--detach'], ws);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toContain(`msx: entry point http://127.0.0.1:${PORTS.gateway} (gateway edge)`);
    const byName = Object.fromEntries(statuses().map((s) => [s.service, s]));
    expect(Object.values(byName).map((s) => s.state)).toEqual(['ready', 'ready', 'ready']);
    const started = (name: string) => Date.parse(byName[name].startedAt!);
    expect(started('edge')).toBeGreaterThanOrEqual(started('orders'));
    expect(started('orders')).toBeGreaterThanOrEqual(started('stock'));
  }, 240_000);

  it('a request with a valid token reaches orders, which calls stock; the trace tree is edge → orders → stock', async () => {
    const traceId = randomBytes(16).toString('hex');
    const response = await fetch(`${base}/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await sign()}`, 'content-type': 'application/json', traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
      body: JSON.stringify({ name: 'first order' }),
    });
    expect(response.status, await response.clone().text()).toBe(201);
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    let tree: TraceHop[] = [];
    for (let i = 0; i < 50 && countHops(tree) < 3; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const logs = runCli(['logs', '--trace-id', traceId, '--json'], ws);
      expect(logs.code, logs.stderr).toBe(0);
      tree = (JSON.parse(logs.stdout) as { tree: TraceHop[] }).tree;
    }
    expect(tree).toHaveLength(1);
    expect(tree[0].service).toBe('edge');
    expect(tree[0].children.map((hop) => hop.service)).toEqual(['orders']);
    expect(tree[0].children[0].children.map((hop) => hop.service)).toEqual(['stock']);
  });

  it('no token → 401, a token for another audience → 401, a public route without a token → 200', async () => {
    const none = await fetch(`${base}/orders`);
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const wrongAudience = await fetch(`${base}/orders`, { headers: { authorization: `Bearer ${await sign({ aud: 'billing' })}` } });
    expect(wrongAudience.status).toBe(401);
    expect(((await wrongAudience.json()) as { detail: string }).detail).toMatch(/aud/);
    expect((await fetch(`${base}/stock`)).status).toBe(200);
  });

  it('the 11th request in a window of 10 is 429 with Retry-After, also across two gateway processes sharing Redis', async () => {
    const one = { authorization: `Bearer ${await sign({ sub: 'counted-once' })}` };
    const statusesOne: number[] = [];
    for (let i = 0; i < 11; i += 1) statusesOne.push((await fetch(`${base}/orders`, { headers: one })).status);
    expect(statusesOne).toEqual([...Array(10).fill(200), 429]);
    const over = await fetch(`${base}/orders`, { headers: one });
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(over.headers.get('ratelimit-limit')).toBe('10');

    second = startSecondGateway(ws, gatewayDir);
    await waitForStatus(`http://127.0.0.1:${PORTS.second}/health/ready`);
    const shared = { authorization: `Bearer ${await sign({ sub: 'counted-twice' })}` };
    const alternating: number[] = [];
    for (let i = 0; i < 11; i += 1) {
      const port = i % 2 === 0 ? PORTS.gateway : PORTS.second;
      alternating.push((await fetch(`http://127.0.0.1:${port}/orders`, { headers: shared })).status);
    }
    expect(alternating).toEqual([...Array(10).fill(200), 429]);
  });

  it('an upstream down: 503 within its timeout, the circuit opens after 3 failures; the BFF answers partially; closed again after recovery', async () => {
    expect(runCli(['stop', 'stock'], ws).code).toBe(0);
    const token = { authorization: `Bearer ${await sign({ sub: 'breaker' })}` };
    const failures: Array<{ status: number; detail: string }> = [];
    for (let i = 0; i < 4; i += 1) {
      const response = await fetch(`${base}/stock`, { headers: token });
      failures.push({ status: response.status, detail: ((await response.json()) as { detail: string }).detail });
    }
    expect(failures.map((f) => f.status)).toEqual([503, 503, 503, 503]);
    expect(failures[0].detail).toMatch(/stock is unreachable/);
    expect(failures[3].detail).toMatch(/circuit open/);

    const overview = await fetch(`${base}/bff/overview`, { headers: token });
    expect(overview.status).toBe(200);
    expect(await overview.json()).toMatchObject({ partial: true, missing: ['stock'], orders: expect.anything() });

    expect(runCli(['start', 'stock'], ws).code).toBe(0);
    await waitForStatus(`http://127.0.0.1:${PORTS.stock}/health/ready`);
    let status = 0;
    for (let i = 0; i < 40 && status !== 200; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      status = (await fetch(`${base}/stock`, { headers: token })).status;
    }
    expect(status).toBe(200);
    expect(await (await fetch(`${base}/bff/overview`, { headers: token })).json()).toMatchObject({ partial: false, missing: [] });
  }, 60_000);
});

const countHops = (hops: TraceHop[]): number => hops.reduce((n, hop) => n + 1 + countHops(hop.children), 0);

/** The gateway's msx.yaml entry, as a user would edit it: limits, a public route, a short breaker. */
function editGateway(ws: string): void {
  const file = join(ws, 'msx.yaml');
  const document = parseDocument(readFileSync(file, 'utf8'));
  document.setIn(['services', 'edge', 'routes', 0, 'rateLimit'], document.createNode({ max: 10, window: '1m' }));
  document.setIn(['services', 'edge', 'routes', 1, 'public'], true);
  document.setIn(['services', 'edge', 'routes', 1, 'timeout'], '1s');
  document.setIn(['services', 'edge', 'config', 'BREAKER_THRESHOLD'], 3);
  document.setIn(['services', 'edge', 'config', 'BREAKER_HALF_OPEN_AFTER'], '1s');
  document.setIn(['services', 'edge', 'config', 'RATE_LIMIT_PREFIX'], PREFIX);
  writeFileSync(file, document.toString());
}

/** A second process of the same gateway, with the env msx gives the first (as a second replica would get). */
function startSecondGateway(ws: string, gatewayDir: string): StartedProcess {
  // The workspace's service-token key, made by msx up: the upstreams accept only tokens it signed.
  const keys = ensureServiceKey(ws, 'shop');
  const routes = [
    { path: '/orders', service: 'orders', urlEnv: 'ORDERS_URL', public: false, rateLimit: { max: 10, windowMs: 60_000 } },
    { path: '/stock', service: 'stock', urlEnv: 'STOCK_URL', public: true, timeoutMs: 1000 },
  ];
  return startProcess(process.execPath, ['--import', 'tsx', 'src/main.ts'], gatewayDir, {
    PORT: String(PORTS.second),
    HOST: '127.0.0.1',
    SERVICE_NAME: 'edge',
    GATEWAY_ROUTES: JSON.stringify(routes),
    ORDERS_URL: `http://127.0.0.1:${PORTS.orders}`,
    STOCK_URL: `http://127.0.0.1:${PORTS.stock}`,
    AUTH_JWKS_URL: `http://127.0.0.1:${PORTS.jwks}/jwks.json`,
    AUTH_AUDIENCE: AUDIENCE,
    AUTH_ISSUER: ISSUER,
    REDIS_URL: 'redis://127.0.0.1:6379',
    RATE_LIMIT_PREFIX: PREFIX,
    SERVICE_AUTH_PUBLIC_KEY: keys.publicKey,
    SERVICE_TOKEN_KEY: keys.privateKey,
    SERVICE_AUTH_ISSUER: keys.issuer,
  });
}

/** This suite's rate-limit keys, removed with the generated gateway's own ioredis. */
async function removeRedisKeys(gatewayDir: string): Promise<void> {
  const { Redis } = createRequire(join(gatewayDir, 'package.json'))('ioredis') as { Redis: new (url: string) => RedisClient };
  const redis = new Redis('redis://127.0.0.1:6379');
  const keys = await redis.keys(`${PREFIX}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
}
