import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registryAuth, registryHost } from '../../src/docker/docker-credentials.js';
import { makeTempDir, removeDir } from '../helpers/cli.js';

let dir: string;
beforeEach(() => {
  dir = makeTempDir('msx-creds-');
});
afterEach(() => removeDir(dir));

describe('registry credentials from the Docker config', () => {
  const writeConfig = (config: object) => writeFileSync(join(dir, 'config.json'), JSON.stringify(config));

  it('find the registry host of an image', () => {
    expect(registryHost('127.0.0.1:5000/shop/orders:abc')).toBe('127.0.0.1:5000');
    expect(registryHost('ghcr.io/me/orders:abc')).toBe('ghcr.io');
    expect(registryHost('localhost/orders:abc')).toBe('localhost');
    expect(registryHost('shop/orders:abc')).toBe('docker.io');
  });

  it('decode inline auths, Docker Hub keys included', async () => {
    const auth = Buffer.from('me:pa:ss').toString('base64');
    writeConfig({ auths: { 'https://index.docker.io/v1/': { auth }, 'ghcr.io': { identitytoken: 'tok' } } });
    expect(await registryAuth('docker.io', dir)).toEqual({ serveraddress: 'docker.io', username: 'me', password: 'pa:ss' });
    expect(await registryAuth('ghcr.io', dir)).toEqual({ serveraddress: 'ghcr.io', identitytoken: 'tok' });
    expect(await registryAuth('quay.io', dir)).toBeUndefined();
  });

  it('ask a credential helper first, as docker push does', async () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const helper = join(bin, 'docker-credential-fake');
    writeFileSync(helper, '#!/bin/sh\nread host\necho "{\\"ServerURL\\":\\"$host\\",\\"Username\\":\\"robot\\",\\"Secret\\":\\"from-helper\\"}"\n');
    chmodSync(helper, 0o755);
    writeConfig({ credHelpers: { 'registry.example.com': 'fake' }, auths: { 'registry.example.com': { auth: Buffer.from('x:y').toString('base64') } } });
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    try {
      expect(await registryAuth('registry.example.com', dir)).toEqual({ serveraddress: 'registry.example.com', username: 'robot', password: 'from-helper' });
    } finally {
      process.env.PATH = path;
    }
  });

  it('are absent without a config file', async () => {
    expect(await registryAuth('ghcr.io', join(dir, 'none'))).toBeUndefined();
  });
});
