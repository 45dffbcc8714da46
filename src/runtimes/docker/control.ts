import { localUrl } from '../../models/service-status.js';
import { UserError } from '../../errors.js';
import { dependencyOrder } from '../../models/graph.js';
import type { Service, WorkspaceData } from '../../models/workspace.js';
import type { ControlRequest, RuntimeEvents, ServiceStatus } from '../runtime.js';
import type { ContainerSummary, DockerClient } from '../../docker/docker-client.js';
import { startGated, stopGated, type ActionContext } from './container-actions.js';
import { probePublished } from './http-probe.js';
import { LABEL, workspaceFilter } from './labels.js';
import { readReloads, restartsAndLastExit } from './reload-record.js';
import { servicePid } from './dev-runner-install.js';
import { withServiceLock } from '../../state/service-lock.js';

/** How long `msx restart/start` waits for each service, as `msx up` does by default. */
const READY_TIMEOUT_MS = 60_000;

/**
 * `msx restart/stop/start` on the docker runtime: the engine itself is asked,
 * one service's container at a time in dependency order (dependents first for
 * stop), so the other containers keep their ids and start times.
 */
export async function controlContainers(client: DockerClient, workspace: WorkspaceData, request: ControlRequest, events: RuntimeEvents): Promise<ServiceStatus[]> {
  const named = servicesFor(workspace, request);
  const containers = await client.listContainers(workspaceFilter(workspace.name, { [LABEL.role]: 'service' }));
  const containerOf = (service: Service) => containers.find((c) => c.labels[LABEL.service] === service.name);
  // A bare restart acts on what runs: a service left out of a selective `up` has no container to restart.
  const services = request.services.length > 0 ? named : named.filter(containerOf);
  if (containers.length === 0) {
    throw new UserError(`no container of workspace "${workspace.name}" is there in Docker`, { hint: 'start them with `msx up --runtime docker --detach`', exit: 'notFound' });
  }
  const missing = services.filter((s) => !containerOf(s));
  if (missing.length > 0 && request.action !== 'stop') {
    const names = missing.map((s) => s.name).join(' ');
    throw new UserError(`${missing.map((s) => `"${s.name}"`).join(', ')} has no container in Docker`, { hint: `make it with \`msx up --runtime docker --detach ${names}\``, exit: 'notFound' });
  }
  const context: ActionContext = { client, workspace, events, readyTimeoutMs: READY_TIMEOUT_MS };
  const results: ServiceStatus[] = [];
  // A watch update of the service (or another msx restart) that runs now finishes first: this one is queued after it.
  const queued = <T>(service: Service, action: () => Promise<T>) =>
    withServiceLock(workspace.root, service.name, `msx ${request.action}`, action, (holder) => events.note(service.name, `waiting for ${holder} of ${service.name} to finish`));
  if (request.action === 'stop') {
    for (const service of [...services].reverse()) results.unshift(await queued(service, async () => stopOne(context, service, await currentContainer(client, workspace, service))));
    return results;
  }
  for (const service of services) results.push(await queued(service, async () => startOne(context, service, (await currentContainer(client, workspace, service)) ?? containerOf(service)!, request.action === 'restart')));
  return results;
}

/** Read once the lock is held: a watch update before it may have recreated the container. */
async function currentContainer(client: DockerClient, workspace: WorkspaceData, service: Service): Promise<ContainerSummary | undefined> {
  const found = await client.listContainers(workspaceFilter(workspace.name, { [LABEL.role]: 'service', [LABEL.service]: service.name }));
  return found[0];
}

/** A service with no container is stopped already: said, not an error. */
async function stopOne(context: ActionContext, service: Service, container: ContainerSummary | undefined): Promise<ServiceStatus> {
  if (!container) return { service: service.name, state: 'stopped', port: service.port, restarts: 0 };
  return stopGated(context, service, container.id, 'stopped by msx stop');
}

/** `start` leaves a ready service as it is (as the local supervisor does); `restart` always restarts. */
async function startOne(context: ActionContext, service: Service, container: ContainerSummary, restart: boolean): Promise<ServiceStatus> {
  if (!restart && container.state === 'running' && (await probePublished(service, 500)).ready) {
    const details = await context.client.inspectContainer(container.id);
    const { restarts, lastExit } = restartsAndLastExit(details, readReloads(context.workspace.root)[container.id]);
    const status: ServiceStatus = { service: service.name, state: 'ready', port: service.port, url: localUrl(service), restarts, lastExit, pid: servicePid(details), startedAt: details.startedAt };
    context.events.state(status);
    return status;
  }
  return startGated(context, service, container.id, restart ? 'restart' : 'start', restart ? 'restarted by msx restart' : 'started by msx start');
}

/** The named services in dependency order (all for a bare restart); an unknown name is refused before anything stops. */
function servicesFor(workspace: WorkspaceData, request: ControlRequest): Service[] {
  const known = workspace.services.map((s) => s.name);
  const unknown = request.services.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new UserError(`no service named ${unknown.map((n) => `"${n}"`).join(', ')} in this workspace`, { hint: `the services are: ${known.join(', ')}`, exit: 'notFound' });
  }
  const wanted = request.services.length > 0 ? request.services : known;
  return dependencyOrder(workspace.services).filter((s) => wanted.includes(s.name));
}
