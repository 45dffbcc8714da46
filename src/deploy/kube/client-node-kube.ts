import type { KubeConfig, KubernetesObjectApi, CoreV1Api } from '@kubernetes/client-node';
import { kubeError, statusOf } from './kube-errors.js';
import type { KubeClient, KubeObject, ObjectRef } from './kube-client.js';

type ClientNode = typeof import('@kubernetes/client-node');

/** No answer in this time is an unreachable cluster, not a hang. */
const REQUEST_TIMEOUT_MS = 20_000;
const FIELD_MANAGER = 'msx';

/** KubeClient over @kubernetes/client-node's KubernetesObjectApi (generic objects) and CoreV1Api (pod logs). */
export class ClientNodeKube implements KubeClient {
  private readonly objects: KubernetesObjectApi;
  private readonly core: CoreV1Api;

  constructor(
    private readonly k8s: ClientNode,
    config: KubeConfig,
    readonly context: string,
    readonly server: string,
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
      return (await this.call(`read ${ref.kind}/${ref.name}`, () => this.objects.read(header), { passNotFound: true })) as KubeObject;
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

  private async call<T>(action: string, request: () => Promise<T>, options: { passNotFound?: boolean } = {}): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`no answer in ${REQUEST_TIMEOUT_MS / 1000} s`), { code: 'ETIMEDOUT' })), REQUEST_TIMEOUT_MS);
    });
    try {
      return await Promise.race([request(), timeout]);
    } catch (error) {
      if (options.passNotFound && statusOf(error)?.code === 404) throw error;
      throw kubeError(error, { context: this.context, server: this.server, action });
    } finally {
      clearTimeout(timer);
    }
  }
}
