import type { Readable } from 'node:stream';

/**
 * The narrow view of the Kubernetes API that deploy and `msx logs` need. The real one
 * (client-node-kube.ts) loads @kubernetes/client-node only when a deploy
 * talks to a cluster, so --dry-run, --out and every other command never pay
 * for its import.
 */
export interface KubeClient {
  /** The kube context in use and its API server: named in every error. */
  readonly context: string;
  readonly server: string;
  /** Server-side apply with field manager `msx`; `force` takes over fields other managers own. */
  apply(object: KubeObject, options: { force: boolean }): Promise<KubeObject>;
  /** Undefined when the object does not exist. */
  read(ref: ObjectRef): Promise<KubeObject | undefined>;
  list(apiVersion: string, kind: string, namespace: string, selector: { labels?: string; fields?: string }): Promise<KubeObject[]>;
  remove(ref: ObjectRef): Promise<void>;
  /** The last lines a container wrote; `previous` for the run before its last restart. */
  podLog(namespace: string, pod: string, container: string, options: { tailLines: number; previous: boolean }): Promise<string>;
  /**
   * A container's whole log, each line prefixed with the API's RFC3339Nano
   * timestamp and a space; `previous` for the run before its last restart.
   * Undefined when there is none to read (not started yet, no previous run,
   * pod gone): the API's 400 and 404.
   */
  containerLog(namespace: string, pod: string, container: string, options: { previous: boolean }): Promise<string | undefined>;
  /**
   * The same, streamed while the container writes (follow=true), from
   * `sinceTime` (RFC3339) when given. The stream ends when the container
   * stops, the connection breaks or `signal` aborts; undefined as above.
   */
  followContainerLog(namespace: string, pod: string, container: string, options: { sinceTime?: string; signal: AbortSignal }): Promise<Readable | undefined>;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** Any Kubernetes object as the API returns it; deploy reads only a few fields. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: KubeMetadata;
  // The shapes differ per kind; the modules reading them narrow what they use.
  spec?: any;
  status?: any;
  data?: Record<string, string>;
  [key: string]: unknown;
}

export interface KubeMetadata {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{ uid?: string; kind?: string; name?: string }>;
  creationTimestamp?: unknown;
  [key: string]: unknown;
}

export function refOf(object: KubeObject): ObjectRef {
  return {
    apiVersion: object.apiVersion ?? 'v1',
    kind: object.kind ?? '',
    name: object.metadata?.name ?? '',
    namespace: object.metadata?.namespace,
  };
}
