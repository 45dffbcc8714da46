import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExternalError, UserError } from '../../src/errors.js';
import { connectKube } from '../../src/kube/connect.js';
import { kubeError } from '../../src/kube/kube-errors.js';
import type { KubeClient } from '../../src/kube/kube-client.js';
import { makeTempDir, removeDir } from '../helpers/cli.js';
import { startFakeKubeApi, type FakeKubeApi } from '../fakes/kube-api-server.js';

// The real client (client-node) against the fake API: what the API answers
// becomes one clear error, and reads, lists and deletes behave as deploy expects.

let fake: FakeKubeApi;
let dir: string;
let client: KubeClient;
const savedKubeconfig = process.env.KUBECONFIG;

beforeAll(async () => {
  fake = await startFakeKubeApi();
  dir = makeTempDir('msx-kube-client-');
  process.env.KUBECONFIG = fake.writeKubeconfig(join(dir, 'kubeconfig'), { context: 'dev' });
  client = await connectKube({});
  fake.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
});

afterAll(async () => {
  process.env.KUBECONFIG = savedKubeconfig;
  await fake.close();
  removeDir(dir);
});

const configMap = (name: string, data: Record<string, string> = {}) => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'shop', labels: { team: 'a' } }, data,
});

describe('the client-node KubeClient against the API', () => {
  it('uses the current context of the kubeconfig when none is named', () => {
    expect(client.context).toBe('dev');
    expect(client.server).toBe(fake.url);
  });

  it('applies, reads back, lists by label and deletes', async () => {
    const created = await client.apply(configMap('a', { K: 'v' }), { force: false });
    expect(created.metadata?.resourceVersion).toBeDefined();
    expect((await client.read({ apiVersion: 'v1', kind: 'ConfigMap', name: 'a', namespace: 'shop' }))?.data).toEqual({ K: 'v' });
    const again = await client.apply(configMap('a', { K: 'v' }), { force: false });
    expect(again.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
    const listed = await client.list('v1', 'ConfigMap', 'shop', { labels: 'team=a' });
    expect(listed.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual(['ConfigMap/a']);
    await client.remove({ apiVersion: 'v1', kind: 'ConfigMap', name: 'a', namespace: 'shop' });
    expect(await client.read({ apiVersion: 'v1', kind: 'ConfigMap', name: 'a', namespace: 'shop' })).toBeUndefined();
  });

  it('turns a 422 into a usage error with the API message', async () => {
    const error = await client.apply(configMap('not_valid'), { force: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(2);
    expect((error as Error).message).toMatch(/^apply ConfigMap\/not_valid was rejected by the API server: ConfigMap "not_valid" is invalid: metadata\.name/);
  });

  it('turns a 404 namespace into an external failure naming it', async () => {
    const error = await client.apply({ ...configMap('b'), metadata: { name: 'b', namespace: 'ghost' } }, { force: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalError);
    expect((error as Error).message).toBe('apply ConfigMap/b failed: namespaces "ghost" not found');
  });
});

describe('kubeError', () => {
  const at = { context: 'prod', server: 'https://k8s.example.com', action: 'apply Deployment/orders' };
  const apiError = (code: number, message: string) => Object.assign(new Error('HTTP'), { code, body: JSON.stringify({ kind: 'Status', message, code }) });

  it.each([
    [401, 'Unauthorized', /refused msx's credentials \(401 Unauthorized\)/, 5],
    [403, 'deployments.apps "orders" is forbidden', /^forbidden by RBAC in context "prod" \(https:\/\/k8s\.example\.com\): deployments\.apps "orders" is forbidden$/, 5],
    [409, 'Apply failed with 1 conflict', /^apply Deployment\/orders: Apply failed with 1 conflict$/, 7],
    [500, 'etcdserver: request timed out', /^apply Deployment\/orders failed: etcdserver: request timed out$/, 4],
  ])('maps HTTP %i', (code, message, expected, exit) => {
    const mapped = kubeError(apiError(code, message), at) as UserError;
    expect(mapped.message).toMatch(expected);
    expect(mapped.exitCode).toBe(exit);
  });

  it('maps network failures and plain http without TLS skip to "cannot reach"', () => {
    const refused = kubeError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), at);
    expect(refused.message).toBe('cannot reach the cluster of context "prod" at https://k8s.example.com (ECONNREFUSED)');
    const http = kubeError(new Error('HTTP protocol is not allowed when skipTLSVerify is not set or false'), at);
    expect(http.message).toMatch(/plain http needs insecure-skip-tls-verify/);
  });

  it('leaves a bug a bug', () => {
    const bug = new TypeError('x is undefined');
    expect(kubeError(bug, at)).toBe(bug);
  });
});
