import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceStatus } from '../../src/runtimes/runtime.js';
import { makeTempDir, removeDir, runCli } from '../helpers/cli.js';
import { makeTwoServiceWorkspace, stopAndReap } from '../helpers/local-workspace.js';
import { groupAlive } from '../helpers/process-groups.js';
import { serviceAuthorization } from '../helpers/service-token.js';

// msx up --detach --watch on real processes: edits restart the edited service alone.

const PORTS = { alpha: 42502, beta: 42503 };

describe('msx up --watch (detached supervisor)', () => {
  let root: string;
  let ws: string;
  const seenPids = new Set<number>();
  const routes = () => join(ws, 'contexts', 'core', 'alpha', 'src', 'http', 'resource-routes.ts');
  let original = '';

  beforeAll(() => {
    root = makeTempDir();
    ws = makeTwoServiceWorkspace(root, 'watching', PORTS);
    original = readFileSync(routes(), 'utf8');
  });

  afterEach(() => {
    writeFileSync(routes(), original);
    runCli(['down'], ws);
    expect([...seenPids].filter(groupAlive)).toEqual([]);
  });

  afterAll(() => {
    stopAndReap(ws, seenPids);
    removeDir(root);
  });

  const ps = (): Record<string, ServiceStatus> => {
    const services = JSON.parse(runCli(['ps', '--json'], ws).stdout).services as ServiceStatus[];
    for (const s of services) if (s.pid) seenPids.add(s.pid);
    return Object.fromEntries(services.map((s) => [s.service, s]));
  };
  const supervisorLog = () => (existsSync(join(ws, '.msx', 'supervisor.log')) ? readFileSync(join(ws, '.msx', 'supervisor.log'), 'utf8') : '');
  const waitFor = async (condition: () => boolean) => {
    for (let i = 0; i < 600 && !condition(); i += 1) await sleep(100);
    expect(condition()).toBe(true);
  };
  // The supervisor log is appended to across runs: only what this case's supervisor wrote counts.
  let logStart = 0;
  const restartLines = () => supervisorLog().slice(logStart).split('\n').filter((l) => l.includes('alpha: ') && l.includes(' changed → '));

  it('a burst of 20 saves is one restart of that service alone; the other pid is unchanged', { timeout: 180_000 }, async () => {
    logStart = supervisorLog().length;
    expect(runCli(['up', '--detach', '--watch'], ws).code).toBe(0);
    const before = ps();
    // 20 saves at once, as an editor's save-all or a git checkout writes them. (Spread out with sleeps,
    // a loaded machine could hold the test longer than the quiet period between two of them: then a
    // second restart is right. How the quiet period stretches for a burst is watch-parts.test.ts's.)
    for (let i = 0; i < 20; i += 1) appendFileSync(routes(), `// save ${i}\n`);
    await waitFor(() => restartLines().length >= 1 && ps().alpha.state === 'ready');
    await sleep(1500); // a second restart, were there one, would have begun by now
    expect(restartLines()).toHaveLength(1);
    expect(restartLines()[0]).toMatch(/src\/http\/resource-routes\.ts changed → restarted in \d+ ms/);
    // The first edit is warm too: with no more services than spares, each had one from the start.
    expect(restartLines()[0]).toMatch(/, warm spare\)/);
    const after = ps();
    expect(after.alpha.pid).not.toBe(before.alpha.pid);
    expect(after.alpha.restarts).toBe(1);
    expect(after.beta.pid).toBe(before.beta.pid);
  });

  it('a syntax error shows failed with file:line, is not restarted in a loop, and the next good save brings it back', { timeout: 180_000 }, async () => {
    logStart = supervisorLog().length;
    expect(runCli(['up', '--detach', '--watch'], ws).code).toBe(0);
    const before = ps();
    writeFileSync(routes(), `${original}\nconst broken = ;\n`);
    await waitFor(() => ps().alpha.state === 'failed');
    expect(ps().alpha.detail).toMatch(/resource-routes\.ts:\d+/);
    await sleep(1500);
    expect(ps().alpha.state).toBe('failed'); // waits for a save, no loop
    writeFileSync(routes(), original);
    await waitFor(() => ps().alpha.state === 'ready');
    expect((await fetch(`http://127.0.0.1:${PORTS.alpha}/health/ready`)).status).toBe(200);
    expect(ps().beta.pid).toBe(before.beta.pid);
  });

  it('an edited route handler: the next request after the restart line returns the new behaviour', { timeout: 180_000 }, async () => {
    logStart = supervisorLog().length;
    expect(runCli(['up', '--detach', '--watch'], ws).code).toBe(0);
    const before = ps();
    // alpha's routes are internal: called as a service would, with a token signed by the workspace key.
    const headers = { authorization: await serviceAuthorization(ws, 'watching', 'alpha') };
    expect((await fetch(`http://127.0.0.1:${PORTS.alpha}/alpha`, { headers })).status).toBe(200);
    const list = 'async (request) => repository.list(request.query, request.trace),';
    expect(original).toContain(list);
    writeFileSync(routes(), original.replace(list, 'async (_request, reply) => reply.code(418).send(),'));
    await waitFor(() => restartLines().length >= 1);
    expect((await fetch(`http://127.0.0.1:${PORTS.alpha}/alpha`, { headers })).status).toBe(418);
    expect(ps().beta.pid).toBe(before.beta.pid);
  });
  it('msx restart while a watch restart of the same service runs: one after the other, one process at the end', { timeout: 180_000 }, async () => {
    logStart = supervisorLog().length;
    expect(runCli(['up', '--detach', '--watch'], ws).code).toBe(0);
    const before = ps();
    appendFileSync(routes(), '// a save just before msx restart\n');
    await sleep(150); // the watcher's quiet period is over: its restart has begun
    const restart = runCli(['restart', 'alpha', '--json'], ws);
    expect(restart.code, restart.stderr).toBe(0);
    await waitFor(() => restartLines().length >= 1 && ps().alpha.state === 'ready');
    const after = ps();
    expect(after.alpha.restarts).toBe(2);
    expect(after.alpha.pid).not.toBe(before.alpha.pid);
    expect(after.beta.pid).toBe(before.beta.pid);
    // Serialized, the two never started a process each at once: only the last one is left.
    for (const pid of seenPids) if (pid !== after.alpha.pid && pid !== after.beta.pid) expect(groupAlive(pid), `pid ${pid}`).toBe(false);
    expect((await fetch(`http://127.0.0.1:${PORTS.alpha}/health/ready`)).status).toBe(200);
  });
});
