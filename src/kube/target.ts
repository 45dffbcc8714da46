import { UserError } from '../errors.js';
import type { EnvironmentSpec } from '../models/schema.js';
import { requireEnvironment, type WorkspaceData } from '../models/workspace.js';
import { dns1123Label } from './name-rules.js';

export interface TargetFlags {
  env?: string;
  context?: string;
  namespace?: string;
}

/** The Kubernetes environment a command talks to, and its namespace and kube context. */
export interface KubeTarget {
  environment: string;
  spec: EnvironmentSpec;
  namespace: string;
  /** Undefined: the kubeconfig's current-context. */
  kubeContext?: string;
}

/**
 * Flags first, then msx.yaml: --env else the one environment with runtime
 * kubernetes; --namespace else its namespace else "default"; --context else
 * its kubeContext. `msx logs` finds the pods `msx deploy` made the same way.
 */
export function kubeTarget(workspace: WorkspaceData, flags: TargetFlags, command: 'msx deploy' | 'msx logs'): KubeTarget {
  const environment = chooseEnvironment(workspace, flags.env, command);
  const spec = workspace.environments[environment];
  const namespace = flags.namespace ?? spec.namespace ?? 'default';
  const problem = dns1123Label(namespace);
  if (problem) throw new UserError(`namespace "${namespace}" ${problem}`, { hint: 'use a name like "shop-staging"' });
  return { environment, spec, namespace, kubeContext: flags.context ?? spec.kubeContext };
}

/** --env, else the one environment whose runtime is kubernetes. */
function chooseEnvironment(workspace: WorkspaceData, name: string | undefined, command: string): string {
  const names = Object.keys(workspace.environments);
  if (name) {
    const { runtime } = requireEnvironment(workspace, name);
    if (runtime !== 'kubernetes') {
      throw new UserError(`environment "${name}" has runtime ${runtime}; ${command} needs runtime: kubernetes`, {
        hint: `set environments.${name}.runtime: kubernetes in msx.yaml, or pass another --env` });
    }
    return name;
  }
  const kube = names.filter((n) => workspace.environments[n].runtime === 'kubernetes');
  if (kube.length === 1) return kube[0];
  if (kube.length === 0) {
    throw new UserError('msx.yaml has no environment with runtime: kubernetes', {
      hint: 'add one, e.g. environments: { staging: { runtime: kubernetes, registry: ghcr.io/me, namespace: shop } }' });
  }
  throw new UserError(`several Kubernetes environments (${kube.join(', ')}): pass --env`, { hint: `${command} --env ${kube[0]}` });
}
