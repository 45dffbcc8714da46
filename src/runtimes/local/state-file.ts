import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceStatus } from '../runtime.js';

/** What a running supervisor publishes for `msx ps`, `msx down` and `msx up --detach`. */
export interface SupervisorState {
  runtime: 'local';
  supervisorPid: number;
  startedAt: string;
  /** True once every service has settled (ready, failed or blocked). */
  settled: boolean;
  services: ServiceStatus[];
}

export const stateDir = (root: string) => join(root, '.msx');
export const logsDir = (root: string) => join(root, '.msx', 'logs');
const stateFile = (root: string) => join(root, '.msx', 'local-state.json');

export function readState(root: string): SupervisorState | undefined {
  const file = stateFile(root);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SupervisorState;
  } catch {
    return undefined; // half-written by a crashed supervisor: treat as absent
  }
}

/** Written whole and renamed into place, so a reader never sees half a file. */
export function writeState(root: string, state: SupervisorState): void {
  mkdirSync(stateDir(root), { recursive: true });
  const temp = `${stateFile(root)}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(state, null, 2));
  renameSync(temp, stateFile(root));
}

export function removeState(root: string): void {
  rmSync(stateFile(root), { force: true });
}

export function isAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A process group is alive while any member runs. Zombies do not count: a
 * killed grandchild (tsx's esbuild) is reaped by init whenever init gets to it.
 */
export function isGroupAlive(pgid: number | undefined): boolean {
  if (!pgid) return false;
  if (process.platform !== 'linux') return isAlive(-pgid);
  return liveGroupMembers(pgid).length > 0;
}

function liveGroupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/PID/stat: "pid (comm) state ppid pgrp ..."; comm may hold spaces, so split after ")".
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z') members.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return members;
}
