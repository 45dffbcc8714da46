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
    const output = result.all ?? '';
    throw new ExternalError(`installing ${service}'s dependencies failed${lockfileHint(output, dir)}`, `npm ${args.join(' ')} (in ${dir})`, output);
  }
}

/** `npm ci` refuses a lockfile that does not match package.json: say so, with the fix, above npm's own words. */
function lockfileHint(output: string, dir: string): string {
  if (!/npm ci` can only install packages when your package\.json and package-lock\.json|Missing: .+ from lock file|lock file's .+ does not satisfy/.test(output)) return '';
  return `: its package-lock.json does not match its package.json (run \`npm install\` in ${dir} and commit the lockfile)`;
}
