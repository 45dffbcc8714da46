import type { KubeClient, KubeObject } from '../kube/kube-client.js';
import { toSelector } from '../kube/labels.js';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const TEMPLATE_HASH_LABEL = 'pod-template-hash';

export function revisionOf(object: KubeObject): number {
  return Number(object.metadata?.annotations?.[REVISION_ANNOTATION] ?? 0);
}

/** The Deployment's ReplicaSets, newest revision first (as `kubectl rollout history` numbers them). */
export async function replicaSetsOf(client: KubeClient, deployment: KubeObject): Promise<KubeObject[]> {
  const namespace = deployment.metadata?.namespace ?? 'default';
  const selector = toSelector(deployment.spec?.selector?.matchLabels ?? {});
  const sets = await client.list('apps/v1', 'ReplicaSet', namespace, { labels: selector });
  return sets
    .filter((rs) => rs.metadata?.ownerReferences?.some((owner) => owner.uid === deployment.metadata?.uid))
    .sort((a, b) => revisionOf(b) - revisionOf(a));
}

/** The pods of the Deployment's newest ReplicaSet: the ones this rollout is waiting for. */
export async function currentPods(client: KubeClient, deployment: KubeObject): Promise<KubeObject[]> {
  const [newest] = await replicaSetsOf(client, deployment);
  const hash = newest?.metadata?.labels?.[TEMPLATE_HASH_LABEL];
  if (!hash) return [];
  const namespace = deployment.metadata?.namespace ?? 'default';
  const labels = toSelector({ ...(deployment.spec?.selector?.matchLabels ?? {}), [TEMPLATE_HASH_LABEL]: hash });
  return client.list('v1', 'Pod', namespace, { labels });
}
