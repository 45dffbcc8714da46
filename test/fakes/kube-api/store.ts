import { randomUUID } from 'node:crypto';
import { resourceByKind, type ResourceInfo } from './resources.js';

/** A stored object: plain JSON as the API keeps it. */
export type Obj = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }>;
    creationTimestamp?: string;
    managedFields?: Array<{ manager: string; operation: string }>;
  };
  [key: string]: any;
};

/**
 * Objects by resource, namespace and name, with the API's bookkeeping: a uid
 * and creationTimestamp on create, and one cluster-wide resourceVersion
 * counter bumped on every write (never on a write that changes nothing).
 */
export class ObjectStore {
  private readonly objects = new Map<string, Obj>();
  private version = 1000;

  private key(resource: ResourceInfo, namespace: string | undefined, name: string): string {
    return `${resource.name}|${resource.namespaced ? (namespace ?? '') : ''}|${name}`;
  }

  get(resource: ResourceInfo, namespace: string | undefined, name: string): Obj | undefined {
    return this.objects.get(this.key(resource, namespace, name));
  }

  list(resource: ResourceInfo, namespace?: string): Obj[] {
    return [...this.objects.values()].filter((o) => o.kind === resource.kind && (!resource.namespaced || !namespace || o.metadata.namespace === namespace));
  }

  /** Creates or replaces; returns the stored object with a new resourceVersion. */
  put(object: Obj): Obj {
    const resource = resourceByKind(object.kind);
    const previous = this.get(resource, object.metadata.namespace, object.metadata.name);
    const metadata = {
      ...object.metadata,
      uid: previous?.metadata.uid ?? randomUUID(),
      creationTimestamp: previous?.metadata.creationTimestamp ?? new Date().toISOString(),
      resourceVersion: String((this.version += 1)),
    };
    const stored = { ...object, metadata };
    this.objects.set(this.key(resource, metadata.namespace, metadata.name), stored);
    return stored;
  }

  delete(resource: ResourceInfo, namespace: string | undefined, name: string): Obj | undefined {
    const key = this.key(resource, namespace, name);
    const found = this.objects.get(key);
    this.objects.delete(key);
    return found;
  }

  /** Everything whose controller owner is `uid` (what garbage collection follows). */
  ownedBy(uid: string | undefined): Obj[] {
    return [...this.objects.values()].filter((o) => o.metadata.ownerReferences?.some((ref) => ref.uid === uid));
  }
}

/** JSON with sorted keys: the same object always gives the same text. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}
