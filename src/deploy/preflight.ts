import { UserError } from '../errors.js';
import type { Service } from '../models/workspace.js';
import { KubeForbiddenError } from '../kube/kube-errors.js';
import type { KubeClient } from '../kube/kube-client.js';
import { configData } from './manifests/config-map.js';
import { secretKeys, secretName } from './manifests/container-env.js';
import type { DeployTarget } from './manifests/types.js';

/**
 * Checks made before anything is built or applied, each one a clear error
 * instead of a pod stuck in CreateContainerConfigError minutes later. The
 * first request also proves the cluster answers. A check RBAC does not allow
 * is skipped: the rollout would still show the problem.
 */
export async function preflight(client: KubeClient, target: DeployTarget): Promise<string[]> {
  const skipped: string[] = [];
  await skipIfForbidden(skipped, 'namespace check', () => checkNamespace(client, target));
  await skipIfForbidden(skipped, 'secret check', () => checkSecrets(client, target));
  return skipped;
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
  if (target.createNamespace) return;
  const found = await client.read({ apiVersion: 'v1', kind: 'Namespace', name: target.namespace });
  if (!found) {
    throw new UserError(`namespace "${target.namespace}" does not exist in context "${client.context}"`, {
      hint: `pass --create-namespace, or create it: kubectl create namespace ${target.namespace}`, exit: 'notFound' });
  }
}

async function checkSecrets(client: KubeClient, target: DeployTarget): Promise<void> {
  const problems: string[] = [];
  for (const service of target.workspace.services) {
    const wanted = secretKeys(service, new Set(Object.keys(configData(target, service))));
    if (wanted.length === 0) continue;
    const problem = await secretProblem(client, target.namespace, service, wanted);
    if (problem) problems.push(problem);
  }
  if (problems.length === 0) return;
  const first = target.workspace.services.find((s) => problems[0].includes(`"${secretName(s)}"`))!;
  throw new UserError(problems.join('\n'), {
    hint: `create them first, e.g. kubectl -n ${target.namespace} create secret generic ${secretName(first)} --from-literal=KEY=value ...`,
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
