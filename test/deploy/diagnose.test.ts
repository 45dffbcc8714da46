import { describe, expect, it } from 'vitest';
import { diagnoseDeployment } from '../../src/deploy/diagnose.js';
import type { KubeObject } from '../../src/kube/kube-client.js';
import { FixtureKubeClient, type FixtureLog } from '../fakes/fixture-kube-client.js';
import { CONTAINER, deployment, event, pod, replicaSet, STATUS } from './fixtures/kube-objects.js';

// What `msx deploy` shows about the pod that kept a rollout from finishing:
// its state, its events, the failing probe and its last log lines, all read
// from fixture objects (test/deploy/fixtures/kube-objects.ts names the pages
// of the Kubernetes reference they follow) and logs the test writes itself.
// The previous run's log is the one before the last restart:
// https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/ ("read log of the specified Pod", ?previous)

const orders = deployment('orders', { generation: 2, status: STATUS.rolling(2, 'orders-7d9f8c6b5') });
const old = replicaSet(orders, { hash: '5c4b3a291', revision: 1, image: 'registry.local/orders:old', replicas: 2 });
const current = replicaSet(orders, { hash: '7d9f8c6b5', revision: 2, image: 'registry.local/orders:new', replicas: 1 });
const oldPod = pod(old, 'aaaaa', CONTAINER.runningNotReady('orders'));
const readyPod = pod(current, 'bbbbb', CONTAINER.ready('orders'));
const at = (second: number) => `2026-12-01T08:0${Math.floor(second / 60)}:${String(second % 60).padStart(2, '0')}Z`;

function diagnose(pods: KubeObject[], events: KubeObject[], logs: Record<string, FixtureLog> = {}) {
  const client = new FixtureKubeClient([orders, old, current, oldPod, ...pods, ...events], logs);
  return { client, diagnosis: diagnoseDeployment(client, orders) };
}

describe('diagnoseDeployment', () => {
  it('a crash-looping pod: its state with the restart count, its events oldest first, and the previous run\'s last lines', async () => {
    // Given a ready new pod and a crash-looping one, with events out of order and another pod's event
    const crashing = pod(current, 'ccccc', CONTAINER.crashLoop('orders', 'orders-7d9f8c6b5-ccccc', 4));
    const name = crashing.metadata!.name!;
    const events = [
      event(crashing, at(70), 'Warning', 'BackOff', `Back-off restarting failed container orders in pod ${name}_shop(uid-${name})`),
      event(crashing, at(1), 'Normal', 'Scheduled', `Successfully assigned shop/${name} to node-1`),
      event(crashing, at(5), 'Normal', 'Started', 'Started container orders'),
      event(readyPod, at(2), 'Normal', 'Started', 'Started container orders'),
    ];
    const previous = ['{"level":"info","msg":"starting"}', '{"level":"fatal","msg":"cannot connect to the broker"}'];
    const { client, diagnosis } = diagnose([readyPod, crashing], events, { [`${name}/orders`]: { current: [], previous } });
    // Then
    expect(await diagnosis).toEqual({
      pod: name,
      state: 'CrashLoopBackOff (restarted 4 times)',
      events: [
        `Normal Scheduled: Successfully assigned shop/${name} to node-1`,
        'Normal Started: Started container orders',
        `Warning BackOff: Back-off restarting failed container orders in pod ${name}_shop(uid-${name})`,
      ],
      failingProbe: undefined,
      logs: previous,
    });
    expect(client.logRequests[0]).toMatchObject({ pod: name, container: 'orders', previous: true });
  });

  it('a pod that runs but is not ready: the readiness probe from the pod spec, with the kubelet\'s message', async () => {
    const unready = pod(current, 'ddddd', CONTAINER.runningNotReady('orders'));
    const name = unready.metadata!.name!;
    const events = [event(unready, at(30), 'Warning', 'Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503')];
    const current_ = ['{"level":"info","msg":"listening"}', '{"level":"warn","msg":"dependency down"}'];
    const { client, diagnosis } = diagnose([unready], events, { [`${name}/orders`]: { current: current_ } });
    const result = await diagnosis;
    expect(result).toMatchObject({ pod: name, state: 'Running, not ready', logs: current_ });
    expect(result?.failingProbe).toBe('readiness GET /health/ready on port http: Readiness probe failed: HTTP probe failed with statuscode: 503');
    // Not restarted: only the current run is asked for.
    expect(client.logRequests.map((r) => r.previous)).toEqual([false]);
  });

  it('a liveness failure names the liveness probe', async () => {
    const unready = pod(current, 'eeeee', CONTAINER.runningNotReady('orders'));
    const events = [event(unready, at(30), 'Warning', 'Unhealthy', 'Liveness probe failed: HTTP probe failed with statuscode: 500')];
    const { diagnosis } = diagnose([unready], events);
    expect((await diagnosis)?.failingProbe).toBe('liveness GET /health/live on port http: Liveness probe failed: HTTP probe failed with statuscode: 500');
  });

  it('a gRPC probe failure names the health service it asked for (liveness is not readiness)', async () => {
    const unready = pod(current, 'ggggg', CONTAINER.runningNotReady('orders'));
    unready.spec = structuredClone(unready.spec); // the ReplicaSet's template is shared with the other cases
    const container = (unready.spec as { containers: Array<Record<string, unknown>> }).containers[0];
    container.livenessProbe = { grpc: { port: 3001, service: 'liveness' } };
    container.readinessProbe = { grpc: { port: 3001, service: '' } };
    // The kubelet's gRPC prober message for a non-SERVING answer (pkg/probe/grpc).
    const events = [event(unready, at(30), 'Warning', 'Unhealthy', 'Readiness probe failed: service unhealthy (responded with "NOT_SERVING")')];
    const { diagnosis } = diagnose([unready], events);
    expect((await diagnosis)?.failingProbe).toBe('readiness gRPC health check of "" on port 3001: Readiness probe failed: service unhealthy (responded with "NOT_SERVING")');
  });

  it('an image that cannot be pulled: the state, and no log lines (the container never started)', async () => {
    const pulling = pod(current, 'fffff', CONTAINER.imagePullBackOff('orders', 'registry.local/orders:new'), 'Pending');
    const events = [event(pulling, at(3), 'Warning', 'Failed', 'Failed to pull image "registry.local/orders:new": not found')];
    const result = await diagnose([pulling], events).diagnosis;
    expect(result).toMatchObject({ state: 'ImagePullBackOff (restarted 0 times)', logs: [], events: ['Warning Failed: Failed to pull image "registry.local/orders:new": not found'] });
  });

  it('keeps the last 10 events and the last 20 log lines', async () => {
    const unready = pod(current, 'ggggg', CONTAINER.runningNotReady('orders'));
    const events = Array.from({ length: 12 }, (_, i) => event(unready, at(i), 'Normal', 'Pulled', `event ${i}`));
    const lines = Array.from({ length: 25 }, (_, i) => `line ${i}`);
    const result = await diagnose([unready], events, { [`${unready.metadata!.name}/orders`]: { current: lines } }).diagnosis;
    expect(result?.events).toEqual(Array.from({ length: 10 }, (_, i) => `Normal Pulled: event ${i + 2}`));
    expect(result?.logs).toEqual(lines.slice(5));
  });

  it('still shows the state and logs when RBAC hides the events', async () => {
    const crashing = pod(current, 'hhhhh', CONTAINER.crashLoop('orders', 'orders-7d9f8c6b5-hhhhh', 2));
    const client = new FixtureKubeClient([orders, old, current, crashing], { [`${crashing.metadata!.name}/orders`]: { current: [], previous: ['boom'] } }).forbidList('Event');
    expect(await diagnoseDeployment(client, orders)).toMatchObject({ state: 'CrashLoopBackOff (restarted 2 times)', events: [], logs: ['boom'] });
  });

  it('looks only at the new ReplicaSet\'s pods; none yet is no diagnosis', async () => {
    // The old pod is not ready either, but it is not what the rollout waits for.
    expect(await diagnose([], []).diagnosis).toBeUndefined();
  });
});
