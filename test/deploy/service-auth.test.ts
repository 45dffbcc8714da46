import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { beforeEach, describe, expect, it } from 'vitest';
import { renderManifests } from '../../src/deploy/manifests/render-manifests.js';
import { SERVICE_AUTH_HASH_ANNOTATION, serviceAuthSecretManifest } from '../../src/deploy/manifests/service-auth-secret.js';
import type { DeployTarget, IDeployment } from '../../src/deploy/manifests/types.js';
import { manifestProblems } from '../../src/deploy/validate.js';
import { parseWorkspace } from '../../src/models/load-workspace.js';
import { msxFile } from '../../src/state/paths.js';
import { ensureServiceKey } from '../../src/state/service-key.js';
import { makeTempDir, removeDir } from '../helpers/cli.js';
import { startFakeKubeApi, type FakeKubeApi } from '../fakes/kube-api-server.js';
import { runCliAsync, writeWorkspace } from './deploy-helpers.js';

const YAML = `version: 1
name: shop
services:
  stock: { kind: grpc, context: warehouse, path: contexts/warehouse/stock, port: 3001 }
  orders: { kind: rest, context: ordering, path: contexts/ordering/orders, port: 3000, dependsOn: [stock, postgres] }
`;

function target(): DeployTarget {
  const { document: _doc, ...workspace } = parseWorkspace(YAML, '/ws');
  const images = Object.fromEntries(workspace.services.map((s) => [s.name, `registry.example.com/shop/${s.name}:0123456789ab`]));
  return { workspace, environment: 'staging', namespace: 'shop-staging', replicas: 1, images, createNamespace: false };
}

const envOf = (name: string) => {
  const deployment = renderManifests(target()).find((m) => m.kind === 'Deployment' && m.metadata?.name === name) as IDeployment;
  return deployment.spec!.template.spec!.containers[0].env!;
};
const fromSecret = (key: string) => ({ name: key, valueFrom: { secretKeyRef: { name: 'shop-service-auth', key } } });

describe('service-auth env in the manifests', () => {
  it('every service verifies with the public key, a caller also signs, both from the workspace Secret', () => {
    expect(envOf('stock')).toEqual(expect.arrayContaining([{ name: 'SERVICE_AUTH_ISSUER', value: 'shop' }, fromSecret('SERVICE_AUTH_PUBLIC_KEY')]));
    expect(envOf('stock').map((e) => e.name)).not.toContain('SERVICE_TOKEN_KEY');
    expect(envOf('orders')).toEqual(expect.arrayContaining([fromSecret('SERVICE_AUTH_PUBLIC_KEY'), fromSecret('SERVICE_TOKEN_KEY')]));
  });

  it('the manifests and the Secret pass the Kubernetes schemas and name rules', async () => {
    const root = makeTempDir('msx-svcauth-deploy-');
    try {
      const secret = serviceAuthSecretManifest(target(), ensureServiceKey(root, 'shop'));
      expect(await manifestProblems(renderManifests(target()))).toEqual([]);
      const { Secret } = await import('kubernetes-models/v1/Secret');
      expect(() => new Secret(secret).validate()).not.toThrow();
      expect(secret.metadata).toMatchObject({ name: 'shop-service-auth', namespace: 'shop-staging', labels: { 'app.kubernetes.io/managed-by': 'msx' } });
    } finally {
      removeDir(root);
    }
  });
});

/** Each Deployment's service-auth annotation on its pod template, by name, from a YAML stream. */
function hashesIn(yaml: string): Record<string, string | undefined> {
  const deployments = parseAllDocuments(yaml)
    .map((doc) => doc.toJS() as IDeployment)
    .filter((m) => m.kind === 'Deployment');
  return Object.fromEntries(deployments.map((d) => [d.metadata!.name!, d.spec!.template.metadata?.annotations?.[SERVICE_AUTH_HASH_ANNOTATION]]));
}

// msx deploy as a user runs it (the built CLI) against a fake Kubernetes API, --no-build.
describe('msx deploy and the service-auth Secret', () => {
  let fake: FakeKubeApi;
  let root: string;
  let env: NodeJS.ProcessEnv;
  const deploy = (...args: string[]) => runCliAsync(['deploy', '--env', 'staging', '--no-build', ...args], root, env);
  const services = [
    { name: 'stock', kind: 'grpc' as const, port: 3001 },
    { name: 'orders', kind: 'rest' as const, port: 3000, extra: '    dependsOn: [stock]\n' },
  ];
  const decoded = (data: Record<string, string>, key: string) => Buffer.from(data[key], 'base64').toString('utf8');

  beforeEach(async () => {
    fake = await startFakeKubeApi();
    root = makeTempDir('msx-svcauth-deploy-');
    writeWorkspace(root, services);
    env = { KUBECONFIG: fake.writeKubeconfig(join(root, 'kubeconfig')) };
    fake.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    return async () => {
      await fake.close();
      removeDir(root);
    };
  });

  it('creates the Secret from the local key on the first deploy, and references it after', async () => {
    const first = await deploy();
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/service tokens: secret shop-service-auth created from \.msx\/service-auth-key\.json/);
    const local = JSON.parse(readFileSync(msxFile.serviceAuthKey(root), 'utf8')) as { publicJwk: unknown; privateJwk: unknown };
    const secret = fake.get('Secret', 'shop-service-auth', 'shop')!;
    expect(JSON.parse(decoded(secret.data, 'SERVICE_AUTH_PUBLIC_KEY'))).toEqual(local.publicJwk);
    expect(JSON.parse(decoded(secret.data, 'SERVICE_TOKEN_KEY'))).toEqual(local.privateJwk);
    const version = secret.metadata.resourceVersion;

    const second = await deploy();
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/secret shop-service-auth found, referenced as it is/);
    expect(fake.get('Secret', 'shop-service-auth', 'shop')!.metadata.resourceVersion).toBe(version);
  });

  it('one that lacks a key is one line naming it, exit 3', async () => {
    fake.seed({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'shop-service-auth', namespace: 'shop' }, data: { SERVICE_AUTH_PUBLIC_KEY: Buffer.from('{}').toString('base64') } });
    const result = await deploy();
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^error: secret "shop-service-auth" in namespace shop lacks keys: SERVICE_TOKEN_KEY$/m);
  });

  it('--dry-run renders the pods\' service-auth hash deploy then applies, asking no cluster and printing no key', async () => {
    // Given the workspace key a first `msx up` made
    const key = ensureServiceKey(root, 'shop');

    // When --dry-run renders the manifests
    const dry = await deploy('--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(fake.requests).toEqual([]);
    const shown = hashesIn(dry.stdout);
    expect(shown.orders).toMatch(/^[0-9a-f]{16}$/);
    expect(shown).toEqual({ orders: shown.orders, stock: shown.orders });
    expect(dry.stdout + dry.stderr).not.toContain(JSON.parse(key.privateKey).d);
    expect(dry.stdout).toContain('name: shop-service-auth');
    expect(dry.stdout).not.toMatch(/^kind: Secret$/m);
    expect(dry.stderr).toMatch(/service tokens: dev\.msx\/service-auth-hash is the hash of \.msx\/service-auth-key\.json/);

    // Then deploy creates the Secret from that key and puts the same hash on both pod templates
    const applied = await deploy();
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stderr).toMatch(/secret shop-service-auth created/);
    for (const name of ['orders', 'stock']) {
      const live = fake.get('Deployment', name, 'shop') as IDeployment;
      expect(live.spec!.template.metadata?.annotations?.[SERVICE_AUTH_HASH_ANNOTATION], name).toBe(shown.orders);
    }

    // And once the Secret is there (referenced), --dry-run still shows what deploy sends
    expect(hashesIn((await deploy('--dry-run')).stdout)).toEqual(shown);
  });

  it('--dry-run with no local key yet shows no hash, says what deploy will do, and makes no key', async () => {
    const dry = await deploy('--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(hashesIn(dry.stdout)).toEqual({ orders: undefined, stock: undefined });
    expect(dry.stdout).not.toContain(SERVICE_AUTH_HASH_ANNOTATION);
    expect(dry.stderr).toMatch(
      /service tokens: no \.msx\/service-auth-key\.json yet, so no dev\.msx\/service-auth-hash shown: deploy makes the key, creates secret shop-service-auth from it unless namespace shop has one/,
    );
    expect(existsSync(msxFile.serviceAuthKey(root))).toBe(false);
    expect(fake.requests).toEqual([]);
  });
});
