/** The API resources the fake serves, as discovery (/api/v1, /apis/apps/v1) lists them. */
export interface ResourceInfo {
  groupVersion: 'v1' | 'apps/v1' | 'networking.k8s.io/v1';
  /** Plural, lower case: the URL segment. */
  name: string;
  kind: string;
  namespaced: boolean;
}

export const RESOURCES: ResourceInfo[] = [
  { groupVersion: 'v1', name: 'namespaces', kind: 'Namespace', namespaced: false },
  { groupVersion: 'v1', name: 'configmaps', kind: 'ConfigMap', namespaced: true },
  { groupVersion: 'v1', name: 'services', kind: 'Service', namespaced: true },
  { groupVersion: 'v1', name: 'secrets', kind: 'Secret', namespaced: true },
  { groupVersion: 'v1', name: 'pods', kind: 'Pod', namespaced: true },
  { groupVersion: 'v1', name: 'events', kind: 'Event', namespaced: true },
  { groupVersion: 'apps/v1', name: 'deployments', kind: 'Deployment', namespaced: true },
  { groupVersion: 'apps/v1', name: 'replicasets', kind: 'ReplicaSet', namespaced: true },
  { groupVersion: 'networking.k8s.io/v1', name: 'ingresses', kind: 'Ingress', namespaced: true },
];

export function discovery(groupVersion: string): object {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: RESOURCES.filter((r) => r.groupVersion === groupVersion).map((r) => ({
      name: r.name,
      singularName: r.kind.toLowerCase(),
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    })),
  };
}

export function resourceByName(groupVersion: string, name: string): ResourceInfo | undefined {
  return RESOURCES.find((r) => r.groupVersion === groupVersion && r.name === name);
}

export function resourceByKind(kind: string): ResourceInfo {
  const found = RESOURCES.find((r) => r.kind === kind);
  if (!found) throw new Error(`fake kube API: no resource for kind ${kind}`);
  return found;
}

/** `deployments.apps`, `configmaps`: how the API names a resource in its messages. */
export function qualifiedResource(resource: ResourceInfo): string {
  return resource.groupVersion.includes('/') ? `${resource.name}.${resource.groupVersion.split('/')[0]}` : resource.name;
}
