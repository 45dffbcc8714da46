import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { msxFile, stateDir } from '../../state/paths.js';
import { isAlive, isGroupAlive } from '../process-groups.js';
import { readCollectorAddress } from '../../collector/collector.js';

const FOLLOWER_MAIN = fileURLToPath(new URL('./log-follower-main.js', import.meta.url));
const pidFile = msxFile.dockerFollowerPid;

/**
 * After `msx up --runtime docker --detach` the containers keep running under
 * Docker, but someone must keep appending their output to .msx/logs for
 * `msx logs`: a small detached process, stopped by the next `up` or by `down`.
 */
export function startLogFollower(root: string, workspace: string, extra: { collectorHost?: string; watchInput?: string } = {}): number {
  mkdirSync(stateDir(root), { recursive: true });
  const log = openSync(msxFile.dockerFollowerLog(root), 'a');
  const args = [root, workspace, extra.collectorHost ?? '', ...(extra.watchInput ? [extra.watchInput] : [])];
  const child = spawn(process.execPath, ['--max-semi-space-size=1', FOLLOWER_MAIN, ...args], {
    detached: true,
    stdio: ['ignore', log, log],
    cwd: root,
  });
  child.unref();
  writeFileSync(pidFile(root), String(child.pid));
  return child.pid!;
}

/**
 * The port of msx's collector in the detached follower, listening on
 * `gateway` (the workspace network's, where containers reach the host):
 * the running follower's, or a new follower's once it listens. Undefined when
 * none answers in a few seconds (the services then run without msx traces).
 */
export async function followerCollectorPort(root: string, workspace: string, gateway: string): Promise<number | undefined> {
  if (!logFollowerRunning(root)) startLogFollower(root, workspace, { collectorHost: gateway });
  const pid = Number(readFileSync(pidFile(root), 'utf8'));
  for (let i = 0; i < 250; i += 1) {
    const address = readCollectorAddress(root);
    if (address && address.pid === pid && address.host === gateway) return address.port;
    if (!isFollower(pid)) return undefined;
    await sleep(20);
  }
  return undefined;
}

/**
 * Waits until the follower just started says it watches (each watcher's first
 * scan done), so an edit right after `up --detach --watch` returns is seen.
 * False when it died first or said nothing in time.
 */
export async function waitForWatching(root: string, pid: number, logOffset: number, timeoutMs = 60_000): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(50)) {
    const said = readFileSync(msxFile.dockerFollowerLog(root), 'utf8').slice(logOffset);
    if (/ watching /.test(said)) return true;
    if (!isAlive(pid)) return false;
  }
  return false;
}

/** The follower log's size now: what a follower started next writes comes after it. */
export function followerLogSize(root: string): number {
  const file = msxFile.dockerFollowerLog(root);
  return existsSync(file) ? readFileSync(file, 'utf8').length : 0;
}

/** True while the follower of an earlier `up --detach` runs: it picks up recreated containers by itself. */
export function logFollowerRunning(root: string): boolean {
  const pid = recordedPid(root);
  return pid !== undefined && isFollower(pid);
}

/** The pid of the follower an `up --detach` started that is no longer running (kill -9, the engine gone): its pid file outlived it. */
export function goneFollower(root: string): number | undefined {
  const pid = recordedPid(root);
  return pid === undefined || isFollower(pid) ? undefined : pid;
}

/** Stops the follower of an earlier `up --detach`; it saves its log position on SIGTERM. */
export async function stopLogFollower(root: string): Promise<void> {
  const pid = recordedPid(root);
  if (pid === undefined) return;
  rmSync(pidFile(root), { force: true });
  if (!isFollower(pid)) return;
  process.kill(pid, 'SIGTERM');
  // It leads its own process group (detached); a zombie waiting for init to reap it is not alive.
  // 4 s: its collector gives requests in flight up to 2 s before it saves its log position.
  for (let i = 0; i < 200 && isGroupAlive(pid); i += 1) await sleep(20);
  if (isGroupAlive(pid)) process.kill(pid, 'SIGKILL');
}

/** The pid an `up --detach` wrote for its follower, if any (it may be stale: see isFollower). */
function recordedPid(root: string): number | undefined {
  const file = pidFile(root);
  return existsSync(file) ? Number(readFileSync(file, 'utf8')) : undefined;
}

/** The pid file may be stale and the pid reused: only a process running our entry point is signalled. */
function isFollower(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('log-follower-main');
  } catch {
    return process.platform !== 'linux';
  }
}
