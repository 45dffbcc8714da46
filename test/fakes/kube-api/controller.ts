import { createHash } from 'node:crypto';
import type { FakePodLogs } from './pod-logs.js';
import { resourceByKind } from './resources.js';
import { stableJson, type ObjectStore, type Obj } from './store.js';

/** How the pods of a new ReplicaSet behave: ready, crash-looping, or running but never ready. */
export type RolloutMode = 'ready' | 'crashloop' | 'unready';

const DEPLOYMENTS = resourceByKind('Deployment');
const MODE_ANNOTATION = 'fake.kube-api/rollout-mode';
const REVISION = 'deployment.kubernetes.io/revision';

/**
 * What kube-controller-manager does after a Deployment changes, a moment
 * later (as the real one does): a ReplicaSet per pod template (reused when the
 * template comes back, with a new revision, as after `rollout undo`), pods
 * for it, old pods removed once the new ones are ready, and the status
 * (observedGeneration, updated/ready/available replicas) written back.
 */
export class FakeDeploymentController {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly store: ObjectStore,
    /** Where each pod's log lines go: `previous` is the run before its last restart. */
    private readonly logs: FakePodLogs,
    private readonly modeFor: () => RolloutMode,
    private readonly delayMs = 150,
  ) {}

  reconcileSoon(namespace: string, name: string): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.reconcile(namespace, name);
    }, this.delayMs);
    this.timers.add(timer);
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
  }

  reconcile(namespace: string, name: string): void {
    const deployment = this.store.get(DEPLOYMENTS, namespace, name);
    if (!deployment) return;
    const active = this.activeReplicaSet(deployment);
    // Old pods that serve stay until the new ones are ready (maxUnavailable 0);
    // old pods that never served are scaled away at once, as the real controller does.
    for (const rs of this.replicaSets(deployment)) {
      const keepOld = !isHealthy(active) && isHealthy(rs);
      this.scale(rs, rs === active ? (deployment.spec.replicas ?? 1) : keepOld ? this.pods(rs).length : 0);
    }
    this.writeStatus(deployment, active);
  }

  private replicaSets(deployment: Obj): Obj[] {
    return this.store.ownedBy(deployment.metadata.uid).filter((o) => o.kind === 'ReplicaSet');
  }

  pods(rs: Obj): Obj[] {
    return this.store.ownedBy(rs.metadata.uid).filter((o) => o.kind === 'Pod');
  }

  private activeReplicaSet(deployment: Obj): Obj {
    const template = deployment.spec.template;
    const hash = createHash('sha256').update(stableJson(template)).digest('hex').slice(0, 10);
    const sets = this.replicaSets(deployment);
    const newest = Math.max(0, ...sets.map((rs) => Number(rs.metadata.annotations?.[REVISION] ?? 0)));
    const existing = sets.find((rs) => rs.metadata.labels?.['pod-template-hash'] === hash);
    if (existing) {
      if (Number(existing.metadata.annotations?.[REVISION]) === newest) return existing;
      const annotations = { ...existing.metadata.annotations, [REVISION]: String(newest + 1) };
      return this.store.put({ ...existing, metadata: { ...existing.metadata, annotations } });
    }
    return this.store.put(this.newReplicaSet(deployment, hash, newest + 1));
  }

  private newReplicaSet(deployment: Obj, hash: string, revision: number): Obj {
    const labels = { ...deployment.spec.template.metadata?.labels, 'pod-template-hash': hash };
    const { name, namespace, uid } = deployment.metadata;
    return {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${name}-${hash}`,
        namespace,
        labels,
        annotations: { [REVISION]: String(revision), [MODE_ANNOTATION]: this.modeFor() },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: uid!, controller: true }],
      },
      spec: {
        replicas: deployment.spec.replicas ?? 1,
        selector: { matchLabels: { ...deployment.spec.selector.matchLabels, 'pod-template-hash': hash } },
        template: { ...deployment.spec.template, metadata: { ...deployment.spec.template.metadata, labels } },
      },
    };
  }

  private scale(rs: Obj, wanted: number): void {
    const pods = this.pods(rs);
    for (const pod of pods.slice(wanted)) this.store.delete(resourceByKind('Pod'), pod.metadata.namespace, pod.metadata.name);
    for (let i = pods.length; i < wanted; i += 1) this.startPod(rs);
  }

  private startPod(rs: Obj): void {
    const mode = (rs.metadata.annotations?.[MODE_ANNOTATION] ?? 'ready') as RolloutMode;
    const name = `${rs.metadata.name}-${Math.random().toString(36).slice(2, 7)}`;
    const container = rs.spec.template.spec.containers[0];
    const pod: Obj = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: rs.metadata.namespace,
        labels: rs.spec.template.metadata.labels,
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name, uid: rs.metadata.uid!, controller: true }],
      },
      spec: rs.spec.template.spec,
      status: podStatus(mode, container.name),
    };
    this.store.put(pod);
    this.logs.seed(name, container.name, podLogs(mode, container.name));
    for (const [type, reason, message] of podEvents(mode, name, container)) this.addEvent(pod, type, reason, message);
  }

  private addEvent(pod: Obj, type: string, reason: string, message: string): void {
    const now = new Date().toISOString();
    const involvedObject = { kind: 'Pod', name: pod.metadata.name, namespace: pod.metadata.namespace, apiVersion: 'v1' };
    const name = `${pod.metadata.name}.${Math.random().toString(16).slice(2, 12)}`;
    this.store.put({ apiVersion: 'v1', kind: 'Event', metadata: { name, namespace: pod.metadata.namespace }, involvedObject, type, reason, message, count: 1, firstTimestamp: now, lastTimestamp: now });
  }

  private writeStatus(deployment: Obj, active: Obj): void {
    const pods = this.replicaSets(deployment).flatMap((rs) => this.pods(rs));
    const ready = pods.filter((p) => p.status.conditions.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True')).length;
    const status = {
      observedGeneration: deployment.metadata.generation,
      replicas: pods.length,
      updatedReplicas: this.pods(active).length,
      readyReplicas: ready,
      availableReplicas: ready,
      unavailableReplicas: pods.length - ready,
      conditions: [{ type: 'Available', status: ready >= (deployment.spec.replicas ?? 1) ? 'True' : 'False', reason: 'MinimumReplicasAvailable' }],
    };
    if (stableJson(status) !== stableJson(deployment.status)) this.store.put({ ...deployment, status });
  }
}

function isHealthy(rs: Obj): boolean {
  return rs.metadata.annotations?.[MODE_ANNOTATION] === 'ready';
}

function podStatus(mode: RolloutMode, container: string): object {
  const ready = mode === 'ready';
  const state = mode === 'crashloop'
    ? { waiting: { reason: 'CrashLoopBackOff', message: `back-off 40s restarting failed container=${container}` } }
    : { running: { startedAt: new Date().toISOString() } };
  return {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    containerStatuses: [{ name: container, ready, restartCount: mode === 'crashloop' ? 4 : 0, state }],
  };
}

function podEvents(mode: RolloutMode, pod: string, container: { name: string; image: string }): Array<[string, string, string]> {
  const started: Array<[string, string, string]> = [
    ['Normal', 'Scheduled', `Successfully assigned ${pod} to fake-node`],
    ['Normal', 'Pulled', `Container image "${container.image}" already present on machine`],
    ['Normal', 'Started', `Started container ${container.name}`],
  ];
  if (mode === 'crashloop') return [...started, ['Warning', 'BackOff', `Back-off restarting failed container ${container.name} in pod ${pod}`]];
  if (mode === 'unready') return [...started, ['Warning', 'Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503']];
  return started;
}

function podLogs(mode: RolloutMode, container: string): { current: string[]; previous: string[] } {
  if (mode === 'crashloop') {
    const crash = [`{"level":"info","msg":"${container} starting"}`, '{"level":"fatal","msg":"config: PAYMENT_TIMEOUT_MS must be a number"}'];
    return { current: [], previous: crash };
  }
  if (mode === 'unready') return { current: [`{"level":"info","msg":"${container} listening"}`, '{"level":"warn","msg":"not ready: stock unreachable"}'], previous: [] };
  return { current: [`{"level":"info","msg":"${container} listening"}`], previous: [] };
}
