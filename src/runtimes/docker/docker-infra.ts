import { UserError } from '../../errors.js';
import type { InfraName } from '../../models/names.js';
import type { WorkspaceData } from '../../models/workspace.js';
import { answers as tcpAnswers, resolveInfra, type InfraEndpoint } from '../infra.js';
import type { ContainerSpec } from './container-spec.js';
import type { ContainerSummary, DockerClient } from '../../docker/docker-client.js';
import { FORWARDER_IMAGE, forwarderSpec, OFFICIAL, officialInfraSpec } from './infra-containers.js';
import { LABEL } from './labels.js';

/** How containers reach one piece of infra, and how msx reaches it from the host. */
export interface ContainerInfraEndpoint {
  name: InfraName;
  /** The URL as the host sees it (msx creates databases with it). */
  hostUrl: string;
  /** The same URL as a container sees it. */
  containerUrl: string;
  /** A container msx must run for it: a forwarder, or the official image. */
  spec?: ContainerSpec;
}

export const HOST_ALIAS = 'host.docker.internal';

export interface InfraContext {
  client: DockerClient;
  workspace: WorkspaceData;
  network: string;
  /** The workspace network's gateway: the host's address as its containers see it. */
  gateway: string;
  existing: readonly ContainerSummary[];
  /** How infra is found on the host, and whether a port answers: replaced in unit tests. */
  resolve?: typeof resolveInfra;
  answers?: (host: string, port: number) => Promise<boolean>;
}

/**
 * The infra the workspace needs, found as the local runtime finds it (msx.yaml
 * url, then AMQP_URL/DATABASE_URL, then the default local port) and made
 * reachable from containers; the official image is run only when nothing
 * answers at all.
 */
export async function resolveContainerInfra(context: InfraContext): Promise<Map<InfraName, ContainerInfraEndpoint>> {
  const found = await (context.resolve ?? resolveInfra)(context.workspace);
  const endpoints = new Map<InfraName, ContainerInfraEndpoint>();
  for (const [name, endpoint] of found) {
    endpoints.set(name, endpoint.url ? await onHost(context, endpoint, endpoint.url) : await officialContainer(context, name));
  }
  return endpoints;
}

async function onHost(context: InfraContext, endpoint: InfraEndpoint, url: string): Promise<ContainerInfraEndpoint> {
  const parsed = new URL(url);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) return { name: endpoint.name, hostUrl: url, containerUrl: url };
  const port = Number(parsed.port) || OFFICIAL[endpoint.name].port;
  parsed.hostname = HOST_ALIAS;
  const result: ContainerInfraEndpoint = { name: endpoint.name, hostUrl: url, containerUrl: parsed.toString() };
  // Our own forwarder answering from an earlier `up` says nothing about the host: keep it.
  const forwarding = context.existing.some((c) => c.labels[LABEL.role] === 'forwarder' && c.labels[LABEL.service] === endpoint.name);
  if (forwarding || !(await (context.answers ?? tcpAnswers)(context.gateway, port))) {
    await ensureImage(context.client, FORWARDER_IMAGE, `the forwarder to the host's ${endpoint.name}`, endpoint.name);
    result.spec = forwarderSpec({ workspace: context.workspace.name, infra: endpoint.name, listen: { host: context.gateway, port }, target: { host, port } });
  }
  return result;
}

/** How each official image is reached (the credentials its image sets up). */
const OFFICIAL_URL: Record<InfraName, { scheme: string; credentials: string; path: string }> = {
  postgres: { scheme: 'postgres', credentials: 'postgres:postgres@', path: '/postgres' },
  rabbitmq: { scheme: 'amqp', credentials: 'guest:guest@', path: '' },
  redis: { scheme: 'redis', credentials: '', path: '' },
};

async function officialContainer(context: InfraContext, name: InfraName): Promise<ContainerInfraEndpoint> {
  const official = OFFICIAL[name];
  const image = context.workspace.infra[name]?.image ?? official.image;
  await ensureImage(context.client, image, name, name);
  const { scheme, credentials, path } = OFFICIAL_URL[name];
  return {
    name,
    hostUrl: `${scheme}://${credentials}127.0.0.1:${official.port}${path}`,
    containerUrl: `${scheme}://${credentials}${name}:${official.port}${path}`,
    spec: officialInfraSpec(context.workspace.name, name, image, context.network),
  };
}

/** A local image, else a pull; no image at all is one line saying what to do instead. */
async function ensureImage(client: DockerClient, image: string, purpose: string, infra: InfraName): Promise<void> {
  if (await client.imageExists(image)) return;
  try {
    await client.pullImage(image);
  } catch (error) {
    const reason = ((error as Error).message ?? String(error)).split('\n')[0];
    const env = { postgres: 'DATABASE_URL', rabbitmq: 'AMQP_URL', redis: 'REDIS_URL' }[infra];
    throw new UserError(`cannot pull ${image} for ${purpose}: ${reason}`, {
      hint: `start ${infra} on the host (its default port), set ${env} or infra.${infra}.url, or set infra.${infra}.image to an image you have`,
      exit: 'runtimeUnavailable',
    });
  }
}

/** A URL the host uses, rewritten for containers (a service's own database on the same server). */
export function forContainers(endpoint: ContainerInfraEndpoint, hostUrl: string): string {
  const from = new URL(endpoint.hostUrl);
  const to = new URL(endpoint.containerUrl);
  const url = new URL(hostUrl);
  if (url.host === from.host) url.host = to.host;
  return url.toString();
}
