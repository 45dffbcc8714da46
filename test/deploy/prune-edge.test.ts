import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { SERVICE_AUTH_HASH_ANNOTATION, serviceAuthHash } from '../../src/deploy/manifests/service-auth-secret.js';
import { makeTempDir, removeDir } from '../helpers/cli.js';
import { startFakeKubeApi, type FakeKubeApi } from '../fakes/kube-api-server.js';
import { runCliAsync, writeServiceFolder } from './deploy-helpers.js';

// msx deploy as a user runs it (the built CLI, --no-build) against the fake Kubernetes API on
// 127.0.0.1: the gateway's Ingress and the workspace's service-auth Secret are pruned once
// nothing renders or uses them, and a new service-auth key rolls the pods that use it.

const MSX_LABELS = { 'app.kubernetes.io/managed-by': 'msx', 'dev.msx/workspace': 'shop', 'app.kubernetes.io/part-of': 'shop' };
const SERVICES = `  orders: { kind: rest, context: ordering, path: contexts/c/orders, port: 3000 }
  edge:
    kind: gateway
    context: edge
    path: contexts/c/edge
    port: 3009
    routes:
      - { path: /orders, service: orders, public: true }
`;

function writeYaml(root: string, options: { services?: string; host?: string } = {}): void {
  const host = options.host ? `    host: ${options.host}\n` : '';
  const services = options.services ?? SERVICES;
  writeFileSync(
    join(root, 'msx.yaml'),
    `version: 1\nname: shop\nservices:${services ? `\n${services}` : ' {}\n'}environments:\n  local:\n    runtime: local\n  staging:\n    runtime: kubernetes\n    registry: 127.0.0.1:5000/shop\n    namespace: shop\n${host}`,
  );
}

/** A service-auth Secret as one rotated in the cluster holds it: a new Ed25519 pair, as JWKs. */
function rotatedKeyData(): Record<string, string> {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const jwk = (key: typeof publicKey) => Buffer.from(JSON.stringify({ ...key.export({ format: 'jwk' }), kid: 'rotated', alg: 'EdDSA' })).toString('base64');
  return { SERVICE_AUTH_PUBLIC_KEY: jwk(publicKey), SERVICE_TOKEN_KEY: jwk(privateKey) };
}

describe('msx deploy: prune the Ingress and the service-auth Secret, roll the pods on a new key', () => {
  let fake: FakeKubeApi;
  let root: string;
  let env: NodeJS.ProcessEnv;
  const deploy = async (...args: string[]) => {
    const result = await runCliAsync(['deploy', '--env', 'staging', '--no-build', ...args], root, env);
    expect(result.code, result.stderr).toBe(0);
    return result;
  };
  const podHash = (name: string) => fake.get('Deployment', name, 'shop')?.spec.template.metadata.annotations?.[SERVICE_AUTH_HASH_ANNOTATION];
  const replicaSets = (name: string) => fake.list('ReplicaSet', 'shop').filter((rs) => rs.metadata.name.startsWith(`${name}-`)).length;

  beforeEach(async () => {
    fake = await startFakeKubeApi();
    root = makeTempDir('msx-prune-edge-');
    for (const name of ['orders', 'edge']) writeServiceFolder(root, name);
    env = { KUBECONFIG: fake.writeKubeconfig(join(root, 'kubeconfig')) };
    fake.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    return async () => {
      await fake.close();
      removeDir(root);
    };
  });

  it('makes the Ingress while the environment sets host, and prunes it once it does not', async () => {
    writeYaml(root, { host: 'shop.example.com' });
    await deploy();
    expect(fake.get('Ingress', 'edge', 'shop')?.spec.rules[0].host).toBe('shop.example.com');

    writeYaml(root);
    const result = await deploy();
    expect(result.stdout).toMatch(/pruned\s+Ingress\/edge/);
    expect(fake.get('Ingress', 'edge', 'shop')).toBeUndefined();
    expect(fake.get('Deployment', 'edge', 'shop')).toBeDefined();
    expect(fake.get('Service', 'edge', 'shop')).toBeDefined();
  });

  it('puts the hash of the key on the pods; the same key changes nothing, a key rotated in the cluster rolls them', async () => {
    writeYaml(root);
    await deploy();
    const made = fake.get('Secret', 'shop-service-auth', 'shop')!;
    expect(podHash('orders')).toBe(serviceAuthHash(made.data));
    expect(podHash('edge')).toBe(serviceAuthHash(made.data));
    const setsBefore = replicaSets('orders');

    await deploy();
    expect(replicaSets('orders')).toBe(setsBefore);

    // When someone rotates the key in the cluster, the next deploy rolls every pod that uses it.
    fake.seed({ ...made, data: rotatedKeyData() });
    const rotated = fake.get('Secret', 'shop-service-auth', 'shop')!;
    const result = await deploy();
    expect(result.stderr).toMatch(/secret shop-service-auth found, referenced as it is/);
    expect(podHash('orders')).toBe(serviceAuthHash(rotated.data));
    expect(podHash('orders')).not.toBe(serviceAuthHash(made.data));
    expect(replicaSets('orders')).toBe(setsBefore + 1);
    expect(replicaSets('edge')).toBeGreaterThan(1);
  });

  it('prunes the Secret it made once no service uses it, never one it did not make', async () => {
    writeYaml(root);
    await deploy();
    expect(fake.get('Secret', 'shop-service-auth', 'shop')?.metadata.labels).toMatchObject(MSX_LABELS);
    fake.seed({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'orders-secrets', namespace: 'shop' }, data: { STRIPE_KEY: 'czNjcjN0' } });
    fake.seed({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'other-service-auth', namespace: 'shop', labels: { ...MSX_LABELS, 'dev.msx/workspace': 'other' } }, data: {} });

    writeYaml(root, { services: '' });
    const result = await deploy();
    expect(result.stderr).not.toMatch(/service tokens: secret/);
    expect(result.stdout).toMatch(/pruned\s+Secret\/shop-service-auth/);
    expect(fake.get('Secret', 'shop-service-auth', 'shop')).toBeUndefined();
    expect(fake.get('Deployment', 'orders', 'shop')).toBeUndefined();
    expect(fake.get('Secret', 'orders-secrets', 'shop')).toBeDefined();
    expect(fake.get('Secret', 'other-service-auth', 'shop')).toBeDefined();
  });

  it('a deployer that RBAC does not let list Secrets prunes the rest, and says it left those', async () => {
    writeYaml(root, { host: 'shop.example.com' });
    await deploy();
    fake.forbid('list', 'secrets');
    writeYaml(root, { services: '' });
    const result = await deploy();
    expect(result.stderr).toMatch(/prune: not allowed to list Secret here; those are left as they are/);
    expect(fake.get('Ingress', 'edge', 'shop')).toBeUndefined();
    expect(fake.get('Secret', 'shop-service-auth', 'shop')).toBeDefined();
  });
});
