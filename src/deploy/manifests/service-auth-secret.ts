import type { ISecret } from 'kubernetes-models/v1/Secret';
import { workspaceLabels } from '../../kube/labels.js';
import { SERVICE_AUTH_ENV, type ServiceAuthKeys } from '../../models/wiring.js';
import type { DeployTarget } from './types.js';

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
