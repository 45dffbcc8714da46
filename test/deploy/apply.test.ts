import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '../helpers/cli.js';
import { startFakeKubeApi, type FakeKubeApi } from '../fakes/kube-api-server.js';
import { rolloutProgress } from '../../src/deploy/rollout.js';
import { progressCounts } from '../../src/output/rollout-counts.js';
import { runCliAsync, SHOP_SERVICES, stagingEnv, writeWorkspace } from './deploy-helpers.js';
import { diagnosedPod, podEventLines, restartCountOf, servedLogLines } from './served-by-api.js';

// Given a workspace of three services (gRPC stock, REST orders, consumer mailer)
// and a fake Kubernetes API on 127.0.0.1 reached through a kubeconfig, msx deploy
// runs as a user runs it (the built CLI), with --no-build: images are not the point here.

let fake: FakeKubeApi;
let root: string;
let env: NodeJS.ProcessEnv;
const deploy = (...args: string[]) => runCliAsync(['deploy', '--env', 'staging', '--no-build', ...args], root, env);
const summaryLine = (stdout: string) => stdout.trim().split('\n').at(-1);
const secret = (name: string, keys: string[]) => ({
  apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'shop' },
  data: Object.fromEntries(keys.map((k) => [k, Buffer.from('s3cr3t').toString('base64')])),
});

beforeAll(async () => {
  fake = await startFakeKubeApi();
  root = makeTempDir('msx-deploy-');
  writeWorkspace(root);
  env = { KUBECONFIG: fake.writeKubeconfig(join(root, 'kubeconfig')) };
  fake.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
  fake.seed(secret('orders-secrets', ['STRIPE_KEY']));
  fake.seed(secret('mailer-secrets', ['AMQP_URL']));
});

afterAll(async () => {
  await fake.close();
  removeDir(root);
});

describe('msx deploy against a Kubernetes API', () => {
  it('creates every object on the first deploy with server-side apply, and waits for the rollouts', async () => {
    const result = await deploy();
    expect(result.stderr).not.toMatch(/error/);
    expect(result.code).toBe(0);
    // 3 ConfigMaps, 3 Deployments, a Service each for stock and orders (the consumer mailer needs none).
    expect(summaryLine(result.stdout)).toBe('8 created, 0 changed, 0 unchanged, 0 pruned');
    // The 8, and the workspace's service-auth Secret, made from the local key (test/deploy/service-auth.test.ts).
    const patches = fake.requests.filter((r) => r.method === 'PATCH');
    expect(patches).toHaveLength(9);
    for (const patch of patches) {
      expect(patch.contentType).toBe('application/apply-patch+yaml');
      expect(patch.query.fieldManager).toBe('msx');
    }
    const orders = fake.get('Deployment', 'orders', 'shop')!;
    expect(orders.status).toMatchObject({ observedGeneration: 1, updatedReplicas: 2, availableReplicas: 2 });
    expect(fake.get('Service', 'mailer', 'shop')).toBeUndefined();
    expect(result.stderr).toMatch(/orders\s+rolled out\s+2\/2 updated, 2\/2 available/);
  });

  it('changes nothing on a second deploy of the same workspace', async () => {
    const before = fake.list('Deployment', 'shop').map((d) => d.metadata.resourceVersion);
    const result = await deploy();
    expect(result.code).toBe(0);
    expect(summaryLine(result.stdout)).toBe('0 created, 0 changed, 8 unchanged, 0 pruned');
    expect(fake.list('Deployment', 'shop').map((d) => d.metadata.resourceVersion)).toEqual(before);
  });

  it('rolls the pods when only config changes: ConfigMap and pod template hash change together', async () => {
    const hashBefore = fake.get('Deployment', 'orders', 'shop')!.spec.template.metadata.annotations['dev.msx/config-hash'];
    writeWorkspace(root, SHOP_SERVICES, stagingEnv('    config:\n      orders: { PAYMENT_TIMEOUT_MS: 5000 }\n'));
    const result = await deploy('--json');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    const changed = json.objects.filter((o: { action: string }) => o.action === 'changed').map((o: { kind: string; name: string }) => `${o.kind}/${o.name}`);
    expect(changed.sort()).toEqual(['ConfigMap/orders-config', 'Deployment/orders']);
    const orders = fake.get('Deployment', 'orders', 'shop')!;
    expect(orders.spec.template.metadata.annotations['dev.msx/config-hash']).not.toBe(hashBefore);
    expect(fake.get('ConfigMap', 'orders-config', 'shop')!.data).toEqual({ PAYMENT_TIMEOUT_MS: '5000' });
    expect(json.rollouts).toEqual(expect.arrayContaining([{ deployment: 'orders', ok: true }]));
  });

  it('prunes the objects of a service removed from msx.yaml, and nothing it did not make', async () => {
    fake.seed({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'hand-made', namespace: 'shop' }, data: {} });
    const otherWorkspace = { 'app.kubernetes.io/managed-by': 'msx', 'dev.msx/workspace': 'other' };
    fake.seed({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other-config', namespace: 'shop', labels: otherWorkspace }, data: {} });
    writeWorkspace(root, SHOP_SERVICES.slice(0, 2), stagingEnv('    config:\n      orders: { PAYMENT_TIMEOUT_MS: 5000 }\n'));
    const result = await deploy();
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/pruned\s+Deployment\/mailer/);
    expect(summaryLine(result.stdout)).toBe('0 created, 0 changed, 6 unchanged, 2 pruned');
    expect(fake.get('Deployment', 'mailer', 'shop')).toBeUndefined();
    expect(fake.get('ConfigMap', 'mailer-config', 'shop')).toBeUndefined();
    expect(fake.list('Pod', 'shop').filter((p) => p.metadata.name.startsWith('mailer'))).toEqual([]);
    expect(fake.get('ConfigMap', 'hand-made', 'shop')).toBeDefined();
    expect(fake.get('ConfigMap', 'other-config', 'shop')).toBeDefined();
  });

  it('keeps removed objects with --no-prune', async () => {
    writeWorkspace(root, SHOP_SERVICES.slice(0, 1), stagingEnv());
    const result = await deploy('--no-prune');
    expect(result.code).toBe(0);
    expect(fake.get('Deployment', 'orders', 'shop')).toBeDefined();
    writeWorkspace(root, SHOP_SERVICES.slice(0, 2), stagingEnv('    config:\n      orders: { PAYMENT_TIMEOUT_MS: 5000 }\n'));
  });
});

describe('a rollout that does not become ready', () => {
  it('fails with exit 8 and shows the pod state, events and last log lines of a crash-looping pod', async () => {
    fake.rolloutMode = 'crashloop';
    writeWorkspace(root, SHOP_SERVICES.slice(0, 2), stagingEnv('    config:\n      orders: { PAYMENT_TIMEOUT_MS: soon }\n'));
    const result = await deploy('--timeout', '20s');
    expect(result.code).toBe(8);
    // What msx shows is what the API holds for the pod (its events, restart
    // count, previous run's log); which of a real cluster's objects it picks
    // is tested on fixture objects in diagnose.test.ts.
    const pod = diagnosedPod(result.stderr);
    const restarts = restartCountOf(fake, pod);
    expect(result.stderr).toMatch(new RegExp(`rollout failed orders: a pod is in CrashLoopBackOff\\n  pod orders-\\w+-\\w+: CrashLoopBackOff \\(restarted ${restarts} times\\)`));
    const events = podEventLines(fake, pod);
    expect(events.length).toBeGreaterThan(0);
    expect(result.stderr).toContain(`  events:\n${events.map((e) => `    ${e}`).join('\n')}\n`);
    const previousRun = await servedLogLines(fake, pod, 'orders', true);
    expect(previousRun.length).toBeGreaterThan(0);
    expect(result.stderr).toContain(`  last log lines:\n${previousRun.map((l) => `    | ${l}`).join('\n')}\n`);
    expect(result.stderr).toMatch(/prune skipped: a rollout failed/);
    expect(result.stderr).toMatch(/^error: rollout failed: orders$/m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('names the failing probe of a pod that runs but never gets ready, at the timeout', async () => {
    fake.rolloutMode = 'unready';
    writeWorkspace(root, SHOP_SERVICES.slice(0, 2), stagingEnv('    config:\n      orders: { PAYMENT_TIMEOUT_MS: later }\n'));
    const result = await deploy('--timeout', '2s');
    expect(result.code).toBe(8);
    // The counts are the Deployment's status as the API holds it (what a real
    // controller's maxSurge/maxUnavailable make of it is in rollout.test.ts).
    const counts = progressCounts(rolloutProgress(fake.get('Deployment', 'orders', 'shop')!));
    expect(result.stderr).toContain(`rollout failed orders: not ready after 2 s: ${counts}\n`);
    expect(result.stderr).toMatch(/pod orders-\w+-\w+: Running, not ready/);
    const pod = diagnosedPod(result.stderr);
    const unhealthy = podEventLines(fake, pod).filter((e) => e.startsWith('Warning Unhealthy: ')).at(-1);
    expect(unhealthy).toBeDefined();
    // The probe is named from the Deployment msx rendered, the message is the kubelet's event.
    expect(result.stderr).toContain(`failing probe: readiness GET /health/ready on port http: ${unhealthy!.replace('Warning Unhealthy: ', '')}\n`);
    const currentRun = await servedLogLines(fake, pod, 'orders', false);
    expect(currentRun.length).toBeGreaterThan(0);
    expect(result.stderr).toContain(`  last log lines:\n${currentRun.map((l) => `    | ${l}`).join('\n')}`);
  });

  it('with --rollback restores the previous revision and its ConfigMap', async () => {
    fake.rolloutMode = 'ready';
    writeWorkspace(root, SHOP_SERVICES.slice(0, 2), stagingEnv('    config:\n      orders: { PAYMENT_TIMEOUT_MS: 7000 }\n'));
    expect((await deploy()).code).toBe(0);
    const good = fake.get('Deployment', 'orders', 'shop')!.spec.template;
    fake.rolloutMode = 'unready';
    writeWorkspace(root, SHOP_SERVICES.slice(0, 2), stagingEnv('    config:\n      orders: { PAYMENT_TIMEOUT_MS: broken }\n'));
    const result = await deploy('--timeout', '2s', '--rollback');
    expect(result.code).toBe(8);
    expect(result.stderr).toMatch(/rolled back to revision \d+, which is ready again/);
    expect(result.stderr).toMatch(/^error: rollout failed: orders \(rolled back\)$/m);
    const orders = fake.get('Deployment', 'orders', 'shop')!;
    expect(orders.spec.template).toEqual(good);
    expect(orders.status).toMatchObject({ updatedReplicas: 2, availableReplicas: 2, replicas: 2 });
    expect(fake.get('ConfigMap', 'orders-config', 'shop')!.data).toEqual({ PAYMENT_TIMEOUT_MS: '7000' });
    fake.rolloutMode = 'ready';
  });
});
