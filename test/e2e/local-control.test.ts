import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceStatus } from '../../src/runtimes/runtime.js';
import { makeTempDir, removeDir, runCli } from '../helpers/cli.js';
import { makeTwoServiceWorkspace, stopAndReap } from '../helpers/local-workspace.js';
import { groupAlive } from '../helpers/process-groups.js';

// msx restart/stop/start against a real detached supervisor and real service processes.

const PORTS = { alpha: 42500, beta: 42501 };

describe('per-service control of a running local workspace', () => {
  let root: string;
  let ws: string;
  const seenPids = new Set<number>();
  const mainOf = (name: string) => join(ws, 'contexts', 'core', name, 'src', 'main.ts');
  let alphaMain = '';

  beforeAll(() => {
    root = makeTempDir();
    // Deep enough that .msx/supervisor.sock would pass the 107 bytes a unix socket path may have.
    const deep = join(root, 'a-folder-deep-in-a-monorepo'.repeat(3));
    mkdirSync(deep);
    ws = makeTwoServiceWorkspace(deep, 'control', PORTS);
    expect(Buffer.byteLength(join(ws, '.msx', 'supervisor.sock'))).toBeGreaterThan(107);
    alphaMain = readFileSync(mainOf('alpha'), 'utf8');
  });

  afterEach(() => {
    writeFileSync(mainOf('alpha'), alphaMain);
    runCli(['down'], ws);
    expect([...seenPids].filter(groupAlive)).toEqual([]);
  });

  afterAll(() => {
    stopAndReap(ws, seenPids);
    removeDir(root);
  });

  const pids = (): Record<string, number | undefined> => {
    const services = JSON.parse(runCli(['ps', '--json'], ws).stdout).services as ServiceStatus[];
    for (const s of services) if (s.pid) seenPids.add(s.pid);
    return Object.fromEntries(services.map((s) => [s.service, s.state === 'ready' ? s.pid : undefined]));
  };
  const control = (...args: string[]) => {
    const result = runCli([...args, '--json'], ws);
    // Like msx up --json: the statuses first, then (exit 6) the error object.
    const first = result.stdout.slice(0, result.stdout.indexOf('\n}') + 2);
    const services = result.code === 0 || result.code === 6 ? (JSON.parse(first).services as ServiceStatus[]) : [];
    for (const s of services) if (s.pid) seenPids.add(s.pid);
    return { ...result, services };
  };
  const upDetached = () => expect(runCli(['up', '--detach', '--json'], ws).code).toBe(0);

  it('with no supervisor running: one line, exit 3, the hint names msx up --detach', () => {
    const result = runCli(['restart', 'alpha'], ws);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('no msx supervisor runs for this workspace');
    expect(result.stderr).toContain('msx up --detach');
  });

  it('restart of one service changes its pid only; an unknown name is exit 3', { timeout: 180_000 }, async () => {
    upDetached();
    const before = pids();
    const restart = control('restart', 'alpha');
    expect(restart.code, restart.stderr).toBe(0);
    expect(restart.services.map((s) => [s.service, s.state, s.restarts])).toEqual([['alpha', 'ready', 1]]);
    const after = pids();
    expect(after.alpha).not.toBe(before.alpha);
    expect(after.beta).toBe(before.beta);
    expect((await fetch(`http://127.0.0.1:${PORTS.alpha}/health/ready`)).status).toBe(200);
    expect(runCli(['restart', 'nope'], ws).code).toBe(3);
  });

  it('stop then start of one service; the other keeps its pid', { timeout: 180_000 }, async () => {
    upDetached();
    const before = pids();
    const stop = control('stop', 'beta');
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.services.map((s) => s.state)).toEqual(['stopped']);
    expect(groupAlive(before.beta!)).toBe(false);
    const ps = JSON.parse(runCli(['ps', '--json'], ws).stdout).services as ServiceStatus[];
    expect(ps.find((s) => s.service === 'beta')?.lastExit).toBe('stopped by msx stop');
    expect(ps.find((s) => s.service === 'beta')?.pid, 'ps --json gives no pid of a stopped service').toBeUndefined();
    const start = control('start', 'beta');
    expect(start.code, start.stderr).toBe(0);
    expect(start.services.map((s) => [s.state, s.restarts])).toEqual([['ready', 0]]); // a start after a stop is no restart
    expect(pids().alpha).toBe(before.alpha);
    expect((await fetch(`http://127.0.0.1:${PORTS.beta}/health/ready`)).status).toBe(200);
  });

  it('a service that never gets ready is killed and shown failed, with no pid in ps --json', { timeout: 180_000 }, async () => {
    expect(runCli(['up', '--detach', '--json', '--timeout', '3'], ws).code).toBe(0);
    const before = pids();
    // Runs, but never answers its readiness probe.
    writeFileSync(mainOf('alpha'), 'setInterval(() => undefined, 1000);\n');
    const stuck = control('restart', 'alpha');
    expect(stuck.code).toBe(6);
    expect(stuck.services[0].state).toBe('failed');
    expect(stuck.services[0].detail).toContain('not ready after 3s');
    const ps = JSON.parse(runCli(['ps', '--json'], ws).stdout).services as ServiceStatus[];
    const alpha = ps.find((s) => s.service === 'alpha');
    expect(alpha?.state).toBe('failed');
    expect(alpha?.pid, 'ps --json gives no pid of a service killed for its readiness').toBeUndefined();
    expect(pids().beta).toBe(before.beta);
  });

  it('a service that fails on restart is shown failed (exit 6); fixed, its restart brings it back alone', { timeout: 180_000 }, async () => {
    upDetached();
    const before = pids();
    writeFileSync(mainOf('alpha'), `throw new Error('broken on purpose');\n${alphaMain}`);
    const broken = control('restart', 'alpha');
    expect(broken.code).toBe(6);
    expect(broken.services[0].state).toBe('failed');
    expect(broken.services[0].detail, broken.services[0].detail).toContain('broken on purpose');
    expect(pids().beta).toBe(before.beta);
    const ps = JSON.parse(runCli(['ps', '--json'], ws).stdout).services as ServiceStatus[];
    const alpha = ps.find((s) => s.service === 'alpha');
    expect(alpha?.state).toBe('failed');
    expect(alpha?.pid, 'ps --json gives no pid of a failed service').toBeUndefined();

    writeFileSync(mainOf('alpha'), alphaMain);
    const fixed = control('restart', 'alpha');
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(pids().beta).toBe(before.beta);
    expect((await fetch(`http://127.0.0.1:${PORTS.alpha}/health/ready`)).status).toBe(200);
  });
});
