import { workspaceLabels } from '../../kube/labels.js';
import type { DeployTarget, INamespace } from './types.js';

/** Only written when asked (--create-namespace); msx never prunes a Namespace. */
export function namespaceManifest(target: DeployTarget): INamespace {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: target.namespace, labels: workspaceLabels(target.workspace.name) },
  };
}
