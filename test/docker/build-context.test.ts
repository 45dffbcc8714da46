import { chmodSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contextFiles, contextHash } from '../../src/docker/build-context.js';
import { makeTempDir, removeDir } from '../helpers/cli.js';

describe('build context: files and hash', () => {
  let dir: string;
  const write = (path: string, content: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  };
  const hash = (config: unknown = {}) => contextHash(dir, contextFiles(dir), config);

  beforeEach(() => {
    dir = makeTempDir('msx-context-');
    write('.dockerignore', 'node_modules\ndist\ntest\n*.md\nDockerfile\n.dockerignore\n');
    write('Dockerfile', 'FROM node:20-slim\n');
    write('package.json', '{"name":"orders"}');
    write('src/main.ts', 'console.log(1);\n');
    write('README.md', '# orders\n');
    write('test/main.test.ts', 'test\n');
    write('node_modules/fastify/index.js', 'module.exports = 1;\n');
  });
  afterEach(() => removeDir(dir));

  it('lists what docker build sends: .dockerignore honoured, Dockerfile and .dockerignore always', () => {
    expect(contextFiles(dir)).toEqual(['.dockerignore', 'Dockerfile', 'package.json', 'src/main.ts']);
  });

  it('re-includes a file a ! pattern names inside an ignored folder', () => {
    write('.dockerignore', 'test\n!test/fixtures/keep.json\n');
    write('test/fixtures/keep.json', '{}');
    expect(contextFiles(dir)).toContain('test/fixtures/keep.json');
    expect(contextFiles(dir)).not.toContain('test/main.test.ts');
  });

  it('gives the same hash for the same content, whatever the file times', () => {
    const before = hash();
    utimesSync(join(dir, 'src/main.ts'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    expect(hash()).toBe(before);
  });

  it('ignores changes to ignored files (node_modules, tests, docs)', () => {
    const before = hash();
    write('node_modules/fastify/index.js', 'module.exports = 2;\n');
    write('test/main.test.ts', 'changed\n');
    write('README.md', '# changed\n');
    expect(hash()).toBe(before);
  });

  it('changes with a source file, a new file, the executable bit, or the build config', () => {
    const before = hash();
    write('src/main.ts', 'console.log(2);\n');
    const edited = hash();
    expect(edited).not.toBe(before);
    write('src/extra.ts', '');
    const added = hash();
    expect(added).not.toBe(edited);
    chmodSync(join(dir, 'src/extra.ts'), 0o755);
    expect(hash()).not.toBe(added);
    expect(hash({ dockerfile: 'Dockerfile.dev' })).not.toBe(hash());
  });

  it('changes when the Dockerfile changes, though .dockerignore lists it', () => {
    const before = hash();
    write('Dockerfile', 'FROM node:20-slim\nUSER 1000\n');
    expect(hash()).not.toBe(before);
  });
});
