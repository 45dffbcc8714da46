import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { ErrorJson } from '../errors.js';
import type { ServiceStatus } from '../models/service-status.js';
import { msxFile, stateDir } from './paths.js';

/** What a running supervisor publishes for `msx ps`, `msx down` and `msx up --detach`. */
export interface SupervisorState {
  runtime: 'local';
  supervisorPid: number;
  /** The supervisor's start time (process-groups.ts): a later process under the same pid is not it. */
  supervisorStart?: number;
  startedAt: string;
  /** True once every service has settled (ready, failed or blocked). */
  settled: boolean;
  services: ServiceStatus[];
  /** Each service's process group leader's start time, by service, so a dead supervisor's leftovers are found exactly. */
  starts?: Record<string, number>;
}

const stateFile = msxFile.localState;

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

/** Why the detached supervisor stopped before its services settled, for the `msx up --detach` that waits on it. */
export function writeSupervisorError(root: string, error: ErrorJson): void {
  mkdirSync(stateDir(root), { recursive: true });
  writeFileSync(msxFile.supervisorError(root), JSON.stringify(error));
}

export function takeSupervisorError(root: string): ErrorJson | undefined {
  const file = msxFile.supervisorError(root);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ErrorJson;
  } catch {
    return undefined;
  } finally {
    rmSync(file, { force: true });
  }
}

/** The runtime whose services this workspace last started and has not stopped, from what each keeps under .msx/. */
export function runtimeInUse(root: string): 'local' | 'docker' | undefined {
  const local = mtimeOf(msxFile.localState(root));
  const docker = mtimeOf(msxFile.dockerUp(root));
  if (local === undefined && docker === undefined) return undefined;
  return (docker ?? -1) > (local ?? -1) ? 'docker' : 'local';
}

function mtimeOf(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

export function markDockerUp(root: string): void {
  mkdirSync(stateDir(root), { recursive: true });
  writeFileSync(msxFile.dockerUp(root), JSON.stringify({ runtime: 'docker', startedAt: new Date().toISOString() }));
}

export function clearDockerUp(root: string): void {
  rmSync(msxFile.dockerUp(root), { force: true });
  // The dev containers' runner folders: their containers are gone with the workspace.
  rmSync(msxFile.devRunnerDirs(root), { recursive: true, force: true });
}
