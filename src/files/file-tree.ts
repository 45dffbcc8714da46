import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { UserError } from '../errors.js';

export interface TreeEntry {
  /** Path relative to the tree's root, with `/` separators. */
  path: string;
  /** `create` never overwrites; `update` replaces an existing file. */
  action: 'create' | 'update';
  size: number;
}

/**
 * An in-memory file tree: generators write here, `--dry-run` lists it, and one
 * `flush` writes it all or nothing. New files never overwrite existing ones.
 */
export class FileTree {
  private readonly files = new Map<string, { content: Buffer; action: TreeEntry['action']; mode?: number }>();

  constructor(readonly root: string) {}

  create(path: string, content: string | Buffer, mode?: number): void {
    this.put(path, content, 'create', mode);
  }

  update(path: string, content: string | Buffer): void {
    this.put(path, content, 'update');
  }

  read(path: string): string | undefined {
    return this.files.get(normalizePath(path))?.content.toString('utf8');
  }

  entries(): TreeEntry[] {
    return [...this.files.entries()]
      .map(([path, file]) => ({ path, action: file.action, size: file.content.length }))
      .sort((a, b) => a.path.localeCompare(b.path));
  }

  /**
   * Writes everything: new files are staged next to their destination and moved
   * in with renames; updates are written to a temp file and renamed over the
   * original last. On any failure, what was moved in is removed again.
   */
  async flush(): Promise<void> {
    const created = this.entries().filter((e) => e.action === 'create');
    const clash = created.find((e) => existsSync(join(this.root, e.path)));
    if (clash) {
      throw new UserError(`${join(this.root, clash.path)} already exists; msx never overwrites files`, {
        hint: 'remove it or choose another name',
        exit: 'conflict',
      });
    }
    const roots = newRoots(this.root, created.map((e) => e.path));
    const stagingParent = nearestExisting(this.root);
    const staging = await mkdtemp(join(stagingParent, '.msx-staging-'));
    const moved: string[] = [];
    try {
      await this.writeStaged(staging, created);
      for (const rel of roots) {
        await mkdir(dirname(join(this.root, rel)), { recursive: true });
        await rename(join(staging, rel), join(this.root, rel));
        moved.push(join(this.root, rel));
      }
      await this.writeUpdates();
    } catch (error) {
      await Promise.all(moved.map((path) => rm(path, { recursive: true, force: true })));
      throw error;
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  private put(path: string, content: string | Buffer, action: TreeEntry['action'], mode?: number): void {
    const key = normalizePath(path);
    if (key.startsWith('../') || key.startsWith('/') || key === '..') {
      throw new Error(`FileTree path escapes its root: ${path}`);
    }
    this.files.set(key, { content: Buffer.isBuffer(content) ? content : Buffer.from(content), action, mode });
  }

  private async writeStaged(staging: string, created: TreeEntry[]): Promise<void> {
    for (const entry of created) {
      const target = join(staging, entry.path);
      await mkdir(dirname(target), { recursive: true });
      const file = this.files.get(entry.path)!;
      await writeFile(target, file.content, { mode: file.mode });
    }
  }

  private async writeUpdates(): Promise<void> {
    for (const entry of this.entries().filter((e) => e.action === 'update')) {
      const target = join(this.root, entry.path);
      const temp = `${target}.msx-tmp-${process.pid}`;
      await writeFile(temp, this.files.get(entry.path)!.content);
      await rename(temp, target);
    }
  }
}

function normalizePath(path: string): string {
  return path.split(/[\\/]+/).filter((p) => p !== '' && p !== '.').join('/');
}

/** The shallowest missing ancestor of each new file: what one rename moves in. */
function newRoots(root: string, paths: string[]): string[] {
  const roots = new Set<string>();
  for (const path of paths) {
    const parts = path.split('/');
    for (let depth = 1; depth <= parts.length; depth += 1) {
      const rel = parts.slice(0, depth).join('/');
      if (!existsSync(join(root, rel))) {
        roots.add(rel);
        break;
      }
    }
  }
  return [...roots];
}

function nearestExisting(path: string): string {
  let dir = path;
  while (!existsSync(dir)) dir = dirname(dir);
  return dir;
}

export function displayPath(root: string, path: string): string {
  return relative(process.cwd(), join(root, path)).split(sep).join('/') || '.';
}
