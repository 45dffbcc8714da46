import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir, runCli } from '../helpers/cli.js';
import { npmInstall } from '../helpers/processes.js';
import { processesUnder, statusOf, supervisorLog, waitFor } from './local-watch-probes.js';

// msx up --watch: package.json changed → reinstall, then restart; a failed install is shown like a crash, once.

const PORT = 42509;

describe('msx up --watch and a package.json change', () => {
  let root: string;
  let ws: string;
  let dir: string;
  let manifest = '';

  beforeAll(() => {
    root = makeTempDir();
    ws = join(root, 'installwatch');
    expect(runCli(['init', 'installwatch'], root).code).toBe(0);
    expect(runCli(['new', 'service', 'solo', '--kind', 'rest', '--context', 'core', '--port', String(PORT)], ws).code).toBe(0);
    dir = join(ws, 'contexts', 'core', 'solo');
    npmInstall(dir);
    manifest = readFileSync(join(dir, 'package.json'), 'utf8');
    expect(runCli(['up', '--detach', '--watch'], ws).code).toBe(0);
  }, 300_000);

  afterAll(() => {
    writeFileSync(join(dir, 'package.json'), manifest);
    runCli(['down'], ws);
    for (const pid of processesUnder(ws)) process.kill(pid, 'SIGKILL');
    removeDir(root);
  });

  it('an install that fails: the service is failed with npm\'s first error lines, not retried in a loop; the fix reinstalls and restarts it', { timeout: 600_000 }, async () => {
    const logStart = supervisorLog(ws).length;
    writeFileSync(join(dir, 'package.json'), `${manifest.trimEnd().slice(0, -1)},,}\n`); // not JSON any more
    await waitFor(() => statusOf(ws, 'solo')?.state === 'failed', 'solo failed');
    const failed = statusOf(ws, 'solo')!;
    expect(failed.detail).toContain("installing solo's dependencies failed");
    expect(failed.detail).toMatch(/first lines:\n {4}.*(JSON|EJSONPARSE)/i);
    expect(failed.lastExit).toBe('its dependencies failed to install');
    await sleep(3000);
    expect(supervisorLog(ws).slice(logStart).match(/reinstalling dependencies/g)).toHaveLength(1);
    expect(statusOf(ws, 'solo')!.state).toBe('failed');

    writeFileSync(join(dir, 'package.json'), manifest);
    await waitFor(() => statusOf(ws, 'solo')?.state === 'ready', 'solo ready after the fix', 3000);
    // The restart's line is written once the restart has returned, a moment after the state says ready (CI once read the log in between).
    await waitFor(() => /package\.json changed → restarted in \d+ ms/.test(supervisorLog(ws).slice(logStart)), 'the restart line', 30);
    expect((await fetch(`http://127.0.0.1:${PORT}/health/ready`)).status).toBe(200);
  });
});
