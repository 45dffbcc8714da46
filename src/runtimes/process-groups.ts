import { readdirSync, readFileSync } from 'node:fs';

/**
 * Processes and process groups, told apart from whatever later reuses their
 * numbers: a process is named by its pid and its start time (field 22 of
 * /proc/PID/stat, clock ticks since boot), never by a name pattern.
 */
export interface ProcessIdentity {
  pid: number;
  /** Start time in clock ticks since boot; undefined where /proc is not there. */
  start?: number;
}

interface ProcStat {
  state: string;
  pgrp: number;
  start: number;
}

function procStat(pid: number): ProcStat | undefined {
  try {
    // "pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
    //  priority nice threads itrealvalue starttime ..."; comm may hold spaces, so split after ")".
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], pgrp: Number(fields[2]), start: Number(fields[19]) };
  } catch {
    return undefined;
  }
}

/** The identity of a running process (its start time read now), or undefined when it is not running. */
export function identify(pid: number | undefined): ProcessIdentity | undefined {
  if (!pid || !isAlive(pid)) return undefined;
  return { pid, start: procStat(pid)?.start };
}

/**
 * True while the process runs: a zombie (killed, not yet reaped by its parent
 * or by an init that never reaps) does not count, nor a process that took the
 * pid over after it (another start time).
 */
export function isAlive(pid: number | undefined, start?: number): boolean {
  if (!pid) return false;
  if (process.platform === 'linux') {
    const stat = procStat(pid);
    return stat !== undefined && stat.state !== 'Z' && (start === undefined || stat.start === start);
  }
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
 * With `start`, a group whose leader is a later process under the same pid is
 * not the one meant (Linux reuses no pid while its group has members).
 */
export function isGroupAlive(pgid: number | undefined, start?: number): boolean {
  if (!pgid) return false;
  if (process.platform !== 'linux') return isAlive(-pgid);
  const leader = procStat(pgid);
  if (start !== undefined && leader && leader.state !== 'Z' && leader.start !== start) return false;
  return liveGroupMembers(pgid).length > 0;
}

function liveGroupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat && stat.pgrp === pgid && stat.state !== 'Z') members.push(Number(entry));
  }
  return members;
}
