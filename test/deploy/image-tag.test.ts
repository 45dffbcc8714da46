import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contentTag } from '../../src/deploy/image-tag.js';
import { registryAuth, registryHost } from '../../src/deploy/registry/docker-credentials.js';
import { makeTempDir, removeDir } from '../helpers/cli.js';

let dir: string;
beforeEach(() => {
  dir = makeTempDir('msx-tag-');
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
  writeFileSync(join(dir, 'src', 'main.ts'), 'export {};\n');
  writeFileSync(join(dir, '.dockerignore'), 'test\n*.md\nDockerfile\n');
});
afterEach(() => removeDir(dir));

describe('content-hash image tags', () => {
  it('are 12 hex characters and stable', async () => {
    const tag = await contentTag(dir);
    expect(tag).toMatch(/^[0-9a-f]{12}$/);
    expect(await contentTag(dir)).toBe(tag);
  });

  it('change with the source and the Dockerfile (even when .dockerignore lists it)', async () => {
    const before = await contentTag(dir);
    writeFileSync(join(dir, 'src', 'main.ts'), 'export const x = 1;\n');
    const afterSource = await contentTag(dir);
    expect(afterSource).not.toBe(before);
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nUSER 1000\n');
    expect(await contentTag(dir)).not.toBe(afterSource);
  });

  it('ignore what .dockerignore excludes, node_modules and .git', async () => {
    const before = await contentTag(dir);
    mkdirSync(join(dir, 'test'));
    writeFileSync(join(dir, 'test', 'a.test.ts'), 'x');
    writeFileSync(join(dir, 'README.md'), 'docs');
    mkdirSync(join(dir, 'node_modules', 'left-pad'), { recursive: true });
    writeFileSync(join(dir, 'node_modules', 'left-pad', 'index.js'), 'x');
    mkdirSync(join(dir, '.git'));
    writeFileSync(join(dir, '.git', 'HEAD'), 'ref');
    expect(await contentTag(dir)).toBe(before);
  });

  it('name a missing service folder', async () => {
    await expect(contentTag(join(dir, 'nope'))).rejects.toThrow(/nope does not exist/);
  });
});

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
