import { join } from 'node:path';
import { expect } from 'vitest';
import { runCli } from './cli.js';
import { groupAlive } from './process-groups.js';
import { npmInstall } from './processes.js';

/**
 * A workspace `name` under `root` with two generated REST services, alpha and
 * beta (beta depends on alpha), on the given ports, installed: what the local
 * runtime's e2e suites run against.
 */
export function makeTwoServiceWorkspace(root: string, name: string, ports: { alpha: number; beta: number }): string {
  const ws = join(root, name);
  expect(runCli(['init', name], root).code).toBe(0);
  expect(runCli(['new', 'service', 'alpha', '--kind', 'rest', '--context', 'core', '--port', String(ports.alpha)], ws).stderr).toBe('');
  expect(runCli(['new', 'service', 'beta', '--kind', 'rest', '--context', 'core', '--port', String(ports.beta), '--depends-on', 'alpha'], ws).stderr).toBe('');
  for (const service of ['alpha', 'beta']) npmInstall(join(ws, 'contexts', 'core', service));
  return ws;
}

/** After a suite: msx down, then SIGKILL any process group the suite saw that still runs (there should be none). */
export function stopAndReap(ws: string, seenPids: ReadonlySet<number>): void {
  runCli(['down'], ws);
  for (const pid of seenPids) if (groupAlive(pid)) process.kill(-pid, 'SIGKILL');
}
