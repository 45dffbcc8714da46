import type { ContainerCreateOptions } from 'dockerode';
import type { InfraName } from '../../models/names.js';
import { withHash, type ContainerSpec } from './container-spec.js';
import { containerName, objectLabels, volumeName } from './labels.js';

/** The image the forwarder runs in: the one the generated services build FROM, so it is there already. */
export const FORWARDER_IMAGE = 'node:20-slim';

/**
 * A TCP forwarder in plain node. The host's broker and database often listen
 * on 127.0.0.1 only, which containers cannot reach; this runs in the host's
 * network namespace, listens on the workspace network's gateway address (which
 * only the host and that network's containers can reach) and passes bytes to
 * the host's loopback port. A side effect worth having: RabbitMQ's guest user,
 * allowed from loopback only, keeps working.
 */
const FORWARDER_SCRIPT = [
  "const net = require('net');",
  'const { LISTEN_HOST, LISTEN_PORT, TARGET_HOST, TARGET_PORT } = process.env;',
  'net.createServer((client) => {',
  '  const upstream = net.connect(Number(TARGET_PORT), TARGET_HOST);',
  '  client.pipe(upstream).pipe(client);',
  '  const close = () => { client.destroy(); upstream.destroy(); };',
  "  client.on('error', close).on('close', close); upstream.on('error', close).on('close', close);",
  "}).listen(Number(LISTEN_PORT), LISTEN_HOST, () => console.log(`forwarding ${LISTEN_HOST}:${LISTEN_PORT} to ${TARGET_HOST}:${TARGET_PORT}`));",
  // As PID 1 node ignores SIGTERM unless it handles it, and `docker stop` would wait out its grace period.
  "process.on('SIGTERM', () => process.exit(0));",
].join('\n');

export interface ForwarderInput {
  workspace: string;
  infra: InfraName;
  listen: { host: string; port: number };
  target: { host: string; port: number };
}

export function forwarderSpec(input: ForwarderInput): ContainerSpec {
  const options: ContainerCreateOptions = {
    name: `${containerName(input.workspace, input.infra)}-forward`,
    Image: FORWARDER_IMAGE,
    Cmd: ['node', '-e', FORWARDER_SCRIPT],
    User: '65534:65534',
    Env: [
      `LISTEN_HOST=${input.listen.host}`,
      `LISTEN_PORT=${input.listen.port}`,
      `TARGET_HOST=${input.target.host}`,
      `TARGET_PORT=${input.target.port}`,
    ],
    HostConfig: { NetworkMode: 'host', RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 0 } },
  };
  return withHash(input.workspace, input.infra, 'forwarder', options);
}

interface OfficialImage {
  image: string;
  port: number;
  dataDir: string;
  env: string[];
  healthcheck: string[];
}

export const OFFICIAL: Record<InfraName, OfficialImage> = {
  rabbitmq: {
    image: 'rabbitmq:3',
    port: 5672,
    dataDir: '/var/lib/rabbitmq',
    env: [],
    healthcheck: ['CMD', 'rabbitmq-diagnostics', '-q', 'ping'],
  },
  postgres: {
    image: 'postgres:16',
    port: 5432,
    dataDir: '/var/lib/postgresql/data',
    env: ['POSTGRES_PASSWORD=postgres'],
    healthcheck: ['CMD', 'pg_isready', '-U', 'postgres'],
  },
  redis: {
    image: 'redis:7',
    port: 6379,
    dataDir: '/data',
    env: [],
    healthcheck: ['CMD', 'redis-cli', 'ping'],
  },
};

/**
 * Infra as a container of the official image, for when nothing answers on the
 * host: on the workspace network as `rabbitmq` / `postgres`, its port also on
 * 127.0.0.1 (msx creates each service's database from the host), its data in
 * a labelled volume that `msx down --volumes` removes.
 */
export function officialInfraSpec(workspace: string, infra: InfraName, image: string, network: string): ContainerSpec {
  const official = OFFICIAL[infra];
  const port = `${official.port}/tcp`;
  const options: ContainerCreateOptions = {
    name: containerName(workspace, infra),
    Image: image,
    Env: official.env,
    ExposedPorts: { [port]: {} },
    Healthcheck: { Test: official.healthcheck, Interval: 1e9, Timeout: 3e9, Retries: 60, StartPeriod: 2e9 },
    HostConfig: {
      NetworkMode: network,
      PortBindings: { [port]: [{ HostIp: '127.0.0.1', HostPort: String(official.port) }] },
      RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 0 },
      Mounts: [
        {
          Type: 'volume',
          Source: volumeName(workspace, infra),
          Target: official.dataDir,
          VolumeOptions: { NoCopy: false, Labels: objectLabels(workspace, infra, 'data'), DriverConfig: { Name: 'local', Options: {} } },
        },
      ],
    },
    NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: [infra] } } },
  };
  return withHash(workspace, infra, 'infra', options);
}
