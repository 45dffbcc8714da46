import { serviceLabels } from '../../src/kube/labels.js';
import type { Service } from '../../src/models/workspace.js';
import type { FakeKubeApi } from '../fakes/kube-api-server.js';
import type { SeedLine } from '../fakes/kube-api/pod-logs.js';

export const NAMESPACE = 'shop';

/** The shop workspace's services as msx.yaml declares them (test/deploy/deploy-helpers.ts SHOP_SERVICES). */
export const KINDS: Record<string, Service['kind']> = { orders: 'rest', stock: 'grpc', mailer: 'consumer' };

export interface PodSeed {
  service: string;
  pod: string;
  current?: SeedLine[];
  previous?: SeedLine[];
  /** Another workspace's pod of the same name, or labels msx did not put. */
  workspace?: string;
}

/** A pod labelled as `msx deploy` labels it (src/deploy/manifests/labels.ts), with its container's log. */
export function seedServicePod(fake: FakeKubeApi, seed: PodSeed): void {
  const service = { name: seed.service, kind: KINDS[seed.service] ?? 'rest', context: `c-${seed.service}` } as Service;
  const labels = serviceLabels(seed.workspace ?? 'shop', service);
  fake.seedPod({ namespace: NAMESPACE, name: seed.pod, labels, containers: [seed.service], restarts: seed.previous ? 1 : 0 });
  if (seed.current || seed.previous) fake.podLogs.seed(seed.pod, seed.service, { current: seed.current, previous: seed.previous });
}

/** A kubelet timestamp `ms` after `base`, with nanoseconds as the API gives them. */
export function stampAt(base: number, ms: number, nanos = '123456'): string {
  return new Date(base + ms).toISOString().replace('Z', `${nanos}Z`);
}

/** A generated service's JSON line (src/logs fixtures' pino shape) with its own time. */
export function jsonLine(service: string, time: number, fields: Record<string, unknown>): string {
  return JSON.stringify({ level: 'info', time: new Date(time).toISOString(), service, ...fields });
}
