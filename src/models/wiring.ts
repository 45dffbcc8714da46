import { createHash } from 'node:crypto';
import { gatewayEnv } from './gateway-routes.js';
import { envPrefix, type InfraName } from './names.js';
import type { Service, WorkspaceData } from './workspace.js';

export interface WiringInput {
  workspace: WorkspaceData;
  service: Service;
  environment: string;
  /** Where each service is reached from this one: host:port. */
  addressOf: (service: Service) => { host: string; port: number };
  amqpUrl?: string;
  databaseUrl?: string;
  /** Given to the services that need Redis (a gateway's shared rate limits). */
  redisUrl?: string;
  /** The interface services listen on; unset: theirs (0.0.0.0, as a container needs). */
  host?: string;
  /** Names the workspace's exchange and queues on the broker (default: the workspace name). */
  amqpNamespace?: string;
  /** msx's own collector as this service reaches it; the environment's otel.endpoint wins over it. */
  otlpEndpoint?: string;
}

/**
 * The env a service runs with, the same on every runtime: its port and name,
 * one `<DEP>_URL` per service it depends on, infra URLs, then its msx.yaml
 * config with the environment's overrides on top.
 */
export function serviceEnv(input: WiringInput): Record<string, string> {
  const { workspace, service } = input;
  const env: Record<string, string> = {
    PORT: String(service.port),
    SERVICE_NAME: service.name,
    LOG_FORMAT: 'json',
    OTEL_SERVICE_NAME: service.name,
    MSX_WORKSPACE: workspace.name,
  };
  for (const dep of service.dependsOn) {
    const target = workspace.services.find((s) => s.name === dep);
    if (target) env[`${envPrefix(dep)}_URL`] = dependencyUrl(target, input.addressOf(target));
  }
  if (input.host) env.HOST = input.host;
  if (input.amqpUrl) env.AMQP_URL = input.amqpUrl;
  if (infraNeeds(service).includes('rabbitmq')) {
    const namespace = input.amqpNamespace ?? workspace.name;
    env.AMQP_EXCHANGE = `${namespace}.events`;
    env.AMQP_QUEUE_PREFIX = namespace;
  }
  if (input.databaseUrl) env.DATABASE_URL = input.databaseUrl;
  const own = otlpEndpointOf(workspace, input.environment);
  const otlp = own ?? input.otlpEndpoint;
  if (otlp) env.OTEL_EXPORTER_OTLP_ENDPOINT = otlp;
  // To msx's own collector, a batch goes after 1 s, not the SDK's 5: `msx traces` and the dashboard show a request
  // as soon as a developer looks (as .NET Aspire does in development). A full batch goes at once either way.
  if (otlp && !own) env.OTEL_BSP_SCHEDULE_DELAY = '1000';
  Object.assign(env, serviceAuthEnv(workspace, service));
  if (input.redisUrl && infraNeeds(service).includes('redis')) env.REDIS_URL = input.redisUrl;
  if (service.kind === 'gateway') Object.assign(env, gatewayEnv(service, (name) => workspace.services.find((s) => s.name === name)?.kind));
  const overrides = workspace.environments[input.environment]?.config?.[service.name] ?? {};
  for (const [key, value] of Object.entries({ ...service.config, ...overrides })) env[key] = String(value);
  return env;
}

/** The user's own OTLP endpoint for an environment (msx.yaml environments.<env>.otel.endpoint): spans go there, not to msx. */
export function otlpEndpointOf(workspace: Pick<WorkspaceData, 'environments'>, environment: string): string | undefined {
  return workspace.environments[environment]?.otel?.endpoint;
}

/** gRPC targets are `host:port` (what @grpc/grpc-js dials); HTTP ones are URLs. */
export function dependencyUrl(service: Service, address: { host: string; port: number }): string {
  switch (service.kind) {
    case 'grpc':
      return `${address.host}:${address.port}`;
    case 'rest':
    case 'consumer':
    case 'gateway':
      return `http://${address.host}:${address.port}`;
  }
}

/** The infra a service needs: what it names in dependsOn, plus what its kind and db imply. */
export function infraNeeds(service: Service): InfraName[] {
  const needs = new Set<InfraName>();
  if (service.kind === 'consumer' || service.publishes.length > 0 || service.dependsOn.includes('rabbitmq')) needs.add('rabbitmq');
  if (service.db === 'postgres' || service.dependsOn.includes('postgres')) needs.add('postgres');
  if (service.dependsOn.includes('redis')) needs.add('redis');
  return [...needs];
}

/**
 * The broker names of a workspace on this machine: its name and a hash of its
 * folder, so two workspaces, or two clones of one repository, that share a
 * broker never share an exchange or a queue (a consumer of one would take the
 * other's events). The same for the local and the docker runtime.
 */
export function localAmqpNamespace(workspace: Pick<WorkspaceData, 'name' | 'root'>): string {
  return `${workspace.name}-${createHash('sha256').update(workspace.root).digest('hex').slice(0, 6)}`;
}

/**
 * The workspace's service-token key (state/service-key.ts makes it; a runtime
 * attaches it to the workspace it runs). Keys are JWK JSON, one line each.
 */
export interface ServiceAuthKeys {
  /** `iss` of every service token: the workspace name. */
  issuer: string;
  kid: string;
  publicKey: string;
  privateKey: string;
}

/** The service-auth env names: every service verifies, a service that calls others also signs. */
export const SERVICE_AUTH_ENV = { publicKey: 'SERVICE_AUTH_PUBLIC_KEY', privateKey: 'SERVICE_TOKEN_KEY', issuer: 'SERVICE_AUTH_ISSUER' } as const;

/** Which key env a service gets: the public key always, the signing key when it depends on another service. */
export function serviceAuthEnvNames(workspace: Pick<WorkspaceData, 'services'>, service: Service): Array<'publicKey' | 'privateKey'> {
  const callsOthers = service.dependsOn.some((dep) => workspace.services.some((s) => s.name === dep));
  return callsOthers ? ['publicKey', 'privateKey'] : ['publicKey'];
}

function serviceAuthEnv(workspace: WorkspaceData, service: Service): Record<string, string> {
  const keys = workspace.serviceAuth;
  if (!keys) return {};
  const env: Record<string, string> = { [SERVICE_AUTH_ENV.issuer]: keys.issuer };
  for (const name of serviceAuthEnvNames(workspace, service)) env[SERVICE_AUTH_ENV[name]] = keys[name];
  return env;
}
