import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/kube/kube-client.js';
import { rolloutProgress, stuckReason, waitForRollouts, type RolloutProgress } from '../../src/deploy/rollout.js';
import { progressCounts } from '../../src/output/rollout-counts.js';
import { FixtureKubeClient } from '../fakes/fixture-kube-client.js';
import { CONTAINER, deployment, pod, replicaSet, STATUS } from './fixtures/kube-objects.js';

// When a rollout is done, failed or still going, judged as `kubectl rollout
// status` judges it (kubectl/pkg/polymorphichelpers/rollout_status.go: the
// generation observed; ProgressDeadlineExceeded fails; updated < replicas,
// old replicas pending termination, or available < updated keep waiting),
// from Deployment objects built after
// https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#deployment-status

const NEW_RS = 'orders-7d9f8c6b5';

/** A Deployment at revision 2 rolling out: its old (revision 1) and new (revision 2) ReplicaSets and their pods. */
function rollingOut(status: Record<string, unknown>, newPod: Record<string, unknown>, oldPod: Record<string, unknown> = CONTAINER.ready('orders')): KubeObject[] {
  const orders = deployment('orders', { generation: 2, status });
  const old = replicaSet(orders, { hash: '5c4b3a291', revision: 1, image: 'registry.local/orders:old', replicas: 2 });
  const current = replicaSet(orders, { hash: '7d9f8c6b5', revision: 2, image: 'registry.local/orders:new', replicas: 1 });
  return [orders, old, current, pod(old, 'aaaaa', oldPod), pod(old, 'bbbbb', CONTAINER.ready('orders')), pod(current, 'ccccc', newPod)];
}

const wait = (progress: RolloutProgress[] = [], timeoutMs = 5_000) => ({ timeoutMs, pollMs: 1, onProgress: (p: RolloutProgress) => progress.push(p) });

describe('rolloutProgress', () => {
  it('is done when this generation is observed and every replica is updated and available', () => {
    const progress = rolloutProgress(deployment('orders', { generation: 2, status: STATUS.complete(2, NEW_RS) }));
    expect(progress).toEqual({ deployment: 'orders', replicas: 2, updated: 2, available: 2, old: 0, observed: true, done: true });
  });

  it('is not done while the new pod is not available: the old pods are the available ones (maxUnavailable 0)', () => {
    const progress = rolloutProgress(deployment('orders', { generation: 2, status: STATUS.rolling(2, NEW_RS) }));
    expect(progress).toMatchObject({ updated: 1, available: 2, old: 2, done: false });
    expect(progressCounts(progress)).toBe('1/2 updated, 2/2 available, 2 old still running');
  });

  it('is not done while an old replica is still terminating', () => {
    const progress = rolloutProgress(deployment('orders', { generation: 2, status: STATUS.oldTerminating(2, NEW_RS) }));
    expect(progress).toMatchObject({ updated: 2, available: 2, old: 1, done: false });
  });

  it('judges nothing before the controller has observed the new generation, though the old status looks complete', () => {
    // Given generation 3 was just applied; the status still describes generation 2's finished rollout
    const progress = rolloutProgress(deployment('orders', { generation: 3, status: STATUS.complete(2, NEW_RS) }));
    expect(progress).toMatchObject({ observed: false, done: false });
  });
});

describe('stuckReason', () => {
  it.each([
    ['CrashLoopBackOff', CONTAINER.crashLoop('orders', 'orders-x', 4)],
    ['ImagePullBackOff', CONTAINER.imagePullBackOff('orders', 'registry.local/orders:nope')],
  ])('a container waiting in %s will not get better by waiting', (reason, container) => {
    const [, , current] = rollingOut(STATUS.rolling(2, NEW_RS), container);
    expect(stuckReason(pod(current, 'zzzzz', container))).toBe(`a pod is in ${reason}`);
  });

  it.each([
    ['running, not ready yet', CONTAINER.runningNotReady('orders')],
    ['being created', CONTAINER.creating('orders')],
    ['just exited, before the back-off', CONTAINER.justExited('orders', 1)],
  ])('a container %s may still get ready', (_what, container) => {
    const [, , current] = rollingOut(STATUS.rolling(2, NEW_RS), container);
    expect(stuckReason(pod(current, 'zzzzz', container))).toBeUndefined();
  });
});

describe('waitForRollouts against fixture objects', () => {
  it('is ok for a complete rollout, and reports its progress once', async () => {
    const client = new FixtureKubeClient([deployment('orders', { generation: 2, status: STATUS.complete(2, NEW_RS) })]);
    const progress: RolloutProgress[] = [];
    expect(await waitForRollouts(client, 'shop', ['orders'], wait(progress))).toEqual([{ deployment: 'orders', ok: true }]);
    expect(progress).toHaveLength(1);
  });

  it('fails at once on ProgressDeadlineExceeded, with the condition\'s message', async () => {
    const client = new FixtureKubeClient(rollingOut(STATUS.deadlineExceeded(2, NEW_RS), CONTAINER.runningNotReady('orders')));
    const [outcome] = await waitForRollouts(client, 'shop', ['orders'], wait());
    expect(outcome).toEqual({ deployment: 'orders', ok: false, reason: `progress deadline exceeded: ReplicaSet "${NEW_RS}" has timed out progressing.` });
  });

  it('fails at once when a pod of the new ReplicaSet is in CrashLoopBackOff', async () => {
    const client = new FixtureKubeClient(rollingOut(STATUS.rolling(2, NEW_RS), CONTAINER.crashLoop('orders', `${NEW_RS}-ccccc`, 3)));
    const [outcome] = await waitForRollouts(client, 'shop', ['orders'], wait());
    expect(outcome).toEqual({ deployment: 'orders', ok: false, reason: 'a pod is in CrashLoopBackOff' });
  });

  it('does not blame the rollout for an old ReplicaSet\'s pod: it waits, and times out', async () => {
    // Given the new pod is only not ready yet, and an old pod crash-loops
    const objects = rollingOut(STATUS.rolling(2, NEW_RS), CONTAINER.runningNotReady('orders'), CONTAINER.crashLoop('orders', 'orders-5c4b3a291-aaaaa', 9));
    const [outcome] = await waitForRollouts(new FixtureKubeClient(objects), 'shop', ['orders'], wait([], 0));
    expect(outcome).toEqual({ deployment: 'orders', ok: false, reason: 'not ready after 0 s: 1/2 updated, 2/2 available, 2 old still running' });
  });

  it('waits for the controller to observe the generation, then judges the new status', async () => {
    // Given the first look still sees generation 1's status; the controller catches up before the second
    const stale = deployment('orders', { generation: 2, status: STATUS.complete(1, 'orders-5c4b3a291') });
    const client = new FixtureKubeClient([stale]);
    client.onRead = (_ref, count) => {
      if (count === 1) client.objects = [deployment('orders', { generation: 2, status: STATUS.complete(2, NEW_RS) })];
    };
    const progress: RolloutProgress[] = [];
    expect(await waitForRollouts(client, 'shop', ['orders'], wait(progress))).toEqual([{ deployment: 'orders', ok: true }]);
    // The stale status was never reported as progress.
    expect(progress).toEqual([expect.objectContaining({ observed: true, done: true })]);
  });

  it('without RBAC to list ReplicaSets it still waits, and fails at the timeout', async () => {
    const objects = rollingOut(STATUS.rolling(2, NEW_RS), CONTAINER.crashLoop('orders', `${NEW_RS}-ccccc`, 3));
    const client = new FixtureKubeClient(objects).forbidList('ReplicaSet');
    const [outcome] = await waitForRollouts(client, 'shop', ['orders'], wait([], 0));
    expect(outcome.ok).toBe(false);
    expect(outcome.reason).toMatch(/^not ready after 0 s: 1\/2 updated/);
  });

  it('fails when the Deployment is gone', async () => {
    const [outcome] = await waitForRollouts(new FixtureKubeClient([]), 'shop', ['orders'], wait());
    expect(outcome).toEqual({ deployment: 'orders', ok: false, reason: 'the Deployment is gone' });
  });

  it('gives one outcome per Deployment, in the order named', async () => {
    const client = new FixtureKubeClient([
      deployment('stock', { generation: 1, status: STATUS.complete(1, 'stock-1') }),
      ...rollingOut(STATUS.deadlineExceeded(2, NEW_RS), CONTAINER.runningNotReady('orders')),
    ]);
    const outcomes = await waitForRollouts(client, 'shop', ['orders', 'stock'], wait());
    expect(outcomes.map((o) => [o.deployment, o.ok])).toEqual([['orders', false], ['stock', true]]);
  });
});
