import type { WorkspaceData } from '../models/workspace.js';
import { logsDir } from '../state/paths.js';
import type { RuntimeName } from '../models/names.js';
import type { LogSource } from './log-source.js';

export interface OpenLogSourceOptions {
  /** Kubernetes only: each container's run before its last restart too. */
  previous?: boolean;
  /** Kubernetes only: the environment whose namespace and context to read (else the one kubernetes environment). */
  env?: string;
}

/** The log source of the runtime the services run in. */
export async function openLogSource(workspace: WorkspaceData, runtime: RuntimeName, options: OpenLogSourceOptions = {}): Promise<LogSource> {
  switch (runtime) {
    // The docker runtime's log follower appends container output (with Docker's timestamps) to the
    // same .msx/logs files as the local supervisor, so one reader serves both.
    case 'local':
    case 'docker': {
      const { LocalLogSource } = await import('./local-log-source.js');
      return new LocalLogSource(logsDir(workspace.root));
    }
    case 'kubernetes': {
      // client-node (~670 ms to import) loads only here, through connectKube.
      const { openKubernetesLogSource } = await import('./kubernetes-log-source.js');
      return openKubernetesLogSource(workspace, { previous: options.previous, env: options.env });
    }
  }
}
