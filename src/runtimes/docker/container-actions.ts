import type { Service, WorkspaceData } from '../../models/workspace.js';
import type { RuntimeEvents, ServiceState, ServiceStatus } from '../runtime.js';
import type { ContainerDetails, DockerClient } from '../../docker/docker-client.js';
import { STOP_GRACE_SECONDS } from './apply-plan.js';
import { sinceParameter } from './log-cursor.js';
import { readReloads, recordReload, restartsAndLastExit } from './reload-record.js';
import { waitForServiceReady } from './readiness.js';

/** What acting on one service's container needs: the engine, the workspace (its .msx/ records), where states go. */
export interface ActionContext {
  client: DockerClient;
  workspace: WorkspaceData;
  events: RuntimeEvents;
  readyTimeoutMs: number;
}

/**
 * Starts (or restarts) one service's container and gates it on readiness. A
 * process that fails to start is not left to Docker's restart loop: the
 * policy is off while it starts, the container is stopped when it fails, and
 * the failure is shown with its first error lines (a syntax error's
 * file:line). `lastExit` says why msx ended the old process.
 */
export async function startGated(context: ActionContext, service: Service, id: string, how: 'restart' | 'start', lastExit: string): Promise<ServiceStatus> {
  const { client } = context;
  const before = await client.inspectContainer(id);
  const prior = restartsAndLastExit(before, readReloads(context.workspace.root)[id]).restarts;
  const counts = before.running || before.restarting;
  await client.setRestartPolicy(id, 'no');
  report(context, service, before, 'starting', { restarts: prior + (counts ? 1 : 0) });
  const since = sinceParameter(BigInt(Date.now() - 1000) * 1_000_000n);
  if (how === 'restart' || counts) await client.restartContainer(id, STOP_GRACE_SECONDS);
  else await client.startContainer(id);
  const started = await client.inspectContainer(id);
  const entry = recordReload(context.workspace.root, started, { priorRestarts: prior, lastExit, counts });
  const readiness = await waitForServiceReady(client, id, service, context.readyTimeoutMs, since);
  const restarts = entry.restarts + started.restartCount;
  if (!readiness.ready) {
    await client.stopContainer(id, 1);
    await client.setRestartPolicy(id, 'on-failure');
    return report(context, service, started, 'failed', { restarts, lastExit, detail: readiness.detail });
  }
  // Ready: from now on a crash is Docker's to restart again, as after `msx up`.
  const [, details] = await Promise.all([client.setRestartPolicy(id, 'on-failure'), client.inspectContainer(id)]);
  return report(context, service, details, 'ready', { restarts, lastExit });
}

/** Stops one service's container gracefully and keeps it (`msx start` brings it back); Docker does not restart it. */
export async function stopGated(context: ActionContext, service: Service, id: string, reason: string): Promise<ServiceStatus> {
  const before = await context.client.inspectContainer(id);
  const prior = restartsAndLastExit(before, readReloads(context.workspace.root)[id]).restarts;
  await context.client.stopContainer(id, STOP_GRACE_SECONDS);
  const after = await context.client.inspectContainer(id);
  recordReload(context.workspace.root, after, { priorRestarts: prior, lastExit: reason, counts: false });
  return report(context, service, after, 'stopped', { restarts: prior, lastExit: reason });
}

function report(context: ActionContext, service: Service, details: ContainerDetails, state: ServiceState, extra: Partial<ServiceStatus>): ServiceStatus {
  const running = state === 'ready';
  const status: ServiceStatus = {
    service: service.name,
    state,
    port: service.port,
    url: `http://127.0.0.1:${service.port}`,
    restarts: 0,
    pid: running && details.pid ? details.pid : undefined,
    startedAt: details.startedAt,
    ...extra,
  };
  context.events.state({ ...status });
  return status;
}
