import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '../helpers/cli.js';
import { startFakeKubeApi, type FakeKubeApi } from '../fakes/kube-api-server.js';
import { runCliAsync, writeWorkspace } from './deploy-helpers.js';
import { servedLogLines } from './served-by-api.js';

// What the cluster says no to, each as one clear line and its exit code, and
// the checks made before anything is applied.

const SECRET_ENV = { STRIPE_KEY: 'sk_live_DO_NOT_LEAK_4242', AMQP_URL: 'amqp://leaky:hunter2-DO-NOT-LEAK@mq:5672' };
let fake: FakeKubeApi;
let root: string;
let env: NodeJS.ProcessEnv;
const deploy = (...args: string[]) => runCliAsync(['deploy', '--env', 'staging', '--no-build', ...args], root, env);
const secret = (name: string, keys: string[]) => ({
  apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'shop' },
  data: Object.fromEntries(keys.map((k) => [k, Buffer.from(SECRET_ENV[k as keyof typeof SECRET_ENV]).toString('base64')])),
});
const seedNamespaceAndSecrets = () => {
  fake.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
  fake.seed(secret('orders-secrets', ['STRIPE_KEY']));
  fake.seed(secret('mailer-secrets', ['AMQP_URL']));
};
const errorLines = (stderr: string) => stderr.trim().split('\n').filter((line) => !line.startsWith('msx '));

beforeEach(async () => {
  fake = await startFakeKubeApi();
  root = makeTempDir('msx-deploy-cluster-');
  writeWorkspace(root);
  env = { KUBECONFIG: fake.writeKubeconfig(join(root, 'kubeconfig')), ...SECRET_ENV };
});

afterEach(async () => {
  await fake.close();
  removeDir(root);
});

describe('checks before applying', () => {
  it('a missing namespace is named, with --create-namespace as the fix; nothing is applied', async () => {
    const result = await deploy();
    expect(result.code).toBe(3);
    expect(errorLines(result.stderr)[0]).toBe('error: namespace "shop" does not exist in context "fake"');
    expect(fake.requests.filter((r) => r.method === 'PATCH')).toEqual([]);
  });

  it('--create-namespace applies the Namespace first', async () => {
    fake.seed(secret('orders-secrets', ['STRIPE_KEY']));
    fake.seed(secret('mailer-secrets', ['AMQP_URL']));
    const result = await deploy('--create-namespace');
    expect(result.code).toBe(0);
    expect(fake.requests.find((r) => r.method === 'PATCH')?.path).toBe('/api/v1/namespaces/shop');
    expect(fake.get('Namespace', 'shop')?.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'msx' });
  });

  it('--create-namespace creates the namespace before the secret check, so the hint\'s kubectl -n works', async () => {
    const result = await deploy('--create-namespace');
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^error: secret "orders-secrets" for orders does not exist in namespace shop \(keys needed: STRIPE_KEY\)$/m);
    expect(result.stderr).toMatch(/^ {2}next: namespace shop was created \(nothing else was applied\); create them first, e\.g\. kubectl -n shop create secret generic orders-secrets /m);
    expect(fake.get('Namespace', 'shop')?.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'msx' });
    expect(fake.requests.filter((r) => r.method === 'PATCH').map((r) => r.path)).toEqual(['/api/v1/namespaces/shop']);
    // Then, with the secrets made as the hint says, the same command deploys; the Namespace is left as it is.
    fake.seed(secret('orders-secrets', ['STRIPE_KEY']));
    fake.seed(secret('mailer-secrets', ['AMQP_URL']));
    const again = await deploy('--create-namespace');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/unchanged\s+Namespace\/shop/);
  });

  it('a missing Secret or key is named with the kubectl command that makes it', async () => {
    fake.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    fake.seed(secret('mailer-secrets', []));
    const result = await deploy();
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^error: secret "orders-secrets" for orders does not exist in namespace shop \(keys needed: STRIPE_KEY\)$/m);
    expect(result.stderr).toMatch(/^error: secret "mailer-secrets" for mailer lacks keys: AMQP_URL$/m);
    expect(result.stderr).toMatch(/next: create them first, e.g. kubectl -n shop create secret generic orders-secrets/);
    expect(fake.requests.filter((r) => r.method === 'PATCH')).toEqual([]);
  });

  it('never puts a secret value into what it applies or prints', async () => {
    seedNamespaceAndSecrets();
    const result = await deploy('--json');
    expect(result.code).toBe(0);
    const applied = ['ConfigMap', 'Service', 'Deployment', 'ReplicaSet', 'Pod'].flatMap((kind) => fake.list(kind, 'shop'));
    const everything = JSON.stringify(applied) + result.stdout + result.stderr;
    for (const value of Object.values(SECRET_ENV)) {
      expect(everything).not.toContain(value);
      expect(everything).not.toContain(Buffer.from(value).toString('base64'));
    }
    const env = fake.get('Deployment', 'orders', 'shop')!.spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'STRIPE_KEY', valueFrom: { secretKeyRef: { name: 'orders-secrets', key: 'STRIPE_KEY' } } });
  });
});

describe('what the API refuses', () => {
  it('RBAC forbidden is one line naming the verb and resource', async () => {
    seedNamespaceAndSecrets();
    fake.forbid('patch', 'deployments');
    const result = await deploy();
    expect(result.code).toBe(5);
    const [line, ...rest] = errorLines(result.stderr);
    expect(line).toMatch(/^error: forbidden by RBAC in context "fake" \(http:\/\/127\.0\.0\.1:\d+\): deployments\.apps "\w+" is forbidden: User "system:serviceaccount:ci:deployer" cannot patch resource "deployments" in API group "apps" in the namespace "shop"$/);
    expect(rest).toEqual(['  next: ask a cluster admin for a Role that allows it, or use another --context']);
  });

  it('a Secret msx may not read skips that check instead of failing', async () => {
    seedNamespaceAndSecrets();
    fake.forbid('get', 'secrets');
    const result = await deploy();
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/secret check skipped: forbidden by RBAC/);
  });

  it('fields another manager owns are a conflict (exit 7) until --force-conflicts', async () => {
    seedNamespaceAndSecrets();
    const labels = { 'app.kubernetes.io/name': 'stock' };
    fake.seed({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'stock', namespace: 'shop', labels }, spec: { type: 'NodePort', ports: [{ port: 80 }] } }, 'kubectl-edit');
    const refused = await deploy();
    expect(refused.code).toBe(7);
    expect(errorLines(refused.stderr)).toEqual([
      'error: apply Service/stock: Apply failed with 1 conflict: conflict with "kubectl-edit": .spec',
      '  next: another field manager owns these fields; pass --force-conflicts to take them over',
    ]);
    const forced = await deploy('--force-conflicts');
    expect(forced.code).toBe(0);
    expect(fake.requests.filter((r) => r.method === 'PATCH').at(-1)?.query.force).toBe('true');
    expect(fake.get('Service', 'stock', 'shop')?.spec.type).toBe('ClusterIP');
  });

  it('without RBAC to list pods the rollout is still awaited and fails at the timeout', async () => {
    seedNamespaceAndSecrets();
    fake.rolloutMode = 'crashloop';
    fake.forbid('list', 'replicasets');
    const result = await deploy('--timeout', '2s');
    expect(result.code).toBe(8);
    expect(result.stderr).toMatch(/rollout failed \w+: not ready after 2 s/);
  });
});

describe('a failed first deploy', () => {
  it('has no previous revision to roll back to, and says so', async () => {
    seedNamespaceAndSecrets();
    fake.rolloutMode = 'crashloop';
    const result = await deploy('--rollback');
    expect(result.code).toBe(8);
    expect(result.stderr).toMatch(/not rolled back: no previous revision \(this was its first deploy\)/);
  });

  it('with --json is one document with the diagnosis, and exit 8', async () => {
    seedNamespaceAndSecrets();
    fake.rolloutMode = 'crashloop';
    const result = await deploy('--json');
    expect(result.code).toBe(8);
    const json = JSON.parse(result.stdout);
    expect(json.failures).toHaveLength(3);
    const orders = json.failures.find((f: { outcome: { deployment: string } }) => f.outcome.deployment === 'orders');
    expect(orders.outcome).toEqual({ deployment: 'orders', ok: false, reason: 'a pod is in CrashLoopBackOff' });
    // The previous run's lines, as the API serves them (which lines: diagnose.test.ts).
    const previousRun = await servedLogLines(fake, orders.diagnosis.pod, 'orders', true);
    expect(previousRun.length).toBeGreaterThan(0);
    expect(orders.diagnosis.logs).toEqual(previousRun);
    expect(json.pruned).toEqual([]);
  });
});
