import { UserError } from '../errors.js';
import type { Service } from '../models/workspace.js';
import { KubeForbiddenError } from '../kube/kube-errors.js';
import type { KubeClient } from '../kube/kube-client.js';
import { applyManifests, type AppliedObject } from './apply.js';
import { configData } from './manifests/config-map.js';
import { secretKeys, secretName } from './manifests/container-env.js';
import { namespaceManifest } from './manifests/namespace.js';
import type { DeployTarget } from './manifests/types.js';

export interface PreflightResult {
  /** One line per check RBAC did not allow. */
  skipped: string[];
  /** The Namespace, applied here when --create-namespace asked for it. */
  namespace?: AppliedObject;
}

/**
 * Checks made before anything is built or applied, each one a clear error
 * instead of a pod stuck in CreateContainerConfigError minutes later. The
 * first request also proves the cluster answers. A check RBAC does not allow
 * is skipped: the rollout would still show the problem.
 *
 * With --create-namespace the Namespace is applied first, before the secrets
 * are checked: Secrets live in it, so the `kubectl -n NS create secret` the
 * check asks for can only work once it exists. It is the one object applied
 * before every check has passed; the deploy applies everything else after.
 */
export async function preflight(client: KubeClient, target: DeployTarget, force: boolean): Promise<PreflightResult> {
  const skipped: string[] = [];
  let namespace: AppliedObject | undefined;
  if (target.createNamespace) [namespace] = await applyManifests(client, [namespaceManifest(target)], force);
  else await skipIfForbidden(skipped, 'namespace check', () => checkNamespace(client, target));
  const created = namespace?.action === 'created';
  await skipIfForbidden(skipped, 'secret check', () => checkSecrets(client, target, created));
  return { skipped, namespace };
}

async function skipIfForbidden(skipped: string[], what: string, check: () => Promise<void>): Promise<void> {
  try {
    await check();
  } catch (error) {
    if (!(error instanceof KubeForbiddenError)) throw error;
    skipped.push(`${what} skipped: ${error.message}`);
  }
}

async function checkNamespace(client: KubeClient, target: DeployTarget): Promise<void> {
  const found = await client.read({ apiVersion: 'v1', kind: 'Namespace', name: target.namespace });
  if (!found) {
    throw new UserError(`namespace "${target.namespace}" does not exist in context "${client.context}"`, {
      hint: `pass --create-namespace, or create it: kubectl create namespace ${target.namespace}`, exit: 'notFound' });
  }
}

async function checkSecrets(client: KubeClient, target: DeployTarget, createdNamespace: boolean): Promise<void> {
  const problems: string[] = [];
  for (const service of target.workspace.services) {
    const wanted = secretKeys(service, new Set(Object.keys(configData(target, service))));
    if (wanted.length === 0) continue;
    const problem = await secretProblem(client, target.namespace, service, wanted);
    if (problem) problems.push(problem);
  }
  if (problems.length === 0) return;
  const first = target.workspace.services.find((s) => problems[0].includes(`"${secretName(s)}"`))!;
  // Said when this run made the namespace: the deploy stopped, but that one object is there now.
  const made = createdNamespace ? `namespace ${target.namespace} was created (nothing else was applied); ` : '';
  throw new UserError(problems.join('\n'), {
    hint: `${made}create them first, e.g. kubectl -n ${target.namespace} create secret generic ${secretName(first)} --from-literal=KEY=value ...`,
    exit: 'notFound',
  });
}

/** Only key names are looked at; secret values are never read into msx's output. */
async function secretProblem(client: KubeClient, namespace: string, service: Service, wanted: string[]): Promise<string | undefined> {
  const secret = await client.read({ apiVersion: 'v1', kind: 'Secret', name: secretName(service), namespace });
  if (!secret) return `secret "${secretName(service)}" for ${service.name} does not exist in namespace ${namespace} (keys needed: ${wanted.join(', ')})`;
  const has = new Set(Object.keys((secret.data as Record<string, string> | undefined) ?? {}));
  const missing = wanted.filter((key) => !has.has(key));
  return missing.length > 0 ? `secret "${secretName(service)}" for ${service.name} lacks keys: ${missing.join(', ')}` : undefined;
}
