import { parseDurationFlag } from '../models/time.js';
import type { WorkspaceData } from '../models/workspace.js';
import { kubeTarget, type KubeTarget, type TargetFlags } from '../kube/target.js';

/** Where a deploy goes, resolved from the flags and msx.yaml before anything is rendered. */
export interface DeployPlan extends KubeTarget {
  replicas: number;
  timeoutMs: number;
}

export interface PlanFlags extends TargetFlags {
  timeout: string;
}

export function planDeploy(workspace: WorkspaceData, flags: PlanFlags): DeployPlan {
  const target = kubeTarget(workspace, flags, 'msx deploy');
  return { ...target, replicas: target.spec.replicas ?? 1, timeoutMs: parseDurationFlag(flags.timeout, '--timeout') };
}
