import type { Service, WorkspaceData } from '../../models/workspace.js';
import type { ServiceState, ServiceStatus } from '../runtime.js';
import type { ContainerDetails, DockerClient } from '../../docker/docker-client.js';
import { probePublished } from './http-probe.js';
import { LABEL, workspaceFilter } from './labels.js';

/** `msx ps` for Docker: what the engine says about each declared service's container, and one readiness probe. */
export async function containerStatuses(client: DockerClient, workspace: WorkspaceData): Promise<ServiceStatus[]> {
  const containers = await client.listContainers(workspaceFilter(workspace.name, { [LABEL.role]: 'service' }));
  return Promise.all(
    workspace.services.map(async (service) => {
      const container = containers.find((c) => c.labels[LABEL.service] === service.name);
      const base: ServiceStatus = { service: service.name, state: 'stopped', port: service.port, restarts: 0 };
      if (!container) return base;
      const details = await client.inspectContainer(container.id);
      const state = await stateOf(service, details);
      return { ...base, state, pid: details.pid || undefined, url: `http://127.0.0.1:${service.port}`, restarts: details.restartCount, startedAt: details.startedAt, detail: detailOf(state, details) };
    }),
  );
}

async function stateOf(service: Service, details: ContainerDetails): Promise<ServiceState> {
  if (details.restarting) return 'restarting';
  if (!details.running) return details.exitCode === 0 ? 'stopped' : 'failed';
  return (await probePublished(service, 500)).ready ? 'ready' : 'starting';
}

function detailOf(state: ServiceState, details: ContainerDetails): string | undefined {
  if (state === 'failed' || state === 'restarting') return `exited with code ${details.exitCode}; see msx logs`;
  return undefined;
}
