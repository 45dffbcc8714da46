import type { ContainerSpec } from './container-spec.js';
import type { ContainerSummary } from '../../docker/docker-client.js';
import { LABEL } from './labels.js';

export type ContainerAction =
  | { action: 'keep'; spec: ContainerSpec; existing: ContainerSummary }
  | { action: 'start'; spec: ContainerSpec; existing: ContainerSummary }
  | { action: 'create'; spec: ContainerSpec }
  | { action: 'recreate'; spec: ContainerSpec; existing: ContainerSummary };

export interface ContainerPlan {
  actions: ContainerAction[];
  /** Containers of the workspace nothing asks for any more (a service removed from msx.yaml, a duplicate). */
  remove: ContainerSummary[];
}

/**
 * What `up` does with each container, by comparing the config hash label of
 * what runs with the hash of what msx.yaml asks for: the same hash is kept
 * (started again if it stopped), a different one is recreated, a missing one
 * created. Nothing else is touched, so a second `up` with one service changed
 * recreates that one only.
 */
export function planContainers(desired: readonly ContainerSpec[], existing: readonly ContainerSummary[], removeOrphans: boolean): ContainerPlan {
  const claimed = new Set<string>();
  const actions = desired.map((spec): ContainerAction => {
    const match = existing.find((c) => c.name === spec.name && !claimed.has(c.id));
    if (!match) return { action: 'create', spec };
    claimed.add(match.id);
    if (match.labels[LABEL.configHash] !== spec.hash) return { action: 'recreate', spec, existing: match };
    return isUp(match) ? { action: 'keep', spec, existing: match } : { action: 'start', spec, existing: match };
  });
  const orphans = existing.filter((c) => !claimed.has(c.id) && (removeOrphans || isDuplicate(c, desired)));
  return { actions, remove: orphans };
}

const isUp = (container: ContainerSummary) => container.state === 'running' || container.state === 'restarting';

/** A second container for a service that is also being started (a leftover of an interrupted run). */
function isDuplicate(container: ContainerSummary, desired: readonly ContainerSpec[]): boolean {
  return desired.some((spec) => spec.service === container.labels[LABEL.service] && spec.role === container.labels[LABEL.role]);
}
