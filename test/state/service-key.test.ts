import { execFile } from 'node:child_process';
import { chmodSync, readFileSync, statSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { importJWK, jwtVerify, SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { msxFile } from '../../src/state/paths.js';
import { ensureServiceKey } from '../../src/state/service-key.js';
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
