import type { KubeClient, KubeObject } from '../kube/kube-client.js';
import { refOf } from '../kube/kube-client.js';
import type { Manifest } from './manifests/types.js';

export type ApplyAction = 'created' | 'changed' | 'unchanged';

export interface AppliedObject {
  kind: string;
  name: string;
  action: ApplyAction;
  /** The object as it was before this apply (for a rollback of its ConfigMap). */
  previous?: KubeObject;
}

/** Namespaces first (the rest lives in them); then a few at a time, in manifest order. */
const CONCURRENCY = 4;

/**
 * Server-side applies every manifest. Whether each was created, changed or
 * left unchanged is told by its resourceVersion before and after: the API
 * server does not write (or bump it) when an apply changes nothing.
 */
export async function applyManifests(client: KubeClient, manifests: readonly Manifest[], force: boolean): Promise<AppliedObject[]> {
  const namespaces = manifests.filter((m) => m.kind === 'Namespace');
  const rest = manifests.filter((m) => m.kind !== 'Namespace');
  const applyOne = (manifest: Manifest) => applyManifest(client, manifest, force);
  const applied: AppliedObject[] = [];
  for (const namespace of namespaces) applied.push(await applyOne(namespace));
  for (let i = 0; i < rest.length; i += CONCURRENCY) {
    applied.push(...(await Promise.all(rest.slice(i, i + CONCURRENCY).map(applyOne))));
  }
  return applied;
}

async function applyManifest(client: KubeClient, manifest: Manifest, force: boolean): Promise<AppliedObject> {
  const object = manifest as KubeObject;
  const previous = await client.read(refOf(object));
  const after = await client.apply(object, { force });
  const action: ApplyAction = !previous
    ? 'created'
    : previous.metadata?.resourceVersion === after.metadata?.resourceVersion
      ? 'unchanged'
      : 'changed';
  return { kind: manifest.kind, name: manifest.metadata?.name ?? '', action, previous };
}
