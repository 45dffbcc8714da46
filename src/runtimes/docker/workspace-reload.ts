import { readCollectorAddress } from '../../collector/collector.js';
import { LABEL, workspaceFilter } from './labels.js';
import { WORKSPACE_FILE, type Service } from '../../models/workspace.js';
import type { RuntimeEvents } from '../runtime.js';
import { noteReloadPlan, readWorkspaceEdit, type ReloadPlan } from '../watch/workspace-edit.js';
import type { WatchedChange } from '../watch/workspace-watcher.js';
import { STOP_GRACE_SECONDS } from './apply-plan.js';
import type { LiveUpdateContext } from './live-update.js';
import type { ContainerPlan } from './plan.js';
import { DockerUp } from './up-workspace.js';

/**
 * msx.yaml changed while watching on Docker: validated by the one loader
 * (invalid: its msx.yaml:LINE:COL lines, nothing stopped); valid, an `up` of
 * the new model in which each container's config hash decides, as on every
 * `up`: an unchanged service keeps its container, a changed one is recreated,
 * a new one created and started in dependency order (readiness-gated), and
 * the containers of services gone from msx.yaml removed. A service stopped
 * by `msx stop` stays stopped; if its config changed, its container is made
 * anew and left stopped, so `msx start` runs the new config. Lines as the
 * local runtime's.
 */
export async function reloadContainers(context: LiveUpdateContext): Promise<WatchedChange | undefined> {
  const { client, events } = context;
  const before = context.workspace;
  const next = await readWorkspaceEdit(before, events);
  if (!next) return undefined;
  const existing = await client.listContainers(workspaceFilter(before.name, { [LABEL.role]: 'service' }));
  const stopped = new Set(existing.filter((c) => c.state !== 'running' && c.state !== 'restarting').map((c) => c.labels[LABEL.service]));
  const gone = existing.filter((c) => !next.services.some((s) => s.name === c.labels[LABEL.service]));
  // Every service by name (never "all" by an empty list, which would also remove what no service claims); the
  // stopped ones left out even where a restarted dependent depends on them, as the local runtime leaves them.
  const names = next.services.map((s) => s.name);
  let plan: ReloadPlan | undefined;
  let touched = new Set<string>();
  // Only what the edit touches is reported: kept containers say nothing, as kept processes do locally.
  const quiet: RuntimeEvents = { ...events, state: (status) => void (touched.has(status.service) && events.state(status)) };
  const up = new DockerUp(client, next, { detach: true, watch: true, readyTimeoutMs: context.readyTimeoutMs, services: names, leaveStopped: stopped }, quiet, () => undefined, async () => readCollectorAddress(next.root)?.port);
  up.keepAsIs = true;
  for (const service of next.services) {
    const input = context.inputs.get(service.name);
    if (input && input.service.dir === service.dir) up.knownImages.set(service.name, input.image);
  }
  up.onPlan = (containers) => {
    plan = reloadPlan(containers, gone.map((c) => c.labels[LABEL.service]));
    touched = new Set([...plan.restart, ...plan.start]);
    noteReloadPlan(plan, events);
  };
  const started = Date.now();
  let heldRecreated = false;
  try {
    const outcome = await up.run();
    heldRecreated = [...stopped].some((name) => outcome.containers.has(name));
    for (const container of gone) {
      events.note(container.labels[LABEL.service], `removing its container ${container.name} (no longer in ${WORKSPACE_FILE})`);
      await client.removeContainer(container.id, STOP_GRACE_SECONDS);
      context.containers.delete(container.labels[LABEL.service]);
      context.inputs.delete(container.labels[LABEL.service]);
    }
    for (const [name, id] of outcome.containers) context.containers.set(name, id);
    for (const [name, input] of outcome.inputs) context.inputs.set(name, input);
  } catch (error) {
    // A new service whose image failed to build, say: the others run on as they are.
    events.note(undefined, `${WORKSPACE_FILE} change not fully applied: ${(error as Error).message}`);
  }
  if (heldRecreated || (plan && plan.restart.length + plan.start.length + plan.stop.length > 0)) events.note(undefined, `${WORKSPACE_FILE} change applied in ${Date.now() - started} ms`);
  context.workspace = next;
  return watchedChange(before.services, next.services, plan);
}

function reloadPlan(containers: ContainerPlan, gone: string[]): ReloadPlan {
  const named = (action: string) => containers.actions.filter((a) => a.action === action).map((a) => a.spec.service);
  return { restart: named('recreate'), start: [...named('create'), ...named('start')], stop: gone };
}

/** Gone or moved: unwatched; new or moved: watched. */
function watchedChange(before: Service[], after: Service[], plan: ReloadPlan | undefined): WatchedChange {
  const moved = after.filter((s) => before.some((b) => b.name === s.name && b.dir !== s.dir));
  const added = after.filter((s) => !before.some((b) => b.name === s.name) && (plan?.start.includes(s.name) ?? false));
  const removed = before.filter((b) => !after.some((s) => s.name === b.name)).map((s) => s.name);
  return { unwatch: [...removed, ...moved.map((s) => s.name)], watch: [...moved, ...added] };
}
