import { UserError } from '../errors.js';
import type { EnvironmentSpec } from '../models/schema.js';
import { requireEnvironment, type WorkspaceData } from '../models/workspace.js';
import { dns1123Label } from './name-rules.js';

/** Where a deploy goes, resolved from the flags and msx.yaml before anything is rendered. */
export interface DeployPlan extends KubeTarget {
  replicas: number;
  timeoutMs: number;
}

export interface PlanFlags {
  env?: string;
  context?: string;
  namespace?: string;
  timeout: string;
}

export function planDeploy(workspace: WorkspaceData, flags: PlanFlags): DeployPlan {
  const target = kubeTarget(workspace, flags, 'msx deploy');
  return { ...target, replicas: target.spec.replicas ?? 1, timeoutMs: parseDuration(flags.timeout) };
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
export function kubeTarget(workspace: WorkspaceData, flags: Omit<PlanFlags, 'timeout'>, command: 'msx deploy' | 'msx logs'): KubeTarget {
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

/** `90`, `90s`, `5m`, `1h` → milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)(ms|s|m|h)?$/.exec(text.trim());
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match?.[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  const ms = match ? Number(match[1]) * unit : NaN;
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new UserError(`--timeout "${text}" is not a duration`, { hint: 'use seconds or a unit: 90, 90s, 5m, 1h' });
  }
  return ms;
}
