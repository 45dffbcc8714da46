import { existsSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';

/** Never a reason to restart, whatever .gitignore says. */
const ALWAYS_IGNORED = ['node_modules/', 'dist/', '.msx/', '.git/', 'coverage/'];

export interface IgnoreOptions {
  /** Ignore files read beside .gitignore (the docker runtime adds .dockerignore: what is not in the image is no reason to update it). */
  alsoFrom?: string[];
  /** Paths (relative to the folder) never ignored, whatever the files say: what an image is built from. */
  never?: string[];
}

/**
 * Which files under a service's folder never trigger a restart: node_modules,
 * dist, .msx, .git, and what the service's .gitignore names (gitignore rules,
 * by the `ignore` package). `reload()` after .gitignore itself changed.
 */
export class ServiceIgnore {
  private rules: Ignore = ignore();

  constructor(
    private readonly dir: string,
    private readonly options: IgnoreOptions = {},
  ) {
    this.reload();
  }

  reload(): void {
    const own = ['.gitignore', ...(this.options.alsoFrom ?? [])].map((name) => join(this.dir, name)).filter(existsSync);
    this.rules = ignore().add(ALWAYS_IGNORED);
    for (const file of own) this.rules.add(readFileSync(file, 'utf8'));
  }

  /** `isDirectory` when known: a rule like `generated/` matches a folder only. */
  ignores(path: string, isDirectory?: boolean): boolean {
    const rel = relative(this.dir, path).split(sep).join('/');
    if (rel === '' || rel.startsWith('../')) return false;
    if (this.options.never?.includes(rel)) return false;
    return this.rules.ignores(isDirectory ? `${rel}/` : rel);
  }
}
