import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { readWorkspace } from '../../src/state/workspace-cache.js';
import { makeTempDir, removeDir } from '../helpers/cli.js';

const yaml = (port: number) =>
  `version: 1\nname: shop\nservices:\n  orders:\n    kind: rest\n    context: ordering\n    path: contexts/ordering/orders\n    port: ${port}\n`;

describe('readWorkspace (cached read for read-only commands)', () => {
  let root: string;
  beforeEach(() => {
    root = makeTempDir();
    mkdirSync(join(root, 'sub'));
    writeFileSync(join(root, 'msx.yaml'), yaml(3000));
  });
  afterEach(() => removeDir(root));

  it('reads from a sub folder and caches the validated result', async () => {
    const workspace = await readWorkspace(join(root, 'sub'));
    expect(workspace.services.map((s) => [s.name, s.port, s.dir])).toEqual([['orders', 3000, join(root, 'contexts/ordering/orders')]]);
    expect(existsSync(join(root, '.msx', 'workspace.json'))).toBe(true);
    expect(await readWorkspace(root)).toEqual(workspace);
  });

  it('sees every change to msx.yaml, and never serves a stale cache for a broken file', async () => {
    await readWorkspace(root);
    writeFileSync(join(root, 'msx.yaml'), yaml(3005));
    expect((await readWorkspace(root)).services[0].port).toBe(3005);
    writeFileSync(join(root, 'msx.yaml'), yaml(80));
    await expect(readWorkspace(root)).rejects.toBeInstanceOf(ValidationError);
  });

  it('ignores a cache file it cannot read', async () => {
    mkdirSync(join(root, '.msx'));
    writeFileSync(join(root, '.msx', 'workspace.json'), '{not json');
    expect((await readWorkspace(root)).name).toBe('shop');
    expect(JSON.parse(readFileSync(join(root, '.msx', 'workspace.json'), 'utf8')).workspace.name).toBe('shop');
  });
});
