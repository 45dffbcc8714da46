import type { KubeObject } from '../kube/kube-client.js';
import { NAME_LABEL } from '../kube/labels.js';

/** The few fields of a pod `msx logs` reads. */
export interface ContainerStatus {
  restartCount?: number;
  /** Changes with every run of the container (`containerd://…`). */
  containerID?: string;
  state?: { running?: unknown; waiting?: unknown; terminated?: unknown };
}

/** The service a pod belongs to, by the label `msx deploy` puts on it. */
export function serviceOf(pod: KubeObject): string | undefined {
  return pod.metadata?.labels?.[NAME_LABEL];
}

export function podName(pod: KubeObject): string {
  return pod.metadata?.name ?? '';
}

export function containersOf(pod: KubeObject): string[] {
  return ((pod.spec?.containers ?? []) as Array<{ name?: string }>).map((c) => c.name ?? '').filter(Boolean);
}

export function containerStatusOf(pod: KubeObject, container: string): ContainerStatus | undefined {
  return ((pod.status?.containerStatuses ?? []) as Array<ContainerStatus & { name?: string }>).find((s) => s.name === container);
}
