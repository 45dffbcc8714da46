import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { msxFile } from './paths.js';

const POLL_MS = 50;

/**
 * Runs `action` holding the service's lock file (.msx/locks/<service>.lock),
 * so two processes acting on one service (a watch update in `msx up` or the
 * detached follower, and a `msx restart` from another shell) take turns
 * instead of racing: the second waits until the first is done. `what` says
 * what holds it; `onWait` is called once, with the holder's, when it waits. A lock whose holder died is taken over.
 */
export async function withServiceLock<T>(root: string, service: string, what: string, action: () => Promise<T>, onWait: (holder: string) => void = () => undefined): Promise<T> {
  const file = msxFile.serviceLock(root, service);
  mkdirSync(dirname(file), { recursive: true });
  let waited = false;
  for (;;) {
    try {
      writeFileSync(file, JSON.stringify({ pid: process.pid, what, at: new Date().toISOString() }), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = lockHolder(file);
    if (holder && !alive(holder.pid)) {
      rmSync(file, { force: true });
      continue;
    }
    if (!waited) onWait(holder?.what ?? 'another msx');
    waited = true;
    await sleep(POLL_MS);
  }
  try {
    return await action();
  } finally {
    rmSync(file, { force: true });
  }
}

function lockHolder(file: string): { pid: number; what: string } | undefined {
  try {
    const { pid, what } = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; what?: string };
    return { pid, what: what ?? `process ${pid}` };
  } catch {
    return undefined; // being written this instant: wait a turn
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Holds the locks of several services (taken in name order, so two holders of many never deadlock), then runs `action`. */
export async function withServiceLocks<T>(root: string, services: string[], what: string, action: () => Promise<T>, onWait?: (holder: string) => void): Promise<T> {
  const [first, ...rest] = [...new Set(services)].sort();
  if (first === undefined) return action();
  return withServiceLock(root, first, what, () => withServiceLocks(root, rest, what, action, onWait), onWait);
}
