import { describe, expect, it } from 'vitest';
import { parseWorkspace } from '../../src/models/load-workspace.js';
import { configHash } from '../../src/deploy/manifests/config-map.js';
import { renderManifests } from '../../src/deploy/manifests/render-manifests.js';
import type { DeployTarget, IConfigMap, IDeployment, IService, Manifest } from '../../src/deploy/manifests/types.js';
import { manifestProblems } from '../../src/deploy/validate.js';

const YAML = `version: 1
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
    dependsOn: [stock, mailer]
    publishes: [order.placed]
    config: { PAYMENT_TIMEOUT_MS: 2000, FEATURE_X: true }
    secrets: [STRIPE_KEY]
    resources: { cpu: 250m, memory: 512Mi }
  mailer:
    kind: consumer
    context: engagement
    path: contexts/engagement/mailer
    port: 3002
    subscribes: [order.placed]
    probes: { readiness: { path: /ready, periodSeconds: 3 } }
environments:
  staging:
    runtime: kubernetes
    registry: registry.example.com/shop
    namespace: shop-staging
    replicas: 3
    config:
      orders: { PAYMENT_TIMEOUT_MS: 5000 }
`;

function target(yaml = YAML, createNamespace = false): DeployTarget {
  const { document: _doc, ...workspace } = parseWorkspace(yaml, '/ws');
  const images = Object.fromEntries(workspace.services.map((s) => [s.name, `registry.example.com/shop/${s.name}:0123456789ab`]));
  return { workspace, environment: 'staging', namespace: 'shop-staging', replicas: 3, images, createNamespace };
}

const find = <K extends Manifest['kind']>(manifests: Manifest[], kind: K, name: string) =>
  manifests.find((m) => m.kind === kind && m.metadata?.name === name) as Extract<Manifest, { kind: K }>;
const containerOf = (d: IDeployment) => d.spec!.template.spec!.containers[0];

describe('manifests for each kind', () => {
  const manifests = renderManifests(target());

  it('pass the Kubernetes schemas and the API name rules', async () => {
    expect(await manifestProblems(manifests)).toEqual([]);
    expect(manifests.map((m) => `${m.kind}/${m.metadata?.name}`)).toEqual([
      'ConfigMap/stock-config', 'Service/stock', 'Deployment/stock',
      'ConfigMap/orders-config', 'Service/orders', 'Deployment/orders',
      'ConfigMap/mailer-config', 'Service/mailer', 'Deployment/mailer',
    ]);
  });

  it('probe REST and consumer services over HTTP, with msx.yaml overrides on top', () => {
    const orders = containerOf(find(manifests, 'Deployment', 'orders'));
    expect(orders.livenessProbe).toEqual({ httpGet: { path: '/health/live', port: 'http' }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 });
    expect(orders.readinessProbe?.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    expect(orders.startupProbe).toMatchObject({ httpGet: { path: '/health/startup', port: 'http' }, periodSeconds: 2, failureThreshold: 30 });
    const mailer = containerOf(find(manifests, 'Deployment', 'mailer'));
    expect(mailer.readinessProbe).toMatchObject({ httpGet: { path: '/ready', port: 'http' }, periodSeconds: 3, failureThreshold: 3 });
    expect(mailer.livenessProbe?.httpGet?.path).toBe('/health/live');
  });

  it('probe gRPC services with the native grpc probe on the service port: liveness is not readiness', () => {
    const stock = containerOf(find(manifests, 'Deployment', 'stock'));
    // "" turns NOT_SERVING when a dependency check fails: only readiness may ask for it.
    expect(stock.readinessProbe?.grpc).toEqual({ port: 3001, service: '' });
    expect(stock.livenessProbe?.grpc).toEqual({ port: 3001, service: 'liveness' });
    expect(stock.startupProbe?.grpc).toEqual({ port: 3001, service: 'liveness' });
    for (const probe of [stock.livenessProbe, stock.readinessProbe, stock.startupProbe]) expect(probe?.httpGet).toBeUndefined();
  });

  it('probe REST and consumer liveness on another path than readiness', () => {
    for (const name of ['orders', 'mailer']) {
      const container = containerOf(find(manifests, 'Deployment', name));
      expect(container.livenessProbe?.httpGet?.path).toBe('/health/live');
      expect(container.readinessProbe?.httpGet?.path).not.toBe(container.livenessProbe?.httpGet?.path);
    }
  });

  it('give every container the restricted securityContext and a writable /tmp', () => {
    for (const name of ['stock', 'orders', 'mailer']) {
      const deployment = find(manifests, 'Deployment', name);
      const pod = deployment.spec!.template.spec!;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
      expect(containerOf(deployment).securityContext).toEqual({
        runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(containerOf(deployment).volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
      expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }]);
      expect(deployment.spec!.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
      expect(deployment.spec!.replicas).toBe(3);
    }
  });

  it('label every object for its workspace, and select pods by name and workspace only', () => {
    for (const manifest of manifests) {
      expect(manifest.metadata?.labels).toMatchObject({
        'app.kubernetes.io/part-of': 'shop', 'app.kubernetes.io/managed-by': 'msx', 'dev.msx/workspace': 'shop',
      });
    }
    const orders = find(manifests, 'Deployment', 'orders');
    expect(orders.metadata?.labels).toMatchObject({ 'app.kubernetes.io/name': 'orders', 'dev.msx/context': 'ordering' });
    expect(orders.spec!.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'orders', 'dev.msx/workspace': 'shop' });
    expect(orders.spec!.template.metadata?.labels).toMatchObject(orders.spec!.selector.matchLabels!);
  });

  it('put config and env overrides in the ConfigMap, read by envFrom, and wiring plus secret refs in env', () => {
    expect(find(manifests, 'ConfigMap', 'orders-config').data).toEqual({ PAYMENT_TIMEOUT_MS: '5000', FEATURE_X: 'true' });
    const orders = containerOf(find(manifests, 'Deployment', 'orders'));
    expect(orders.image).toBe('registry.example.com/shop/orders:0123456789ab');
    expect(orders.envFrom).toEqual([{ configMapRef: { name: 'orders-config' } }]);
    const env = Object.fromEntries(orders.env!.map((e) => [e.name, e.value ?? e.valueFrom]));
    expect(env).toMatchObject({ PORT: '3000', SERVICE_NAME: 'orders', STOCK_URL: 'stock:3001', MAILER_URL: 'http://mailer:3002' });
    expect(env.STRIPE_KEY).toEqual({ secretKeyRef: { name: 'orders-secrets', key: 'STRIPE_KEY' } });
    expect(env.AMQP_URL).toEqual({ secretKeyRef: { name: 'orders-secrets', key: 'AMQP_URL' } });
    expect(env.PAYMENT_TIMEOUT_MS).toBeUndefined();
    expect(orders.resources).toEqual({ requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '250m', memory: '512Mi' } });
    expect(containerOf(find(manifests, 'Deployment', 'stock')).resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
  });

  it('make ClusterIP Services with named ports and the app protocol', () => {
    expect(find(manifests, 'Service', 'stock').spec).toMatchObject({
      type: 'ClusterIP',
      ports: [{ name: 'grpc', port: 3001, targetPort: 'grpc', protocol: 'TCP', appProtocol: 'grpc' }],
    });
    const orders: IService = find(manifests, 'Service', 'orders');
    expect(orders.spec!.ports).toEqual([{ name: 'http', port: 3000, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' }]);
    expect(orders.spec!.selector).toEqual({ 'app.kubernetes.io/name': 'orders', 'dev.msx/workspace': 'shop' });
  });

  it('add a Namespace first only when asked', () => {
    expect(manifests.some((m) => m.kind === 'Namespace')).toBe(false);
    const [first] = renderManifests(target(YAML, true));
    expect(first).toMatchObject({ kind: 'Namespace', metadata: { name: 'shop-staging', labels: { 'app.kubernetes.io/managed-by': 'msx' } } });
  });
});

describe('the config hash annotation', () => {
  const hashOf = (yaml: string, name = 'orders') =>
    find(renderManifests(target(yaml)), 'Deployment', name).spec!.template.metadata!.annotations!['dev.msx/config-hash'];

  it('changes with the config, so the pods roll', () => {
    expect(hashOf(YAML.replace('PAYMENT_TIMEOUT_MS: 5000', 'PAYMENT_TIMEOUT_MS: 6000'))).not.toBe(hashOf(YAML));
    expect(hashOf(YAML.replace('FEATURE_X: true', 'FEATURE_X: false'))).not.toBe(hashOf(YAML));
  });

  it('does not change with key order or with another service', () => {
    const reordered = YAML.replace('{ PAYMENT_TIMEOUT_MS: 2000, FEATURE_X: true }', '{ FEATURE_X: true, PAYMENT_TIMEOUT_MS: 2000 }');
    expect(hashOf(reordered)).toBe(hashOf(YAML));
    expect(hashOf(YAML.replace('PAYMENT_TIMEOUT_MS: 5000', 'PAYMENT_TIMEOUT_MS: 6000'), 'stock')).toBe(hashOf(YAML, 'stock'));
  });

  it('is the hash of the ConfigMap data the pods read', () => {
    const configMap = find(renderManifests(target()), 'ConfigMap', 'orders-config') as IConfigMap;
    expect(hashOf(YAML)).toBe(configHash(configMap.data!));
    expect(hashOf(YAML)).toMatch(/^[0-9a-f]{16}$/);
  });
});
