import { describe, expect, it } from 'vitest';
import { renderManifests } from '../../src/deploy/manifests/render-manifests.js';
import type { DeployTarget, IDeployment, IIngress } from '../../src/deploy/manifests/types.js';
import { manifestProblems } from '../../src/deploy/validate.js';
import { manifestFileName } from '../../src/deploy/manifest-files.js';
import { parseWorkspace } from '../../src/models/load-workspace.js';

const YAML = (host: string | undefined) => `version: 1
name: shop
services:
  orders: { kind: rest, context: ordering, path: contexts/ordering/orders, port: 3000 }
  edge:
    kind: gateway
    context: edge
    path: contexts/edge/edge
    port: 3009
    config: { AUTH_JWKS_URL: "https://issuer.example/jwks.json" }
    routes:
      - { path: /orders, service: orders, timeout: 2s }
environments:
  staging:
    runtime: kubernetes
    namespace: shop
${host ? `    host: ${host}\n` : ''}`;

function target(host: string | undefined): DeployTarget {
  const workspace = parseWorkspace(YAML(host), '/ws');
  return { workspace, environment: 'staging', namespace: 'shop', replicas: 2, images: { orders: 'r/orders:1', edge: 'r/edge:1' }, createNamespace: false, host: workspace.environments.staging.host };
}

describe('msx deploy of a gateway', () => {
  it('renders it like any service, wired with its routes, plus an Ingress to it when the environment sets host', async () => {
    const manifests = renderManifests(target('shop.example.com'));
    expect(manifests.map((m) => `${m.kind}/${m.metadata?.name}`)).toEqual([
      'ConfigMap/orders-config', 'Service/orders', 'Deployment/orders',
      'ConfigMap/edge-config', 'Service/edge', 'Deployment/edge', 'Ingress/edge',
    ]);
    const ingress = manifests.find((m): m is IIngress => m.kind === 'Ingress')!;
    expect(ingress).toMatchObject({
      apiVersion: 'networking.k8s.io/v1',
      metadata: { namespace: 'shop', labels: { 'app.kubernetes.io/name': 'edge', 'app.kubernetes.io/part-of': 'shop', 'app.kubernetes.io/managed-by': 'msx' } },
      spec: { rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'edge', port: { name: 'http' } } } }] } }] },
    });
    const edge = manifests.find((m): m is IDeployment => m.kind === 'Deployment' && m.metadata?.name === 'edge')!;
    expect(edge.spec?.template.spec?.containers[0].readinessProbe?.httpGet?.path).toBe('/health/ready');
    expect(await manifestProblems(manifests)).toEqual([]);
    expect(manifestFileName(ingress)).toBe('40-ingress-edge.yaml');
  });

  it('renders no Ingress without a host, and refuses a host that is not a DNS name', async () => {
    expect(renderManifests(target(undefined)).some((m) => m.kind === 'Ingress')).toBe(false);
    const problems = await manifestProblems(renderManifests(target('Shop_Example')));
    expect(problems).toEqual([expect.stringMatching(/^Ingress\/edge: spec\.rules\.host "Shop_Example" /)]);
  });
});
