import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir, runCli } from '../helpers/cli.js';
import { makeTwoServiceWorkspace, stopAndReap } from '../helpers/local-workspace.js';
import { groupAlive } from '../helpers/process-groups.js';
import { processesUnder, statusOf, supervisorLog, waitFor } from './local-watch-probes.js';

// msx up --detach --watch: msx.yaml edits, event contracts and ignored files, on real processes.

const PORTS = { alpha: 42506, beta: 42507, gamma: 42508 };
const QUIET_AFTER_MS = 2500; // a restart, were there one, would have begun by now

describe('msx up --watch beyond source files', () => {
  let root: string;
  let ws: string;
  let yaml = '';
  const seenPids = new Set<number>();
  const pids = () => Object.fromEntries(['alpha', 'beta', 'gamma'].map((name) => [name, statusOf(ws, name)?.state === 'ready' ? statusOf(ws, name)?.pid : undefined]));
  let logStart = 0;
  const newLog = () => supervisorLog(ws).slice(logStart);
  const mark = () => {
    logStart = supervisorLog(ws).length;
    for (const pid of Object.values(pids())) if (pid) seenPids.add(pid);
  };

  beforeAll(() => {
    root = makeTempDir();
    ws = makeTwoServiceWorkspace(root, 'yamlwatch', PORTS);
    // beta subscribes to order.placed (a REST service needs no broker for that locally).
    yaml = readFileSync(join(ws, 'msx.yaml'), 'utf8').replace(/(    dependsOn:\n      - alpha\n)/, '$1    subscribes: [order.placed]\n');
    expect(yaml).toContain('subscribes: [order.placed]');
    writeFileSync(join(ws, 'msx.yaml'), yaml);
    mkdirSync(join(ws, 'contracts', 'events'), { recursive: true });
    writeFileSync(join(ws, 'contracts', 'events', 'order.placed.json'), '{"type":"object"}\n');
    // gamma, added to msx.yaml later: a copy of alpha's package sharing its node_modules.
    const alpha = join(ws, 'contexts', 'core', 'alpha');
    const gamma = join(ws, 'contexts', 'core', 'gamma');
    cpSync(alpha, gamma, { recursive: true, filter: (src) => !src.includes('node_modules') });
    symlinkSync(join(alpha, 'node_modules'), join(gamma, 'node_modules'));
    writeFileSync(join(alpha, '.gitignore'), `${readFileSync(join(alpha, '.gitignore'), 'utf8')}src/generated/\n`);
    mkdirSync(join(alpha, 'src', 'generated'), { recursive: true });
    expect(runCli(['up', '--detach', '--watch'], ws).code).toBe(0);
  }, 300_000);

  afterAll(() => {
    for (const pid of Object.values(pids())) if (pid) seenPids.add(pid);
    stopAndReap(ws, seenPids);
    expect(processesUnder(ws)).toEqual([]);
    removeDir(root);
  });

  it('an invalid msx.yaml edit: its msx.yaml:LINE:COL line, nothing stopped or restarted', { timeout: 120_000 }, async () => {
    mark();
    const before = pids();
    writeFileSync(join(ws, 'msx.yaml'), yaml.replace(`port: ${PORTS.beta}`, 'port: "not a port"'));
    await waitFor(() => newLog().includes('is not valid'), 'the invalid-msx.yaml line');
    expect(newLog()).toMatch(/msx\.yaml:\d+:\d+ services\.beta\.port: /);
    expect(newLog()).toContain('nothing was stopped or restarted');
    await sleep(QUIET_AFTER_MS);
    expect(pids()).toEqual(before);
    writeFileSync(join(ws, 'msx.yaml'), yaml);
  });

  it('a valid edit restarts only the service whose config changed; the others keep their pids', { timeout: 180_000 }, async () => {
    mark();
    const before = pids();
    yaml = yaml.replace(/(  beta:\n)/, '$1    config:\n      GREETING: hello\n');
    writeFileSync(join(ws, 'msx.yaml'), yaml);
    await waitFor(() => newLog().includes('change applied'), 'the msx.yaml change applied');
    expect(newLog()).toContain('msx.yaml changed → restarting beta');
    const after = pids();
    expect(after.alpha).toBe(before.alpha);
    expect(after.beta).toBeDefined();
    expect(after.beta).not.toBe(before.beta);
  });

  it('a new service in msx.yaml is started and gated on readiness; removed, it is stopped; the others keep their pids', { timeout: 240_000 }, async () => {
    mark();
    const before = pids();
    const withGamma = `${yaml.replace(/\nservices:\n/, `\nservices:\n  gamma:\n    kind: rest\n    context: core\n    path: contexts/core/gamma\n    port: ${PORTS.gamma}\n    dependsOn: [alpha]\n`)}`;
    writeFileSync(join(ws, 'msx.yaml'), withGamma);
    await waitFor(() => statusOf(ws, 'gamma')?.state === 'ready', 'gamma ready');
    expect((await fetch(`http://127.0.0.1:${PORTS.gamma}/health/ready`)).status).toBe(200);
    const gammaPid = statusOf(ws, 'gamma')!.pid!;
    seenPids.add(gammaPid);
    expect(pids().alpha).toBe(before.alpha);
    expect(pids().beta).toBe(before.beta);
    const ps = JSON.parse(runCli(['ps', '--json'], ws).stdout).services as { service: string; state: string }[];
    expect(ps.find((s) => s.service === 'gamma')?.state).toBe('ready');

    mark();
    writeFileSync(join(ws, 'msx.yaml'), yaml);
    await waitFor(() => newLog().includes('change applied'), 'gamma removed');
    expect(newLog()).toContain('msx.yaml changed → stopping gamma');
    expect(groupAlive(gammaPid)).toBe(false);
    expect(pids().alpha).toBe(before.alpha);
    expect(pids().beta).toBe(before.beta);
  });

  it('a workspace contracts/events change restarts the services on that event only', { timeout: 180_000 }, async () => {
    mark();
    const before = pids();
    writeFileSync(join(ws, 'contracts', 'events', 'order.placed.json'), '{"type":"object","required":["id"]}\n');
    await waitFor(() => newLog().includes('beta: ') && newLog().includes('order.placed.json changed → restarted'), 'beta restarted for the contract');
    expect(pids().alpha).toBe(before.alpha);
    expect(pids().beta).not.toBe(before.beta);
  });

  it('a .gitignored file, node_modules and dist never trigger a restart', { timeout: 120_000 }, async () => {
    mark();
    const before = pids();
    const alpha = join(ws, 'contexts', 'core', 'alpha');
    writeFileSync(join(alpha, 'src', 'generated', 'client.ts'), 'export const generated = 1;\n');
    writeFileSync(join(alpha, 'node_modules', '.touched'), 'x');
    mkdirSync(join(alpha, 'dist'), { recursive: true });
    writeFileSync(join(alpha, 'dist', 'x.js'), 'x');
    await sleep(QUIET_AFTER_MS);
    expect(newLog()).not.toContain(' changed → ');
    expect(pids()).toEqual(before);
  });
});
