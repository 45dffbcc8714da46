import type { WorkspaceData } from '../../models/workspace.js';
import type { DownOptions, DownResult, Runtime, RuntimeEvents, ServiceStatus, UpOptions, UpResult } from '../runtime.js';
import { connectDocker } from '../../docker/connect-docker.js';
import { clearDockerUp, markDockerUp } from '../../state/local-state.js';
import { containerStatuses } from './container-status.js';
import type { DockerClient } from '../../docker/docker-client.js';
import { removeWorkspace, type RemovedObjects } from './down-workspace.js';
import { followerCollectorPort, logFollowerRunning, startLogFollower, stopLogFollower } from './follower-process.js';
import { upForeground } from './foreground.js';
import { DockerUp } from './up-workspace.js';

/** The way out a user without Docker has. */
export const NO_DOCKER = 'run without Docker: msx up --runtime local';

/**
 * Services as containers on a real Docker engine (dockerode): one network per
 * workspace, images built from each service's Dockerfile only when its context
 * hash is new, containers recreated only when their config hash changed, every
 * object labelled with the workspace and found by that label.
 */
export class DockerRuntime implements Runtime {
  readonly name = 'docker' as const;

  constructor(private readonly connect: () => Promise<DockerClient> = () => connectDocker({ otherwise: NO_DOCKER })) {}

  async up(workspace: WorkspaceData, options: UpOptions, events: RuntimeEvents): Promise<UpResult> {
    const client = await this.connect();
    markDockerUp(workspace.root);
    if (!options.detach) {
      // This process follows the logs now, from the position the detached follower saved.
      await stopLogFollower(workspace.root);
      return upForeground(client, workspace, options, events);
    }
    try {
      const collector = (gateway: string) => followerCollectorPort(workspace.root, workspace.name, gateway);
      const outcome = await new DockerUp(client, workspace, options, events, undefined, collector).run();
      return { services: outcome.statuses };
    } finally {
      // A follower that runs already follows each container that (re)starts, by the engine's events.
      if (!logFollowerRunning(workspace.root)) startLogFollower(workspace.root, workspace.name);
    }
  }

  async down(workspace: WorkspaceData, options: DownOptions): Promise<DownResult & { removed: RemovedObjects }> {
    const client = await this.connect();
    await stopLogFollower(workspace.root);
    const removed = await removeWorkspace(client, workspace.name, options);
    clearDockerUp(workspace.root);
    return { stopped: removed.services, wasRunning: removed.containers.length + removed.networks.length > 0, removed };
  }

  async status(workspace: WorkspaceData): Promise<ServiceStatus[]> {
    return containerStatuses(await this.connect(), workspace);
  }
}
