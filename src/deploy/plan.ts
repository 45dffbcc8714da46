import { UserError } from '../errors.js';
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
  return { ...target, replicas: target.spec.replicas ?? 1, timeoutMs: parseDuration(flags.timeout) };
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
