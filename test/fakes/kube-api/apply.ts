import { parse } from 'yaml';
import { nameInvalid } from './http-util.js';
import { qualifiedResource, resourceByKind, type ResourceInfo } from './resources.js';
import { stableJson, type ObjectStore, type Obj } from './store.js';

export interface ApplyRequest {
  resource: ResourceInfo;
  namespace?: string;
  name: string;
  body: string;
  contentType: string;
  fieldManager: string | null;
  force: boolean;
}

export type ApplyOutcome = { code: 200 | 201; object: Obj } | { code: number; reason: string; message: string };

/** The parts of an object an apply sets; metadata bookkeeping and status are the server's. */
const CONTENT_KEYS = ['spec', 'data', 'stringData', 'type'] as const;

/**
 * Server-side apply as the API server answers it, simplified to whole
 * objects: the content type and fieldManager are required, the object must
 * match the URL and the API's name rules, its namespace must exist; a write
 * that changes nothing is not a write (no new resourceVersion); a change to
 * fields another manager last applied is a 409 conflict unless `force`.
 */
export function serverSideApply(store: ObjectStore, request: ApplyRequest): ApplyOutcome {
  if (request.contentType !== 'application/apply-patch+yaml') {
    return { code: 415, reason: 'UnsupportedMediaType', message: `the body of the request was in an unknown format - accepted media types include: application/apply-patch+yaml (got ${request.contentType})` };
  }
  if (!request.fieldManager) return { code: 400, reason: 'BadRequest', message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch' };
  const applied = parse(request.body) as Obj;
  const problem = objectProblem(store, request, applied);
  if (problem) return problem;
  const existing = store.get(request.resource, request.namespace, request.name);
  if (!existing) return { code: 201, object: store.put(fresh(applied, request)) };
  const changed = CONTENT_KEYS.some((key) => stableJson(existing[key]) !== stableJson(applied[key])) || metadataChanged(existing, applied);
  if (!changed) return { code: 200, object: existing };
  const owner = existing.metadata.managedFields?.[0]?.manager;
  if (owner && owner !== request.fieldManager && !request.force) {
    return { code: 409, reason: 'Conflict', message: `Apply failed with 1 conflict: conflict with "${owner}": .spec` };
  }
  return { code: 200, object: store.put(updated(existing, applied, request)) };
}

function objectProblem(store: ObjectStore, request: ApplyRequest, applied: Obj): ApplyOutcome | undefined {
  if (applied?.kind !== request.resource.kind || applied.metadata?.name !== request.name) {
    return { code: 400, reason: 'BadRequest', message: `the name or kind of the object (${applied?.kind}/${applied?.metadata?.name}) does not match the URL` };
  }
  const invalid = nameInvalid(applied.kind, applied.metadata.name);
  if (invalid) return { code: 422, reason: 'Invalid', message: `${applied.kind} "${applied.metadata.name}" is invalid: ${invalid}` };
  if (request.resource.namespaced && !store.get(resourceByKind('Namespace'), undefined, request.namespace ?? '')) {
    return { code: 404, reason: 'NotFound', message: `namespaces "${request.namespace}" not found` };
  }
  return undefined;
}

function metadataChanged(existing: Obj, applied: Obj): boolean {
  return stableJson(existing.metadata.labels ?? {}) !== stableJson(applied.metadata.labels ?? {})
    || stableJson(existing.metadata.annotations ?? {}) !== stableJson(applied.metadata.annotations ?? {});
}

function fresh(applied: Obj, request: ApplyRequest): Obj {
  const metadata = { ...applied.metadata, namespace: request.resource.namespaced ? request.namespace : undefined, generation: 1, managedFields: [{ manager: request.fieldManager!, operation: 'Apply' }] };
  return { ...applied, metadata, ...(applied.kind === 'Deployment' ? { status: {} } : {}) };
}

function updated(existing: Obj, applied: Obj, request: ApplyRequest): Obj {
  const specChanged = stableJson(existing.spec) !== stableJson(applied.spec);
  const metadata = {
    ...existing.metadata,
    labels: applied.metadata.labels,
    annotations: applied.metadata.annotations,
    generation: (existing.metadata.generation ?? 1) + (specChanged ? 1 : 0),
    managedFields: [{ manager: request.fieldManager!, operation: 'Apply' }],
  };
  const next: Obj = { ...existing, metadata };
  for (const key of CONTENT_KEYS) next[key] = applied[key];
  return next;
}

export function forbiddenMessage(verb: string, resource: ResourceInfo, namespace: string | undefined, name?: string, rbacResource = resource.name): string {
  const group = resource.groupVersion.includes('/') ? resource.groupVersion.split('/')[0] : '';
  const what = name ? `${qualifiedResource(resource)} "${name}"` : qualifiedResource(resource);
  const where = namespace ? ` in the namespace "${namespace}"` : ' at the cluster scope';
  return `${what} is forbidden: User "system:serviceaccount:ci:deployer" cannot ${verb} resource "${rbacResource}" in API group "${group}"${where}`;
}
