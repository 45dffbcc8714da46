import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentTag } from '../../src/docker/image-tag.js';
import { makeTempDir, removeDir } from '../helpers/cli.js';
import { startFakeKubeApi, type FakeKubeApi } from '../fakes/kube-api-server.js';
import { registryUnavailable, startLocalRegistry, type LocalRegistry } from '../fakes/local-registry.js';
import { runCliAsync, stagingEnv, writeServiceFolder, writeWorkspace } from './deploy-helpers.js';

// msx deploy builds each image with the real Docker engine and pushes it to a
// real registry on 127.0.0.1 that requires a login, with the credentials from
// the user's Docker config; the Kubernetes side is the fake API.

function engineUnavailable(): string | undefined {
  const version = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8' });
  return version.status === 0 ? undefined : 'no Docker engine answers (scripts/setup-docker.sh starts one)';
}

const skipReason = engineUnavailable() ?? registryUnavailable();
if (skipReason) console.log(`image push test skipped: ${skipReason}`);

describe.skipIf(skipReason !== undefined)('image build and push to a registry', () => {
  let registry: LocalRegistry;
  let fake: FakeKubeApi;
  let root: string;
  let env: NodeJS.ProcessEnv;
  const services = [{ name: 'stock', kind: 'grpc' as const, port: 3001 }];

  beforeAll(async () => {
    root = makeTempDir('msx-deploy-push-');
    registry = await startLocalRegistry(join(root, 'registry'));
    fake = await startFakeKubeApi();
    fake.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    const ws = join(root, 'ws');
    mkdirSync(ws);
    writeWorkspace(ws, services, stagingEnv().replace('127.0.0.1:5000/shop', `${registry.host}/shop`));
    const dockerConfig = join(root, 'docker-config');
    mkdirSync(dockerConfig);
    const auth = Buffer.from(`${registry.user}:${registry.password}`).toString('base64');
    writeFileSync(join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth } } }));
    env = { KUBECONFIG: fake.writeKubeconfig(join(root, 'kubeconfig')), DOCKER_CONFIG: dockerConfig };
    root = ws;
  });

  afterAll(async () => {
    await fake?.close();
    await registry?.stop();
    const images = spawnSync('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', `reference=${registry?.host}/shop/*`], { encoding: 'utf8' });
    const refs = images.stdout.split('\n').filter(Boolean);
    if (refs.length > 0) spawnSync('docker', ['rmi', '--force', ...refs]);
    removeDir(join(root, '..'));
  });

  it('builds, pushes with the Docker config credentials, and deploys that exact image', async () => {
    const result = await runCliAsync(['deploy', '--env', 'staging'], root, env);
    expect(result.stderr).not.toMatch(/^error/m);
    expect(result.code).toBe(0);
    const image = fake.get('Deployment', 'stock', 'shop')!.spec.template.spec.containers[0].image as string;
    const tag = image.split(':').at(-1)!;
    expect(image).toBe(`${registry.host}/shop/stock:${tag}`);
    // The one content hash: the same the docker runtime tags this folder's code with.
    expect(tag).toBe(contentTag('msx/shop_stock', { service: 'stock', dir: join(root, 'contexts', 'c', 'stock') }).hash);
    expect(await registry.tags('shop/stock')).toEqual([tag]);
    expect(result.stderr).toMatch(/stock: building/);
    expect(result.stderr).toMatch(/stock: pushing/);
  });

  it('reuses an image already built and tags changed code anew', async () => {
    const again = await runCliAsync(['deploy', '--env', 'staging'], root, env);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/stock: image .* already built/);
    writeServiceFolder(root, 'stock', 'console.log("stock v2");\n');
    const changed = await runCliAsync(['deploy', '--env', 'staging'], root, env);
    expect(changed.code).toBe(0);
    expect((await registry.tags('shop/stock')).sort()).toHaveLength(2);
  });

  it('a push the registry refuses is one error naming the push (exit 4)', async () => {
    const deployed = fake.get('Deployment', 'stock', 'shop')!.spec.template.spec.containers[0].image;
    writeServiceFolder(root, 'stock', 'console.log("stock v3");\n');
    writeFileSync(join(env.DOCKER_CONFIG!, 'config.json'), JSON.stringify({ auths: {} }));
    const result = await runCliAsync(['deploy', '--env', 'staging'], root, env);
    expect(result.code).toBe(4);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stderr).toMatch(/^error: pushing the image of "stock" to 127\.0\.0\.1:\d+ failed: .*(unauthorized|authentication required|no basic auth)/im);
    // Nothing is applied when an image is not in the registry.
    expect(fake.get('Deployment', 'stock', 'shop')!.spec.template.spec.containers[0].image).toBe(deployed);
  });
});
