import { localUrl } from '../../models/service-status.js';
import type { WorkspaceData } from '../../models/workspace.js';
import type { RuntimeEvents, UpOptions, UpResult } from '../runtime.js';
import type { ContainerEvent, DockerClient } from '../../docker/docker-client.js';
import { clearDockerUp } from '../../state/local-state.js';
import { removeWorkspace } from './down-workspace.js';
import { followWorkspace } from './follow-workspace.js';
import { LABEL } from './labels.js';
import { ContainerLogFollower } from './log-follower.js';
import { waitForServiceReady } from './readiness.js';
import { DockerUp } from './up-workspace.js';
import { watchContainers, type DockerWatch } from './watch.js';
import { startCollector, type RunningCollector } from '../../collector/collector.js';

/**
 * `msx up --runtime docker` in the foreground: every container's output
 * streamed (and appended to .msx/logs), restarts by Docker reported as they
 * happen, and Ctrl-C removes the workspace's containers and network as the
 * local runtime stops its processes (images and volumes stay).
 */
export async function upForeground(client: DockerClient, workspace: WorkspaceData, options: UpOptions, events: RuntimeEvents): Promise<UpResult> {
  const follower = new ContainerLogFollower(client, workspace.root, (line) => events.log(line));
  let settled = false;
  // Services the watcher is updating: it reports their restarts itself.
  const busy = new Set<string>();
  const onEvent = (event: ContainerEvent) => settled && !busy.has(event.labels[LABEL.service]) && void reportRestart(client, workspace, options, events, event);
  const stream = await followWorkspace(client, workspace.name, follower, onEvent);
  let watcher: DockerWatch | undefined;
  let collector: RunningCollector | undefined;
  const onCollector = async (gateway: string) => {
    collector = await startCollector(workspace.root, { host: gateway, onLogs: (lines) => lines.forEach((line) => follower.write(line)), isService: (name) => follower.follows(name) }).catch((error: Error) => {
      events.note(undefined, `the span collector did not start (${error.message}): msx traces will show nothing`);
      return undefined;
    });
    return collector?.port;
  };
  const up = new DockerUp(client, workspace, options, events, (service, id) => void follower.follow({ id, service }).catch(() => undefined), onCollector);
  const release = async () => {
    await watcher?.close();
    stream.close();
    // The collector first: a log record it takes goes to a file still open.
    await collector?.close();
    await follower.close();
  };
  const outcome = await up.run().catch(async (error: unknown) => {
    await release();
    throw error;
  });
  if (options.watch) {
    const services = workspace.services.filter((s) => outcome.containers.has(s.name));
    const context = { client, workspace, events, readyTimeoutMs: options.readyTimeoutMs, containers: outcome.containers, inputs: outcome.inputs };
    watcher = await watchContainers(services, context, busy);
  }
  settled = true;
  const done = new Promise<void>((resolve) => {
    const stop = () => {
      settled = false;
      process.off('SIGINT', stop).off('SIGTERM', stop);
      void release()
        .then(() => removeWorkspace(client, workspace.name, { volumes: false }))
        .then(() => clearDockerUp(workspace.root))
        .finally(resolve);
    };
    process.on('SIGINT', stop).on('SIGTERM', stop);
  });
  return { services: outcome.statuses, done };
}

/** Docker restarts a crashed container itself (on-failure); msx tells, and says when it is ready again. */
async function reportRestart(client: DockerClient, workspace: WorkspaceData, options: UpOptions, events: RuntimeEvents, event: ContainerEvent): Promise<void> {
  const service = workspace.services.find((s) => s.name === event.labels[LABEL.service]);
  if (!service) return;
  const base = { service: service.name, port: service.port, url: localUrl(service) };
  if (event.action === 'die') {
    const restarting = event.exitCode !== 0;
    const detail = restarting ? `exited (code ${event.exitCode}); Docker restarts it` : 'exited (code 0)';
    events.state({ ...base, state: restarting ? 'restarting' : 'stopped', restarts: 0, detail });
    return;
  }
  if (event.action !== 'start') return;
  const readiness = await waitForServiceReady(client, event.id, service, options.readyTimeoutMs).catch(() => ({ ready: false, detail: 'gone' }));
  const details = await client.inspectContainer(event.id).catch(() => undefined);
  events.state({ ...base, state: readiness.ready ? 'ready' : 'failed', restarts: details?.restartCount ?? 0, startedAt: details?.startedAt, detail: readiness.detail });
}
