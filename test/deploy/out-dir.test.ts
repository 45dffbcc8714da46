import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir, snapshotDir } from '../helpers/cli.js';
import { OUT_LIST, replaceOutDir, type RenameFile } from '../../src/deploy/out-dir.js';
import { runCliAsync, SHOP_SERVICES, writeWorkspace } from './deploy-helpers.js';

// --out DIR is the GitOps loop: regenerate into the one folder a repository
// holds. What msx wrote before is replaced, what it no longer writes goes,
// and a file msx did not write is never touched.

let root: string;
beforeEach(() => {
  root = makeTempDir('msx-deploy-out-');
});
afterEach(() => removeDir(root));

const out = (...args: string[]) => runCliAsync(['deploy', '--env', 'staging', '--out', 'k8s', ...args], root);
/** Every file but msx's own workspace cache (.msx/), which reading msx.yaml may write. */
const userFiles = (dir: string) => Object.fromEntries(Object.entries(snapshotDir(dir)).filter(([path]) => !path.startsWith('.msx/')));
const yamlFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

describe('msx deploy --out twice into one folder', () => {
  it('replaces its files, removes those of a removed service, and keeps the user\'s own', async () => {
    // Given a first --out, and the user's own files beside msx's
    writeWorkspace(root);
    expect((await out()).code).toBe(0);
    const k8s = join(root, 'k8s');
    writeFileSync(join(k8s, 'kustomization.yaml'), 'resources: []\n');
    writeFileSync(join(k8s, '20-service-hand-made.yaml'), 'kind: Service\n');
    const stockBefore = readFileSync(join(k8s, '30-deployment-stock.yaml'), 'utf8');
    // When mailer is removed from msx.yaml and stock's code changes, then --out again
    writeWorkspace(root, SHOP_SERVICES.filter((s) => s.name !== 'mailer'));
    writeFileSync(join(root, 'contexts', 'c', 'stock', 'src', 'main.js'), 'console.log("stock v2");\n');
    const second = await out();
    // Then
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(yamlFiles(k8s)).toEqual([
      '10-configmap-orders-config.yaml', '10-configmap-stock-config.yaml', '20-service-hand-made.yaml', '20-service-orders.yaml',
      '20-service-stock.yaml', '30-deployment-orders.yaml', '30-deployment-stock.yaml', 'kustomization.yaml',
    ]);
    expect(readFileSync(join(k8s, 'kustomization.yaml'), 'utf8')).toBe('resources: []\n');
    expect(readFileSync(join(k8s, '20-service-hand-made.yaml'), 'utf8')).toBe('kind: Service\n');
    expect(readFileSync(join(k8s, '30-deployment-stock.yaml'), 'utf8')).not.toBe(stockBefore);
    expect(second.stdout).toMatch(/replace +30-deployment-stock\.yaml/);
    expect(second.stdout).toMatch(/unchanged +10-configmap-stock-config\.yaml/);
    expect(second.stdout).toMatch(/remove +30-deployment-mailer\.yaml/);
    expect(second.stdout).toContain('kubectl -n shop delete configmap/mailer-config deployment/mailer');
    // No staging folder is left behind, and the list names exactly msx's files.
    expect(readdirSync(k8s).filter((f) => f.startsWith('.'))).toEqual([OUT_LIST]);
    const list = JSON.parse(readFileSync(join(k8s, OUT_LIST), 'utf8'));
    expect(list.files.sort()).toEqual(yamlFiles(k8s).filter((f) => f !== 'kustomization.yaml' && f !== '20-service-hand-made.yaml'));
  });

  it('refuses a name msx wants that a file it did not write holds, and changes nothing', async () => {
    writeWorkspace(root);
    mkdirSync(join(root, 'k8s'));
    writeFileSync(join(root, 'k8s', '30-deployment-stock.yaml'), '# mine\n');
    const before = userFiles(root);
    const result = await out();
    expect(result.code).toBe(7);
    expect(result.stderr).toMatch(/^error: .*k8s\/30-deployment-stock\.yaml exists and msx did not write it \(it is not in \.msx-manifests\)/m);
    expect(userFiles(root)).toEqual(before);
  });
});

describe('replaceOutDir all or nothing', () => {
  const own = (name: string) => /^\d\d-/.test(name);
  const files = (version: string, names: string[]) => names.map((name) => ({ name, content: `${name} ${version}\n` }));

  it('leaves the folder as it was when a move fails midway', async () => {
    // Given a folder msx wrote, with a user's file in it
    const dir = join(root, 'out');
    await replaceOutDir(dir, files('v1', ['10-a.yaml', '20-b.yaml', '30-c.yaml']), own);
    writeFileSync(join(dir, 'notes.md'), 'mine\n');
    const before = snapshotDir(dir);
    // When the sixth rename of the next run fails (every old file moved aside, one new one moved in)
    let calls = 0;
    const failing: RenameFile = async (from, to) => {
      calls += 1;
      if (calls === 6) throw Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' });
      await rename(from, to);
    };
    const run = replaceOutDir(dir, files('v2', ['10-a.yaml', '20-b.yaml', '40-d.yaml']), own, failing);
    // Then the error is raised and every file is as it was, with nothing left over
    await expect(run).rejects.toThrow(/EIO/);
    expect(calls).toBe(6);
    expect(snapshotDir(dir)).toEqual(before);
  });

  it('creates a missing folder (and its missing parents) with one rename, or not at all', async () => {
    const dir = join(root, 'deep', 'er', 'out');
    const failing: RenameFile = async () => {
      throw Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' });
    };
    await expect(replaceOutDir(dir, files('v1', ['10-a.yaml']), own, failing)).rejects.toThrow(/EIO/);
    expect(readdirSync(root)).toEqual([]);
    const result = await replaceOutDir(dir, files('v1', ['10-a.yaml']), own);
    expect(result).toEqual({ created: ['10-a.yaml'], replaced: [], unchanged: [], removed: [] });
    expect(readdirSync(dir).sort()).toEqual([OUT_LIST, '10-a.yaml'].sort());
  });

  it('never removes a listed name that msx does not make, nor anything outside the folder', async () => {
    const dir = join(root, 'out');
    await replaceOutDir(dir, files('v1', ['10-a.yaml']), own);
    writeFileSync(join(root, 'precious'), 'keep\n');
    writeFileSync(join(dir, 'kustomization.yaml'), 'keep\n');
    writeFileSync(join(dir, OUT_LIST), JSON.stringify({ files: ['10-a.yaml', 'kustomization.yaml', '../precious'] }));
    const result = await replaceOutDir(dir, files('v2', ['20-b.yaml']), own);
    expect(result.removed).toEqual(['10-a.yaml']);
    expect(readFileSync(join(root, 'precious'), 'utf8')).toBe('keep\n');
    expect(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')).toBe('keep\n');
  });
});
