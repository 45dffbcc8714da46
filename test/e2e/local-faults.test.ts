import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceStatus } from '../../src/runtimes/runtime.js';
import { makeTempDir, removeDir, runCli, snapshotDir } from '../helpers/cli.js';
import { makeTwoServiceWorkspace, stopAndReap } from '../helpers/local-workspace.js';
import { groupAlive } from '../helpers/process-groups.js';

// Faults on real processes: the detached supervisor or a service killed hard.
// Each case asserts what the user sees (ps, up, down) and that nothing is left.
// Each runs several CLI invocations and waits on real restarts: minutes on a loaded 2-core machine.

const PORTS = { alpha: 41330, beta: 41331 };

describe('local runtime under faults', () => {
  let root: string;
  let ws: string;
  const seenPids = new Set<number>();

  beforeAll(() => {
    root = makeTempDir();
    ws = makeTwoServiceWorkspace(root, 'faults', PORTS);
  });

  afterEach(() => {
    runCli(['down'], ws);
    // Whatever any case started is gone once down returns: no orphan, ever.
    expect([...seenPids].filter(groupAlive)).toEqual([]);
  });

  afterAll(() => {
    stopAndReap(ws, seenPids);
    removeDir(root);
  });

  const ps = (): ServiceStatus[] => {
    const services = JSON.parse(runCli(['ps', '--json'], ws).stdout).services as ServiceStatus[];
    for (const s of services) if (s.pid) seenPids.add(s.pid);
    return services;
  };
  const supervisorPid = (): number => JSON.parse(readFileSync(join(ws, '.msx', 'local-state.json'), 'utf8')).supervisorPid;
  const upDetached = () => {
    const up = runCli(['up', '--detach', '--json'], ws);
    expect(up.code, up.stderr).toBe(0);
    return (JSON.parse(up.stdout).services as ServiceStatus[]).map((s) => s.pid!);
  };

  it('kill -9 of the supervisor: ps says the truth at every look, the services stop on their own, up runs again', { timeout: 180_000 }, async () => {
    const pids = upDetached();
    pids.forEach((pid) => seenPids.add(pid));
    process.kill(supervisorPid(), 'SIGKILL');

    // Each look: a service whose process group still runs is "orphaned", one that is gone "stopped".
    for (let i = 0; i < 100; i += 1) {
      const alive = pids.map(groupAlive);
      const states = ps().map((s) => s.state);
      const after = pids.map(groupAlive);
      states.forEach((state, n) => {
        if (alive[n] && after[n]) expect(state).toBe('orphaned');
        if (!alive[n] && !after[n]) expect(state).toBe('stopped');
      });
      if (!after.some(Boolean)) break;
      await sleep(100);
    }
    // The services saw their supervisor go (stdin closed) and shut down by themselves.
    expect(pids.filter(groupAlive)).toEqual([]);
    expect(ps().map((s) => s.state)).toEqual(['stopped', 'stopped']);

    // up neither refuses for the dead supervisor's pid nor trips over its leftovers.
    const again = upDetached();
    again.forEach((pid) => seenPids.add(pid));
    expect((await fetch(`http://127.0.0.1:${PORTS.beta}/health/ready`)).status).toBe(200);
  });

  it('kill -9 of the supervisor, then up at once: what it left is stopped first, and said', { timeout: 180_000 }, () => {
    upDetached().forEach((pid) => seenPids.add(pid));
    process.kill(supervisorPid(), 'SIGKILL');
    const up = runCli(['up', '--detach'], ws);
    expect(up.code, up.stderr).toBe(0);
    expect(ps().map((s) => s.state)).toEqual(['ready', 'ready']);
  });

  it('kill -9 of the supervisor, then down: nothing is left', { timeout: 180_000 }, async () => {
    const pids = upDetached();
    pids.forEach((pid) => seenPids.add(pid));
    process.kill(supervisorPid(), 'SIGKILL');
    const down = runCli(['down'], ws);
    expect(down.code).toBe(0);
    expect(pids.filter(groupAlive)).toEqual([]);
    expect(ps().map((s) => s.state)).toEqual(['stopped', 'stopped']);
  });

  it('kill -9 of a service 20 times in a row: restarted with backoff, then failed with the reason; no process of any run is left', { timeout: 180_000 }, async () => {
    upDetached().forEach((pid) => seenPids.add(pid));
    let kills = 0;
    let alpha = ps()[0];
    for (let i = 0; i < 600 && kills < 20 && alpha.state !== 'failed'; i += 1) {
      if (alpha.pid && groupAlive(alpha.pid) && (alpha.state === 'ready' || alpha.state === 'starting')) {
        process.kill(-alpha.pid, 'SIGKILL');
        kills += 1;
      }
      await sleep(50);
      alpha = ps()[0];
    }
    // The policy: 5 crashes within 60 s and it stops trying (restart-policy.ts).
    for (let i = 0; i < 100 && alpha.state !== 'failed'; i += 1) {
      await sleep(100);
      alpha = ps()[0];
    }
    expect(alpha.state).toBe('failed');
    expect(alpha.detail).toMatch(/crashed 5 times in 60s/);
    expect(alpha.restarts).toBe(4);
    expect(alpha.pid === undefined || !groupAlive(alpha.pid)).toBe(true);
    // Its dependent keeps running: readiness says its dependency is down, liveness that it is alive.
    expect(ps()[1].state).not.toBe('stopped');
    expect((await fetch(`http://127.0.0.1:${PORTS.beta}/health/live`)).status).toBe(200);
  });

  /** msx.yaml edited for one case and put back afterwards, also when the case fails. */
  function withWorkspaceEdit(edit: (text: string) => string, run: () => void | Promise<void>) {
    const file = join(ws, 'msx.yaml');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, edit(original));
    return Promise.resolve().then(run).finally(() => writeFileSync(file, original));
  }

  it('a service folder deleted but still in msx.yaml: up names it before anything starts, ps says it', async () => {
    const dir = join(ws, 'contexts', 'core', 'beta');
    renameSync(dir, `${dir}.away`);
    try {
      const before = snapshotDir(join(ws, 'contexts'));
      const up = runCli(['up', '--detach'], ws);
      expect(up.code).toBe(3);
      expect(up.stderr).toMatch(/^error: the folder of service "beta", contexts\/core\/beta \(msx.yaml services.beta.path\), does not exist\n  next: restore it/);
      expect(up.stderr).not.toMatch(/\n\s+at /);
      expect(ps().map((s) => s.state)).toEqual(['stopped', 'stopped']);
      expect(ps()[1].detail).toMatch(/its folder contexts\/core\/beta does not exist/);
      expect(snapshotDir(join(ws, 'contexts'))).toEqual(before);
    } finally {
      renameSync(`${dir}.away`, dir);
    }
  });

  it('an infra URL in msx.yaml where nothing answers: one line naming it, exit 5, nothing started', () =>
    withWorkspaceEdit(
      (text) => `${text.replace(/(  alpha:\n)/, '$1    dependsOn: [rabbitmq]\n')}infra:\n  rabbitmq:\n    url: amqp://guest:secret@127.0.0.1:5999\n`,
      () => {
        for (const detach of [true, false]) {
          const up = runCli(['up', ...(detach ? ['--detach'] : [])], ws);
          expect(up.code, up.stderr).toBe(5);
          expect(up.stderr).toMatch(/^error: rabbitmq does not answer at 127\.0\.0\.1:5999 \(infra\.rabbitmq\.url in msx\.yaml: amqp:\/\/guest:\*\*\*@127\.0\.0\.1:5999\)\n  next: start rabbitmq there, or fix infra\.rabbitmq\.url in msx\.yaml\n?$/);
          expect(ps().map((s) => s.state)).toEqual(['stopped', 'stopped']);
        }
      },
    ), 180_000);

  it('a PostgreSQL URL in the environment where nothing answers: the same, naming DATABASE_URL', () =>
    withWorkspaceEdit(
      (text) => text.replace(/(  alpha:\n)/, '$1    dependsOn: [postgres]\n'),
      () => {
        const up = runCli(['up', '--detach'], ws, { DATABASE_URL: 'postgres://postgres@127.0.0.1:5999/postgres' });
        expect(up.code, up.stderr).toBe(5);
        expect(up.stderr).toMatch(/^error: postgres does not answer at 127\.0\.0\.1:5999 \(DATABASE_URL in the environment/);
      },
    ), 180_000);
});
