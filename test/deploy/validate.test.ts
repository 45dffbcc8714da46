import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { parseWorkspace } from '../../src/models/load-workspace.js';
import { renderManifests } from '../../src/deploy/manifests/render-manifests.js';
import type { DeployTarget, IDeployment, Manifest } from '../../src/deploy/manifests/types.js';
import { assertValidManifests, manifestProblems } from '../../src/deploy/validate.js';
import * as rules from '../../src/kube/name-rules.js';

const workspaceYaml = (extra = '', kind = 'rest') =>
  `version: 1\nname: shop\nservices:\n  orders:\n    kind: ${kind}\n    context: ordering\n    path: contexts/ordering/orders\n    port: 3000\n${extra}`;

function manifestsOf(yaml: string): Manifest[] {
  const { document: _doc, ...workspace } = parseWorkspace(yaml, '/ws');
  const target: DeployTarget = { workspace, environment: 'local', namespace: 'shop', replicas: 1, images: { orders: 'r/orders:abc' }, createNamespace: false };
  return renderManifests(target);
}

describe('manifest validation', () => {
  it('reports schema errors with the object and the field path', async () => {
    const [, , deployment] = manifestsOf(workspaceYaml());
    const broken = structuredClone(deployment) as IDeployment;
    (broken.spec!.template.spec!.containers[0].livenessProbe as { httpGet: unknown }).httpGet = { path: 7 };
    expect(await manifestProblems([broken])).toContainEqual(expect.stringMatching(/^Deployment\/orders: spec\.template\.spec\.containers\.0\.livenessProbe\.httpGet\.path must be string$/));
  });

  it('checks the API name rules the JSON schemas do not', async () => {
    const [configMap] = manifestsOf(workspaceYaml());
    const bad = { ...configMap, metadata: { ...configMap.metadata, name: 'Bad_Name!', labels: { 'dev.msx/workspace': 'x'.repeat(64) } } } as Manifest;
    const problems = await manifestProblems([bad]);
    expect(problems).toContainEqual(expect.stringMatching(/ConfigMap\/Bad_Name!: metadata\.name "Bad_Name!" must be lower-case DNS labels/));
    expect(problems).toContainEqual(expect.stringMatching(/metadata\.labels\.dev\.msx\/workspace "x{64}" must be at most 63 characters/));
  });

  it('rejects resource quantities Kubernetes would not parse, as one usage error', async () => {
    const manifests = manifestsOf(workspaceYaml('    resources: { cpu: lots, memory: 512Mi }\n'));
    const error = await assertValidManifests(manifests).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(2);
    expect((error as UserError).message).toMatch(/Deployment\/orders: resources\.(requests|limits)\.cpu "lots" is not a quantity/);
  });

  it('refuses an HTTP path for a gRPC probe', () => {
    expect(() => manifestsOf(workspaceYaml('    probes: { liveness: { path: /live } }\n', 'grpc'))).toThrow(/gRPC service is probed with grpc\.health\.v1/);
  });
});

describe('name rules', () => {
  it.each([
    ['dns1123Label', 'shop-staging', undefined],
    ['dns1123Label', 'Shop', 'must be lower-case'],
    ['dns1123Label', 'a'.repeat(64), 'at most 63'],
    ['dns1035Label', '9orders', 'starting with a letter'],
    ['dns1123Subdomain', 'orders-config.v1', undefined],
    ['qualifiedName', 'app.kubernetes.io/name', undefined],
    ['qualifiedName', 'Bad Prefix/name', 'prefix'],
    ['labelValue', '', undefined],
    ['labelValue', 'has space', 'must be letters'],
    ['portName', 'http', undefined],
    ['portName', 'a-very-long-port-name', 'at most 15'],
    ['portName', '8080', 'must contain a letter'],
    ['configMapKey', 'PAYMENT_TIMEOUT_MS', undefined],
  ] as const)('%s("%s")', (rule, value, problem) => {
    const result = rules[rule](value);
    if (problem === undefined) expect(result).toBeUndefined();
    else expect(result).toContain(problem);
  });
});
