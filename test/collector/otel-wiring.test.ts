import { describe, expect, it } from 'vitest';
import { renderManifests } from '../../src/deploy/manifests/render-manifests.js';
import type { DeployTarget, IDeployment } from '../../src/deploy/manifests/types.js';
import { manifestProblems } from '../../src/deploy/validate.js';
import { parseWorkspace } from '../../src/models/load-workspace.js';
import { serviceEnv } from '../../src/models/wiring.js';

const yaml = (environments: string, config = '') => `version: 1
name: shop
services:
  orders:
    kind: rest
    context: ordering
    path: contexts/ordering/orders
    port: 3000
${config}environments:
${environments}`;

const STAGING = '  staging:\n    runtime: kubernetes\n    namespace: shop-staging\n    otel:\n      endpoint: http://otel-collector.observability:4318\n';
const LOCAL_JAEGER = '  local:\n    runtime: local\n    otel:\n      endpoint: http://127.0.0.1:4318\n';

function workspaceOf(text: string) {
  const { document: _doc, ...workspace } = parseWorkspace(text, '/ws');
  return workspace;
}

function localEnv(text: string) {
  const workspace = workspaceOf(text);
  return serviceEnv({ workspace, service: workspace.services[0], environment: 'local', addressOf: (s) => ({ host: '127.0.0.1', port: s.port }), otlpEndpoint: 'http://127.0.0.1:40123' });
}

describe('where services send their spans (OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  it("locally: msx's collector, unless the environment names the user's own endpoint, unless the service's config sets it", () => {
    expect(localEnv(yaml('  local:\n    runtime: local\n'))).toMatchObject({ OTEL_SERVICE_NAME: 'orders', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:40123' });
    expect(localEnv(yaml(LOCAL_JAEGER)).OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://127.0.0.1:4318');
    const own = localEnv(yaml(LOCAL_JAEGER, '    config:\n      OTEL_EXPORTER_OTLP_ENDPOINT: http://127.0.0.1:9999\n'));
    expect(own.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://127.0.0.1:9999');
  });

  it("to msx's collector a batch goes after 1 s (OTEL_BSP_SCHEDULE_DELAY); to the user's own endpoint the SDK's default; the config wins", () => {
    expect(localEnv(yaml('  local:\n    runtime: local\n')).OTEL_BSP_SCHEDULE_DELAY).toBe('1000');
    expect(localEnv(yaml(LOCAL_JAEGER))).not.toHaveProperty('OTEL_BSP_SCHEDULE_DELAY');
    const tuned = localEnv(yaml('  local:\n    runtime: local\n', '    config:\n      OTEL_BSP_SCHEDULE_DELAY: 200\n'));
    expect(tuned.OTEL_BSP_SCHEDULE_DELAY).toBe('200');
  });

  it('on Kubernetes: the environment endpoint in the container env, valid against the schemas; none without one', async () => {
    const target = (text: string): DeployTarget => {
      const workspace = workspaceOf(text);
      return { workspace, environment: 'staging', namespace: 'shop-staging', replicas: 1, images: { orders: 'registry.example.com/shop/orders:0123456789ab' }, createNamespace: false };
    };
    const envOf = (manifests: ReturnType<typeof renderManifests>) =>
      (manifests.find((m) => m.kind === 'Deployment') as IDeployment).spec!.template.spec!.containers[0].env ?? [];

    const manifests = renderManifests(target(yaml(STAGING)));
    expect(await manifestProblems(manifests)).toEqual([]);
    expect(envOf(manifests)).toContainEqual({ name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://otel-collector.observability:4318' });
    expect(envOf(manifests)).toContainEqual({ name: 'OTEL_SERVICE_NAME', value: 'orders' });

    const without = renderManifests(target(yaml('  staging:\n    runtime: kubernetes\n')));
    expect(envOf(without).map((e) => e.name)).not.toContain('OTEL_EXPORTER_OTLP_ENDPOINT');
  });
});
