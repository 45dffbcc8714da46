import type { Service } from '../models/workspace.js';

export const NAME_LABEL = 'app.kubernetes.io/name';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const WORKSPACE_LABEL = 'dev.msx/workspace';
export const CONTEXT_LABEL = 'dev.msx/context';
/** On the pod template: a change of the service's ConfigMap data changes it, so the pods roll. */
export const CONFIG_HASH_ANNOTATION = 'dev.msx/config-hash';

/** Labels on every object msx deploys for a workspace: prune finds its own objects by them. */
export function workspaceLabels(workspace: string): Record<string, string> {
  return {
    'app.kubernetes.io/part-of': workspace,
    [MANAGED_BY_LABEL]: 'msx',
    [WORKSPACE_LABEL]: workspace,
  };
}

export function serviceLabels(workspace: string, service: Service): Record<string, string> {
  return {
    [NAME_LABEL]: service.name,
    'app.kubernetes.io/component': service.kind,
    ...workspaceLabels(workspace),
    [CONTEXT_LABEL]: service.context,
  };
}

/**
 * A Deployment's selector is immutable once created, so it holds only what
 * never changes for a service: its name and its workspace.
 */
export function selectorLabels(workspace: string, service: Pick<Service, 'name'>): Record<string, string> {
  return { [NAME_LABEL]: service.name, [WORKSPACE_LABEL]: workspace };
}

/** The label selector matching everything msx deployed for this workspace. */
export function managedSelector(workspace: string): string {
  return `${MANAGED_BY_LABEL}=msx,${WORKSPACE_LABEL}=${workspace}`;
}

export function toSelector(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}
