import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ExternalError } from '../../errors.js';

/** True when node_modules is missing or older than the lockfile (or package.json). */
export function needsInstall(dir: string): boolean {
  const marker = join(dir, 'node_modules', '.package-lock.json');
  if (!existsSync(marker)) return true;
  const installed = statSync(marker).mtimeMs;
  return ['package-lock.json', 'package.json'].some((file) => {
    const path = join(dir, file);
    return existsSync(path) && statSync(path).mtimeMs > installed;
  });
}

/** Installs a service's dependencies: `npm ci` with a lockfile, else `npm install`. */
export async function installDependencies(dir: string, service: string): Promise<void> {
  const { execa } = await import('execa');
  const args = existsSync(join(dir, 'package-lock.json')) ? ['ci'] : ['install'];
  args.push('--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error');
  const result = await execa('npm', args, { cwd: dir, reject: false, all: true, stdin: 'ignore' });
  if (result.exitCode !== 0) {
    const tail = (result.all ?? '').split('\n').slice(-15).join('\n');
    throw new ExternalError(`installing ${service}'s dependencies failed`, `npm ${args.join(' ')} (in ${dir})`, tail);
  }
}
