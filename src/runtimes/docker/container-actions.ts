import { localUrl } from '../../models/service-status.js';
import type { Service, WorkspaceData } from '../../models/workspace.js';
import type { RuntimeEvents, ServiceState, ServiceStatus } from '../runtime.js';
import type { ContainerDetails, DockerClient } from '../../docker/docker-client.js';
import { STOP_GRACE_SECONDS } from './apply-plan.js';
import { hasDevRunner, readRunnerState, restartByRunner, servicePid, type SpareUse } from './dev-runner-install.js';
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
  const counts = before.running || before.restarting;
  return gated(context, service, before, lastExit, async () => {
    if (how === 'restart' || counts) await client.restartContainer(id, STOP_GRACE_SECONDS);
    else await client.startContainer(id);
  });
}

/**
 * A watch restart inside the running dev container (dev-runner.ts): its runner stops the service's process and
 * hands over to its warm spare; the container, its id and its other processes stay. Gated as startGated is.
 * Undefined when the container cannot (not running, no runner: an older container): the caller restarts it.
 */
export async function restartInContainer(
  context: ActionContext,
  service: Service,
  before: ContainerDetails,
  lastExit: string,
  /** The runner's state read already (beside a sync into the container), else read here. */
  runnerState = readRunnerState(context.client, before.id, before.labels),
  /** The restart policy being turned off already (beside a sync), else turned off here. */
  policyOff?: Promise<void>,
): Promise<{ status: ServiceStatus; spare: SpareUse | 'container' } | undefined> {
  const { client } = context;
  const state = await runnerState;
  if (!before.running || before.restarting || !hasDevRunner(before.labels) || !state) return undefined;
  let spare: SpareUse | 'container' = 'none';
  const status = await gated(
    context,
    service,
    before,
    lastExit,
    async () => {
      const outcome = await restartByRunner(client, before.id, before.labels, state.generation, STOP_GRACE_SECONDS);
      // A runner that did not answer is restarted with its container; one whose container ended is explained below.
      if (outcome === 'silent') await client.restartContainer(before.id, STOP_GRACE_SECONDS);
      spare = outcome === 'silent' ? 'container' : outcome === 'ended' ? 'none' : outcome;
    },
    true,
    policyOff,
  );
  return { status, spare };
}

/** The part both share: restart policy off, `restart`, the reload recorded, readiness, the policy back on once ready. */
async function gated(context: ActionContext, service: Service, before: ContainerDetails, lastExit: string, restart: () => Promise<void>, inPlace = false, policyOff?: Promise<void>): Promise<ServiceStatus> {
  const { client } = context;
  const id = before.id;
  const prior = restartsAndLastExit(before, readReloads(context.workspace.root)[id]).restarts;
  const counts = before.running || before.restarting;
  await (policyOff ?? client.setRestartPolicy(id, 'no'));
  report(context, service, before, 'starting', { restarts: prior + (counts ? 1 : 0) });
  const since = sinceParameter(BigInt(Date.now() - 1000) * 1_000_000n);
  // In place, the container keeps its StartedAt: the service's own start is msx's to remember (msx ps shows it).
  const reloadedAt = inPlace ? new Date().toISOString() : undefined;
  await restart();
  const started = await client.inspectContainer(id);
  const entry = recordReload(context.workspace.root, started, { priorRestarts: prior, lastExit, counts, reloadedAt });
  const readiness = await waitForServiceReady(client, id, service, context.readyTimeoutMs, since);
  const restarts = entry.restarts + started.restartCount;
  if (!readiness.ready) {
    await client.stopContainer(id, 1);
    await client.setRestartPolicy(id, 'on-failure');
    return report(context, service, started, 'failed', { restarts, lastExit, detail: readiness.detail });
  }
  // Ready: from now on a crash is Docker's to restart again, as after `msx up`.
  const [, details] = await Promise.all([client.setRestartPolicy(id, 'on-failure'), client.inspectContainer(id)]);
  return report(context, service, details, 'ready', { restarts, lastExit, ...(reloadedAt ? { startedAt: reloadedAt } : {}) });
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
    url: localUrl(service),
    restarts: 0,
    pid: running && details.pid ? servicePid(details) : undefined,
    startedAt: details.startedAt,
    ...extra,
  };
  context.events.state({ ...status });
  return status;
}
