import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { ServiceLogFile } from '../../state/log-file.js';
import { toLogLine } from '../../state/log-record.js';
import { logsDir, msxFile } from '../../state/paths.js';
import type { ServiceLogLine } from '../runtime.js';
import type { DockerClient, LogStreams } from '../../docker/docker-client.js';
import { rfc3339Nanos } from '../../models/time.js';
import { LogCursor, sinceParameter } from './log-cursor.js';

export interface FollowedContainer {
  id: string;
  service: string;
}

/**
 * Follows service containers' output: every line parsed as the local runtime
 * parses it (JSON lines keep their fields), appended to
 * .msx/logs/<service>.ndjson in the same format, so `msx logs` reads Docker
 * runs the same way, and handed to `sink` (the foreground display).
 */
export class ContainerLogFollower {
  private readonly streams = new Map<string, LogStreams>();
  private readonly following = new Set<string>();
  private closed = false;
  private readonly files = new Map<string, ServiceLogFile>();
  /** The services whose containers this follower has followed: the only ones it takes OTLP log records for. */
  private readonly services = new Set<string>();
  private readonly cursor: LogCursor;

  constructor(
    private readonly client: DockerClient,
    private readonly root: string,
    private readonly sink: (line: ServiceLogLine) => void = () => undefined,
  ) {
    this.cursor = new LogCursor(msxFile.dockerLogCursor(root));
  }

  /** Starts following a container from where msx last left it; a container already followed is left alone. */
  async follow(container: FollowedContainer): Promise<void> {
    // Claimed before the first await: a start event and `up` may ask for the same container at once.
    if (this.following.has(container.id)) return;
    this.following.add(container.id);
    this.services.add(container.service);
    const after = this.cursor.position(container.id);
    const streams = await this.client
      .containerLogs(container.id, { follow: true, since: after === undefined ? undefined : sinceParameter(after) })
      .catch((error: unknown) => {
        this.following.delete(container.id);
        throw error;
      });
    this.streams.set(container.id, streams);
    let open = 2;
    const ended = () => {
      if ((open -= 1) > 0 || this.closed) return;
      this.streams.delete(container.id);
      this.following.delete(container.id);
      void this.followAgainIfRunning(container);
    };
    for (const name of ['stdout', 'stderr'] as const) {
      createInterface({ input: streams[name], crlfDelay: Infinity })
        .on('line', (raw) => this.take(container, name, raw))
        .on('close', ended);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const streams of this.streams.values()) streams.close();
    this.streams.clear();
    this.following.clear();
    this.cursor.save();
    await Promise.all([...this.files.values()].map((file) => file.close()));
    this.files.clear();
  }

  /**
   * A log stream ends when its container stops; if Docker restarted it before
   * the end reached us, the start event found it still followed, so look again.
   */
  private async followAgainIfRunning(container: FollowedContainer): Promise<void> {
    await sleep(200);
    const state = await this.client.inspectContainer(container.id).catch(() => undefined);
    if (state?.running && !this.closed) await this.follow(container).catch(() => undefined);
  }

  private take(container: FollowedContainer, stream: 'stdout' | 'stderr', raw: string): void {
    const space = raw.indexOf(' ');
    const nanos = rfc3339Nanos(raw.slice(0, space));
    if (nanos === undefined) return;
    const after = this.cursor.position(container.id);
    if (after !== undefined && nanos <= after) return;
    this.cursor.advance(container.id, nanos);
    const line = toLogLine(container.service, stream, raw.slice(space + 1).replace(/\r$/, ''));
    line.receivedAt = new Date(Number(nanos / 1_000_000n)).toISOString();
    this.fileOf(container.service).write(line);
    this.sink(line);
  }

  /** Whether a container of `service` was followed: a log record sent over OTLP for any other name is refused. */
  follows(service: string): boolean {
    return this.services.has(service);
  }

  /** A line that did not come from a container's output (a log record sent over OTLP): written and shown the same way. */
  write(line: ServiceLogLine): void {
    if (this.closed) return;
    this.fileOf(line.service).write(line);
    this.sink(line);
  }

  private fileOf(service: string): ServiceLogFile {
    let file = this.files.get(service);
    if (!file) this.files.set(service, (file = new ServiceLogFile(logsDir(this.root), service)));
    return file;
  }
}
