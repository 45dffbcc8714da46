import { UserError } from '../../errors.js';
import type { ContainerSpec } from './container-spec.js';
import type { DockerClient, NetworkSummary } from '../../docker/docker-client.js';
import { hasDevRunner, installDevRunner } from './dev-runner-install.js';
import { configHash, LABEL, networkName, objectLabels, workspaceFilter } from './labels.js';
import type { ContainerAction } from './plan.js';

export const STOP_GRACE_SECONDS = 10;

/** Carries out one planned action and returns the id of the container that now runs. */
export async function applyAction(client: DockerClient, action: ContainerAction): Promise<string> {
  switch (action.action) {
    case 'keep':
      return action.existing.id;
    case 'start':
      await startOrExplain(client, action.existing.id, action.spec);
      return action.existing.id;
    case 'recreate':
      await client.removeContainer(action.existing.id, STOP_GRACE_SECONDS);
      return createAndStart(client, action.spec);
    case 'create':
      return createAndStart(client, action.spec);
  }
}

async function createAndStart(client: DockerClient, spec: ContainerSpec): Promise<string> {
  const id = await createContainer(client, spec);
  await startOrExplain(client, id, spec);
  return id;
}

/** Creates a container; a dev container that runs msx's runner gets its file before it starts. */
export async function createContainer(client: DockerClient, spec: ContainerSpec): Promise<string> {
  const id = await client.createContainer(spec.options);
  if (hasDevRunner(spec.options.Labels)) await installDevRunner(client, id, spec.options.Labels);
  return id;
}

/** A published port already taken is the one start failure a user can fix; it names port and service. */
async function startOrExplain(client: DockerClient, id: string, spec: ContainerSpec): Promise<void> {
  try {
    await client.startContainer(id);
  } catch (error) {
    const message = (error as Error).message ?? '';
    if (!/port is already allocated|address already in use/i.test(message)) throw error;
    await client.removeContainer(id, 0);
    const bindings = (spec.options.HostConfig?.PortBindings ?? {}) as Record<string, Array<{ HostPort?: string }>>;
    const port = Object.values(bindings)[0]?.[0]?.HostPort;
    throw new UserError(`port ${port} of service "${spec.service}" is already in use on 127.0.0.1`, {
      hint: `stop what listens on ${port} (another msx up --runtime local? ss -ltnp 'sport = :${port}') or change services.${spec.service}.port in msx.yaml`,
      exit: 'conflict',
    });
  }
}

/** The workspace's one network, made on first use; its gateway is how containers reach the host. */
export async function ensureNetwork(client: DockerClient, workspace: string): Promise<NetworkSummary & { gateway: string }> {
  const name = networkName(workspace);
  const found = (await client.listNetworks(workspaceFilter(workspace))).find((n) => n.name === name);
  const network = found ?? (await client.createNetwork(name, objectLabels(workspace, undefined, configHash({ driver: 'bridge' }))));
  if (!network.gateway) {
    throw new UserError(`docker network ${name} has no gateway address, so containers cannot reach the host`, {
      hint: `remove it (docker network rm ${name}) and run msx up again; msx makes it anew`, exit: 'runtimeUnavailable' });
  }
  return { ...network, gateway: network.gateway };
}

/**
 * Images of a service older than the one it runs now: rebuilt, so never used
 * again. Only those of the same stage go: `up --watch` runs the dev stage,
 * and the production image beside it stays for the next plain `up`.
 */
export async function removeOldImages(client: DockerClient, workspace: string, service: string, current: string, target?: string): Promise<void> {
  const images = await client.listImages(workspaceFilter(workspace, { [LABEL.service]: service }));
  const sameStage = (labels: Record<string, string>) => labels[LABEL.target] === target;
  for (const image of images.filter((i) => !i.tags.includes(current) && sameStage(i.labels))) await client.removeImage(image.id);
}
