import type { RolloutProgress } from '../deploy/rollout.js';

/** `2/2 updated, 0/2 available`, and the old pods still running when there are any. */
export function progressCounts(p: RolloutProgress): string {
  const old = p.old > 0 ? `, ${p.old} old still running` : '';
  return `${p.updated}/${p.replicas} updated, ${p.available}/${p.replicas} available${old}`;
}
