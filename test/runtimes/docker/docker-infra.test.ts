import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import type { InfraName } from '../../../src/models/names.js';
import type { WorkspaceData } from '../../../src/models/workspace.js';
import type { InfraEndpoint } from '../../../src/runtimes/infra.js';
import { forContainers, resolveContainerInfra, type InfraContext } from '../../../src/runtimes/docker/docker-infra.js';
import type { ContainerSummary } from '../../../src/docker/docker-client.js';
import { LABEL } from '../../../src/runtimes/docker/labels.js';
import { FakeDocker } from '../../fakes/fake-docker.js';

// How containers reach RabbitMQ/PostgreSQL: the host's (rewritten, through a
// forwarder when the host listens on 127.0.0.1 only), or the official image.

const workspace = (infra: WorkspaceData['infra'] = {}): WorkspaceData => ({ root: '/ws', file: '/ws/msx.yaml', name: 'shop', services: [], infra, environments: {} });

const found = (entries: Array<[InfraName, Partial<InfraEndpoint>]>) => async () =>
  new Map(entries.map(([name, endpoint]) => [name, { name, ...endpoint } as InfraEndpoint]));

const context = (docker: FakeDocker, overrides: Partial<InfraContext>): InfraContext => ({
  client: docker,
  workspace: workspace(),
  network: 'msx_shop',
  gateway: '172.30.0.1',
  existing: [],
  answers: async () => false,
  ...overrides,
});

describe('infra for containers', () => {
  it('reaches a broker on the host loopback through a forwarder on the network gateway', async () => {
    const docker = new FakeDocker();
    docker.images.push({ id: 'node', tags: ['node:20-slim'], labels: {} });
    const resolve = found([['rabbitmq', { url: 'amqp://guest:guest@127.0.0.1:5672', source: 'default port' }]]);
    const rabbit = (await resolveContainerInfra(context(docker, { resolve }))).get('rabbitmq')!;
    expect(rabbit.containerUrl).toBe('amqp://guest:guest@host.docker.internal:5672');
    expect(rabbit.hostUrl).toBe('amqp://guest:guest@127.0.0.1:5672');
    expect(rabbit.spec?.role).toBe('forwarder');
    expect(rabbit.spec?.options.HostConfig?.NetworkMode).toBe('host');
    expect(rabbit.spec?.options.Env).toEqual(['LISTEN_HOST=172.30.0.1', 'LISTEN_PORT=5672', 'TARGET_HOST=127.0.0.1', 'TARGET_PORT=5672']);
    expect(rabbit.spec?.options.Labels).toMatchObject({ [LABEL.workspace]: 'shop', [LABEL.service]: 'rabbitmq' });
  });

  it('needs no forwarder when the host already answers on the gateway address', async () => {
    const resolve = found([['postgres', { url: 'postgres://postgres@localhost:5432/postgres', source: 'env' }]]);
    const pg = (await resolveContainerInfra(context(new FakeDocker(), { resolve, answers: async () => true }))).get('postgres')!;
    expect(pg.spec).toBeUndefined();
    expect(pg.containerUrl).toBe('postgres://postgres@host.docker.internal:5432/postgres');
  });

  it('keeps its own forwarder from an earlier up, though the gateway answers (through it)', async () => {
    const docker = new FakeDocker();
    docker.images.push({ id: 'node', tags: ['node:20-slim'], labels: {} });
    const forwarder: ContainerSummary = { id: 'f', name: 'msx_shop_rabbitmq-forward', image: 'node:20-slim', state: 'running', labels: { [LABEL.role]: 'forwarder', [LABEL.service]: 'rabbitmq' } };
    const resolve = found([['rabbitmq', { url: 'amqp://guest:guest@127.0.0.1:5672' }]]);
    const rabbit = (await resolveContainerInfra(context(docker, { resolve, existing: [forwarder], answers: async () => true }))).get('rabbitmq')!;
    expect(rabbit.spec?.name).toBe('msx_shop_rabbitmq-forward');
  });

  it('leaves a URL of another host as it is', async () => {
    const resolve = found([['rabbitmq', { url: 'amqp://app:secret@broker.internal:5672/vhost', source: 'msx.yaml' }]]);
    const rabbit = (await resolveContainerInfra(context(new FakeDocker(), { resolve }))).get('rabbitmq')!;
    expect(rabbit.containerUrl).toBe('amqp://app:secret@broker.internal:5672/vhost');
    expect(rabbit.spec).toBeUndefined();
  });

  it('runs the official image (or the one msx.yaml names) on the network when nothing answers', async () => {
    const docker = new FakeDocker();
    const resolve = found([['postgres', { problem: 'postgres is not reachable' }]]);
    const ws = workspace({ postgres: { image: 'postgres:16-alpine' } });
    const pg = (await resolveContainerInfra(context(docker, { resolve, workspace: ws }))).get('postgres')!;
    expect(docker.journal).toEqual(['pull postgres:16-alpine']);
    expect(pg.spec?.options.Image).toBe('postgres:16-alpine');
    expect(pg.spec?.options.NetworkingConfig?.EndpointsConfig?.msx_shop.Aliases).toEqual(['postgres']);
    expect(pg.containerUrl).toBe('postgres://postgres:postgres@postgres:5432/postgres');
    expect(forContainers(pg, 'postgres://postgres:postgres@127.0.0.1:5432/shop_orders')).toBe('postgres://postgres:postgres@postgres:5432/shop_orders');
  });

  it('says in one line, exit 5, that the official image cannot be pulled, and what to do instead', async () => {
    const docker = new FakeDocker();
    docker.pullError = 'Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host\nmore detail';
    const resolve = found([['rabbitmq', { problem: 'rabbitmq is not reachable' }]]);
    const error = await resolveContainerInfra(context(docker, { resolve })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(5);
    expect((error as UserError).message).toMatch(/^cannot pull rabbitmq:3 for rabbitmq: Get .*no such host$/);
    expect((error as UserError).hint).toMatch(/AMQP_URL or infra.rabbitmq.url/);
  });
});
