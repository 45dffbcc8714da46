import { createHash } from 'node:crypto';
import type { Service } from '../../models/workspace.js';
import { serviceLabels } from '../../kube/labels.js';
import type { DeployTarget, IConfigMap } from './types.js';

export function configMapName(service: { name: string }): string {
  return `${service.name}-config`;
}

/** The service's msx.yaml `config` with the environment's overrides on top, as strings. */
export function configData(target: DeployTarget, service: Service): Record<string, string> {
  const overrides = target.workspace.environments[target.environment]?.config?.[service.name] ?? {};
  const data: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...service.config, ...overrides })) data[key] = String(value);
  return data;
}

/** Order-independent: the same config always gives the same hash. */
export function configHash(data: Record<string, string>): string {
  const sorted = Object.keys(data)
    .sort()
    .map((key) => [key, data[key]]);
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 16);
}

export function configMapManifest(target: DeployTarget, service: Service, data: Record<string, string>): IConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: configMapName(service),
      namespace: target.namespace,
      labels: serviceLabels(target.workspace.name, service),
    },
    data,
  };
}
