import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceStatus } from '../../src/runtimes/runtime.js';
import { makeTempDir, MSX_BIN, removeDir, runCli } from '../helpers/cli.js';
import { groupAlive } from '../helpers/process-groups.js';
import { killGroup, npmInstall, startProcess, type StartedProcess } from '../helpers/processes.js';

// Real child processes: three generated REST services, a → b → c, on ports of
// their own, started by the built CLI.

const PORTS = { alpha: 41310, beta: 41311, gamma: 41312 };

describe('local runtime: msx up / ps / down with real processes', () => {
  let root: string;
  let ws: string;
  let foreground: StartedProcess | undefined;

  beforeAll(() => {
    root = makeTempDir();
    ws = join(root, 'shop');
    expect(runCli(['init', 'shop'], root).code).toBe(0);
    const make = (name: string, port: number, deps: string[]) => {
      const args = ['new', 'service', name, '--kind', 'rest', '--context', 'core', '--port', String(port)];
      if (deps.length > 0) args.push('--depends-on', deps.join(','));
      const result = runCli(args, ws);
      expect(result.stderr).toBe('');
    };
    make('alpha', PORTS.alpha, []);
    make('beta', PORTS.beta, ['alpha']);
    make('gamma', PORTS.gamma, ['beta']);
    for (const name of ['alpha', 'beta', 'gamma']) npmInstall(join(ws, 'contexts', 'core', name));
  });

  afterEach(() => {
    runCli(['down'], ws);
    killGroup(foreground?.child);
    foreground = undefined;
  });

  afterAll(() => {
    runCli(['down'], ws);
    removeDir(root);
  });

  const ps = (): ServiceStatus[] => JSON.parse(runCli(['ps', '--json'], ws).stdout).services;
  const psOf = (name: string) => ps().find((s) => s.service === name)!;

  it('starts all three in dependency order, each ready, and down leaves no process', async () => {
    const up = runCli(['up', '--detach', '--json'], ws);
    expect(up.code, up.stderr).toBe(0);
    const statuses = JSON.parse(up.stdout).services as ServiceStatus[];
    expect(statuses.map((s) => s.state)).toEqual(['ready', 'ready', 'ready']);

    // beta started only after alpha was ready, gamma after beta
    const log = supervisorLog(ws);
    expect(log.indexOf('alpha: ready')).toBeLessThan(log.indexOf('beta: starting'));
    expect(log.indexOf('beta: ready')).toBeLessThan(log.indexOf('gamma: starting'));

    // beta reaches alpha through the injected ALPHA_URL: its readiness checks it
    const ready = await (await fetch(`http://127.0.0.1:${PORTS.beta}/health/ready`)).json();
    expect(JSON.stringify(ready)).toContain('alpha');
    const pids = ps().map((s) => s.pid!);
    expect(pids.every(groupAlive)).toBe(true);

    const down = runCli(['down'], ws);
    expect(down.stdout).toMatch(/Stopped 3 service/);
    expect(pids.filter(groupAlive)).toEqual([]);
    expect(ps().map((s) => s.state)).toEqual(['stopped', 'stopped', 'stopped']);
  });

  it('restarts a service killed with SIGKILL', async () => {
    expect(runCli(['up', '--detach'], ws).code).toBe(0);
    const before = psOf('alpha');
    process.kill(-before.pid!, 'SIGKILL');
    let after = psOf('alpha');
    for (let i = 0; i < 100 && !(after.state === 'ready' && after.restarts === 1); i += 1) {
      await sleep(100);
      after = psOf('alpha');
    }
    expect(after).toMatchObject({ state: 'ready', restarts: 1 });
    expect(after.pid).not.toBe(before.pid);
    expect((await fetch(`http://127.0.0.1:${PORTS.alpha}/health/live`)).status).toBe(200);
  });

  it('refuses a second msx up while one runs', () => {
    expect(runCli(['up', '--detach'], ws).code).toBe(0);
    const second = runCli(['up', '--detach'], ws);
    expect(second.code).toBe(7);
    expect(second.stderr).toMatch(/already running/);
  });

  it('Ctrl-C on a foreground msx up stops every service and the supervisor', async () => {
    foreground = startProcess(process.execPath, [MSX_BIN, 'up'], ws, { NO_COLOR: '1' });
    for (let i = 0; i < 300 && !foreground.output().includes('Ctrl-C stops everything'); i += 1) await sleep(100);
    const pids = ps().map((s) => s.pid!);
    expect(pids.filter(groupAlive)).toHaveLength(3);
    expect(foreground.output()).toMatch(/alpha\s+\| .*INFO/); // log lines streamed, prefixed per service

    foreground.child.kill('SIGINT');
    expect(await foreground.exited).toBe(130);
    expect(pids.filter(groupAlive)).toEqual([]);
  });

  it('reports a service that cannot start, with its last lines, and blocks what depends on it', () => {
    const file = join(ws, 'msx.yaml');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('port: 41310', 'port: 41310\n    config: { LOG_LEVEL: shouty }'));
    try {
      const up = runCli(['up', '--detach'], ws);
      expect(up.code).toBe(6);
      expect(up.stderr).toMatch(/alpha is failed: exited before it was ready \(code 78\)/);
      expect(up.stderr).toMatch(/config error: LOG_LEVEL/);
      expect(up.stderr).toMatch(/beta is blocked: waits for "alpha", which is failed/);
    } finally {
      writeFileSync(file, original);
    }
  });

  it('names the port and the service when a port is taken, and starts nothing', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(PORTS.beta, '127.0.0.1', resolve));
    try {
      const up = runCli(['up', '--detach'], ws);
      expect(up.code).toBe(7);
      expect(up.stderr).toMatch(/port 41311 of service "beta" is already in use/);
      expect(ps().every((s) => s.state === 'stopped')).toBe(true);
    } finally {
      blocker.close();
    }
  });
});

function supervisorLog(ws: string): string {
  return readFileSync(join(ws, '.msx', 'supervisor.log'), 'utf8');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
