import type { ContainerCreateOptions } from 'dockerode';

/** A container as listed: enough to compare it with what msx.yaml asks for. */
export interface ContainerSummary {
  id: string;
  name: string;
  image: string;
  /** created | running | restarting | exited | paused | dead */
  state: string;
  labels: Record<string, string>;
}

export interface ContainerDetails {
  id: string;
  running: boolean;
  restarting: boolean;
  exitCode: number;
  restartCount: number;
  startedAt: string;
  /** When its last process ended (Docker's zero time when it never did). */
  finishedAt: string;
  pid: number;
  /** The image's WORKDIR: where a live update writes the service's files. */
  workingDir: string;
  /** docker's health status when the image declares a HEALTHCHECK. */
  health?: string;
  /** Its labels (dev.msx.dev-runner says msx's runner is its main process). */
  labels?: Record<string, string>;
}

/** What an image runs when a container does not say otherwise. */
export interface ImageCommand {
  cmd: string[];
  entrypoint: string[];
  /** The image's WORKDIR ('' when it has none). */
  workingDir: string;
  /** The image's USER ('' for root): `1000:1000`, or a name. */
  user: string;
}

export interface NetworkSummary {
  id: string;
  name: string;
  gateway?: string;
  labels: Record<string, string>;
}

export interface ImageSummary {
  id: string;
  tags: string[];
  labels: Record<string, string>;
}

export interface BuildRequest {
  tag: string;
  labels: Record<string, string>;
  /** A tar stream of the build context. */
  context: NodeJS.ReadableStream;
  /** The Dockerfile stage to build (`dev` for `msx up --watch`); the last stage when absent. */
  target?: string;
}

/**
 * What a build or push printed, and the error it ended with, if any: the
 * engine reports these failures inside a 200 response, so a stream that ends
 * is not a success by itself.
 */
export interface ProgressOutput {
  lines: string[];
  error?: string;
  /** BuildKit builds: each step as BuildKit names it (`[build 2/2] RUN npm run build`) and whether it came from the cache. */
  steps?: BuildStep[];
  /** BuildKit builds: the step that failed and what it printed (the legacy builder prints it after its `Step N/M :` line instead). */
  failedStep?: { name: string; output: string[] };
}

export interface BuildStep {
  name: string;
  cached: boolean;
  /** How long the engine says it took, once it ended. */
  ms?: number;
}

/** What the engine's push wants in its X-Registry-Auth header (see docker-credentials.ts). */
export interface RegistryAuth {
  serveraddress: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

/** A followed log stream, split into the container's stdout and stderr. */
export interface LogStreams {
  stdout: NodeJS.ReadableStream;
  stderr: NodeJS.ReadableStream;
  close(): void;
}

/**
 * The few Docker engine calls msx makes, behind one narrow interface so the
 * docker runtime's and msx deploy's logic run against a fake in unit tests
 * (tilt's fake_client.go).
 * Containers, networks, volumes and images are found by label filters in the
 * API's `key=value` form.
 */
export interface DockerClient {
  /** Where the engine is, for messages: `unix:///var/run/docker.sock`. */
  readonly endpoint: string;
  ping(): Promise<void>;
  listContainers(labels: string[]): Promise<ContainerSummary[]>;
  inspectContainer(id: string): Promise<ContainerDetails>;
  createContainer(options: ContainerCreateOptions): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** Stops (SIGTERM, then SIGKILL after `graceSeconds`) and removes; a missing container is not an error. */
  removeContainer(id: string, graceSeconds: number): Promise<void>;
  /** Stops (SIGTERM, then SIGKILL after `graceSeconds`) and keeps it; a stopped one is left as it is. Docker does not restart it. */
  stopContainer(id: string, graceSeconds: number): Promise<void>;
  /** Stops it as stopContainer does, then starts it again: its writable layer (files a live update wrote) stays. */
  restartContainer(id: string, graceSeconds: number): Promise<void>;
  /** Docker's restart policy for it from now on (`docker update --restart`). */
  setRestartPolicy(id: string, policy: 'no' | 'on-failure'): Promise<void>;
  /** Extracts a tar stream into the container's file system at `dir` (`docker cp`); works on a stopped container too. */
  putArchive(id: string, dir: string, tar: NodeJS.ReadableStream): Promise<void>;
  /** The content of one file in the container (`docker cp` out); undefined when there is no such file. */
  readContainerFile(id: string, path: string): Promise<string | undefined>;
  /** Sends a signal to the container's main process (`docker kill --signal`). */
  signalContainer(id: string, signal: string): Promise<void>;
  /** Runs a command in the running container as root and resolves with its exit code. */
  execInContainer(id: string, command: string[]): Promise<number>;
  containerLogs(id: string, options: { follow: boolean; since?: string; tail?: number }): Promise<LogStreams>;
  imageExists(reference: string): Promise<boolean>;
  /** The image's CMD and ENTRYPOINT; undefined when there is no such image. */
  imageCommand(reference: string): Promise<ImageCommand | undefined>;
  listImages(labels: string[]): Promise<ImageSummary[]>;
  removeImage(id: string): Promise<void>;
  buildImage(request: BuildRequest): Promise<ProgressOutput>;
  /**
   * Pushes a tagged image to the registry its name starts with. `auth` is
   * sent as X-Registry-Auth; engines before API 1.42 refuse a push without the
   * header, so an anonymous push sends an empty one, as the docker CLI does.
   */
  pushImage(reference: string, auth: RegistryAuth | undefined): Promise<ProgressOutput>;
  /** Pulls an image; rejects with the registry's message when it cannot. */
  pullImage(reference: string): Promise<void>;
  listNetworks(labels: string[]): Promise<NetworkSummary[]>;
  createNetwork(name: string, labels: Record<string, string>): Promise<NetworkSummary>;
  removeNetwork(id: string): Promise<void>;
  listVolumes(labels: string[]): Promise<string[]>;
  removeVolume(name: string): Promise<void>;
  /** Container events (start, die, destroy) of the labelled containers, as they happen. */
  containerEvents(labels: string[]): Promise<ContainerEventStream>;
}

export interface ContainerEvent {
  action: string;
  id: string;
  labels: Record<string, string>;
  exitCode?: number;
}

export interface ContainerEventStream {
  on(event: 'event', listener: (event: ContainerEvent) => void): void;
  on(event: 'end', listener: () => void): void;
  close(): void;
}
