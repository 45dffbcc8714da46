import type { Service } from '../../models/workspace.js';
import { configData, configHash, configMapManifest } from './config-map.js';
import { deploymentManifest } from './deployment.js';
import { namespaceManifest } from './namespace.js';
import { ingressManifest } from './ingress.js';
import { hasClusterService, serviceManifest } from './service.js';
import type { DeployTarget, Manifest } from './types.js';

/**
 * Every object for the target, pure and in apply order: the Namespace first,
 * then per service its ConfigMap and Service (when it has one) before the
 * Deployment that uses them.
 */
export function renderManifests(target: DeployTarget): Manifest[] {
  const manifests: Manifest[] = target.createNamespace ? [namespaceManifest(target)] : [];
  for (const service of target.workspace.services) manifests.push(...serviceManifests(target, service));
  return manifests;
}

export function serviceManifests(target: DeployTarget, service: Service): Manifest[] {
  const config = configData(target, service);
  const hash = configHash(config);
  const reachable = hasClusterService(target.workspace, service);
  return [
    configMapManifest(target, service, config),
    ...(reachable ? [serviceManifest(target, service)] : []),
    deploymentManifest({ target, service, config, configHash: hash, hasService: reachable }),
    ...(service.kind === 'gateway' && target.host ? [ingressManifest(target, service, target.host)] : []),
  ];
}
