import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { forbiddenMessage, serverSideApply } from './kube-api/apply.js';
import { FakeDeploymentController, type RolloutMode } from './kube-api/controller.js';
import { matchesFields, matchesLabels, readBody, sendJson, sendStatus } from './kube-api/http-util.js';
import { FakePodLogs } from './kube-api/pod-logs.js';
import { discovery, qualifiedResource, resourceByKind, resourceByName, type ResourceInfo } from './kube-api/resources.js';
import { ObjectStore, type Obj } from './kube-api/store.js';

export type { RolloutMode };

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType?: string;
}

interface Route {
  resource: ResourceInfo;
  namespace?: string;
  name?: string;
  log?: boolean;
}

/**
 * A Kubernetes API server on 127.0.0.1 that answers the calls msx deploy
 * makes the way a real one does: discovery, server-side apply (PATCH with
 * application/apply-patch+yaml and ?fieldManager), GET and LIST with label and
 * field selectors, DELETE with garbage collection, Status objects for
 * 400/403/404/409/415/422, resourceVersion and generation bookkeeping, a
 * Deployment controller (controller.ts), and pod logs per container, with
 * timestamps, previous runs and follow (pod-logs.ts). No real cluster runs in
 * the tests; this is what they talk to.
 */
export class FakeKubeApi {
  readonly store = new ObjectStore();
  readonly requests: RecordedRequest[] = [];
  /** How the pods of the next new ReplicaSet behave. */
  rolloutMode: RolloutMode = 'ready';
  readonly podLogs = new FakePodLogs();
  readonly controller = new FakeDeploymentController(this.store, this.podLogs, () => this.rolloutMode);
  private readonly forbidden = new Set<string>();
  private readonly server = createServer((req, res) => void this.handle(req, res));

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async close(): Promise<void> {
    this.controller.stop();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** RBAC says no to `verb` (get, list, patch, delete) on a resource (`deployments`, or a subresource: `pods/log`). */
  forbid(verb: string, resource: string): void {
    this.forbidden.add(`${verb} ${resource}`);
  }

  /** Puts an object in as another client would (a Namespace, a Secret, an object kubectl owns). */
  seed(object: Obj, manager = 'kubectl-client-side-apply'): Obj {
    return this.store.put({ ...object, metadata: { generation: 1, ...object.metadata, managedFields: [{ manager, operation: 'Update' }] } });
  }

  /**
   * A running pod as a Deployment would have made it, with these labels; its
   * containers have run `restarts` times before (seed their logs through
   * podLogs: a container without any is still being created).
   */
  seedPod(pod: { namespace: string; name: string; labels: Record<string, string>; containers: string[]; restarts?: number }): Obj {
    const restartCount = pod.restarts ?? 0;
    const containerStatuses = pod.containers.map((name) => ({
      name, ready: true, restartCount, containerID: `containerd://${pod.name}-${name}-${restartCount}`, state: { running: { startedAt: new Date().toISOString() } },
    }));
    return this.seed({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: pod.name, namespace: pod.namespace, labels: pod.labels },
      spec: { containers: pod.containers.map((name) => ({ name, image: `${name}:test` })) },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses },
    }, 'kube-controller-manager');
  }

  get(kind: string, name: string, namespace?: string): Obj | undefined {
    return this.store.get(resourceByKind(kind), namespace, name);
  }

  list(kind: string, namespace?: string): Obj[] {
    return this.store.list(resourceByKind(kind), namespace);
  }

  /** A kubeconfig whose context `fake` points here (plain http, so TLS verification is off). */
  writeKubeconfig(file: string, options: { context?: string; namespace?: string; server?: string } = {}): string {
    const context = options.context ?? 'fake';
    writeFileSync(file, [
      'apiVersion: v1',
      'kind: Config',
      `current-context: ${context}`,
      'clusters:',
      `- name: fake\n  cluster:\n    server: ${options.server ?? this.url}\n    insecure-skip-tls-verify: true`,
      'users:',
      '- name: deployer\n  user:\n    token: fake-token',
      'contexts:',
      `- name: ${context}\n  context:\n    cluster: fake\n    user: deployer${options.namespace ? `\n    namespace: ${options.namespace}` : ''}`,
      '',
    ].join('\n'));
    return file;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    this.requests.push({ method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), contentType: req.headers['content-type'] });
    const segments = url.pathname.split('/').filter(Boolean);
    const discovered = DISCOVERY[url.pathname];
    if (discovered) return sendJson(res, 200, discovery(discovered));
    const route = parseRoute(segments);
    if (!route) return sendStatus(res, 404, 'NotFound', `the server could not find the requested resource (${url.pathname})`);
    const verb = verbOf(req.method ?? 'GET', route);
    const rbacResource = route.log ? `${route.resource.name}/log` : route.resource.name;
    if (this.forbidden.has(`${verb} ${rbacResource}`)) {
      return sendStatus(res, 403, 'Forbidden', forbiddenMessage(verb, route.resource, route.namespace, route.name, rbacResource), { name: route.name, kind: route.resource.name });
    }
    if (route.log) return this.sendLog(res, route, url.searchParams);
    if (verb === 'list') return this.sendList(res, route, url.searchParams);
    if (verb === 'get') return this.sendObject(res, route);
    if (verb === 'patch') return this.apply(req, res, route, url.searchParams);
    if (verb === 'delete') return this.remove(res, route);
    sendStatus(res, 405, 'MethodNotAllowed', `${req.method} is not supported by this fake`);
  }

  private sendObject(res: ServerResponse, route: Route): void {
    const found = this.store.get(route.resource, route.namespace, route.name!);
    if (!found) return sendStatus(res, 404, 'NotFound', `${qualifiedResource(route.resource)} "${route.name}" not found`, { name: route.name, kind: route.resource.name });
    sendJson(res, 200, found);
  }

  private sendList(res: ServerResponse, route: Route, query: URLSearchParams): void {
    const items = this.store
      .list(route.resource, route.namespace)
      .filter((o) => matchesLabels(o, query.get('labelSelector')) && matchesFields(o, query.get('fieldSelector')))
      .map(({ apiVersion: _v, kind: _k, ...item }) => item);
    sendJson(res, 200, { kind: `${route.resource.kind}List`, apiVersion: route.resource.groupVersion, metadata: { resourceVersion: '1' }, items });
  }

  private async apply(req: IncomingMessage, res: ServerResponse, route: Route, query: URLSearchParams): Promise<void> {
    const outcome = serverSideApply(this.store, {
      resource: route.resource,
      namespace: route.namespace,
      name: route.name!,
      body: await readBody(req),
      contentType: String(req.headers['content-type'] ?? ''),
      fieldManager: query.get('fieldManager'),
      force: query.get('force') === 'true',
    });
    if (!('object' in outcome)) return sendStatus(res, outcome.code, outcome.reason, outcome.message);
    if (outcome.object.kind === 'Deployment') this.controller.reconcileSoon(route.namespace!, route.name!);
    sendJson(res, outcome.code, outcome.object);
  }

  private remove(res: ServerResponse, route: Route): void {
    const found = this.store.delete(route.resource, route.namespace, route.name!);
    if (!found) return sendStatus(res, 404, 'NotFound', `${qualifiedResource(route.resource)} "${route.name}" not found`);
    this.collectGarbage(found);
    sendStatus(res, 200, '', '', { name: route.name, kind: route.resource.name, uid: found.metadata.uid });
  }

  /** Background propagation: what the object owned goes too (ReplicaSets, then their pods). */
  private collectGarbage(owner: Obj): void {
    for (const child of this.store.ownedBy(owner.metadata.uid)) {
      this.store.delete(resourceByKind(child.kind), child.metadata.namespace, child.metadata.name);
      this.collectGarbage(child);
    }
  }

  private sendLog(res: ServerResponse, route: Route, query: URLSearchParams): void {
    const pod = this.store.get(route.resource, route.namespace, route.name!);
    if (!pod) return sendStatus(res, 404, 'NotFound', `pods "${route.name}" not found`, { name: route.name, kind: 'pods' });
    this.podLogs.serve(res, pod, query);
  }
}

/** The discovery documents the fake serves, by path. */
const DISCOVERY: Record<string, string | undefined> = { '/api/v1': 'v1', '/apis/apps/v1': 'apps/v1', '/apis/networking.k8s.io/v1': 'networking.k8s.io/v1' };

export async function startFakeKubeApi(): Promise<FakeKubeApi> {
  return new FakeKubeApi().start();
}

/** `/api/v1/namespaces/NS/pods/NAME/log`, `/apis/apps/v1/namespaces/NS/deployments`, `/api/v1/namespaces/NAME`. */
function parseRoute(segments: string[]): Route | undefined {
  const [root, ...rest] = segments;
  const groupVersion = root === 'api' ? rest.shift() : root === 'apis' ? `${rest.shift()}/${rest.shift()}` : undefined;
  if (!groupVersion) return undefined;
  if (rest[0] === 'namespaces' && rest.length <= 2) return withResource(groupVersion, 'namespaces', { name: rest[1] });
  if (rest[0] === 'namespaces') {
    const [, namespace, plural, name, sub] = rest;
    if (sub && !(plural === 'pods' && sub === 'log')) return undefined;
    return withResource(groupVersion, plural, { namespace, name, log: sub === 'log' });
  }
  return withResource(groupVersion, rest[0], { name: rest[1] });
}

function withResource(groupVersion: string, plural: string, rest: Omit<Route, 'resource'>): Route | undefined {
  const resource = resourceByName(groupVersion, plural);
  return resource ? { resource, ...rest } : undefined;
}

function verbOf(method: string, route: Route): string {
  if (method === 'GET') return route.name ? 'get' : 'list';
  return method === 'PATCH' ? 'patch' : method === 'DELETE' ? 'delete' : method.toLowerCase();
}
