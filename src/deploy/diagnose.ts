import type { KubeClient, KubeObject } from '../kube/kube-client.js';
import { podsIfAllowed } from './rollout.js';

/** What a user needs to see about a pod that kept a rollout from finishing. */
export interface PodDiagnosis {
  pod: string;
  /** `CrashLoopBackOff (restarted 4 times)`, `Running, not ready`. */
  state: string;
  /** The pod's events, oldest first: `Warning BackOff: Back-off restarting failed container`. */
  events: string[];
  /** The probe that fails, with what the kubelet said: `readiness GET /health/ready on port http: ...`. */
  failingProbe?: string;
  logs: string[];
}

const LOG_LINES = 20;
const EVENT_LINES = 10;

/** The first pod of the Deployment's newest ReplicaSet that is not ready, diagnosed; undefined when there is none. */
export async function diagnoseDeployment(client: KubeClient, deployment: KubeObject): Promise<PodDiagnosis | undefined> {
  const pods = await podsIfAllowed(client, deployment);
  const pod = pods.find((p) => !isReady(p)) ?? pods[0];
  if (!pod) return undefined;
  const namespace = pod.metadata?.namespace ?? deployment.metadata?.namespace ?? 'default';
  const name = pod.metadata?.name ?? '';
  // Events help but are not needed (RBAC may hide them): the state and logs still tell a lot.
  const events = await client.list('v1', 'Event', namespace, { fields: `involvedObject.kind=Pod,involvedObject.name=${name}` }).catch(() => []);
  const sorted = events.sort((a, b) => eventTime(a) - eventTime(b));
  return {
    pod: name,
    state: podState(pod),
    events: sorted.slice(-EVENT_LINES).map((e) => `${e.type ?? ''} ${e.reason ?? ''}: ${String(e.message ?? '').trim()}`.trim()),
    failingProbe: failingProbe(pod, sorted),
    logs: await lastLogLines(client, namespace, pod),
  };
}

function isReady(pod: KubeObject): boolean {
  return (pod.status?.conditions ?? []).some((c: { type?: string; status?: string }) => c.type === 'Ready' && c.status === 'True');
}

function eventTime(event: KubeObject): number {
  const time = event.lastTimestamp ?? event.eventTime ?? event.metadata?.creationTimestamp;
  return time ? new Date(time as string).getTime() : 0;
}

function podState(pod: KubeObject): string {
  const container = pod.status?.containerStatuses?.[0];
  const waiting = container?.state?.waiting?.reason;
  const restarts = container?.restartCount ?? 0;
  if (waiting) return `${waiting} (restarted ${restarts} times)`;
  return `${pod.status?.phase ?? 'Unknown'}, not ready${restarts > 0 ? ` (restarted ${restarts} times)` : ''}`;
}

/** The kubelet reports failing probes as `Unhealthy` events; the pod spec says which probe that is. */
function failingProbe(pod: KubeObject, events: KubeObject[]): string | undefined {
  const unhealthy = events.filter((e) => e.reason === 'Unhealthy').at(-1);
  if (!unhealthy) return undefined;
  const message = String(unhealthy.message ?? '');
  const kind = (['Startup', 'Liveness', 'Readiness'] as const).find((k) => message.startsWith(k));
  const probe = kind ? pod.spec?.containers?.[0]?.[`${kind.toLowerCase()}Probe`] : undefined;
  return probe ? `${kind!.toLowerCase()} ${describeProbe(probe)}: ${message}` : message;
}

function describeProbe(probe: { httpGet?: { path?: string; port?: unknown }; grpc?: { port?: number; service?: string } }): string {
  if (probe.httpGet) return `GET ${probe.httpGet.path ?? '/'} on port ${String(probe.httpGet.port)}`;
  // Liveness and readiness ask for different health service names (manifests/probes.ts): say which failed.
  if (probe.grpc) return `gRPC health check of "${probe.grpc.service ?? ''}" on port ${probe.grpc.port}`;
  return 'probe';
}

/** The previous run's lines when the container restarted (the current one may not have logged yet). */
async function lastLogLines(client: KubeClient, namespace: string, pod: KubeObject): Promise<string[]> {
  const container = pod.spec?.containers?.[0]?.name ?? '';
  const restarted = (pod.status?.containerStatuses?.[0]?.restartCount ?? 0) > 0;
  for (const previous of restarted ? [true, false] : [false]) {
    try {
      const text = await client.podLog(namespace, pod.metadata?.name ?? '', container, { tailLines: LOG_LINES, previous });
      if (text.trim()) return text.trimEnd().split('\n').slice(-LOG_LINES);
    } catch {
      // No logs yet (container not started) or not allowed: the events still tell the story.
    }
  }
  return [];
}
