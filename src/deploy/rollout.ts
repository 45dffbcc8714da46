import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeClient, KubeObject } from '../kube/kube-client.js';
import { KubeForbiddenError } from '../kube/kube-errors.js';
import { currentPods } from './replica-sets.js';
import { progressCounts } from '../output/rollout-counts.js';

export interface RolloutProgress {
  deployment: string;
  replicas: number;
  updated: number;
  available: number;
  /** Pods of earlier ReplicaSets still running (they count in `available` too, as in the API). */
  old: number;
  /** The controller has seen the Deployment's current generation. */
  observed: boolean;
  done: boolean;
}

export interface RolloutOutcome {
  deployment: string;
  ok: boolean;
  /** Why it failed: a pod's state, a deadline, the timeout. */
  reason?: string;
}

export interface RolloutWait {
  timeoutMs: number;
  /** The longest pause between two looks. */
  pollMs: number;
  onProgress: (progress: RolloutProgress) => void;
}

/** Container states that do not get better by waiting: fail now instead of at the timeout. */
const STUCK = new Set(['CrashLoopBackOff', 'ImagePullBackOff', 'CreateContainerConfigError', 'CreateContainerError', 'InvalidImageName', 'RunContainerError']);

/** What kubectl rollout status checks: the controller saw this generation, and every replica is new and available. */
export function rolloutProgress(deployment: KubeObject): RolloutProgress {
  const replicas = deployment.spec?.replicas ?? 1;
  const status = deployment.status ?? {};
  const observed = (status.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 0);
  const updated = status.updatedReplicas ?? 0;
  const available = status.availableReplicas ?? 0;
  const old = Math.max(0, (status.replicas ?? 0) - updated);
  const done = observed && updated === replicas && available === replicas && old === 0;
  return { deployment: deployment.metadata?.name ?? '', replicas, updated, available, old, observed, done };
}

/** Why a pod will not become ready on its own, or undefined. */
export function stuckReason(pod: KubeObject): string | undefined {
  for (const container of pod.status?.containerStatuses ?? []) {
    const reason: string | undefined = container.state?.waiting?.reason;
    if (reason && STUCK.has(reason)) return `a pod is in ${reason}`;
  }
  return undefined;
}

/** Waits for every named Deployment until all are done, one is stuck, or the time is up. */
export async function waitForRollouts(client: KubeClient, namespace: string, names: readonly string[], wait: RolloutWait): Promise<RolloutOutcome[]> {
  const deadline = Date.now() + wait.timeoutMs;
  const outcomes = new Map<string, RolloutOutcome>();
  const last = new Map<string, string>();
  // Quick first looks (a small deploy is often done in a second), then every pollMs.
  let pause = Math.min(250, wait.pollMs);
  while (outcomes.size < names.length) {
    for (const name of names.filter((n) => !outcomes.has(n))) {
      const outcome = await checkOnce(client, namespace, name, (progress) => {
        const key = JSON.stringify(progress);
        if (last.get(name) !== key) wait.onProgress(progress);
        last.set(name, key);
      });
      if (outcome) outcomes.set(name, outcome);
    }
    if (outcomes.size === names.length) break;
    if (Date.now() >= deadline) {
      for (const name of names.filter((n) => !outcomes.has(n))) outcomes.set(name, { deployment: name, ok: false, reason: timeoutReason(wait.timeoutMs, last.get(name)) });
      break;
    }
    await sleep(pause);
    pause = Math.min(pause * 2, wait.pollMs);
  }
  return names.map((name) => outcomes.get(name)!);
}

async function checkOnce(client: KubeClient, namespace: string, name: string, report: (p: RolloutProgress) => void): Promise<RolloutOutcome | undefined> {
  const deployment = await client.read({ apiVersion: 'apps/v1', kind: 'Deployment', name, namespace });
  if (!deployment) return { deployment: name, ok: false, reason: 'the Deployment is gone' };
  const progress = rolloutProgress(deployment);
  // Until the controller has seen this generation, the status and the newest
  // ReplicaSet still describe the previous rollout: judge nothing yet.
  if (!progress.observed) return undefined;
  report(progress);
  if (progress.done) return { deployment: name, ok: true };
  const deadline = (deployment.status?.conditions ?? []).find((c: { reason?: string }) => c.reason === 'ProgressDeadlineExceeded');
  if (deadline) return { deployment: name, ok: false, reason: `progress deadline exceeded: ${deadline.message ?? ''}`.trim() };
  const stuck = (await podsIfAllowed(client, deployment)).map(stuckReason).find(Boolean);
  return stuck ? { deployment: name, ok: false, reason: stuck } : undefined;
}

/** Without RBAC to list pods the rollout is still watched, only stuck pods are not seen before the timeout. */
export async function podsIfAllowed(client: KubeClient, deployment: KubeObject): Promise<KubeObject[]> {
  try {
    return await currentPods(client, deployment);
  } catch (error) {
    if (error instanceof KubeForbiddenError) return [];
    throw error;
  }
}

function timeoutReason(timeoutMs: number, lastProgress: string | undefined): string {
  const p = lastProgress ? (JSON.parse(lastProgress) as RolloutProgress) : undefined;
  const counts = p ? `: ${progressCounts(p)}` : '';
  return `not ready after ${Math.round(timeoutMs / 1000)} s${counts}`;
}
