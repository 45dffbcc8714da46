import { UserError } from '../errors.js';
import { parseDurationFlag } from '../models/time.js';
import type { WorkspaceData } from '../models/workspace.js';
import { kubeTarget, type KubeTarget, type TargetFlags } from '../kube/target.js';

/** Where a deploy goes, resolved from the flags and msx.yaml before anything is rendered. */
export interface DeployPlan extends KubeTarget {
  /** Where images are pushed and pulled from: `<registry>/<service>:<tag>`. */
  registry: string;
  replicas: number;
  timeoutMs: number;
}

export interface PlanFlags extends TargetFlags {
  timeout: string;
}

export function planDeploy(workspace: WorkspaceData, flags: PlanFlags): DeployPlan {
  const target = kubeTarget(workspace, flags, 'msx deploy');
  const registry = requireRegistry(workspace, target);
  return { ...target, registry, replicas: target.spec.replicas ?? 1, timeoutMs: parseDurationFlag(flags.timeout, '--timeout') };
}

/**
 * An image name without a registry is a Docker Hub name to every kubelet
 * (`shop/orders:tag` is `docker.io/shop/orders:tag`), so a missing registry is
 * refused in every mode: --dry-run previews what deploy would apply, and the
 * files --out writes are applied as they are by GitOps; neither may name
 * Docker Hub where the user named nothing. A local cluster gets a local
 * registry (k3d and kind both document one), named like any other.
 */
function requireRegistry(workspace: WorkspaceData, target: KubeTarget): string {
  const registry = target.spec.registry?.trim().replace(/\/+$/, '');
  if (registry) return registry;
  throw new UserError(
    `environment "${target.environment}" has no registry: its images would be pulled from Docker Hub (docker.io/${workspace.name}/<service>)`,
    { hint: `set environments.${target.environment}.registry in msx.yaml, e.g. ghcr.io/me/${workspace.name}, or localhost:5000/${workspace.name} for a local registry` },
  );
}
