import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { WorkspaceData } from '../../models/workspace.js';

// Type-only imports: the kubernetes-models types check the manifests at compile
// time and cost nothing at run time (validate.ts imports the classes lazily).
export type { IConfigMap, IDeployment, IIngress, INamespace, IService };

/** Every object msx deploy writes. */
export type Manifest = IDeployment | IService | IConfigMap | INamespace | IIngress;

/** Where and what to deploy: everything the pure manifest functions need. */
export interface DeployTarget {
  workspace: WorkspaceData;
  /** The msx.yaml environment name (its config overrides apply). */
  environment: string;
  namespace: string;
  replicas: number;
  /** Full image reference per service name: `<registry>/<service>:<tag>`. */
  images: Record<string, string>;
  createNamespace: boolean;
  /** The environment's public host: a gateway gets an Ingress for it. */
  host?: string;
}

/** `Deployment/orders`: how objects are named in messages and summaries. */
export function objectRef(manifest: { kind?: string; metadata?: { name?: string } }): string {
  return `${manifest.kind ?? '?'}/${manifest.metadata?.name ?? '?'}`;
}
