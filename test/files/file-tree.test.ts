import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileTree } from '../../src/files/file-tree.js';
import { makeTempDir, removeDir, snapshotDir } from '../helpers/cli.js';

describe('FileTree', () => {
  let root: string;
  beforeEach(() => {
    root = makeTempDir();
    writeFileSync(join(root, 'msx.yaml'), 'old\n');
  });
  afterEach(() => removeDir(root));

  it('writes new files and updates in one flush, leaving no staging folder', async () => {
    const tree = new FileTree(root);
    tree.create('contexts/a/b/package.json', '{}');
    tree.create('contexts/a/b/src/main.ts', 'x');
    tree.update('msx.yaml', 'new\n');
    await tree.flush();
    expect(readFileSync(join(root, 'contexts/a/b/src/main.ts'), 'utf8')).toBe('x');
    expect(readFileSync(join(root, 'msx.yaml'), 'utf8')).toBe('new\n');
    expect(readdirSync(root).sort()).toEqual(['contexts', 'msx.yaml']);
  });

  it('refuses to overwrite and writes nothing at all', async () => {
    mkdirSync(join(root, 'contexts/a'), { recursive: true });
    writeFileSync(join(root, 'contexts/a/taken.txt'), 'mine');
    const before = snapshotDir(root);
    const tree = new FileTree(root);
    tree.create('contexts/a/new.txt', 'new');
    tree.create('contexts/a/taken.txt', 'theirs');
    tree.update('msx.yaml', 'new\n');
    await expect(tree.flush()).rejects.toThrow(/already exists; msx never overwrites/);
    expect(snapshotDir(root)).toEqual(before);
  });

  it('removes what it moved in when a later step fails', async () => {
    const tree = new FileTree(root);
    tree.create('contexts/x/file.txt', 'x');
    // An update whose target folder does not exist makes the last step fail.
    tree.update('missing-dir/msx.yaml', 'new');
    await expect(tree.flush()).rejects.toThrow();
    expect(existsSync(join(root, 'contexts'))).toBe(false);
    expect(readdirSync(root)).toEqual(['msx.yaml']);
  });

  it('refuses paths that leave its root', () => {
    expect(() => new FileTree(root).create('../escape.txt', 'x')).toThrow(/escapes its root/);
  });
});
