import type { Service, WorkspaceData } from '../../models/workspace.js';
import { portName } from './deployment.js';
import { selectorLabels, serviceLabels } from '../../kube/labels.js';
import type { DeployTarget, IService } from './types.js';

/**
 * Whether a service is reached by name, so needs a Service: REST and gRPC
 * always; a consumer only when another service depends on it (its
 * `<DEP>_URL` names the Service). A consumer's port serves only its health
 * endpoints, which the kubelet probes on the pod's own address.
 */
export function hasClusterService(workspace: WorkspaceData, service: Service): boolean {
  switch (service.kind) {
    case 'rest':
    case 'grpc':
    case 'gateway':
      return true;
    case 'consumer':
      return workspace.services.some((other) => other.dependsOn.includes(service.name));
  }
}

/** A ClusterIP Service named after the service: what `<DEP>_URL` points at. */
export function serviceManifest(target: DeployTarget, service: Service): IService {
  const name = portName(service);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: service.name, namespace: target.namespace, labels: serviceLabels(target.workspace.name, service) },
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(target.workspace.name, service),
      // appProtocol lets meshes and gateways speak HTTP/2 (gRPC) to the port without sniffing.
      ports: [{ name, port: service.port, targetPort: name, protocol: 'TCP', appProtocol: name }],
    },
  };
}
