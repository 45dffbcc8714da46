import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeObject } from '../kube/kube-client.js';
import { ContainerLines, LineSplitter, sinceTimeOf, type LogCursor } from './kube-log-lines.js';
import { containersOf, containerStatusOf, podName } from './kube-pods.js';
import type { LogEntry } from './log-entry.js';

export interface FollowPodsInput {
  /** The pods to follow as they are now: looked at again every `pollMs`, so pods that start later are followed too. */
  listPods(): Promise<KubeObject[]>;
  serviceOf(pod: KubeObject): string;
  /** A container's log streamed from `sinceTime`; undefined when it has none yet. */
  open(pod: string, container: string, sinceTime: string | undefined, signal: AbortSignal): Promise<Readable | undefined>;
  /** Where reading this container stopped (shared with the read before following). */
  cursorOf(pod: string, container: string): { at?: LogCursor };
  needle?: string;
  signal: AbortSignal;
  pollMs: number;
}

/** The container run a stream was opened for, and whether that stream is still open. */
interface Followed {
  run: string;
  open: boolean;
}

/**
 * Every container of the pods, streamed (follow=true) as they write, until
 * the signal aborts. Each batch is what one container wrote in one chunk, in
 * its order. A stream that ends (the container stopped, the connection broke)
 * is opened again when the container runs again or still runs; the cursor
 * skips what was shown already. A failing pod list ends following with that
 * error (the cluster went away, RBAC changed).
 */
export async function* followPods(input: FollowPodsInput): AsyncGenerator<LogEntry[]> {
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  if (input.signal.aborted) stop.abort();
  input.signal.addEventListener('abort', onAbort, { once: true });
  const queue = new BatchQueue(stop.signal);
  const follower = new PodFollower(input, queue, stop.signal);
  const polling = follower.poll();
  try {
    for (let batch = await queue.next(); batch; batch = await queue.next()) yield batch;
  } finally {
    stop.abort();
    input.signal.removeEventListener('abort', onAbort);
    await polling;
    await follower.closeAll();
  }
}

class PodFollower {
  private readonly followed = new Map<string, Followed>();
  private readonly streams = new Set<Readable>();
  private readonly pumps = new Set<Promise<void>>();

  constructor(
    private readonly input: FollowPodsInput,
    private readonly queue: BatchQueue,
    private readonly signal: AbortSignal,
  ) {}

  async poll(): Promise<void> {
    while (!this.signal.aborted) {
      try {
        const pods = await this.input.listPods();
        await Promise.all(pods.flatMap((pod) => containersOf(pod).map((container) => this.openIfDue(pod, container))));
      } catch (error) {
        if (!this.signal.aborted) this.queue.fail(error);
        return;
      }
      await sleep(this.input.pollMs, undefined, { signal: this.signal }).catch(() => undefined);
    }
  }

  async closeAll(): Promise<void> {
    for (const stream of this.streams) stream.destroy();
    await Promise.all(this.pumps);
  }

  /** Opens a container's stream unless it is open, or its run was followed to the end and it does not run any more. */
  private async openIfDue(pod: KubeObject, container: string): Promise<void> {
    const name = podName(pod);
    const key = `${name}/${container}`;
    const status = containerStatusOf(pod, container);
    if (!status?.containerID && !status?.state?.running) return; // not started: no log yet
    const run = status.containerID ?? String(status.restartCount ?? 0);
    const known = this.followed.get(key);
    if (known?.open || (known?.run === run && !status.state?.running)) return;
    const followed: Followed = { run, open: true };
    this.followed.set(key, followed);
    const cursor = this.input.cursorOf(name, container);
    const after = cursor.at && { ...cursor.at };
    const stream = await this.input.open(name, container, after && sinceTimeOf(after), this.signal).catch((error: unknown) => {
      followed.open = false;
      throw error;
    });
    if (!stream) {
      followed.open = false;
      return;
    }
    const lines = new ContainerLines({ service: this.input.serviceOf(pod), needle: this.input.needle, cursor, after });
    this.streams.add(stream);
    const pump = this.pump(stream, lines).finally(() => {
      followed.open = false;
      this.streams.delete(stream);
      this.pumps.delete(pump);
    });
    this.pumps.add(pump);
  }

  private async pump(stream: Readable, lines: ContainerLines): Promise<void> {
    const splitter = new LineSplitter();
    stream.setEncoding('utf8');
    try {
      // Flushed per chunk: a line is shown when it arrives, not when the next one does.
      for await (const chunk of stream) this.queue.push(lines.take(splitter.push(chunk as string), true));
    } catch {
      // A broken stream: the next look at the pods opens it again if the container still runs.
    }
  }
}

/** Batches from many streams handed to one consumer in arrival order; a failure is handed over after the batches before it. */
class BatchQueue {
  private readonly batches: LogEntry[][] = [];
  private failure: { error: unknown } | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly signal: AbortSignal) {
    signal.addEventListener('abort', () => this.wake?.(), { once: true });
  }

  push(batch: LogEntry[]): void {
    if (batch.length === 0) return;
    this.batches.push(batch);
    this.wake?.();
  }

  fail(error: unknown): void {
    this.failure = { error };
    this.wake?.();
  }

  /** The next batch; undefined once the signal aborted. */
  async next(): Promise<LogEntry[] | undefined> {
    for (;;) {
      if (this.signal.aborted) return undefined;
      const batch = this.batches.shift();
      if (batch) return batch;
      if (this.failure) throw this.failure.error;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}
