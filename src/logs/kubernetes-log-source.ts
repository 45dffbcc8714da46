import { connectKube } from '../kube/connect.js';
import type { KubeClient, KubeObject } from '../kube/kube-client.js';
import { managedSelector, selectorLabels, toSelector } from '../kube/labels.js';
import { kubeTarget } from '../kube/target.js';
import { UserError } from '../errors.js';
import type { WorkspaceData } from '../models/workspace.js';
import { ContainerLines, type LogCursor } from './kube-log-lines.js';
import { followPods } from './kube-log-follow.js';
import { containersOf, containerStatusOf, podName, serviceOf } from './kube-pods.js';
import type { LogEntry } from './log-entry.js';
import type { LogFollowOptions, LogReadOptions, LogSource } from './log-source.js';
import { mergeByTime } from './merge.js';

/** Where `msx deploy` put a workspace's pods. */
export interface KubeLogTarget {
  /** The msx.yaml environment, named in hints. */
  environment: string;
  namespace: string;
  /** msx.yaml's name: the dev.msx/workspace label on every pod. */
  workspace: string;
  /** The workspace's services (pods of other names are not its). */
  services: string[];
}

export interface KubeLogOptions {
  /** Read each container's run before its last restart first. */
  previous?: boolean;
  /** The environment of msx.yaml to read (else the one whose runtime is kubernetes). */
  env?: string;
  /** How often following looks for new pods; the default is what users get. */
  pollMs?: number;
}

/** Lines parsed per batch of a container's log. */
const BATCH_LINES = 1000;

/**
 * The logs of the pods `msx deploy` made, found by its labels in the
 * environment's namespace: every container of every pod of a service, merged
 * by time, each line with the API's timestamp as its time when it has none.
 */
export class KubernetesLogSource implements LogSource {
  /** Per `pod/container`, the last line read of its current run: following goes on from there. */
  private readonly cursors = new Map<string, { at?: LogCursor }>();

  constructor(
    private readonly client: KubeClient,
    private readonly target: KubeLogTarget,
    private readonly options: KubeLogOptions = {},
  ) {}

  async services(): Promise<string[]> {
    const pods = await this.pods(managedSelector(this.target.workspace));
    const withPods = new Set(pods.map(serviceOf));
    return this.target.services.filter((name) => withPods.has(name)).sort();
  }

  read(service: string, options: LogReadOptions = {}): AsyncIterable<LogEntry[]> {
    return this.readService(service, options.needle);
  }

  follow(options: LogFollowOptions): AsyncIterable<LogEntry[]> {
    const wanted = new Set(options.services ?? this.target.services);
    return followPods({
      listPods: async () => (await this.pods(managedSelector(this.target.workspace))).filter((pod) => wanted.has(serviceOf(pod) ?? '')),
      serviceOf: (pod) => serviceOf(pod) ?? '',
      open: (pod, container, sinceTime, signal) => this.client.followContainerLog(this.target.namespace, pod, container, { sinceTime, signal }),
      cursorOf: (pod, container) => this.cursorOf(pod, container),
      needle: options.needle,
      signal: options.signal,
      pollMs: this.options.pollMs ?? 2000,
    });
  }

  /** Kubernetes has the pods or not: no pods is a definite answer, said with where msx looked. */
  missingLogs(services: string[]): UserError {
    const what = services.length > 0 ? `no pods of ${services.join(', ')}` : `no pods of workspace ${this.target.workspace}`;
    return new UserError(`${what} in namespace ${this.target.namespace} (context "${this.client.context}", ${this.client.server})`, {
      hint: `deploy with \`msx deploy\`, or check namespace and kubeContext of environment ${this.target.environment} in msx.yaml`,
      exit: 'notFound',
    });
  }

  private async *readService(service: string, needle?: string): AsyncGenerator<LogEntry[]> {
    const pods = await this.pods(toSelector(selectorLabels(this.target.workspace, { name: service })));
    const streams = pods.flatMap((pod) => containersOf(pod).map((container) => this.readContainer(service, pod, container, needle)));
    yield* mergeByTime(streams);
  }

  /** The previous run first (when asked for and there was one), then the current run. */
  private async *readContainer(service: string, pod: KubeObject, container: string, needle?: string): AsyncGenerator<LogEntry[]> {
    if (this.options.previous && restartsOf(pod, container) > 0) yield* this.readRun(pod, container, new ContainerLines({ service, needle }), true);
    const cursor = this.cursorOf(podName(pod), container);
    yield* this.readRun(pod, container, new ContainerLines({ service, needle, cursor }), false);
  }

  private async *readRun(pod: KubeObject, container: string, lines: ContainerLines, previous: boolean): AsyncGenerator<LogEntry[]> {
    const text = await this.client.containerLog(this.target.namespace, podName(pod), container, { previous });
    if (!text) return;
    const all = text.split('\n');
    if (all.at(-1) === '') all.pop();
    for (let at = 0; at < all.length; at += BATCH_LINES) {
      const entries = lines.take(all.slice(at, at + BATCH_LINES), at + BATCH_LINES >= all.length);
      if (entries.length > 0) yield entries;
    }
  }

  private pods(labels: string): Promise<KubeObject[]> {
    return this.client.list('v1', 'Pod', this.target.namespace, { labels });
  }

  private cursorOf(pod: string, container: string): { at?: LogCursor } {
    const key = `${pod}/${container}`;
    let cursor = this.cursors.get(key);
    if (!cursor) this.cursors.set(key, (cursor = {}));
    return cursor;
  }
}

/** The source for a workspace's Kubernetes environment, resolved as `msx deploy` resolves it. */
export async function openKubernetesLogSource(workspace: WorkspaceData, options: KubeLogOptions): Promise<KubernetesLogSource> {
  const target = kubeTarget(workspace, { env: options.env }, 'msx logs');
  // msx logs has no --context: the environment's kubeContext in msx.yaml is how to choose another.
  const client = await connectKube({ context: target.kubeContext, otherContext: `set kubeContext for environment ${target.environment} in msx.yaml` });
  const services = workspace.services.map((service) => service.name);
  return new KubernetesLogSource(client, { environment: target.environment, namespace: target.namespace, workspace: workspace.name, services }, options);
}

function restartsOf(pod: KubeObject, container: string): number {
  return containerStatusOf(pod, container)?.restartCount ?? 0;
}
