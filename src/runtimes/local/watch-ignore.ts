import { existsSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';

/** Never a reason to restart, whatever .gitignore says. */
const ALWAYS_IGNORED = ['node_modules/', 'dist/', '.msx/', '.git/', 'coverage/'];

/**
 * Which files under a service's folder never trigger a restart: node_modules,
 * dist, .msx, .git, and what the service's .gitignore names (gitignore rules,
 * by the `ignore` package). `reload()` after .gitignore itself changed.
 */
export class ServiceIgnore {
  private rules: Ignore = ignore();

  constructor(private readonly dir: string) {
    this.reload();
  }

  reload(): void {
    const file = join(this.dir, '.gitignore');
    const own = existsSync(file) ? readFileSync(file, 'utf8') : '';
    this.rules = ignore().add(ALWAYS_IGNORED).add(own);
  }

  /** `isDirectory` when known: a rule like `generated/` matches a folder only. */
  ignores(path: string, isDirectory?: boolean): boolean {
    const rel = relative(this.dir, path).split(sep).join('/');
    if (rel === '' || rel.startsWith('../')) return false;
    return this.rules.ignores(isDirectory ? `${rel}/` : rel);
  }
}
