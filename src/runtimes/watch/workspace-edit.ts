import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '../../errors.js';
import { WORKSPACE_FILE, type WorkspaceData } from '../../models/workspace.js';
import type { RuntimeEvents } from '../runtime.js';

/** What an msx.yaml edit asks of a running workspace, in names. */
export interface ReloadPlan {
  /** Gone from msx.yaml: stopped, dependents first. */
  stop: string[];
  /** Their wiring, config, env, port, folder, kind or readiness probe changed: restarted. */
  restart: string[];
  /** New in msx.yaml: started in dependency order, each gated on readiness. */
  start: string[];
}

/**
 * msx.yaml changed while watching: read by the one loader. Invalid, its
 * problems are shown (msx.yaml:LINE:COL ...), nothing is touched and this
 * returns undefined; valid, the new model (with the running workspace's
 * service-token key, which is not msx.yaml's).
 */
export async function readWorkspaceEdit(before: WorkspaceData, events: RuntimeEvents): Promise<WorkspaceData | undefined> {
  try {
    // The loader brings yaml and zod: only now, not at every watcher start.
    const { parseWorkspace } = await import('../../models/load-workspace.js');
    const { document: _document, ...data } = parseWorkspace(readFileSync(join(before.root, WORKSPACE_FILE), 'utf8'), before.root);
    return { ...data, serviceAuth: before.serviceAuth };
  } catch (error) {
    const problems = error instanceof ValidationError ? error.problems : [(error as Error).message];
    events.note(undefined, `${WORKSPACE_FILE} changed but is not valid; nothing was stopped or restarted:\n  ${problems.join('\n  ')}`);
    return undefined;
  }
}

/** The one line both runtimes print before applying an edit; false when it changes nothing that runs. */
export function noteReloadPlan(plan: ReloadPlan, events: RuntimeEvents): boolean {
  const parts = [
    plan.restart.length > 0 && `restarting ${plan.restart.join(', ')}`,
    plan.start.length > 0 && `starting ${plan.start.join(', ')}`,
    plan.stop.length > 0 && `stopping ${plan.stop.join(', ')}`,
  ].filter(Boolean);
  events.note(undefined, `${WORKSPACE_FILE} changed → ${parts.length > 0 ? parts.join('; ') : 'no running service is affected'}`);
  return parts.length > 0;
}
