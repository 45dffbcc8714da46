import { UserError } from '../errors.js';
import type { WorkspaceData } from '../models/workspace.js';
import { logsDir } from '../runtimes/local/state-file.js';
import type { RuntimeName } from '../runtimes/runtime.js';
import type { LogSource } from './log-source.js';

/** The log source of the runtime the services run in. */
export async function openLogSource(workspace: WorkspaceData, runtime: RuntimeName): Promise<LogSource> {
  switch (runtime) {
    // The docker runtime's log follower appends container output (with Docker's timestamps) to the
    // same .msx/logs files as the local supervisor, so one reader serves both.
    case 'local':
    case 'docker': {
      const { LocalLogSource } = await import('./local-log-source.js');
      return new LocalLogSource(logsDir(workspace.root));
    }
    case 'kubernetes':
      throw new UserError(`msx logs cannot read from the ${runtime} runtime in this version of msx`, {
        hint: 'use --runtime local (the default) for services started by `msx up`',
        exit: 'runtimeUnavailable',
      });
  }
}
