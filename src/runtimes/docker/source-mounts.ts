import { lstatSync, readdirSync, type Stats } from 'node:fs';
import { join, posix } from 'node:path';
import type { Service } from '../../models/workspace.js';
import type { DevRunner } from './dev-runner-install.js';
import { LABEL } from './labels.js';

/** The folders of a service its dev stage copies (templates' Dockerfile), which a watched dev container may read from the host instead. */
const SOURCE_DIRS = ['src', 'proto', 'contracts', 'migrations'];

/**
 * On a local Linux engine under --watch (where the runner's folder is
 * mounted too): the service's source folders the dev container reads through
 * a read-only bind mount over its image's copy, so a save is in the container
 * with no copy through the engine (~0.2-0.5 s an archive call here). Only
 * folders whose every entry the image's user can read: a mount it cannot read
 * would fail the service, so such a folder is copied on each save as before.
 */
export function sourceDirsFor(service: Service, runnerDir: string | undefined, runner: DevRunner | undefined): string[] | undefined {
  if (!runnerDir || !runner?.workingDir.startsWith('/')) return undefined;
  const reader = imageUser(runner.user);
  return SOURCE_DIRS.filter((dir) => {
    const path = join(service.dir, dir);
    const stats = statOf(path);
    return stats?.isDirectory() && readableTree(path, stats, reader);
  });
}

/** The bind mounts of those folders, at the same names under the image's working directory; `z`: relabelled on an SELinux host. */
export function sourceBinds(service: Service, runner: DevRunner, dirs: string[]): string[] {
  return dirs.map((dir) => `${join(service.dir, dir)}:${posix.join(runner.workingDir, dir)}:ro,z`);
}

/** The folders a container sees from the host (its label), relative to the service's folder. */
export function mountedDirs(labels: Record<string, string> | undefined): Set<string> {
  const value = labels?.[LABEL.sourceMounts];
  return new Set(value ? value.split(',') : []);
}

/** Whether a changed file (relative, `/`-separated) is in a mounted folder: already in the container. */
export function isMounted(mounted: Set<string>, path: string): boolean {
  return mounted.has(path.split('/')[0]);
}

interface Reader {
  /** Undefined for a named user (no /etc/passwd of the image read here): then only the "other" bits count. */
  uid?: number;
  gid?: number;
  /** Root reads everything. */
  root: boolean;
}

/** `1000:1000`, `1000`, `0`, '' (root) or a name (then only what all may read counts). */
function imageUser(user: string): Reader {
  const [u, g] = user.split(':');
  if (u === '' || u === '0' || u === 'root') return { root: true };
  const uid = /^\d+$/.test(u) ? Number(u) : undefined;
  const gid = g && /^\d+$/.test(g) ? Number(g) : undefined;
  return { uid, gid, root: false };
}

function readableTree(path: string, stats: Stats, reader: Reader): boolean {
  if (reader.root) return true;
  if (!readable(stats, reader)) return false;
  if (!stats.isDirectory()) return true;
  let names: string[];
  try {
    names = readdirSync(path);
  } catch {
    return false; // not even msx may list it: copied, and the copy says why
  }
  for (const name of names) {
    if (name === 'node_modules') continue;
    const child = join(path, name);
    const childStats = statOf(child);
    if (childStats && !childStats.isSymbolicLink() && !readableTree(child, childStats, reader)) return false;
  }
  return true;
}

/** Read permission (and search, for a folder) for that user, by the mode's owner, group or other bits. */
function readable(stats: Stats, reader: Reader): boolean {
  const need = stats.isDirectory() ? 0o5 : 0o4;
  const bits = stats.uid === reader.uid ? stats.mode >> 6 : stats.gid === reader.gid ? stats.mode >> 3 : stats.mode;
  return (bits & need) === need;
}

function statOf(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}
