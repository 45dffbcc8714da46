import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/kube/kube-client.js';
import type { IConfigMap, IDeployment } from '../../src/deploy/manifests/types.js';
import { currentPods, replicaSetsOf } from '../../src/deploy/replica-sets.js';
import { rollbackDeployment } from '../../src/deploy/rollback.js';
import { FixtureKubeClient } from '../fakes/fixture-kube-client.js';
import { CONTAINER, deployment, pod, podTemplate, replicaSet, STATUS } from './fixtures/kube-objects.js';

// `kubectl rollout undo` puts the pod template of the previous revision back
// into the Deployment; revisions are the ReplicaSets' deployment.kubernetes.io/revision
// annotations, and a ReplicaSet belongs to the Deployment whose uid owns it:
// https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#rolling-back-a-deployment
// https://kubernetes.io/docs/concepts/overview/working-with-objects/owners-dependents/

const live = deployment('orders', { generation: 10, status: STATUS.deadlineExceeded(10, 'orders-rev10') });
const rs = (hash: string, revision: number, extra: { ownerUid?: string } = {}) =>
  replicaSet(live, { hash, revision, image: `registry.local/orders:r${revision}`, replicas: revision === 10 ? 1 : 0, ...extra });

/** What msx applies: the Deployment rendered for the failed deploy, and its ConfigMap. */
const desired = { ...deployment('orders', { generation: 10, status: {} }), status: undefined } as unknown as IDeployment;
const desiredConfig = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'orders-config', namespace: 'shop' }, data: { PAYMENT_TIMEOUT_MS: 'broken' } } as IConfigMap;

describe('replicaSetsOf and currentPods', () => {
  it('lists only the Deployment\'s own ReplicaSets, newest revision first (by number: 10 after 9)', async () => {
    const stranger = rs('0000000aa', 11, { ownerUid: 'uid-of-an-earlier-orders' });
    const client = new FixtureKubeClient([live, rs('1111111aa', 1), rs('9999999aa', 9), rs('aaaaaaa10', 10), stranger]);
    const revisions = (await replicaSetsOf(client, live)).map((set) => set.metadata?.annotations?.['deployment.kubernetes.io/revision']);
    expect(revisions).toEqual(['10', '9', '1']);
  });

  it('currentPods are the pods carrying the newest ReplicaSet\'s pod-template-hash', async () => {
    const newest = rs('aaaaaaa10', 10);
    const older = rs('9999999aa', 9);
    const client = new FixtureKubeClient([live, older, newest, pod(older, 'old01', CONTAINER.ready('orders')), pod(newest, 'new01', CONTAINER.runningNotReady('orders'))]);
    expect((await currentPods(client, live)).map((p) => p.metadata?.name)).toEqual(['orders-aaaaaaa10-new01']);
  });

  it('currentPods is empty before the controller made a ReplicaSet', async () => {
    expect(await currentPods(new FixtureKubeClient([live]), live)).toEqual([]);
  });
});

describe('rollbackDeployment', () => {
  it('applies the previous revision\'s pod template, without the pod-template-hash label the controller added', async () => {
    const client = new FixtureKubeClient([live, rs('1111111aa', 1), rs('9999999aa', 9), rs('aaaaaaa10', 10)]);
    const result = await rollbackDeployment(client, { desired, force: false });
    expect(result).toEqual({ deployment: 'orders', restored: true, revision: 9 });
    expect(client.applied).toHaveLength(1);
    const [applied] = client.applied;
    expect(applied.spec.template).toEqual(podTemplate('orders', 'registry.local/orders:r9'));
    expect(applied.spec.template.metadata.labels).not.toHaveProperty('pod-template-hash');
    // Everything else is what msx renders, so msx's field manager keeps owning it.
    expect({ ...applied.spec, template: undefined }).toEqual({ ...desired.spec, template: undefined });
  });

  it('puts the ConfigMap\'s previous data back first, with the old pods', async () => {
    const client = new FixtureKubeClient([live, rs('9999999aa', 9), rs('aaaaaaa10', 10)]);
    const previous: KubeObject = { ...desiredConfig, data: { PAYMENT_TIMEOUT_MS: '7000' } } as KubeObject;
    await rollbackDeployment(client, { desired, configMap: { desired: desiredConfig, previous }, force: true });
    expect(client.applied.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual(['ConfigMap/orders-config', 'Deployment/orders']);
    expect(client.forced).toEqual([true, true]);
    expect(client.applied[0].data).toEqual({ PAYMENT_TIMEOUT_MS: '7000' });
  });

  it('leaves a ConfigMap that did not exist before as it is', async () => {
    const client = new FixtureKubeClient([live, rs('9999999aa', 9), rs('aaaaaaa10', 10)]);
    await rollbackDeployment(client, { desired, configMap: { desired: desiredConfig }, force: false });
    expect(client.applied.map((o) => o.kind)).toEqual(['Deployment']);
  });

  it('restores nothing on a first deploy (one revision only)', async () => {
    const client = new FixtureKubeClient([live, rs('aaaaaaa10', 10), rs('0000000aa', 3, { ownerUid: 'uid-of-an-earlier-orders' })]);
    const result = await rollbackDeployment(client, { desired, force: false });
    expect(result).toEqual({ deployment: 'orders', restored: false, reason: 'no previous revision (this was its first deploy)' });
    expect(client.applied).toEqual([]);
  });

  it('restores nothing when the Deployment is gone', async () => {
    const client = new FixtureKubeClient([rs('9999999aa', 9)]);
    expect(await rollbackDeployment(client, { desired, force: false })).toEqual({ deployment: 'orders', restored: false, reason: 'the Deployment is gone' });
    expect(client.applied).toEqual([]);
  });
});
