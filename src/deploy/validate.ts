import { ValidationError } from '../errors.js';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { objectRef, type Manifest } from './manifests/types.js';
import * as rules from '../kube/name-rules.js';

type Validator = (manifest: Manifest) => void;

/** kubernetes-models classes, imported per kind on first use (each costs tens of ms). */
async function schemaValidator(kind: string): Promise<Validator> {
  switch (kind) {
    case 'Deployment':
      return validatorOf((await import('kubernetes-models/apps/v1/Deployment')).Deployment);
    case 'Service':
      return validatorOf((await import('kubernetes-models/v1/Service')).Service);
    case 'ConfigMap':
      return validatorOf((await import('kubernetes-models/v1/ConfigMap')).ConfigMap);
    case 'Namespace':
      return validatorOf((await import('kubernetes-models/v1/Namespace')).Namespace);
    case 'Ingress':
      return validatorOf((await import('kubernetes-models/networking.k8s.io/v1/Ingress')).Ingress);
    default:
      throw new Error(`no schema for kind ${kind}`);
  }
}

function validatorOf(Model: new (data: never) => { validate(): void }): Validator {
  return (manifest) => new Model(manifest as never).validate();
}

/** Every problem with every manifest: the Kubernetes JSON schemas, then the API's name rules. */
export async function manifestProblems(manifests: readonly Manifest[]): Promise<string[]> {
  const validators = new Map<string, Validator>();
  const problems: string[] = [];
  for (const manifest of manifests) {
    const kind = manifest.kind;
    if (!validators.has(kind)) validators.set(kind, await schemaValidator(kind));
    problems.push(...schemaProblems(manifest, validators.get(kind)!), ...nameProblems(manifest));
  }
  return problems;
}

/** Throws one ValidationError listing everything wrong, before anything is written or sent. */
export async function assertValidManifests(manifests: readonly Manifest[]): Promise<void> {
  const problems = await manifestProblems(manifests);
  if (problems.length > 0) throw new ValidationError(problems, 'fix the values in msx.yaml (or the flags) that these come from');
}

function schemaProblems(manifest: Manifest, validate: Validator): string[] {
  try {
    validate(manifest);
    return [];
  } catch (error) {
    const errors = (error as { errors?: Array<{ instancePath: string; message?: string }> }).errors ?? [];
    if (errors.length === 0) return [`${objectRef(manifest)}: ${(error as Error).message}`];
    return errors.map((e) => `${objectRef(manifest)}: ${e.instancePath.slice(1).replaceAll('/', '.') || '(root)'} ${e.message ?? 'is invalid'}`);
  }
}

function nameProblems(manifest: Manifest): string[] {
  const at = (path: string, value: string, problem: string | undefined) =>
    problem ? [`${objectRef(manifest)}: ${path} "${value}" ${problem}`] : [];
  const { name, namespace, labels = {}, annotations = {} } = manifest.metadata ?? {};
  const nameRule = manifest.kind === 'Service' ? rules.dns1035Label : manifest.kind === 'Namespace' ? rules.dns1123Label : rules.dns1123Subdomain;
  const problems = [...at('metadata.name', name ?? '', nameRule(name ?? '')), ...mapProblems('metadata', labels, annotations, at)];
  if (namespace !== undefined) problems.push(...at('metadata.namespace', namespace, rules.dns1123Label(namespace)));
  if (manifest.kind === 'ConfigMap') {
    for (const key of Object.keys(manifest.data ?? {})) problems.push(...at('data key', key, rules.configMapKey(key)));
  }
  if (manifest.kind === 'Deployment') problems.push(...deploymentProblems(manifest, at));
  if (manifest.kind === 'Ingress') {
    for (const rule of manifest.spec?.rules ?? []) if (rule.host !== undefined) problems.push(...at('spec.rules.host', rule.host, rules.dns1123Subdomain(rule.host)));
  }
  return problems;
}

type At = (path: string, value: string, problem: string | undefined) => string[];

function mapProblems(where: string, labels: Record<string, string>, annotations: Record<string, string>, at: At): string[] {
  return [
    ...Object.entries(labels).flatMap(([key, value]) => [
      ...at(`${where}.labels key`, key, rules.qualifiedName(key)),
      ...at(`${where}.labels.${key}`, value, rules.labelValue(value)),
    ]),
    ...Object.keys(annotations).flatMap((key) => at(`${where}.annotations key`, key, rules.qualifiedName(key))),
  ];
}

function deploymentProblems(manifest: Extract<Manifest, { kind: 'Deployment' }>, at: At): string[] {
  const template = manifest.spec?.template;
  const problems = mapProblems('spec.template.metadata', template?.metadata?.labels ?? {}, template?.metadata?.annotations ?? {}, at);
  for (const container of template?.spec?.containers ?? []) problems.push(...containerProblems(container, at));
  return problems;
}

const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?\d+)?$/;

function containerProblems(container: IContainer, at: At): string[] {
  const problems = at('container name', container.name, rules.dns1123Label(container.name));
  for (const port of container.ports ?? []) {
    if (port.name) problems.push(...at('port name', port.name, rules.portName(port.name)));
  }
  for (const [kind, values] of Object.entries(container.resources ?? {})) {
    for (const [resource, quantity] of Object.entries(values as Record<string, string | number>)) {
      const bad = QUANTITY.test(String(quantity)) ? undefined : 'is not a quantity (like 250m, 0.5, 128Mi, 1Gi)';
      problems.push(...at(`resources.${kind}.${resource}`, String(quantity), bad));
    }
  }
  return problems;
}
