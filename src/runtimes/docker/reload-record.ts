import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { msxFile } from '../../state/paths.js';
import type { ContainerDetails } from '../../docker/docker-client.js';

/**
 * What msx itself did to one container, which Docker does not keep: `docker
 * restart` resets RestartCount to 0 and a running container's ExitCode to 0,
 * and labels cannot change after create. Keyed by container id, so a
 * recreated container starts from nothing.
 */
export interface ReloadEntry {
  /** Restarts so far, less Docker's RestartCount at the time of recording (msx ps adds the count it reads). */
  restarts: number;
  /** Why msx ended its last process: `restarted by msx restart`, `stopped by msx stop`, `synced src/x.ts`. */
  lastExit: string;
  /** The container's FinishedAt right after msx's action: a later exit is not msx's doing. */
  finishedAt: string;
  /** When a restart inside the container (its runner's warm spare) started the service anew: the container's StartedAt stays. */
  reloadedAt?: string;
}

const MAX_ENTRIES = 200;

export function readReloads(root: string): Record<string, ReloadEntry> {
  const file = msxFile.dockerReloads(root);
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, ReloadEntry>;
  } catch {
    return {}; // cut short by a hard kill: the counts start over
  }
}

/**
 * Records an action msx just finished on a container. `priorRestarts` is
 * what ps showed before it; `after` is read once it finished (a manual start
 * resets Docker's RestartCount, a stop does not: the base absorbs either).
 */
export function recordReload(root: string, after: ContainerDetails, change: { priorRestarts: number; lastExit: string; counts: boolean; reloadedAt?: string }): ReloadEntry {
  const all = readReloads(root);
  const entry: ReloadEntry = {
    restarts: change.priorRestarts + (change.counts ? 1 : 0) - after.restartCount,
    lastExit: change.lastExit,
    finishedAt: after.finishedAt,
    ...(change.reloadedAt ? { reloadedAt: change.reloadedAt } : {}),
  };
  delete all[after.id];
  all[after.id] = entry;
  const file = msxFile.dockerReloads(root);
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(Object.fromEntries(Object.entries(all).slice(-MAX_ENTRIES))));
  renameSync(temp, file);
  return entry;
}

/**
 * `msx ps`'s restarts and last exit for a container: msx's own restarts plus
 * Docker's since, and the reason msx recorded when the last exit was msx's
 * (its FinishedAt unchanged), else what the engine says.
 */
export function restartsAndLastExit(details: ContainerDetails, entry: ReloadEntry | undefined): { restarts: number; lastExit?: string; reloadedAt?: string } {
  const restarts = (entry?.restarts ?? 0) + details.restartCount;
  // The same run of the container as msx recorded (no exit since, no Docker restart): its service started when msx restarted it inside.
  const reloadedAt = entry?.reloadedAt && entry.finishedAt === details.finishedAt && details.restartCount === 0 && details.running ? entry.reloadedAt : undefined;
  if (entry && entry.finishedAt === details.finishedAt) return { restarts, lastExit: entry.lastExit, ...(reloadedAt ? { reloadedAt } : {}) };
  if (!details.finishedAt || details.finishedAt.startsWith('0001-')) return { restarts };
  if (!details.running && !details.restarting) return { restarts, lastExit: `exit code ${details.exitCode}` };
  return { restarts, lastExit: details.restartCount > 0 ? 'crashed; Docker restarted it' : undefined };
}
