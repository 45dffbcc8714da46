import { PassThrough, type Readable } from 'node:stream';
import type { KubeConfig, KubernetesObjectApi, CoreV1Api } from '@kubernetes/client-node';
import { withTimeout } from '../models/time.js';
import { kubeError, statusOf } from './kube-errors.js';
import type { KubeClient, KubeObject, ObjectRef } from './kube-client.js';

type ClientNode = typeof import('@kubernetes/client-node');

/** No answer in this time is an unreachable cluster, not a hang. */
const REQUEST_TIMEOUT_MS = 20_000;
const FIELD_MANAGER = 'msx';
/** What the API answers for a log there is none of: a container not started or without a previous run (400), a pod gone (404). */
const NO_LOG = [400, 404];

/** KubeClient over @kubernetes/client-node's KubernetesObjectApi (generic objects) and CoreV1Api (pod logs). */
export class ClientNodeKube implements KubeClient {
  private readonly objects: KubernetesObjectApi;
  private readonly core: CoreV1Api;

  constructor(
    private readonly k8s: ClientNode,
    private readonly config: KubeConfig,
    readonly context: string,
    readonly server: string,
    private readonly otherContext?: string,
  ) {
    this.objects = k8s.KubernetesObjectApi.makeApiClient(config);
    this.core = config.makeApiClient(k8s.CoreV1Api);
  }

  apply(object: KubeObject, options: { force: boolean }): Promise<KubeObject> {
    const call = () => this.objects.patch(object as never, undefined, undefined, FIELD_MANAGER, options.force, this.k8s.PatchStrategy.ServerSideApply);
    return this.call(`apply ${object.kind}/${object.metadata?.name}`, call);
  }

  async read(ref: ObjectRef): Promise<KubeObject | undefined> {
    const header = { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } };
    try {
      return (await this.call(`read ${ref.kind}/${ref.name}`, () => this.objects.read(header), { pass: [404] })) as KubeObject;
    } catch (error) {
      if (statusOf(error)?.code === 404) return undefined;
      throw error;
    }
  }

  async list(apiVersion: string, kind: string, namespace: string, selector: { labels?: string; fields?: string }): Promise<KubeObject[]> {
    const call = () => this.objects.list(apiVersion, kind, namespace, undefined, undefined, undefined, selector.fields, selector.labels);
    const list = await this.call(`list ${kind}`, call);
    // List items carry no apiVersion/kind; callers act on them by kind, so put them back.
    return list.items.map((item) => ({ ...(item as KubeObject), apiVersion, kind }));
  }

  async remove(ref: ObjectRef): Promise<void> {
    const spec = { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } };
    await this.call(`delete ${ref.kind}/${ref.name}`, () => this.objects.delete(spec, undefined, undefined, undefined, undefined, 'Background'));
  }

  podLog(namespace: string, pod: string, container: string, options: { tailLines: number; previous: boolean }): Promise<string> {
    const request = { name: pod, namespace, container, tailLines: options.tailLines, previous: options.previous };
    return this.call(`logs of pod ${pod}`, () => this.core.readNamespacedPodLog(request));
  }

  async containerLog(namespace: string, pod: string, container: string, options: { previous: boolean }): Promise<string | undefined> {
    const request = { name: pod, namespace, container, previous: options.previous, timestamps: true };
    try {
      return await this.call(`get the log of pod ${pod}`, () => this.core.readNamespacedPodLog(request), { pass: NO_LOG });
    } catch (error) {
      if (NO_LOG.includes(statusOf(error)?.code ?? 0)) return undefined;
      throw error;
    }
  }

  async followContainerLog(namespace: string, pod: string, container: string, options: { sinceTime?: string; signal: AbortSignal }): Promise<Readable | undefined> {
    const out = new PassThrough();
    // Log pipes the response body into `out` but puts no error listener on the body: an abort or
    // a broken connection would be an uncaught 'error'. Either just ends this container's stream.
    out.on('pipe', (body: Readable) => body.on('error', () => out.end()));
    const logOptions = { follow: true, timestamps: true, sinceTime: options.sinceTime };
    const request = () => new this.k8s.Log(this.config).log(namespace, pod, container, out, logOptions);
    let controller: AbortController;
    try {
      controller = await this.call(`follow the log of pod ${pod}`, request, { pass: NO_LOG });
    } catch (error) {
      if (NO_LOG.includes(statusOf(error)?.code ?? 0)) return undefined;
      throw error;
    }
    const stop = () => controller.abort();
    if (options.signal.aborted) stop();
    options.signal.addEventListener('abort', stop, { once: true });
    out.once('close', () => options.signal.removeEventListener('abort', stop));
    return out;
  }

  private async call<T>(action: string, request: () => Promise<T>, options: { pass?: number[] } = {}): Promise<T> {
    try {
      return await withTimeout(request(), REQUEST_TIMEOUT_MS);
    } catch (error) {
      // Codes the caller handles itself go to it as the API gave them.
      if (options.pass?.includes(statusOf(error)?.code ?? 0)) throw error;
      throw kubeError(error, { context: this.context, server: this.server, action, otherContext: this.otherContext });
    }
  }
}
