import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { Service } from '../../models/workspace.js';
import { infraNeeds, SERVICE_AUTH_ENV, serviceAuthEnvNames, serviceEnv } from '../../models/wiring.js';
import { serviceAuthSecretName } from './service-auth-secret.js';
import type { DeployTarget } from './types.js';

const INFRA_ENV = { rabbitmq: 'AMQP_URL', postgres: 'DATABASE_URL', redis: 'REDIS_URL' } as const;

/** The Secret a service's secret values are read from; msx references it and never writes it. */
export function secretName(service: Service): string {
  return `${service.name}-secrets`;
}

/**
 * The container's `env`: the wiring every runtime sets (PORT, SERVICE_NAME,
 * `<DEP>_URL` with in-cluster DNS names), then one secretKeyRef per secret.
 * Config keys are left out: they come from the ConfigMap (envFrom), and
 * leaving them out keeps msx.yaml config winning over wiring, as locally.
 */
export function containerEnv(target: DeployTarget, service: Service, configKeys: ReadonlySet<string>): IEnvVar[] {
  const wiring = serviceEnv({
    workspace: target.workspace,
    service,
    environment: target.environment,
    // A Service named after each service, in the same namespace, on the service's port.
    addressOf: (dependency) => ({ host: dependency.name, port: dependency.port }),
  });
  const env: IEnvVar[] = Object.entries(wiring)
    .filter(([key]) => !configKeys.has(key))
    .map(([name, value]) => ({ name, value }));
  for (const key of secretKeys(service, configKeys)) {
    env.push({ name: key, valueFrom: { secretKeyRef: { name: secretName(service), key } } });
  }
  env.push(...serviceAuthEnv(target, service, configKeys));
  return env;
}

/**
 * The msx.yaml secrets, plus AMQP_URL / DATABASE_URL when the service needs
 * that infra and config does not set it: in a cluster those URLs carry
 * credentials, so they are read from the service's Secret too.
 */
export function secretKeys(service: Service, configKeys: ReadonlySet<string>): string[] {
  const keys = new Set(service.secrets.filter((key) => !configKeys.has(key)));
  for (const infra of infraNeeds(service)) {
    if (!configKeys.has(INFRA_ENV[infra])) keys.add(INFRA_ENV[infra]);
  }
  return [...keys];
}

/**
 * Service tokens (templates/README.md): the issuer as a value, the workspace
 * keys from the workspace's service-auth Secret (msx deploy creates it from the
 * local key when the namespace has none): the public key for every service,
 * the signing key for a service that calls others.
 */
function serviceAuthEnv(target: DeployTarget, service: Service, configKeys: ReadonlySet<string>): IEnvVar[] {
  const secret = serviceAuthSecretName(target.workspace.name);
  const env: IEnvVar[] = [{ name: SERVICE_AUTH_ENV.issuer, value: target.workspace.name }];
  for (const half of serviceAuthEnvNames(target.workspace, service)) {
    const key = SERVICE_AUTH_ENV[half];
    env.push({ name: key, valueFrom: { secretKeyRef: { name: secret, key } } });
  }
  return env.filter((e) => !configKeys.has(e.name));
}
