import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
export const MSX_BIN = join(REPO_ROOT, 'bin', 'run.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a user would, with no TTY. */
export function runCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): CliResult {
  // vitest sets NODE_ENV=test, which makes oclif print developer warnings a user never sees.
  const { NODE_ENV: _testEnv, ...userEnv } = process.env;
  const result = spawnSync(process.execPath, [MSX_BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...userEnv, NO_COLOR: '1', FORCE_COLOR: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export function makeTempDir(prefix = 'msx-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Every file under `dir` with a hash of its content: compare two to prove nothing changed. */
export function snapshotDir(dir: string): Record<string, string> {
  const snapshot: Record<string, string> = {};
  const walk = (current: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) {
        snapshot[`${relative(dir, path)}/`] = 'dir';
        walk(path);
      } else {
        snapshot[relative(dir, path)] = createHash('sha1').update(readFileSync(path)).digest('hex');
      }
    }
  };
  walk(dir);
  return snapshot;
}
