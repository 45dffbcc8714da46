import { readdirSync, readFileSync } from 'node:fs';

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
