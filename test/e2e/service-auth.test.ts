import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { connect } from 'node:http2';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { msxFile } from '../../src/state/paths.js';
import { makeTempDir, removeDir, runCli } from '../helpers/cli.js';
import { npmInstall } from '../helpers/processes.js';
import { serviceAuthorization } from '../helpers/service-token.js';

// Real processes brought up by the built CLI: orders (REST) depends on stock
// (gRPC). orders signs a service token for each call to stock; stock lets in
// only tokens signed by the workspace key for it. Health stays open.

const NAME = 'svcauth';
const PORTS = { stock: 42420, orders: 42421 };
const GET_STOCK = '/stock.v1.StockService/GetStock';

describe('service-to-service auth on real processes (msx up)', () => {
  let root: string;
  let ws: string;

  beforeAll(() => {
    root = makeTempDir('msx-svcauth-');
    ws = join(root, NAME);
    expect(runCli(['init', NAME], root).code).toBe(0);
    expect(runCli(['new', 'service', 'stock', '--kind', 'grpc', '--context', 'warehouse', '--port', String(PORTS.stock)], ws).stderr).toBe('');
    expect(runCli(['new', 'service', 'orders', '--kind', 'rest', '--context', 'ordering', '--port', String(PORTS.orders), '--depends-on', 'stock'], ws).stderr).toBe('');
    npmInstall(join(ws, 'contexts', 'warehouse', 'stock'));
    npmInstall(join(ws, 'contexts', 'ordering', 'orders'));
    const up = runCli(['up', '--detach', '--json'], ws);
    expect(up.code, up.stderr + up.stdout).toBe(0);
  }, 300_000);

  afterAll(() => {
    runCli(['down'], ws);
    removeDir(root);
  });

  const logOf = (service: string) => readFileSync(join(ws, '.msx', 'logs', `${service}.ndjson`), 'utf8');
  /** The service's own JSON lines (each record's `line`) that refused a token. */
  const rejections = (service: string) =>
    logOf(service).split('\n').filter((line) => line.includes('service token rejected')).map((record) => JSON.stringify(JSON.parse(record).line));
  const orders = `http://127.0.0.1:${PORTS.orders}`;

  it('orders → stock works: orders signs a token for stock, stock accepts it', async () => {
    const traceId = randomBytes(16).toString('hex');
    const response = await fetch(`${orders}/orders`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
        authorization: await serviceAuthorization(ws, NAME, 'orders'),
      },
      body: JSON.stringify({ name: 'book' }),
    });
    expect(response.status, await response.text()).toBe(201);
    // stock answered the CreateStock orders made, in the same trace, and refused nothing.
    const created = logOf('stock').split('\n').find((line) => line.includes(traceId) && line.includes('call completed'));
    expect(created).toMatch(/"grpc_status":"OK"/);
    expect(rejections('stock')).toEqual([]);
  });

  it('a direct call to orders without a token: 401 and one WARN line naming why; its health stays open', async () => {
    const before = rejections('orders').length;
    const response = await fetch(`${orders}/orders`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 'SERVICE_TOKEN_REJECTED' });
    await eventually(() => rejections('orders').length > before);
    const [line] = rejections('orders').slice(before);
    expect(JSON.parse(line)).toMatchObject({ level: 'warn', caller: 'unknown', method: 'GET', url: '/orders' });
    for (const probe of ['live', 'ready', 'startup']) expect((await fetch(`${orders}/health/${probe}`)).status).toBe(200);
  });

  it('stock refuses a direct call without a token, with another key, or expired: UNAUTHENTICATED, one WARN each', async () => {
    const keyFile = JSON.parse(readFileSync(msxFile.serviceAuthKey(ws), 'utf8')) as { privateJwk: Record<string, string> };
    const workspaceKey = await importJWK(keyFile.privateJwk, 'EdDSA');
    const otherKey = (await generateKeyPair('EdDSA')).privateKey;
    const now = Math.floor(Date.now() / 1000);
    const sign = (key: CryptoKey | Uint8Array, exp: number) =>
      new SignJWT({}).setProtectedHeader({ alg: 'EdDSA' }).setIssuer(NAME).setSubject('intruder').setAudience('stock').setIssuedAt(exp - 300).setExpirationTime(exp).sign(key);
    const before = rejections('stock').length;

    expect(await grpcStatus(PORTS.stock, GET_STOCK)).toBe(16);
    expect(await grpcStatus(PORTS.stock, GET_STOCK, `Bearer ${await sign(otherKey, now + 300)}`)).toBe(16);
    expect(await grpcStatus(PORTS.stock, GET_STOCK, `Bearer ${await sign(workspaceKey, now - 60)}`)).toBe(16);
    // The same claims, signed by the workspace key and not expired, get past auth (to the empty id's INVALID_ARGUMENT).
    expect(await grpcStatus(PORTS.stock, GET_STOCK, `Bearer ${await sign(workspaceKey, now + 300)}`)).toBe(3);

    await eventually(() => rejections('stock').length >= before + 3);
    const lines = rejections('stock').slice(before).map((line) => JSON.parse(line) as Record<string, string>);
    expect(lines.map((l) => [l.level, l.caller, l.method])).toEqual([
      ['warn', 'unknown', 'stock.v1.StockService/GetStock'],
      ['warn', 'intruder', 'stock.v1.StockService/GetStock'],
      ['warn', 'intruder', 'stock.v1.StockService/GetStock'],
    ].map(([level, caller, method]) => [level, caller, expect.stringContaining(method)]));
    expect(lines.map((l) => l.reason)).toEqual([expect.stringMatching(/no service token/), expect.stringMatching(/signature/), 'token expired']);
    // No token contents in the log.
    expect(JSON.stringify(lines)).not.toMatch(/eyJ/);
    expect(await grpcStatus(PORTS.stock, '/grpc.health.v1.Health/Check')).toBe(0);
  });

  it('the key was made once, 0600, and the next up reuses it', () => {
    const file = msxFile.serviceAuthKey(ws);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const kid = JSON.parse(readFileSync(file, 'utf8')).kid;
    expect(runCli(['down'], ws).code).toBe(0);
    const again = runCli(['up', '--detach'], ws);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8')).kid).toBe(kid);
  });
});

/** One unary call with an empty message over plain HTTP/2; resolves with its grpc-status. */
function grpcStatus(port: number, path: string, authorization?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const session = connect(`http://127.0.0.1:${port}`);
    session.on('error', reject);
    const call = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', ...(authorization ? { authorization } : {}) });
    let status: unknown;
    call.on('response', (headers) => (status = headers['grpc-status'] ?? status));
    call.on('trailers', (trailers) => (status = trailers['grpc-status'] ?? status));
    call.on('data', () => undefined);
    call.on('end', () => {
      session.close();
      resolve(Number(status));
    });
    call.on('error', reject);
    call.end(Buffer.from([0, 0, 0, 0, 0]));
  });
}

async function eventually(check: () => boolean): Promise<void> {
  for (let i = 0; i < 50 && !check(); i += 1) await new Promise((r) => setTimeout(r, 100));
  expect(check()).toBe(true);
}
