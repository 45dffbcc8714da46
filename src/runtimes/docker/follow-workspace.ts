import type { ContainerEvent, ContainerEventStream, DockerClient } from '../../docker/docker-client.js';
import { LABEL, workspaceFilter } from './labels.js';
import type { ContainerLogFollower } from './log-follower.js';

/**
 * Follows the logs of every service container of a workspace: those running
 * now, and each one that starts later (a restart after a crash, a container
 * recreated by the next `up`). A log stream ends when its container stops, so
 * following again on each start is what keeps the log files whole.
 */
export async function followWorkspace(
  client: DockerClient,
  workspace: string,
  follower: ContainerLogFollower,
  onEvent: (event: ContainerEvent) => void = () => undefined,
): Promise<ContainerEventStream> {
  const services = workspaceFilter(workspace, { [LABEL.role]: 'service' });
  // Subscribed before listing: a container starting in between is seen by one or the other.
  const stream = await client.containerEvents(services);
  stream.on('event', (event) => {
    if (event.action === 'start') follower.follow({ id: event.id, service: event.labels[LABEL.service] }).catch(() => undefined);
    onEvent(event);
  });
  for (const container of await client.listContainers(services)) {
    // A container removed since it was listed has nothing more to say.
    if (container.state === 'running') await follower.follow({ id: container.id, service: container.labels[LABEL.service] }).catch(() => undefined);
  }
  return stream;
}
