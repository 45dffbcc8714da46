import type { KubeClient, KubeObject } from '../kube/kube-client.js';
import { replicaSetsOf, revisionOf, TEMPLATE_HASH_LABEL } from './replica-sets.js';
import type { IConfigMap, IDeployment } from './manifests/types.js';

export interface RollbackResult {
  deployment: string;
  restored: boolean;
  /** The revision whose pod template is back. */
  revision?: number;
  reason?: string;
}

export interface RollbackInput {
  desired: IDeployment;
  /** Its ConfigMap as msx applied it, and as it was before: the old data goes back with the old pods. */
  configMap?: { desired: IConfigMap; previous?: KubeObject };
  force: boolean;
}

/**
 * What `kubectl rollout undo` does: the pod template of the previous
 * ReplicaSet goes back into the Deployment, so the controller scales that
 * ReplicaSet up again. It is applied by msx's own field manager (not patched
 * by another) so the next `msx deploy` owns those fields without a conflict.
 */
export async function rollbackDeployment(client: KubeClient, input: RollbackInput): Promise<RollbackResult> {
  const name = input.desired.metadata?.name ?? '';
  const live = await client.read({ apiVersion: 'apps/v1', kind: 'Deployment', name, namespace: input.desired.metadata?.namespace });
  if (!live) return { deployment: name, restored: false, reason: 'the Deployment is gone' };
  const [, previous] = await replicaSetsOf(client, live);
  if (!previous) return { deployment: name, restored: false, reason: 'no previous revision (this was its first deploy)' };
  const { configMap } = input;
  if (configMap?.previous?.data) {
    await client.apply({ ...configMap.desired, data: configMap.previous.data } as KubeObject, { force: input.force });
  }
  const template = plainTemplate(previous);
  await client.apply({ ...input.desired, spec: { ...input.desired.spec, template } } as KubeObject, { force: input.force });
  return { deployment: name, restored: true, revision: revisionOf(previous) };
}

/** The ReplicaSet's template without the label its controller added. */
function plainTemplate(replicaSet: KubeObject): Record<string, unknown> {
  const template = JSON.parse(JSON.stringify(replicaSet.spec?.template ?? {}));
  if (template.metadata?.labels) delete template.metadata.labels[TEMPLATE_HASH_LABEL];
  return template;
}
