import { createServer, type Server } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExternalError, UserError } from '../../../src/errors.js';
import type { Service, WorkspaceData } from '../../../src/models/workspace.js';
import type { RuntimeEvents, ServiceStatus } from '../../../src/runtimes/runtime.js';
import { DockerRuntime } from '../../../src/runtimes/docker/docker-runtime.js';
import { LABEL } from '../../../src/runtimes/docker/labels.js';
import { DockerUp } from '../../../src/runtimes/docker/up-workspace.js';
import { makeTempDir, removeDir } from '../../helpers/cli.js';
import { freePort } from '../../helpers/processes.js';
import { FakeDocker } from '../../fakes/fake-docker.js';

// DockerUp and DockerRuntime against an in-memory engine. Readiness is real:
// each "container" is a small HTTP server on the port the service declares.

const quiet = (states: ServiceStatus[] = [], notes: string[] = []): RuntimeEvents => ({
  state: (s) => states.push(s),
  log: () => undefined,
  note: (service, message) => notes.push(`${service ?? '-'}: ${message}`),
});

describe('docker runtime logic against a fake engine', () => {
  let root: string;
  let workspace: WorkspaceData;
  const servers: Server[] = [];

  const makeService = async (name: string, dependsOn: string[] = []): Promise<Service> => {
    const dir = join(root, 'contexts', 'core', name);
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, 'Dockerfile'), 'FROM node:20-slim\n');
    writeFileSync(join(dir, 'src', 'main.ts'), `console.log('${name}');\n`);
    const port = await freePort();
    const server = createServer((_req, res) => res.writeHead(200).end('{"status":"ready"}'));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    servers.push(server);
    return { name, kind: 'rest', context: 'core', path: `contexts/core/${name}`, dir, port, db: 'none', dependsOn, publishes: [], subscribes: [], config: {}, secrets: [] };
  };

  beforeAll(async () => {
    root = makeTempDir('msx-docker-unit-');
    const services = [await makeService('orders'), await makeService('stock', ['orders'])];
    workspace = { root, file: join(root, 'msx.yaml'), name: 'shop', services, infra: {}, environments: {} };
  });
  afterAll(() => {
    servers.forEach((server) => server.close());
    removeDir(root);
  });

  const up = (docker: FakeDocker, states: ServiceStatus[] = [], notes: string[] = []) =>
    new DockerUp(docker, workspace, { detach: true, readyTimeoutMs: 5000, services: [] }, quiet(states, notes)).run();

  it('builds each image, makes the network, and starts every service ready in dependency order', async () => {
    const docker = new FakeDocker();
    const states: ServiceStatus[] = [];
    const outcome = await up(docker, states);
    expect(outcome.statuses.map((s) => [s.service, s.state])).toEqual([['orders', 'ready'], ['stock', 'ready']]);
    expect(docker.journal.filter((j) => j.startsWith('build')).length).toBe(2);
    expect(docker.networks.map((n) => [n.name, n.labels[LABEL.workspace]])).toEqual([['msx_shop', 'shop']]);
    const readyOrders = states.findIndex((s) => s.service === 'orders' && s.state === 'ready');
    const startingStock = states.findIndex((s) => s.service === 'stock' && s.state === 'starting');
    expect(readyOrders).toBeLessThan(startingStock);
  });

  it('changes nothing on a second up when nothing changed', async () => {
    const docker = new FakeDocker();
    await up(docker);
    docker.journal.length = 0;
    await up(docker);
    expect(docker.journal).toEqual([]);
  });

  it('rebuilds and recreates only the service whose source changed, and drops its old image', async () => {
    const docker = new FakeDocker();
    await up(docker);
    const before = docker.containers.map((c) => [c.name, c.id]);
    writeFileSync(join(workspace.services[1].dir, 'src', 'main.ts'), "console.log('stock v2');\n");
    docker.journal.length = 0;
    await up(docker);
    expect(docker.journal.filter((j) => !j.startsWith('rmi'))).toEqual([
      expect.stringMatching(/^build msx\/shop_stock:/),
      'remove msx_shop_stock',
      'create msx_shop_stock',
      'start msx_shop_stock',
    ]);
    expect(docker.journal.filter((j) => j.startsWith('rmi'))).toEqual([expect.stringMatching(/^rmi msx\/shop_stock:/)]);
    expect(docker.containers.find((c) => c.name === 'msx_shop_orders')!.id).toBe(before.find(([n]) => n === 'msx_shop_orders')![1]);
  });

  it('wires dependencies by DNS name: STOCK gets ORDERS_URL=http://orders:PORT', async () => {
    const docker = new FakeDocker();
    await up(docker);
    const env = docker.containers.find((c) => c.name === 'msx_shop_stock')!.options.Env!;
    expect(env).toContain(`ORDERS_URL=http://orders:${workspace.services[0].port}`);
    expect(env).toContain('SERVICE_NAME=stock');
  });

  it('down removes only this workspace\'s objects, volumes only when asked, and says what it removed', async () => {
    const docker = new FakeDocker();
    await up(docker);
    docker.containers.push({ id: 'other', name: 'msx_other_api', image: 'x', state: 'running', labels: { [LABEL.workspace]: 'other' }, options: {} });
    docker.volumes.push({ name: 'msx_shop_postgres_data', labels: { [LABEL.workspace]: 'shop' } });
    const forwarderLabels = { [LABEL.workspace]: 'shop', [LABEL.service]: 'rabbitmq', [LABEL.role]: 'forwarder' };
    docker.containers.unshift({ id: 'fwd', name: 'msx_shop_rabbitmq-forward', image: 'node:20-slim', state: 'running', labels: forwarderLabels, options: {} });
    const runtime = new DockerRuntime(async () => docker);
    docker.journal.length = 0;
    const first = await runtime.down(workspace, { volumes: false });
    // A service shutting down still closes its broker connection through the forwarder: services go first.
    expect(docker.journal.at(-2)).toBe('remove msx_shop_rabbitmq-forward');
    expect(first.stopped.sort()).toEqual(['orders', 'stock']);
    expect(first.removed.networks).toEqual(['msx_shop']);
    expect(docker.containers.map((c) => c.name)).toEqual(['msx_other_api']);
    expect(docker.volumes.length).toBe(1);
    const second = await runtime.down(workspace, { volumes: true });
    expect(second.removed.volumes).toEqual(['msx_shop_postgres_data']);
    expect(second.wasRunning).toBe(false);
  });

  it('reports every declared service as stopped when nothing runs', async () => {
    const statuses = await new DockerRuntime(async () => new FakeDocker()).status(workspace);
    expect(statuses.map((s) => [s.service, s.state])).toEqual([['orders', 'stopped'], ['stock', 'stopped']]);
  });

  it('stops the whole up with the failing build step and the tail of its output', async () => {
    const docker = new FakeDocker();
    docker.buildResult = { lines: ['Step 1/9 : FROM node:20-slim', 'Step 6/9 : RUN npm run build', "src/main.ts(1,1): error TS2304: Cannot find name 'x'."], error: "The command '/bin/sh -c npm run build' returned a non-zero code: 2" };
    const failure = await up(docker).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ExternalError);
    expect((failure as ExternalError).message).toMatch(/building the image of "(orders|stock)" failed at step 6\/9: RUN npm run build/);
    expect((failure as ExternalError).outputTail).toContain('error TS2304');
    expect(docker.containers).toEqual([]);
  });

  it('tags each image msx/<workspace>_<service>:<12 hex of its content hash>', async () => {
    const docker = new FakeDocker();
    await up(docker);
    expect(docker.images.flatMap((i) => i.tags).sort()).toEqual([expect.stringMatching(/^msx\/shop_orders:[0-9a-f]{12}$/), expect.stringMatching(/^msx\/shop_stock:[0-9a-f]{12}$/)]);
  });

  it('removes, on a full up, the container of a service no longer in msx.yaml, and says so', async () => {
    // Given a container left by a service "legacy" that msx.yaml no longer declares
    const docker = new FakeDocker();
    await up(docker);
    const labels = { [LABEL.workspace]: 'shop', [LABEL.service]: 'legacy', [LABEL.role]: 'service' };
    docker.containers.push({ id: 'old', name: 'msx_shop_legacy', image: 'msx/shop_legacy:abc', state: 'running', labels, options: {} });
    // When a partial up runs, it is left alone; when a full up runs, it goes
    await new DockerUp(docker, workspace, { detach: true, readyTimeoutMs: 5000, services: ['orders'] }, quiet()).run();
    expect(docker.containers.map((c) => c.name)).toContain('msx_shop_legacy');
    const notes: string[] = [];
    docker.journal.length = 0;
    await up(docker, [], notes);
    expect(docker.journal).toEqual(['remove msx_shop_legacy']);
    expect(notes).toContain('legacy: removing its container msx_shop_legacy (no longer in msx.yaml)');
    expect(docker.containers.map((c) => c.name).sort()).toEqual(['msx_shop_orders', 'msx_shop_stock']);
  });
});

describe('an engine that does not answer', () => {
  it('is one UserError with exit 5 and the hint to use the local runtime', async () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = 'unix:///nonexistent/docker.sock';
    try {
      const workspace: WorkspaceData = { root: '/nonexistent', file: '/nonexistent/msx.yaml', name: 'shop', services: [], infra: {}, environments: {} };
      const error = await new DockerRuntime().status(workspace).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).exitCode).toBe(5);
      expect((error as UserError).message).toBe('the Docker engine does not answer at unix:///nonexistent/docker.sock (connect ENOENT /nonexistent/docker.sock)');
      expect((error as UserError).hint).toMatch(/--runtime local/);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });
});
