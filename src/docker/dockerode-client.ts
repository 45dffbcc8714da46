import { PassThrough } from 'node:stream';
import type Dockerode from 'dockerode';
import type { ContainerCreateOptions } from 'dockerode';
import type { BuildRequest, ContainerDetails, ContainerSummary, DockerClient, LogStreams, NetworkSummary, ProgressOutput, RegistryAuth } from './docker-client.js';
import { type Builder, chooseBuilder } from './builder-choice.js';
import { followProgress, pingHeaders } from './dockerode-progress.js';
import { openEventStream } from './dockerode-events.js';

/** DockerClient over dockerode. Made only by `connectDocker`, which imports dockerode lazily. */
export class DockerodeClient implements DockerClient {
  private chosen?: Promise<Builder>;

  constructor(
    private readonly docker: Dockerode,
    readonly endpoint: string,
  ) {}

  async ping(): Promise<void> {
    await this.docker.ping();
  }

  async listContainers(labels: string[]): Promise<ContainerSummary[]> {
    const found = await this.docker.listContainers({ all: true, filters: { label: labels } });
    return found.map((c) => ({ id: c.Id, name: (c.Names[0] ?? '').replace(/^\//, ''), image: c.Image, state: c.State, labels: c.Labels ?? {} }));
  }

  async inspectContainer(id: string): Promise<ContainerDetails> {
    const info = await this.docker.getContainer(id).inspect();
    const state = info.State;
    return {
      id: info.Id,
      running: state.Running,
      restarting: state.Restarting,
      exitCode: state.ExitCode,
      restartCount: info.RestartCount,
      startedAt: state.StartedAt,
      finishedAt: state.FinishedAt,
      pid: state.Pid,
      workingDir: info.Config.WorkingDir || '/',
      health: state.Health?.Status,
      labels: info.Config.Labels ?? {},
    };
  }

  async createContainer(options: ContainerCreateOptions): Promise<string> {
    return (await this.docker.createContainer(options)).id;
  }

  async startContainer(id: string): Promise<void> {
    await this.docker.getContainer(id).start();
  }

  async removeContainer(id: string, graceSeconds: number): Promise<void> {
    const container = this.docker.getContainer(id);
    await ignoreStatus(container.stop({ t: graceSeconds }), [304, 404]);
    await ignoreStatus(container.remove({ force: true }), [404, 409]);
  }

  async stopContainer(id: string, graceSeconds: number): Promise<void> {
    await ignoreStatus(this.docker.getContainer(id).stop({ t: graceSeconds }), [304]);
  }

  async restartContainer(id: string, graceSeconds: number): Promise<void> {
    await this.docker.getContainer(id).restart({ t: graceSeconds });
  }

  async setRestartPolicy(id: string, policy: 'no' | 'on-failure'): Promise<void> {
    await this.docker.getContainer(id).update({ RestartPolicy: { Name: policy, MaximumRetryCount: 0 } });
  }

  async putArchive(id: string, dir: string, tar: NodeJS.ReadableStream): Promise<void> {
    await this.docker.getContainer(id).putArchive(tar, { path: dir });
  }

  async readContainerFile(id: string, path: string): Promise<string | undefined> {
    const archive = await ignoreStatus(this.docker.getContainer(id).getArchive({ path }), [404], undefined);
    if (!archive) return undefined;
    const { extract } = await import('tar-stream');
    const files = extract();
    let content: string | undefined;
    files.on('entry', (_header, entry, next) => {
      const chunks: Buffer[] = [];
      entry.on('data', (chunk) => chunks.push(chunk as Buffer)).on('end', () => ((content ??= Buffer.concat(chunks).toString('utf8')), next()));
    });
    await new Promise<void>((resolve, reject) => {
      files.on('finish', resolve).on('error', reject);
      (archive as NodeJS.ReadableStream).pipe(files as unknown as NodeJS.WritableStream);
    });
    return content;
  }

  async signalContainer(id: string, signal: string): Promise<void> {
    await this.docker.getContainer(id).kill({ signal });
  }

  async execInContainer(id: string, command: string[]): Promise<number> {
    const exec = await this.docker.getContainer(id).exec({ Cmd: command, User: '0', AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    await new Promise<void>((resolve) => stream.on('end', resolve).on('close', resolve).on('error', () => resolve()).resume());
    return (await exec.inspect()).ExitCode ?? 1;
  }

  async containerLogs(id: string, options: { follow: boolean; since?: string; tail?: number }): Promise<LogStreams> {
    const query = { stdout: true, stderr: true, timestamps: true, follow: true as const, since: options.since, tail: options.tail };
    const raw = options.follow
      ? await this.docker.getContainer(id).logs(query)
      : toStream(await this.docker.getContainer(id).logs({ ...query, follow: false }));
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    this.docker.modem.demuxStream(raw, stdout, stderr);
    raw.on('end', () => (stdout.end(), stderr.end()));
    raw.on('error', () => (stdout.end(), stderr.end()));
    return { stdout, stderr, close: () => (raw as unknown as { destroy(): void }).destroy() };
  }

  async imageExists(reference: string): Promise<boolean> {
    return ignoreStatus(this.docker.getImage(reference).inspect().then(() => true), [404], false);
  }

  async imageCommand(reference: string) {
    const info = await ignoreStatus(this.docker.getImage(reference).inspect(), [404], undefined);
    if (!info) return undefined;
    const asList = (value: string | string[] | null | undefined) => (Array.isArray(value) ? value : value ? [value] : []);
    return {
      cmd: asList(info.Config?.Cmd),
      entrypoint: asList(info.Config?.Entrypoint as string | string[] | undefined),
      workingDir: info.Config?.WorkingDir ?? '',
      user: info.Config?.User ?? '',
    };
  }

  async listImages(labels: string[]) {
    const images = await this.docker.listImages({ filters: { label: labels } });
    return images.map((image) => ({ id: image.Id, tags: image.RepoTags ?? [], labels: image.Labels ?? {} }));
  }

  async removeImage(id: string): Promise<void> {
    await ignoreStatus(this.docker.getImage(id).remove({ force: true }), [404, 409]);
  }

  async buildImage(request: BuildRequest): Promise<ProgressOutput> {
    const buildkit = (await this.builder()) === 'buildkit';
    const options = { t: request.tag, labels: request.labels, rm: true, forcerm: true, ...(request.target ? { target: request.target } : {}), ...(buildkit ? { version: '2' as const } : {}) };
    const stream = await this.docker.buildImage(request.context, options);
    // protobufjs and the trace schema load only for a BuildKit build.
    const trace = buildkit ? new (await import('./buildkit-trace.js')).BuildkitTrace() : undefined;
    return followProgress(this.docker, stream, trace);
  }

  /** Asked once per client, on the first build: the engine's /_ping headers say what it can. */
  builder(): Promise<Builder> {
    this.chosen ??= pingHeaders(this.docker)
      .catch(() => ({}))
      .then((engine) => chooseBuilder(process.env, engine));
    return this.chosen;
  }

  async pushImage(reference: string, auth: RegistryAuth | undefined): Promise<ProgressOutput> {
    const stream = await this.docker.getImage(reference).push({ authconfig: auth ?? {} });
    return followProgress(this.docker, stream);
  }

  async pullImage(reference: string): Promise<void> {
    const stream = await this.docker.pull(reference);
    await new Promise<void>((resolve, reject) =>
      this.docker.modem.followProgress(stream, (error: Error | null, events: Array<{ error?: string }>) => {
        const failed = error?.message ?? events?.find((e) => e.error)?.error;
        return failed ? reject(new Error(failed)) : resolve();
      }),
    );
  }

  async listNetworks(labels: string[]): Promise<NetworkSummary[]> {
    const networks = await this.docker.listNetworks({ filters: { label: labels } });
    return networks.map((n) => ({ id: n.Id, name: n.Name, gateway: n.IPAM?.Config?.[0]?.Gateway, labels: n.Labels ?? {} }));
  }

  async createNetwork(name: string, labels: Record<string, string>): Promise<NetworkSummary> {
    const network = await this.docker.createNetwork({ Name: name, Driver: 'bridge', Labels: labels, CheckDuplicate: true });
    const info = await network.inspect();
    return { id: info.Id, name: info.Name, gateway: info.IPAM?.Config?.[0]?.Gateway, labels: info.Labels ?? {} };
  }

  async removeNetwork(id: string): Promise<void> {
    await ignoreStatus(this.docker.getNetwork(id).remove(), [404]);
  }

  async listVolumes(labels: string[]): Promise<string[]> {
    const { Volumes } = await this.docker.listVolumes({ filters: { label: labels } });
    return (Volumes ?? []).map((volume) => volume.Name);
  }

  async removeVolume(name: string): Promise<void> {
    await ignoreStatus(this.docker.getVolume(name).remove(), [404]);
  }

  containerEvents(labels: string[]) {
    return openEventStream(this.docker, labels);
  }
}

/** Docker answers "already stopped" (304), "gone" (404) or "being removed" (409): all mean the job is done. */
async function ignoreStatus<T>(promise: Promise<T>, statuses: number[], fallback?: T): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    if (statuses.includes((error as { statusCode?: number }).statusCode ?? 0)) return fallback as T;
    throw error;
  }
}

function toStream(buffer: Buffer): NodeJS.ReadableStream {
  const stream = new PassThrough();
  stream.end(buffer);
  return stream;
}
