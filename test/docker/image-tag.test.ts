import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contentTag } from '../../src/docker/image-tag.js';
import { makeTempDir, removeDir } from '../helpers/cli.js';

let dir: string;
const tag = (repository = '127.0.0.1:5000/shop/orders') => contentTag(repository, { service: 'orders', dir });
beforeEach(() => {
  dir = makeTempDir('msx-tag-');
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
  writeFileSync(join(dir, 'src', 'main.ts'), 'export {};\n');
  // As the service template's .dockerignore: installed dependencies and VCS data are not sent.
  writeFileSync(join(dir, '.dockerignore'), 'node_modules\n.git\ntest\n*.md\nDockerfile\n');
});
afterEach(() => removeDir(dir));

describe('content-hash image tags', () => {
  it('are <repository>:<12 hex> and stable', () => {
    const first = tag();
    expect(first.tag).toBe(`127.0.0.1:5000/shop/orders:${first.hash}`);
    expect(first.hash).toMatch(/^[0-9a-f]{12}$/);
    expect(tag().tag).toBe(first.tag);
  });

  it('carry the same hash whatever the repository: msx up --runtime docker and msx deploy tag the same code alike', () => {
    expect(tag('msx/shop_orders').hash).toBe(tag('127.0.0.1:5000/shop/orders').hash);
    expect(tag('shop/orders').hash).toBe(tag().hash);
  });

  it('change with the source and the Dockerfile (even when .dockerignore lists it)', () => {
    const before = tag().hash;
    writeFileSync(join(dir, 'src', 'main.ts'), 'export const x = 1;\n');
    const afterSource = tag().hash;
    expect(afterSource).not.toBe(before);
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nUSER 1000\n');
    expect(tag().hash).not.toBe(afterSource);
  });

  it('ignore what .dockerignore excludes (here node_modules, .git, tests and docs)', () => {
    const before = tag();
    mkdirSync(join(dir, 'test'));
    writeFileSync(join(dir, 'test', 'a.test.ts'), 'x');
    writeFileSync(join(dir, 'README.md'), 'docs');
    mkdirSync(join(dir, 'node_modules', 'left-pad'), { recursive: true });
    writeFileSync(join(dir, 'node_modules', 'left-pad', 'index.js'), 'x');
    mkdirSync(join(dir, '.git'));
    writeFileSync(join(dir, '.git', 'HEAD'), 'ref');
    expect(tag().hash).toBe(before.hash);
    expect(tag().files).toEqual(before.files);
  });

  it('hash what the build sends: a folder .dockerignore does not exclude is part of the image, so of its tag', () => {
    const before = tag().hash;
    writeFileSync(join(dir, '.dockerignore'), 'test\n*.md\nDockerfile\n');
    const ignoreChanged = tag().hash;
    mkdirSync(join(dir, 'node_modules', 'left-pad'), { recursive: true });
    writeFileSync(join(dir, 'node_modules', 'left-pad', 'index.js'), 'x');
    expect(tag().files).toContain('node_modules/left-pad/index.js');
    expect(tag().hash).not.toBe(ignoreChanged);
    expect(ignoreChanged).not.toBe(before);
  });

  it('name a missing service folder', () => {
    expect(() => contentTag('shop/orders', { service: 'orders', dir: join(dir, 'nope') })).toThrow(/folder of service "orders", .*nope, does not exist/);
  });
});
