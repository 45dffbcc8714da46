import { createServer, type Server } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service, WorkspaceData } from '../../src/models/workspace.js';
import type { RuntimeEvents } from '../../src/runtimes/runtime.js';
import { DockerUp } from '../../src/runtimes/docker/up-workspace.js';
import { makeTempDir, removeDir } from '../helpers/cli.js';
import { freePort } from '../helpers/processes.js';
import { FakeDocker } from '../fakes/fake-docker.js';

// The docker runtime's wiring to msx's collector, against the in-memory engine:
// the collector listens on the workspace network's gateway, containers get
// its address by the host alias; a user's own endpoint replaces it.

const quiet: RuntimeEvents = { state: () => undefined, log: () => undefined, note: () => undefined };
const envOf = (docker: FakeDocker, service: string) =>
  Object.fromEntries((docker.containers.find((c) => c.labels['dev.msx.service'] === service)!.options.Env ?? []).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));

describe('docker runtime: where containers send spans', () => {
  let root: string;
  let server: Server;
  let service: Service;

  beforeAll(async () => {
    root = makeTempDir('msx-docker-otel-');
    const dir = join(root, 'contexts', 'core', 'orders');
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, 'Dockerfile'), 'FROM node:20-slim\n');
    const port = await freePort();
    server = createServer((_req, res) => res.writeHead(200).end('{"status":"ready"}'));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    service = { name: 'orders', kind: 'rest', context: 'core', path: 'contexts/core/orders', dir, port, db: 'none', dependsOn: [], publishes: [], subscribes: [], config: {}, secrets: [] };
  });
  afterAll(() => {
    server.close();
    removeDir(root);
  });

  it("starts the collector on the network gateway and gives each container its address", async () => {
    const workspace: WorkspaceData = { root, file: join(root, 'msx.yaml'), name: 'shop', services: [service], infra: {}, environments: {} };
    const docker = new FakeDocker();
    const gateways: string[] = [];
    await new DockerUp(docker, workspace, { detach: true, readyTimeoutMs: 5000, services: [] }, quiet, undefined, async (gateway) => {
      gateways.push(gateway);
      return 42150;
    }).run();
    expect(gateways).toEqual([docker.networks[0].gateway]);
    expect(envOf(docker, 'orders')).toMatchObject({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://host.docker.internal:42150', OTEL_SERVICE_NAME: 'orders' });
  });

  it("starts none when msx.yaml names the user's endpoint for the local environment", async () => {
    const workspace: WorkspaceData = { root, file: join(root, 'msx.yaml'), name: 'shop', services: [service], infra: {}, environments: { local: { runtime: 'docker', otel: { endpoint: 'http://jaeger:4318' } } } };
    const docker = new FakeDocker();
    let asked = false;
    await new DockerUp(docker, workspace, { detach: true, readyTimeoutMs: 5000, services: [] }, quiet, undefined, async () => {
      asked = true;
      return 42151;
    }).run();
    expect(asked).toBe(false);
    expect(envOf(docker, 'orders').OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://jaeger:4318');
  });
});
