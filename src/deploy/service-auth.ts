import { UserError } from '../errors.js';
import type { KubeClient, KubeObject } from '../kube/kube-client.js';
import { KubeForbiddenError } from '../kube/kube-errors.js';
import { SERVICE_AUTH_ENV, type ServiceAuthKeys } from '../models/wiring.js';
import {
  SERVICE_AUTH_HASH_ANNOTATION,
  localKeysHash,
  serviceAuthHash,
  serviceAuthSecretManifest,
  serviceAuthSecretName,
  usesSecret,
  withServiceAuthHash,
} from './manifests/service-auth-secret.js';
import type { DeployTarget, Manifest } from './manifests/types.js';

export interface ServiceAuthSecret {
  name: string;
  /**
   * created: made from the local key now; referenced: the namespace had one, msx left it as it is;
   * unchecked: RBAC does not let msx read Secrets, so it neither knows nor overwrites (the pods reference it).
   */
  action: 'created' | 'referenced' | 'unchecked';
  /** The hash of its keys (serviceAuthHash), for the pods' annotation; unknown when unchecked. */
  hash?: string;
}

/**
 * The workspace's service-auth Secret in the target namespace: one that is there
 * is referenced as it is (a key rotated in the cluster stays rotated); else it is
 * made from the local key (`localKeys`, read or made in .msx/ only then).
 * One with a key missing is an error: pods would not start.
 */
export async function ensureServiceAuthSecret(client: KubeClient, target: DeployTarget, localKeys: () => ServiceAuthKeys, force: boolean): Promise<ServiceAuthSecret> {
  const name = serviceAuthSecretName(target.workspace.name);
  let live;
  try {
    live = await client.read({ apiVersion: 'v1', kind: 'Secret', name, namespace: target.namespace });
  } catch (error) {
    if (error instanceof KubeForbiddenError) return { name, action: 'unchecked' };
    throw error;
  }
  if (live) {
    const has = new Set(Object.keys(live.data ?? {}));
    const missing = [SERVICE_AUTH_ENV.publicKey, SERVICE_AUTH_ENV.privateKey].filter((key) => !has.has(key));
    if (missing.length > 0) {
      throw new UserError(`secret "${name}" in namespace ${target.namespace} lacks keys: ${missing.join(', ')}`, {
        hint: `delete it (kubectl -n ${target.namespace} delete secret ${name}) and deploy again: msx makes it from .msx/service-auth-key.json`,
        exit: 'notFound',
      });
    }
    return { name, action: 'referenced', hash: serviceAuthHash(live.data as Record<string, string>) };
  }
  const manifest = serviceAuthSecretManifest(target, localKeys());
  // Checked against the Kubernetes schema as every other manifest (validate.ts), here since it is never rendered with them.
  const { Secret } = await import('kubernetes-models/v1/Secret');
  new Secret(manifest).validate();
  await client.apply(manifest as KubeObject, { force });
  return { name, action: 'created', hash: serviceAuthHash(manifest.data!) };
}

/**
 * What --dry-run shows of the service-auth Secret, touching no cluster: the pods' hash of the
 * local key, which is what deploy sends when it makes the Secret from that key (or finds the one
 * an earlier deploy made from it). No local key yet: no hash is made up; the note says what
 * deploy will do. Never the key itself.
 */
export function previewServiceAuth(target: DeployTarget, manifests: Manifest[], localKeys: ServiceAuthKeys | undefined): { manifests: Manifest[]; note?: string } {
  const name = serviceAuthSecretName(target.workspace.name);
  if (!manifests.some((m) => usesSecret(m, name))) return { manifests };
  const where = `namespace ${target.namespace}`;
  if (!localKeys) {
    return {
      manifests,
      note: `service tokens: no .msx/service-auth-key.json yet, so no ${SERVICE_AUTH_HASH_ANNOTATION} shown: deploy makes the key, creates secret ${name} from it unless ${where} has one, and puts that secret's hash on the pods`,
    };
  }
  return {
    manifests: withServiceAuthHash(manifests, name, localKeysHash(target, localKeys)),
    note: `service tokens: ${SERVICE_AUTH_HASH_ANNOTATION} is the hash of .msx/service-auth-key.json, as deploy sends it when it creates secret ${name} from that key; if ${where} has a secret ${name} with other keys, deploy puts that one's hash instead`,
  };
}
