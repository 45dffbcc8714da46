import { serviceLabels } from '../../kube/labels.js';
import type { Service } from '../../models/workspace.js';
import { portName } from './deployment.js';
import type { DeployTarget, IIngress } from './types.js';

/**
 * The workspace's way in from outside the cluster: every path on the environment's `host`
 * goes to the gateway's Service (the gateway does the routing, auth and limits itself).
 * The cluster's default IngressClass serves it.
 */
export function ingressManifest(target: DeployTarget, service: Service, host: string): IIngress {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: service.name, namespace: target.namespace, labels: serviceLabels(target.workspace.name, service) },
    spec: {
      rules: [
        {
          host,
          http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: service.name, port: { name: portName(service) } } } }] },
        },
      ],
    },
  };
}
