import type { IContainer } from 'kubernetes-models/v1/Container';
import type { Service } from '../../models/workspace.js';
import { configMapName } from './config-map.js';
import { containerEnv } from './container-env.js';
import { CONFIG_HASH_ANNOTATION, selectorLabels, serviceLabels } from '../../kube/labels.js';
import { probesFor } from './probes.js';
import { preStopLifecycle, terminationGraceSeconds } from './termination.js';
import { containerSecurityContext, podSecurityContext, TMP_MOUNT, TMP_VOLUME } from './security.js';
import type { DeployTarget, IDeployment } from './types.js';

export interface DeploymentInput {
  target: DeployTarget;
  service: Service;
  config: Record<string, string>;
  configHash: string;
  /** Whether a Service routes to the pods: only then is SIGTERM delayed (termination.ts). */
  hasService: boolean;
}

export function deploymentManifest(input: DeploymentInput): IDeployment {
  const { target, service } = input;
  const labels = serviceLabels(target.workspace.name, service);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: service.name, namespace: target.namespace, labels },
    spec: {
      replicas: target.replicas,
      revisionHistoryLimit: 10,
      selector: { matchLabels: selectorLabels(target.workspace.name, service) },
      // maxUnavailable 0: a new version that never becomes ready leaves the old pods serving.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels, annotations: { [CONFIG_HASH_ANNOTATION]: input.configHash } },
        spec: {
          securityContext: podSecurityContext(),
          // Services call the Kubernetes API never; no token in the pod. No
          // docker-link style <SVC>_PORT variables either: msx sets <DEP>_URL.
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: terminationGraceSeconds(input.config, input.hasService),
          containers: [container(input)],
          volumes: [TMP_VOLUME],
        },
      },
    },
  };
}

function container({ target, service, config, hasService }: DeploymentInput): IContainer {
  return {
    name: service.name,
    image: target.images[service.name],
    imagePullPolicy: 'IfNotPresent',
    ports: [{ name: portName(service), containerPort: service.port, protocol: 'TCP' }],
    envFrom: [{ configMapRef: { name: configMapName(service) } }],
    env: containerEnv(target, service, new Set(Object.keys(config))),
    resources: resourcesFor(service),
    ...probesFor(service),
    // Nothing routes to a pod without a Service, so there is no endpoint removal to wait for.
    ...(hasService ? { lifecycle: preStopLifecycle() } : {}),
    securityContext: containerSecurityContext(),
    volumeMounts: [TMP_MOUNT],
  };
}

export function portName(service: Service): 'grpc' | 'http' {
  return service.kind === 'grpc' ? 'grpc' : 'http';
}

/**
 * A value set in msx.yaml is both request and limit (predictable scheduling,
 * no surprise throttling); the defaults fit a small Node service and allow a burst.
 */
export function resourcesFor(service: Service): NonNullable<IContainer['resources']> {
  const { cpu, memory } = service.resources ?? {};
  return {
    requests: { cpu: cpu ?? '100m', memory: memory ?? '128Mi' },
    limits: { cpu: cpu ?? '500m', memory: memory ?? '256Mi' },
  };
}
