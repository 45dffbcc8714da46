import { createHash } from 'node:crypto';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import { workspaceLabels } from '../../kube/labels.js';
import { SERVICE_AUTH_ENV, type ServiceAuthKeys } from '../../models/wiring.js';
import type { DeployTarget, IDeployment, Manifest } from './types.js';

/** The Secret every service's service-auth keys come from (secretKeyRef), one per workspace and namespace. */
export function serviceAuthSecretName(workspace: string): string {
  return `${workspace}-service-auth`;
}

/**
 * The Secret made from the local key (`.msx/service-auth-key.json`) when the
 * namespace has none. Applied by `msx deploy` only, never written by --dry-run
 * or --out: it holds the private key.
 */
export function serviceAuthSecretManifest(target: Pick<DeployTarget, 'workspace' | 'namespace'>, keys: ServiceAuthKeys): ISecret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: serviceAuthSecretName(target.workspace.name), namespace: target.namespace, labels: workspaceLabels(target.workspace.name) },
    type: 'Opaque',
    // data, not stringData: what the API returns on a read, so a later deploy sees the same keys.
    data: { [SERVICE_AUTH_ENV.publicKey]: base64(keys.publicKey), [SERVICE_AUTH_ENV.privateKey]: base64(keys.privateKey) },
  };
}

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** On the pod template: the service-auth Secret's key, hashed, so that a new key rolls the pods. */
export const SERVICE_AUTH_HASH_ANNOTATION = 'dev.msx/service-auth-hash';

/** The hash of a service-auth Secret's keys (its `data` as the API returns it), 16 hex. */
export function serviceAuthHash(data: Readonly<Record<string, string>>): string {
  const keys = JSON.stringify([data[SERVICE_AUTH_ENV.publicKey] ?? '', data[SERVICE_AUTH_ENV.privateKey] ?? '']);
  return createHash('sha256').update(keys).digest('hex').slice(0, 16);
}

/** The hash on the pods when the Secret is made from `keys` (what a read of that Secret hashes to as well). */
export function localKeysHash(target: Pick<DeployTarget, 'workspace' | 'namespace'>, keys: ServiceAuthKeys): string {
  return serviceAuthHash(serviceAuthSecretManifest(target, keys).data!);
}

/** Whether a manifest is a Deployment whose pods take a key from the Secret `name`. */
export function usesSecret(manifest: Manifest, name: string): manifest is IDeployment {
  if (manifest.kind !== 'Deployment') return false;
  const containers = (manifest as IDeployment).spec?.template.spec?.containers ?? [];
  return containers.some((c) => (c.env ?? []).some((e) => e.valueFrom?.secretKeyRef?.name === name));
}

/**
 * The manifests with `hash` on the pod template of every Deployment that uses the Secret
 * `name`, as the ConfigMap's hash is: a key rotated in the cluster, or made anew, rolls them.
 */
export function withServiceAuthHash(manifests: readonly Manifest[], name: string, hash: string): Manifest[] {
  return manifests.map((manifest) => {
    if (!usesSecret(manifest, name)) return manifest;
    const template = manifest.spec!.template;
    const annotations = { ...template.metadata?.annotations, [SERVICE_AUTH_HASH_ANNOTATION]: hash };
    return { ...manifest, spec: { ...manifest.spec!, template: { ...template, metadata: { ...template.metadata, annotations } } } };
  });
}
