import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { serviceImages } from '../../src/deploy/images.js';
import { buildAndPushImages } from '../../src/deploy/registry/build-push.js';
import { ExternalError } from '../../src/errors.js';
import { loadWorkspace } from '../../src/models/load-workspace.js';
import { FakeDocker } from '../fakes/fake-docker.js';
import { makeTempDir, removeDir } from '../helpers/cli.js';
import { stagingEnv, writeServiceFolder, writeWorkspace } from './deploy-helpers.js';

// msx deploy's image step through the DockerClient interface, against the
// narrow fake: which images it builds, pushes and skips, and what it says.
// The real engine and a real registry: image-push.test.ts.

let root: string;
const services = [
  { name: 'stock', kind: 'grpc' as const, port: 3001 },
  { name: 'orders', kind: 'rest' as const, port: 3000 },
];
const images = async () => serviceImages(await loadWorkspace(root), '127.0.0.1:5000/shop');

beforeEach(() => {
  root = makeTempDir('msx-build-push-');
  writeWorkspace(root, services, stagingEnv());
  mkdirSync(join(root, 'docker-config'));
  const auth = Buffer.from('robot:s3cret').toString('base64');
  writeFileSync(join(root, 'docker-config', 'config.json'), JSON.stringify({ auths: { '127.0.0.1:5000': { auth } } }));
  vi.stubEnv('DOCKER_CONFIG', join(root, 'docker-config'));
});
afterEach(() => {
  vi.unstubAllEnvs();
  removeDir(root);
});

describe('buildAndPushImages through DockerClient', () => {
  it('builds each missing image and pushes each with the registry credentials of the Docker config', async () => {
    const docker = new FakeDocker();
    const notes: string[] = [];
    const wanted = await images();
    await buildAndPushImages(wanted, { push: true }, (service, message) => notes.push(`${service}: ${message}`), async () => docker);
    const [stock, orders] = wanted.map((i) => i.image);
    expect(docker.journal).toEqual([`build ${stock}`, `push ${stock}`, `build ${orders}`, `push ${orders}`]);
    expect(docker.pushedAuth.get(stock)).toEqual({ serveraddress: '127.0.0.1:5000', username: 'robot', password: 's3cret' });
    expect(notes).toEqual([`stock: building ${stock}`, `stock: pushing ${stock}`, `orders: building ${orders}`, `orders: pushing ${orders}`]);
  });

  it('rebuilds only the service whose code changed, and pushes nothing without a registry', async () => {
    const docker = new FakeDocker();
    await buildAndPushImages(await images(), { push: false }, () => undefined, async () => docker);
    writeServiceFolder(root, 'orders', 'console.log("orders v2");\n');
    docker.journal.length = 0;
    const notes: string[] = [];
    const changed = await images();
    await buildAndPushImages(changed, { push: false }, (service, message) => notes.push(`${service}: ${message}`), async () => docker);
    expect(docker.journal).toEqual([`build ${changed[1].image}`]);
    expect(notes).toEqual([`stock: image ${changed[0].image} already built`, `orders: building ${changed[1].image}`]);
  });

  it('stops at the first push the registry refuses, with one ExternalError naming it', async () => {
    const docker = new FakeDocker();
    docker.pushResult = { lines: [], error: 'unauthorized: authentication required' };
    const error = await buildAndPushImages(await images(), { push: true }, () => undefined, async () => docker).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalError);
    expect((error as ExternalError).message).toBe('pushing the image of "stock" to 127.0.0.1:5000 failed: unauthorized: authentication required');
    expect(docker.journal.filter((j) => j.includes('/orders:'))).toEqual([]);
  });

  it('does not connect to the engine when there is nothing to build', async () => {
    await buildAndPushImages([], { push: true }, () => undefined, async () => {
      throw new Error('connected');
    });
  });
});
