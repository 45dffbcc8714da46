import type { KubeClient } from '../kube/kube-client.js';
import { managedSelector } from '../kube/labels.js';
import type { Manifest } from './manifests/types.js';

/**
 * The kinds msx deploys and may prune, Deployments first so no pod is left
 * running without its ConfigMap. Namespaces are never pruned: they may hold
 * things msx did not make.
 */
const PRUNABLE = [
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'v1', kind: 'ConfigMap' },
] as const;

/**
 * Deletes what msx deployed for this workspace in this namespace (found by its
 * labels) that the manifests no longer declare: a service removed from msx.yaml.
 * Returns `Kind/name` of each object deleted.
 */
export async function pruneUndeclared(client: KubeClient, namespace: string, workspace: string, declared: readonly Manifest[]): Promise<string[]> {
  const keep = new Set(declared.map((m) => `${m.kind}/${m.metadata?.name}`));
  const pruned: string[] = [];
  for (const { apiVersion, kind } of PRUNABLE) {
    const live = await client.list(apiVersion, kind, namespace, { labels: managedSelector(workspace) });
    for (const object of live) {
      const ref = `${kind}/${object.metadata?.name}`;
      if (keep.has(ref)) continue;
      await client.remove({ apiVersion, kind, name: object.metadata?.name ?? '', namespace });
      pruned.push(ref);
    }
  }
  return pruned;
}
