import { execFile } from 'node:child_process';
import { chmodSync, readFileSync, statSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { importJWK, jwtVerify, SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { msxFile } from '../../src/state/paths.js';
import { parseWorkspace } from '../../src/models/load-workspace.js';
import { serviceEnv } from '../../src/models/wiring.js';
import { ensureServiceKey, withServiceAuth } from '../../src/state/service-key.js';
import { makeTempDir, REPO_ROOT, removeDir } from '../helpers/cli.js';

const run = promisify(execFile);

describe('the workspace service key (.msx/service-auth-key.json)', () => {
  let root: string;
  beforeEach(() => (root = makeTempDir('msx-svcauth-key-')));
  afterEach(() => removeDir(root));

  it('is made once, readable by its owner only, and the same on every later call', () => {
    const first = ensureServiceKey(root, 'shop');
    expect(statSync(msxFile.serviceAuthKey(root)).mode & 0o777).toBe(0o600);
    const second = ensureServiceKey(root, 'shop');
    expect(second).toEqual(first);
    expect(first.issuer).toBe('shop');
    expect(JSON.parse(first.publicKey)).toMatchObject({ kty: 'OKP', crv: 'Ed25519', kid: first.kid, alg: 'EdDSA' });
    expect(JSON.parse(first.publicKey).d).toBeUndefined();
    // No temporary file is left beside it.
    expect(readdirSync(join(root, '.msx'))).toEqual(['service-auth-key.json']);
  });

  it('signs tokens its public half verifies (the pair jose imports)', async () => {
    const keys = ensureServiceKey(root, 'shop');
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'EdDSA', kid: keys.kid })
      .setIssuer('shop').setSubject('orders').setAudience('stock').setIssuedAt().setExpirationTime('5m')
      .sign(await importJWK(JSON.parse(keys.privateKey), 'EdDSA'));
    const { payload } = await jwtVerify(token, await importJWK(JSON.parse(keys.publicKey), 'EdDSA'), { issuer: 'shop', audience: 'stock' });
    expect(payload.sub).toBe('orders');
  });

  it('tightens a key file someone made readable to others', () => {
    ensureServiceKey(root, 'shop');
    chmodSync(msxFile.serviceAuthKey(root), 0o644);
    ensureServiceKey(root, 'shop');
    expect(statSync(msxFile.serviceAuthKey(root)).mode & 0o777).toBe(0o600);
  });

  it('refuses a file it did not write, in one line with the next step', () => {
    mkdirSync(join(root, '.msx'));
    writeFileSync(msxFile.serviceAuthKey(root), '{"hello":1}');
    expect(() => ensureServiceKey(root, 'shop')).toThrow(UserError);
    expect(() => ensureServiceKey(root, 'shop')).toThrow(/is not a service key msx wrote/);
  });

  it('ends with one key when several processes make it at the same moment', async () => {
    // Given six processes started together (the built msx: npm run build), each asking for the key of an empty workspace
    const script = `import { ensureServiceKey } from ${JSON.stringify(join(REPO_ROOT, 'dist/state/service-key.js'))};
      process.stdout.write(ensureServiceKey(${JSON.stringify(root)}, 'shop').kid);`;
    const runs = Array.from({ length: 6 }, () =>
      run(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO_ROOT }));
    const kids = (await Promise.all(runs)).map((r) => r.stdout);
    // Then they all got the one key that is on disk
    const onDisk = JSON.parse(readFileSync(msxFile.serviceAuthKey(root), 'utf8')).kid;
    expect(new Set(kids)).toEqual(new Set([onDisk]));
    expect(readdirSync(join(root, '.msx'))).toEqual(['service-auth-key.json']);
  }, 60_000);
});

describe('the service-auth env a runtime gives each service (wiring)', () => {
  let root: string;
  beforeEach(() => (root = makeTempDir('msx-svcauth-wiring-')));
  afterEach(() => removeDir(root));

  const YAML = `version: 1
name: shop
services:
  stock: { kind: grpc, context: w, path: contexts/w/stock, port: 3001, dependsOn: [postgres] }
  orders: { kind: rest, context: o, path: contexts/o/orders, port: 3000, dependsOn: [stock] }
`;
  const envOf = (workspace: ReturnType<typeof withServiceAuth>, name: string) =>
    serviceEnv({ workspace, service: workspace.services.find((s) => s.name === name)!, environment: 'local', addressOf: (s) => ({ host: '127.0.0.1', port: s.port }) });

  it('every service gets the public key and the issuer; only one that calls another service gets the signing key', () => {
    const { document: _doc, ...data } = parseWorkspace(YAML, root);
    const workspace = withServiceAuth(data);
    const keys = ensureServiceKey(root, 'shop');
    expect(envOf(workspace, 'stock')).toMatchObject({ SERVICE_AUTH_PUBLIC_KEY: keys.publicKey, SERVICE_AUTH_ISSUER: 'shop' });
    // infra in dependsOn (postgres) is not a service to call
    expect(envOf(workspace, 'stock').SERVICE_TOKEN_KEY).toBeUndefined();
    expect(envOf(workspace, 'orders')).toMatchObject({ SERVICE_AUTH_PUBLIC_KEY: keys.publicKey, SERVICE_TOKEN_KEY: keys.privateKey });
  });

  it('without a key attached (a workspace as the loader gives it), no auth env at all', () => {
    const { document: _doc, ...workspace } = parseWorkspace(YAML, root);
    expect(Object.keys(envOf(workspace, 'orders')).filter((k) => k.startsWith('SERVICE_'))).toEqual(['SERVICE_NAME']);
  });
});
