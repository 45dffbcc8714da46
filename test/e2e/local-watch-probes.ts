import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import type { ServiceStatus } from '../../src/runtimes/runtime.js';

/** What the local-watch suites read off a running supervisor: its state file and /proc. */

export function localState(ws: string): { supervisorPid: number; services: ServiceStatus[] } | undefined {
  const file = join(ws, '.msx', 'local-state.json');
  try {
    return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
  } catch {
    return undefined; // caught mid-write
  }
}

export function statusOf(ws: string, service: string): ServiceStatus | undefined {
  return localState(ws)?.services.find((s) => s.service === service);
}

/** The inotify instances a process holds and the watches in them (/proc/PID/fdinfo: one `inotify wd:` line per watch). */
export function inotifyOf(pid: number): { instances: number; watches: number } {
  let instances = 0;
  let watches = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target = '';
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue;
    }
    if (target !== 'anon_inode:inotify') continue;
    instances += 1;
    watches += readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8').split('\n').filter((line) => line.startsWith('inotify wd:')).length;
  }
  return { instances, watches };
}

export function rssKb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line?.split(/\s+/)[1] ?? 0);
}

/** Live processes whose working folder is under `dir`: a service, a spare, anything they spawned. */
export function processesUnder(dir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0];
      if ((cwd === dir || cwd.startsWith(dir + sep)) && state !== 'Z') found.push(Number(entry));
    } catch {
      // exited while listed, or not ours to read
    }
  }
  return found;
}

export function pgidOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  } catch {
    return undefined;
  }
}

export async function waitFor(condition: () => boolean, what: string | (() => string), tries = 1200): Promise<void> {
  for (let i = 0; i < tries && !condition(); i += 1) await sleep(100);
  expect(condition(), typeof what === 'string' ? what : what()).toBe(true);
}

export function supervisorLog(ws: string): string {
  const file = join(ws, '.msx', 'supervisor.log');
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}
