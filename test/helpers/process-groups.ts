import { readdirSync, readFileSync } from 'node:fs';

/** Live (not zombie) members of a process group, read from /proc. */
export function liveMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z') members.push(Number(entry));
    } catch {
      // exited while listed
    }
  }
  return members;
}

export const groupAlive = (pgid: number): boolean => liveMembers(pgid).length > 0;
