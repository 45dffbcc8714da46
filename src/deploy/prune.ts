import type { KubeClient } from '../kube/kube-client.js';
import { KubeForbiddenError } from '../kube/kube-errors.js';
import { managedSelector } from '../kube/labels.js';
/** What a deploy declares, by kind and name: its manifests, and the Secret it ensured. */
export type Declared = { kind: string; metadata?: { name?: string } };

/**
 * The kinds msx deploys and may prune: the Ingress first (no way in to a service that goes),
 * Deployments before what they use so no pod is left running without its ConfigMap, and the
 * service-auth Secret last. Namespaces are never pruned: they may hold things msx did not make.
 */
const PRUNABLE = [
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'v1', kind: 'Secret' },
] as const;

export interface PruneResult {
  /** `Kind/name` of each object deleted. */
  pruned: string[];
  /** Kinds RBAC does not let msx list here (e.g. Secrets): left as they are. */
  skipped: string[];
}

/**
 * Deletes what msx deployed for this workspace in this namespace (found by its labels) that
 * `declared` no longer names: a service removed from msx.yaml, an Ingress once `host` is gone,
 * the service-auth Secret once no Deployment uses it. An object without msx's labels (a Secret
 * someone made, another workspace's) is never touched.
 */
export async function pruneUndeclared(client: KubeClient, namespace: string, workspace: string, declared: readonly Declared[]): Promise<PruneResult> {
  const keep = new Set(declared.map((m) => `${m.kind}/${m.metadata?.name}`));
  const result: PruneResult = { pruned: [], skipped: [] };
  for (const { apiVersion, kind } of PRUNABLE) {
    let live;
    try {
      live = await client.list(apiVersion, kind, namespace, { labels: managedSelector(workspace) });
    } catch (error) {
      // A deployer allowed to apply but not to list Secrets: what it cannot see, it does not prune.
      if (!(error instanceof KubeForbiddenError)) throw error;
      result.skipped.push(kind);
      continue;
    }
    for (const object of live) {
      const ref = `${kind}/${object.metadata?.name}`;
      if (keep.has(ref)) continue;
      await client.remove({ apiVersion, kind, name: object.metadata?.name ?? '', namespace });
      result.pruned.push(ref);
    }
  }
  return result;
}
