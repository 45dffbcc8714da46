import type { WorkspaceData } from '../../models/workspace.js';
import type { ControlRequest, DownOptions, DownResult, Runtime, RuntimeEvents, ServiceStatus, UpOptions, UpResult } from '../runtime.js';
import { connectDocker } from '../../docker/connect-docker.js';
import { clearDockerUp, markDockerUp } from '../../state/local-state.js';
import { containerStatuses } from './container-status.js';
import { controlContainers } from './control.js';
import type { DockerClient } from '../../docker/docker-client.js';
import { removeWorkspace, type RemovedObjects } from './down-workspace.js';
import { followerCollectorPort, followerLogSize, goneFollower, logFollowerRunning, startLogFollower, stopLogFollower, waitForWatching } from './follower-process.js';
import { upForeground } from './foreground.js';
import { DockerUp, type UpOutcome } from './up-workspace.js';
import { selectServices } from '../select-services.js';
import { DEV_TARGET } from './labels.js';
import { assertStage } from './service-image.js';
import { removeWatchInput, watchInputExists, writeWatchInput } from './detached-watch.js';
import { withServiceAuth } from '../../state/service-key.js';

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

  async up(unkeyed: WorkspaceData, options: UpOptions, events: RuntimeEvents): Promise<UpResult> {
    if (options.watch) for (const service of selectServices(unkeyed, options.services)) assertStage(service, DEV_TARGET);
    const client = await this.connect();
    // The service-token key goes with the workspace everywhere from here: the first start, the watcher's recreates.
    const workspace = withServiceAuth(unkeyed);
    markDockerUp(workspace.root);
    if (!options.detach) {
      // This process follows the logs now, from the position the detached follower saved.
      await stopLogFollower(workspace.root);
      removeWatchInput(workspace.root);
      return upForeground(client, workspace, options, events);
    }
    let outcome: UpOutcome | undefined;
    // Where the follower's collector listens (the network gateway), when msx collects this workspace's spans.
    let collectorHost: string | undefined;
    try {
      const collector = (gateway: string) => {
        collectorHost = gateway;
        return followerCollectorPort(workspace.root, workspace.name, gateway);
      };
      outcome = await new DockerUp(client, workspace, options, events, undefined, collector).run();
      return { services: outcome.statuses };
    } finally {
      await this.ensureFollower(workspace, options, outcome, events, collectorHost);
    }
  }

  /**
   * A follower that runs already follows each container that (re)starts, by
   * the engine's events, and is kept; one that must start or stop watching
   * (this up has --watch, or the last had) is replaced; the new one runs the
   * collector again, on the port the old one had (collector.ts keeps it), so the
   * containers' OTEL_EXPORTER_OTLP_ENDPOINT stays right.
   */
  private async ensureFollower(
    workspace: WorkspaceData,
    options: UpOptions,
    outcome: UpOutcome | undefined,
    events: RuntimeEvents,
    collectorHost: string | undefined,
  ): Promise<void> {
    const watch = options.watch === true && outcome !== undefined;
    if (!watch && !watchInputExists(workspace.root) && logFollowerRunning(workspace.root)) return;
    await stopLogFollower(workspace.root);
    removeWatchInput(workspace.root);
    const input = watch
      ? writeWatchInput(workspace.root, { workspace, inputs: Object.fromEntries(outcome!.inputs), readyTimeoutMs: options.readyTimeoutMs })
      : undefined;
    const offset = followerLogSize(workspace.root);
    const pid = startLogFollower(workspace.root, workspace.name, { collectorHost, watchInput: input });
    if (input && !(await waitForWatching(workspace.root, pid, offset))) {
      events.note(undefined, 'the log follower did not start watching; see .msx/docker-log-follower.log');
    }
  }

  async down(workspace: WorkspaceData, options: DownOptions): Promise<DownResult & { removed: RemovedObjects }> {
    const client = await this.connect();
    await stopLogFollower(workspace.root);
    removeWatchInput(workspace.root);
    const removed = await removeWorkspace(client, workspace.name, options);
    clearDockerUp(workspace.root);
    return { stopped: removed.services, wasRunning: removed.containers.length + removed.networks.length > 0, removed };
  }

  async status(workspace: WorkspaceData): Promise<ServiceStatus[]> {
    const statuses = await containerStatuses(await this.connect(), workspace);
    // The containers run on under Docker, but nothing appends their logs, takes their spans or watches any more: said.
    const gone = goneFollower(workspace.root);
    const detail = `msx's log follower (pid ${gone}) is gone: its logs, spans and --watch stopped; \`msx up --runtime docker --detach\` starts a new one`;
    if (gone !== undefined) for (const status of statuses) if (status.state !== 'stopped') status.detail = status.detail ? `${status.detail}; ${detail}` : detail;
    return statuses;
  }

  async control(workspace: WorkspaceData, request: ControlRequest, events: RuntimeEvents): Promise<ServiceStatus[]> {
    return controlContainers(await this.connect(), workspace, request, events);
  }
}
