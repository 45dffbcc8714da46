import type { Readable } from 'node:stream';
import type { KubeClient, KubeObject, ObjectRef } from '../../src/kube/kube-client.js';
import { KubeForbiddenError } from '../../src/kube/kube-errors.js';

/** A container's log as the API serves it: the current run, and the one before its last restart. */
export interface FixtureLog {
  current: string[];
  /** Absent: the container has not restarted, and the API answers 400 for ?previous=true. */
  previous?: string[];
}

/**
 * A narrow KubeClient for unit tests of deploy logic: it answers only from the
 * fixture objects a test puts in (test/deploy/fixtures/kube-objects.ts), and
 * does nothing on its own — no controller, no pods appear, no status changes.
 * A test that needs the cluster to move on changes `objects` itself (onRead).
 * List selectors are the API's equality-based ones:
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/field-selectors/
 */
export class FixtureKubeClient implements KubeClient {
  readonly context = 'fixture';
  readonly server = 'https://fixture.invalid';
  objects: KubeObject[];
  readonly applied: KubeObject[] = [];
  /** The `force` of each apply, in order. */
  readonly forced: boolean[] = [];
  readonly logRequests: Array<{ pod: string; container: string; previous: boolean; tailLines: number }> = [];
  /** Called before each read, with how many reads came before: lets a test move the cluster on. */
  onRead?: (ref: ObjectRef, count: number) => void;
  private reads = 0;
  private readonly forbidden = new Set<string>();

  constructor(objects: KubeObject[], private readonly logs: Record<string, FixtureLog> = {}) {
    this.objects = objects;
  }

  /** RBAC refuses listing this kind (as a 403 becomes KubeForbiddenError in client-node-kube.ts). */
  forbidList(kind: string): this {
    this.forbidden.add(kind);
    return this;
  }

  async read(ref: ObjectRef): Promise<KubeObject | undefined> {
    this.onRead?.(ref, this.reads++);
    const found = this.objects.find((o) => o.kind === ref.kind && o.metadata?.name === ref.name && o.metadata?.namespace === ref.namespace);
    return found && structuredClone(found);
  }

  async list(_apiVersion: string, kind: string, namespace: string, selector: { labels?: string; fields?: string }): Promise<KubeObject[]> {
    if (this.forbidden.has(kind)) throw new KubeForbiddenError(`forbidden by RBAC: list ${kind}`, { exit: 'runtimeUnavailable' });
    return this.objects
      .filter((o) => o.kind === kind && o.metadata?.namespace === namespace)
      .filter((o) => matches(selector.labels, (key) => o.metadata?.labels?.[key]))
      .filter((o) => matches(selector.fields, (path) => fieldAt(o, path)))
      .map((o) => structuredClone(o));
  }

  async apply(object: KubeObject, options: { force: boolean }): Promise<KubeObject> {
    this.applied.push(structuredClone(object));
    this.forced.push(options.force);
    return object;
  }

  async podLog(_namespace: string, pod: string, container: string, options: { tailLines: number; previous: boolean }): Promise<string> {
    this.logRequests.push({ pod, container, ...options });
    const log = this.logs[`${pod}/${container}`];
    const lines = options.previous ? log?.previous : log?.current;
    // The API's 400 for a container without that run (client-node throws it).
    if (!lines) throw Object.assign(new Error(`HTTP 400: no ${options.previous ? 'previous ' : ''}log`), { code: 400 });
    return lines.slice(-options.tailLines).map((line) => `${line}\n`).join('');
  }

  async remove(): Promise<void> {
    throw new Error('FixtureKubeClient: remove is not used by these tests');
  }

  async containerLog(): Promise<string | undefined> {
    throw new Error('FixtureKubeClient: containerLog is not used by these tests');
  }

  async followContainerLog(): Promise<Readable | undefined> {
    throw new Error('FixtureKubeClient: followContainerLog is not used by these tests');
  }
}

/** `a=b,c=d`: every term must hold. */
function matches(selector: string | undefined, valueOf: (key: string) => unknown): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [key, value] = term.split('=');
    return String(valueOf(key) ?? '') === value;
  });
}

function fieldAt(object: KubeObject, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], object);
}
