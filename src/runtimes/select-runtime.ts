import { UserError } from '../errors.js';
import { runtimeInUse } from '../state/local-state.js';
import type { WorkspaceData } from '../models/workspace.js';
import type { Runtime, RuntimeName } from './runtime.js';

/**
 * The runtime named by the flag, else (for ps and down: `running`) the one
 * whose services this workspace runs now, else the environment's in msx.yaml,
 * else local.
 */
export function runtimeNameFor(workspace: WorkspaceData, flag: string | undefined, environment = 'local', running = false): RuntimeName {
  const name = flag ?? (running ? runtimeInUse(workspace.root) : undefined) ?? workspace.environments[environment]?.runtime ?? 'local';
  if (name !== 'local' && name !== 'docker' && name !== 'kubernetes') {
    throw new UserError(`unknown runtime "${name}"`, { hint: 'use --runtime local, docker or kubernetes' });
  }
  return name;
}

/** Heavy clients are imported only for the runtime in use, so other commands stay fast. */
export async function loadRuntime(name: RuntimeName): Promise<Runtime> {
  switch (name) {
    case 'local': {
      const { LocalRuntime } = await import('./local/local-runtime.js');
      return new LocalRuntime();
    }
    case 'docker': {
      const { DockerRuntime } = await import('./docker/docker-runtime.js');
      return new DockerRuntime();
    }
    case 'kubernetes':
      throw new UserError(`the ${name} runtime is not available in this version of msx for up/down/ps`, {
        hint: 'use --runtime local (the default)',
        exit: 'runtimeUnavailable',
      });
  }
}
