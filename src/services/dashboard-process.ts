import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ExternalError } from '../errors.js';
import { identify, isAlive } from '../runtimes/process-groups.js';
import { msxFile, stateDir } from '../state/paths.js';
import { readWorkspace } from '../state/workspace-cache.js';
import { runtimeInUse } from '../state/local-state.js';

const MSX_BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url));
const POLL_MS = 1000;

interface DashboardRecord {
  url: string;
  pid: number;
  start?: number;
  /** Started by `msx up --detach` (`--until-down`): `msx down` stops it with the services. */
  untilDown?: boolean;
}

/**
 * Kept in .msx/dashboard.json while a dashboard serves this workspace, so `msx up` shows it instead of starting
 * another. Takes the workspace root (dashboardWorkspace): a dashboard going away must not read (and so re-cache)
 * msx.yaml while a test or a user removes the folder.
 */
export function recordDashboard(root: string, url: string, untilDown = false): void {
  mkdirSync(stateDir(root), { recursive: true });
  const record: DashboardRecord = { url, pid: process.pid, start: identify(process.pid)?.start, untilDown };
  writeFileSync(msxFile.dashboard(root), JSON.stringify(record));
}

export function forgetDashboard(root: string): void {
  if (readRecord(root)?.pid === process.pid) rmSync(msxFile.dashboard(root), { force: true });
}

/** The URL of the dashboard that serves this workspace now, if one does. */
export async function runningDashboard(cwd: string): Promise<string | undefined> {
  const { root } = await readWorkspace(cwd);
  const record = readRecord(root);
  return record && isAlive(record.pid, record.start) ? record.url : undefined;
}

/**
 * For `msx up --detach`: the dashboard already serving this workspace, else a
 * new `msx dashboard --until-down` of its own (detached, like the supervisor),
 * which stops by itself once `msx down` has stopped the workspace.
 */
export async function detachedDashboard(cwd: string): Promise<string> {
  const running = await runningDashboard(cwd);
  if (running) return running;
  const { root } = await readWorkspace(cwd);
  mkdirSync(stateDir(root), { recursive: true });
  const log = openSync(msxFile.dashboardLog(root), 'a');
  const child = spawn(process.execPath, [MSX_BIN, 'dashboard', '--until-down'], { cwd: root, detached: true, stdio: ['ignore', log, log] });
  child.unref();
  for (let waited = 0; waited < 15_000; waited += 100) {
    const record = readRecord(root);
    if (record && record.pid === child.pid) return record.url;
    if (!isAlive(child.pid)) break;
    await sleep(100);
  }
  throw new ExternalError('the msx dashboard did not start', 'msx dashboard --until-down', tail(msxFile.dashboardLog(root)));
}

/** Resolves once no runtime runs the workspace (`msx down`, or the foreground `msx up` ended): two stats a second, no reads. */
export async function untilWorkspaceStops(root: string, signal: AbortSignal): Promise<void> {
  while (!signal.aborted && runtimeInUse(root) !== undefined) await sleep(POLL_MS, undefined, { signal }).catch(() => undefined);
}

/**
 * `msx down`: the dashboard `msx up --detach` started is stopped before down returns (SIGTERM, then SIGKILL after
 * 3 s), so nothing of the workspace is left running. A dashboard the user runs in a terminal is theirs: it stays.
 */
export async function stopDetachedDashboard(root: string): Promise<void> {
  const record = readRecord(root);
  if (!record?.untilDown || !isAlive(record.pid, record.start)) return;
  try {
    process.kill(record.pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let waited = 0; waited < 3_000 && isAlive(record.pid, record.start); waited += 50) await sleep(50);
  if (isAlive(record.pid, record.start)) process.kill(record.pid, 'SIGKILL');
  rmSync(msxFile.dashboard(root), { force: true });
}

function readRecord(root: string): DashboardRecord | undefined {
  try {
    return JSON.parse(readFileSync(msxFile.dashboard(root), 'utf8')) as DashboardRecord;
  } catch {
    return undefined;
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '';
  }
}
