import { describe, expect, it } from 'vitest';
import { parseWorkspace } from '../../src/models/load-workspace.js';
import { renderManifests } from '../../src/deploy/manifests/render-manifests.js';
import { DEFAULT_SHUTDOWN_GRACE_MS, PRESTOP_SECONDS } from '../../src/deploy/manifests/termination.js';
import type { DeployTarget, IDeployment, Manifest } from '../../src/deploy/manifests/types.js';
import { manifestProblems } from '../../src/deploy/validate.js';

// Given a gRPC, a REST and a consumer service, which objects each gets and
// how each pod is stopped: the rendered manifests, checked against the schemas.

const yaml = (ordersExtra = '') => `version: 1
name: shop
services:
  stock:
    kind: grpc
    context: warehouse
    path: contexts/warehouse/stock
    port: 3001
  orders:
    kind: rest
    context: ordering
    path: contexts/ordering/orders
    port: 3000
    dependsOn: [stock]
${ordersExtra}  mailer:
    kind: consumer
    context: engagement
    path: contexts/engagement/mailer
    port: 3002
    subscribes: [order.placed]
environments:
  staging:
    runtime: kubernetes
    registry: registry.example.com/shop
`;

function render(text = yaml()): Manifest[] {
  const { document: _doc, ...workspace } = parseWorkspace(text, '/ws');
  const images = Object.fromEntries(workspace.services.map((s) => [s.name, `registry.example.com/shop/${s.name}:0123456789ab`]));
  const target: DeployTarget = { workspace, environment: 'staging', namespace: 'shop', replicas: 2, images, createNamespace: false };
  return renderManifests(target);
}

const refs = (manifests: Manifest[]) => manifests.map((m) => `${m.kind}/${m.metadata?.name}`);
const deployment = (manifests: Manifest[], name: string) =>
  manifests.find((m): m is IDeployment => m.kind === 'Deployment' && m.metadata?.name === name)!;
const pod = (manifests: Manifest[], name: string) => deployment(manifests, name).spec!.template.spec!;

describe('a Service only for what is reached by name', () => {
  it('gives a consumer no Service for its health-only port, and REST and gRPC one each', async () => {
    const manifests = render();
    expect(await manifestProblems(manifests)).toEqual([]);
    expect(refs(manifests).filter((r) => r.startsWith('Service/'))).toEqual(['Service/stock', 'Service/orders']);
    // The kubelet probes the pod itself; no Service is needed for that.
    expect(pod(manifests, 'mailer').containers[0].livenessProbe?.httpGet).toEqual({ path: '/health/live', port: 'http' });
  });

  it('gives a consumer a Service when another service depends on it (its <DEP>_URL names it)', async () => {
    const manifests = render(yaml().replace('dependsOn: [stock]', 'dependsOn: [stock, mailer]'));
    expect(await manifestProblems(manifests)).toEqual([]);
    expect(refs(manifests)).toContain('Service/mailer');
    const env = pod(manifests, 'orders').containers[0].env!;
    expect(env).toContainEqual({ name: 'MAILER_URL', value: 'http://mailer:3002' });
  });
});

describe('stopping a pod', () => {
  it('delays SIGTERM with a preStop sleep where a Service routes to the pod, and not for a consumer', () => {
    const manifests = render();
    for (const name of ['stock', 'orders']) {
      expect(pod(manifests, name).containers[0].lifecycle).toEqual({ preStop: { exec: { command: ['sleep', String(PRESTOP_SECONDS)] } } });
    }
    expect(pod(manifests, 'mailer').containers[0].lifecycle).toBeUndefined();
  });

  it('keeps terminationGracePeriodSeconds above the preStop delay plus the service\'s own shutdown grace', () => {
    const manifests = render();
    for (const name of ['stock', 'orders', 'mailer']) {
      expect(pod(manifests, name).terminationGracePeriodSeconds).toBeGreaterThan(PRESTOP_SECONDS + DEFAULT_SHUTDOWN_GRACE_MS / 1000);
    }
  });

  it('follows a longer SHUTDOWN_GRACE_MS set in config', async () => {
    const manifests = render(yaml('    config: { SHUTDOWN_GRACE_MS: 40000 }\n'));
    expect(await manifestProblems(manifests)).toEqual([]);
    const seconds = pod(manifests, 'orders').terminationGracePeriodSeconds!;
    expect(seconds).toBeGreaterThan(PRESTOP_SECONDS + 40);
    expect(pod(manifests, 'stock').terminationGracePeriodSeconds).toBeLessThan(seconds);
  });
});
