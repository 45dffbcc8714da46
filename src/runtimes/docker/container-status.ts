import { localUrl } from '../../models/service-status.js';
import type { Service, WorkspaceData } from '../../models/workspace.js';
import type { ServiceState, ServiceStatus } from '../runtime.js';
import type { ContainerDetails, DockerClient } from '../../docker/docker-client.js';
import { rfc3339Nanos } from '../../models/time.js';
import { probePublished } from './http-probe.js';
import { sinceParameter } from './log-cursor.js';
import { withFirstErrors } from './readiness.js';
import { LABEL, workspaceFilter } from './labels.js';
import { readReloads, restartsAndLastExit } from './reload-record.js';
import { servicePid } from './dev-runner-install.js';

/** `msx ps` for Docker: what the engine says about each declared service's container, and one readiness probe. */
export async function containerStatuses(client: DockerClient, workspace: WorkspaceData): Promise<ServiceStatus[]> {
  const containers = await client.listContainers(workspaceFilter(workspace.name, { [LABEL.role]: 'service' }));
  const reloads = readReloads(workspace.root);
  return Promise.all(
    workspace.services.map(async (service) => {
      const container = containers.find((c) => c.labels[LABEL.service] === service.name);
      const base: ServiceStatus = { service: service.name, state: 'stopped', port: service.port, restarts: 0 };
      if (!container) return base;
      const details = await client.inspectContainer(container.id);
      const state = await stateOf(service, details);
      const { restarts, lastExit, reloadedAt } = restartsAndLastExit(details, reloads[container.id]);
      return { ...base, state, pid: servicePid(details) || undefined, url: localUrl(service), restarts, startedAt: reloadedAt ?? details.startedAt, lastExit, detail: await detailOf(client, state, details) };
    }),
  );
}

async function stateOf(service: Service, details: ContainerDetails): Promise<ServiceState> {
  if (details.restarting) return 'restarting';
  if (!details.running) return details.exitCode === 0 ? 'stopped' : 'failed';
  return (await probePublished(service, 500)).ready ? 'ready' : 'starting';
}

/** A failed container is explained by the first error lines of its last run (a syntax error's file:line), as `up` showed it. */
async function detailOf(client: DockerClient, state: ServiceState, details: ContainerDetails): Promise<string | undefined> {
  if (state === 'restarting') return `exited with code ${details.exitCode}; see msx logs`;
  if (state !== 'failed') return undefined;
  const started = rfc3339Nanos(details.startedAt);
  const headline = `exited with code ${details.exitCode}; see msx logs`;
  return started === undefined ? headline : withFirstErrors(client, details.id, headline, sinceParameter(started));
}
