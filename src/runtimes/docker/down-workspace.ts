import type { ContainerSummary, DockerClient } from '../../docker/docker-client.js';
import { LABEL, workspaceFilter } from './labels.js';
import { STOP_GRACE_SECONDS } from './apply-plan.js';

export interface RemovedObjects {
  /** Service names whose containers were removed. */
  services: string[];
  containers: string[];
  networks: string[];
  volumes: string[];
}

/**
 * Removes every container and network labelled with the workspace (and its
 * volumes when asked): found by label, so a container from an interrupted
 * run or an older msx.yaml goes too. Images stay, so the next `up` needs no
 * build; they carry the same labels for `docker image prune --filter`.
 */
export async function removeWorkspace(client: DockerClient, workspace: string, options: { volumes: boolean }): Promise<RemovedObjects> {
  const filter = workspaceFilter(workspace);
  const containers = await client.listContainers(filter);
  // Services first: one that is shutting down still closes its broker connection through the forwarder.
  const isService = (c: ContainerSummary) => c.labels[LABEL.role] === 'service';
  await Promise.all(containers.filter(isService).map((c) => client.removeContainer(c.id, STOP_GRACE_SECONDS)));
  await Promise.all(containers.filter((c) => !isService(c)).map((c) => client.removeContainer(c.id, STOP_GRACE_SECONDS)));
  const networks = await client.listNetworks(filter);
  for (const network of networks) await client.removeNetwork(network.id);
  const volumes = options.volumes ? await client.listVolumes(filter) : [];
  for (const volume of volumes) await client.removeVolume(volume);
  return {
    services: containers.filter(isService).map((c) => c.labels[LABEL.service]),
    containers: containers.map((c) => c.name),
    networks: networks.map((n) => n.name),
    volumes,
  };
}
