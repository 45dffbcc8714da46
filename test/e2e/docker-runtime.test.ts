import { appendFileSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { localAmqpNamespace } from '../../src/models/wiring.js';
import type { ServiceStatus } from '../../src/runtimes/runtime.js';
import { makeTempDir, MSX_BIN, removeDir, runCli } from '../helpers/cli.js';
import { freePort, killGroup, startProcess } from '../helpers/processes.js';
import { serviceAuthorization } from '../helpers/service-token.js';
import { containerField, dockerProblem, labelledObjects, removeLabelled } from '../runtimes/docker/docker-cli.js';

// A real Docker engine (bash scripts/setup-docker.sh): generated services are
// built from their own Dockerfiles and run as containers by the built CLI.
// Traffic goes only to 127.0.0.1 (published ports) and to the workspace's
// own containers on its own network. Everything is removed by label after.

const problem = dockerProblem();
// On a laptop without Docker this file is skipped with the reason; CI makes an engine first and never skips.
const skip = problem !== undefined && process.env.CI !== 'true';
if (skip) console.log(`docker runtime e2e skipped: ${problem}`);
const startedAt = new Date();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The workspace in `root`, made by the CLI; `root` is the caller's so afterAll removes it even when this fails. */
async function makeWorkspace(root: string, name: string, services: Array<{ name: string; args: string[] }>): Promise<{ ws: string; ports: Record<string, number> }> {
  const ws = join(root, name);
  expect(runCli(['init', ws, '--name', name], root).code).toBe(0);
  const ports: Record<string, number> = {};
  for (const service of services) {
    ports[service.name] = await freePort();
    const made = runCli(['new', 'service', service.name, '--port', String(ports[service.name]), ...service.args], ws);
    expect(made.code, made.stderr).toBe(0);
  }
  return { ws, ports };
}

async function eventually<T>(read: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(200)) {
    const value = read();
    if (value !== undefined) return value;
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * The workspace's exchange and the consumer's queues on the host's RabbitMQ (the containers use
 * it): msx down leaves them, as a consumer's queue outlives restarts by design. The consumer is
 * not called "mailer", so its queues are not those of the demo the trace test runs meanwhile.
 */
async function removeBrokerObjects(exchange: string, queue: string): Promise<void> {
  const connection = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
  try {
    const channel = await connection.createChannel();
    for (const suffix of ['', '.dlq', ...[1000, 2000, 4000, 8000, 16000, 32000].map((ms) => `.retry.${ms}ms`)]) await channel.deleteQueue(`${queue}${suffix}`);
    await channel.deleteExchange(exchange);
  } finally {
    await connection.close();
  }
}

/** Edits msx.yaml as a user would, keeping the rest of the file. */
function editWorkspace(ws: string, edit: (document: ReturnType<typeof parseDocument>) => void): void {
  const document = parseDocument(readFileSync(join(ws, 'msx.yaml'), 'utf8'));
  edit(document);
  writeFileSync(join(ws, 'msx.yaml'), document.toString());
}

const logLines = (ws: string, service: string) => {
  const file = join(ws, '.msx', 'logs', `${service}.ndjson`);
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
};

describe.skipIf(skip)('docker runtime: msx up / ps / down --runtime docker on a real engine', () => {
  const name = `dkflow-${process.pid}`;
  let root: string;
  let ws: string;
  let ports: Record<string, number>;
  const ps = (): ServiceStatus[] => JSON.parse(runCli(['ps', '--runtime', 'docker', '--json'], ws).stdout).services;
  const containerId = (service: string) => containerField(`msx_${name}_${service}`, '{{.Id}}');

  beforeAll(async () => {
    root = makeTempDir('msx-docker-e2e-');
    ws = join(root, name);
    ({ ports } = await makeWorkspace(root, name, [
      { name: 'catalog', args: ['--kind', 'rest', '--context', 'shop'] },
      { name: 'orders', args: ['--kind', 'rest', '--context', 'shop', '--depends-on', 'catalog', '--publishes', 'order.placed'] },
      { name: 'notifier', args: ['--kind', 'consumer', '--context', 'engagement', '--subscribes', 'order.placed'] },
    ]));
  });

  afterAll(async () => {
    runCli(['down', '--runtime', 'docker', '--volumes'], ws);
    removeLabelled(name, startedAt);
    removeDir(root);
    const namespace = localAmqpNamespace({ name, root: ws });
    await removeBrokerObjects(`${namespace}.events`, `${namespace}.notifier.order.placed`);
  });

  it('builds each image and starts every service ready in its container, ports on 127.0.0.1 only', { timeout: 600_000 }, () => {
    const up = runCli(['up', '--runtime', 'docker', '--detach', '--json', '--timeout', '120'], ws);
    expect(up.code, up.stderr + up.stdout).toBe(0);
    const statuses = JSON.parse(up.stdout).services as ServiceStatus[];
    expect(Object.fromEntries(statuses.map((s) => [s.service, s.state]))).toEqual({ catalog: 'ready', orders: 'ready', notifier: 'ready' });
    const found = labelledObjects(name);
    expect(found.containers).toEqual(expect.arrayContaining([`msx_${name}_catalog`, `msx_${name}_orders`, `msx_${name}_notifier`]));
    expect(found.networks).toEqual([`msx_${name}`]);
    const bindings = JSON.parse(containerField(`msx_${name}_orders`, '{{json .HostConfig.PortBindings}}'));
    expect(bindings).toEqual({ [`${ports.orders}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: String(ports.orders) }] });
    expect(containerField(`msx_${name}_orders`, '{{json .Config.Labels}}')).toMatch(/"dev.msx.config-hash":"[0-9a-f]{16}"/);
    // ps without --runtime asks the runtime that runs this workspace, not the local default.
    const plainPs = JSON.parse(runCli(['ps', '--json'], ws).stdout).services as ServiceStatus[];
    expect(Object.fromEntries(plainPs.map((s) => [s.service, s.state]))).toEqual({ catalog: 'ready', orders: 'ready', notifier: 'ready' });
  });

  it('sends a request from orders to catalog by DNS name, and its event through RabbitMQ to notifier', async () => {
    expect(containerField(`msx_${name}_orders`, '{{json .Config.Env}}')).toContain(`CATALOG_URL=http://catalog:${ports.catalog}`);
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const response = await fetch(`http://127.0.0.1:${ports.orders}/orders`, {
      method: 'POST',
      // orders' routes are internal: the test calls as a service would, with a token signed by the workspace key.
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-00f067aa0ba902b7-01`, authorization: await serviceAuthorization(ws, name, 'orders') },
      body: JSON.stringify({ name: 'book' }),
    });
    expect(response.status).toBe(201);
    // catalog logged the call orders made to it, with the same trace id; notifier handled the event.
    await eventually(() => (logLines(ws, 'catalog').includes(traceId) || undefined), 'catalog to log the trace id');
    const handled = (line: string) => line.includes(traceId) && line.includes('handled order.placed');
    await eventually(() => (logLines(ws, 'notifier').split('\n').some(handled) || undefined), 'notifier to handle order.placed');
    // msx logs reads the Docker run's files as it reads the local runtime's.
    const logs = runCli(['logs', '--runtime', 'docker', '--trace-id', traceId], ws);
    expect(logs.code, logs.stderr).toBe(0);
    for (const service of ['orders', 'catalog', 'notifier']) expect(logs.stdout).toContain(service);
  });

  it('rebuilds and recreates only the service whose source changed', { timeout: 300_000 }, () => {
    const before = { catalog: containerId('catalog'), orders: containerId('orders'), notifier: containerId('notifier') };
    appendFileSync(join(ws, 'contexts', 'shop', 'catalog', 'src', 'main.ts'), '\n// changed by the docker e2e test\n');
    const up = runCli(['up', '--runtime', 'docker', '--detach'], ws);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toMatch(/catalog building image/);
    expect(up.stderr).not.toMatch(/(orders|notifier) building image/);
    expect(containerId('catalog')).not.toBe(before.catalog);
    expect(containerId('orders')).toBe(before.orders);
    expect(containerId('notifier')).toBe(before.notifier);
    expect(labelledObjects(name).images.filter((image) => image.includes('_catalog:'))).toHaveLength(1);
  });

  it('tags each image with the content hash msx deploy --dry-run renders for the same code', () => {
    editWorkspace(ws, (document) => document.setIn(['environments', 'staging'], { runtime: 'kubernetes', registry: '127.0.0.1:5000/shop', namespace: 'shop' }));
    const deploy = runCli(['deploy', '--env', 'staging', '--dry-run', '--json'], ws);
    expect(deploy.code, deploy.stderr).toBe(0);
    const rendered = Object.fromEntries((JSON.parse(deploy.stdout).images as Array<{ service: string; image: string }>).map((i) => [i.service, i.image]));
    for (const service of ['catalog', 'orders', 'notifier']) {
      const running = containerField(`msx_${name}_${service}`, '{{.Config.Image}}');
      const hash = running.split(':').at(-1)!;
      expect(hash).toMatch(/^[0-9a-f]{12}$/);
      expect(running).toBe(`msx/${name}_${service}:${hash}`);
      expect(rendered[service]).toBe(`127.0.0.1:5000/shop/${service}:${hash}`);
    }
  });

  it('has Docker restart a container that exits, and ps shows it ready again', async () => {
    const pid = Number(containerField(`msx_${name}_notifier`, '{{.State.Pid}}'));
    process.kill(pid, 'SIGKILL');
    const notifier = await eventually(() => ps().find((s) => s.service === 'notifier' && s.state === 'ready' && s.restarts === 1), 'notifier to be ready after a restart');
    expect(notifier.pid).not.toBe(pid);
    expect(containerField(`msx_${name}_notifier`, '{{.RestartCount}}')).toBe('1');
  });

  it('removes the container of a service deleted from msx.yaml on the next up, and says so', { timeout: 300_000 }, () => {
    const kept = { catalog: containerId('catalog'), orders: containerId('orders') };
    editWorkspace(ws, (document) => document.deleteIn(['services', 'notifier']));
    const up = runCli(['up', '--runtime', 'docker', '--detach'], ws);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toMatch(new RegExp(`notifier removing its container msx_${name}_notifier \\(no longer in msx.yaml\\)`));
    expect(up.stderr).not.toMatch(/building image/);
    const containers = labelledObjects(name).containers;
    expect(containers).not.toContain(`msx_${name}_notifier`);
    expect(containers).toEqual(expect.arrayContaining([`msx_${name}_catalog`, `msx_${name}_orders`]));
    expect(containerId('catalog')).toBe(kept.catalog);
  });

  it('down removes every container, network and volume with the workspace label, and says what', () => {
    const down = runCli(['down', '--runtime', 'docker', '--volumes', '--json'], ws);
    expect(down.code, down.stderr).toBe(0);
    const result = JSON.parse(down.stdout);
    expect([...result.stopped].sort()).toEqual(['catalog', 'orders']);
    expect(result.removed.networks).toEqual([`msx_${name}`]);
    const left = labelledObjects(name);
    expect({ containers: left.containers, networks: left.networks, volumes: left.volumes }).toEqual({ containers: [], networks: [], volumes: [] });
    expect(ps().map((s) => s.state)).toEqual(['stopped', 'stopped']);
  });
});

describe.skipIf(skip)('docker runtime: foreground up and a failing build', () => {
  const name = `dkfg-${process.pid}`;
  let root: string;
  let ws: string;

  beforeAll(async () => {
    root = makeTempDir('msx-docker-e2e-');
    ws = join(root, name);
    await makeWorkspace(root, name, [{ name: 'solo', args: ['--kind', 'rest', '--context', 'core'] }]);
  });
  afterAll(() => {
    runCli(['down', '--runtime', 'docker', '--volumes'], ws);
    removeLabelled(name, startedAt);
    removeDir(root);
  });

  it('streams container logs in the foreground, and Ctrl-C removes the containers and the network', { timeout: 300_000 }, async () => {
    const up = startProcess(process.execPath, [MSX_BIN, 'up', '--runtime', 'docker', '--timeout', '120'], ws, { NO_COLOR: '1' });
    try {
      await eventually(() => (up.output().includes('Ctrl-C stops everything') || undefined), 'all ready', 280_000);
      expect(up.output()).toMatch(/solo\s+\| .*INFO .*service started/);
      expect(logLines(ws, 'solo')).toMatch(/"service":"solo","stream":"stdout","line":\{/);
      up.child.kill('SIGINT');
      expect(await up.exited).toBe(130);
      expect(labelledObjects(name)).toMatchObject({ containers: [], networks: [] });
    } finally {
      killGroup(up.child);
    }
  });

  it('shows the failing build step and the compiler output, exit 4, and starts nothing', { timeout: 300_000 }, () => {
    appendFileSync(join(ws, 'contexts', 'core', 'solo', 'src', 'main.ts'), '\nconst broken: number = "not a number";\n');
    const up = runCli(['up', '--runtime', 'docker', '--detach'], ws);
    expect(up.code).toBe(4);
    expect(up.stderr).toMatch(/error: building the image of "solo" failed at step \d+\/\d+: RUN npm run build/);
    expect(up.stderr).toMatch(/\| .*error TS2322/);
    expect(labelledObjects(name).containers).toEqual([]);
  });
});

describe('docker runtime without an engine', () => {
  it('is one clear line and exit 5 when DOCKER_HOST names a socket that does not exist', () => {
    const root = makeTempDir('msx-docker-none-');
    try {
      expect(runCli(['init', join(root, 'nodocker'), '--name', 'nodocker'], root).code).toBe(0);
      const up = runCli(['up', '--runtime', 'docker'], join(root, 'nodocker'), { DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
      expect(up.code).toBe(5);
      expect(up.stderr.trimEnd().split('\n')).toEqual([
        'error: the Docker engine does not answer at unix:///nonexistent/docker.sock (connect ENOENT /nonexistent/docker.sock)',
        '  next: start Docker (or point DOCKER_HOST at it), or run without Docker: msx up --runtime local',
      ]);
    } finally {
      removeDir(root);
    }
  });
});
