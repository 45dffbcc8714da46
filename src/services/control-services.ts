import { UserError } from '../errors.js';
import type { ControlAction, RuntimeEvents, ServiceStatus } from '../runtimes/runtime.js';
import { loadRuntime, runtimeNameFor } from '../runtimes/select-runtime.js';
import { readWorkspace } from '../state/workspace-cache.js';
import type { RunOptions } from './run-services.js';

export interface ControlOptions extends RunOptions {
  action: ControlAction;
  services: string[];
}

/** `msx restart/stop/start`: the running supervisor acts on the named services alone; their dependents keep running. */
export async function controlServices(options: ControlOptions, events: RuntimeEvents): Promise<ServiceStatus[]> {
  const workspace = await readWorkspace(options.cwd);
  const runtime = await loadRuntime(runtimeNameFor(workspace, options.runtime, 'local', true));
  if (!runtime.control) {
    throw new UserError(`msx ${options.action} is not available on the ${runtime.name} runtime yet`, {
      hint: 'use `msx down` and `msx up`, or run the workspace with --runtime local',
      exit: 'runtimeUnavailable',
    });
  }
  return runtime.control(workspace, { action: options.action, services: options.services }, events);
}
