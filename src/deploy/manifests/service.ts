import type { Service } from '../../models/workspace.js';
import { portName } from './deployment.js';
import { selectorLabels, serviceLabels } from '../../kube/labels.js';
import type { DeployTarget, IService } from './types.js';

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
