import { PassThrough } from 'node:stream';
import type { ContainerCreateOptions } from 'dockerode';
import type {
  BuildRequest,
  ContainerDetails,
  ContainerEventStream,
  ContainerSummary,
  DockerClient,
  ImageSummary,
  LogStreams,
  NetworkSummary,
  ProgressOutput,
  RegistryAuth,
} from '../../src/docker/docker-client.js';

interface FakeContainer extends ContainerSummary {
  options: ContainerCreateOptions;
}

/** Does a label filter (`key=value` list) match these labels? */
const matches = (labels: Record<string, string>, filter: string[]) =>
  filter.every((f) => {
    const [key, ...rest] = f.split('=');
    return labels[key] === rest.join('=');
  });

/**
 * An in-memory Docker engine: containers, images, networks and volumes with
 * labels, and a journal of the calls that change something, so a test can
 * say "only stock was recreated".
 */
export class FakeDocker implements DockerClient {
  readonly endpoint = 'fake://docker';
  readonly containers: FakeContainer[] = [];
  readonly images: ImageSummary[] = [];
  readonly networks: NetworkSummary[] = [];
  readonly volumes: Array<{ name: string; labels: Record<string, string> }> = [];
  readonly journal: string[] = [];
  /** Set to make builds fail with this output. */
  buildResult?: ProgressOutput;
  /** Set to make pushes fail with this output. */
  pushResult?: ProgressOutput;
  /** What each push sent as X-Registry-Auth, by reference. */
  readonly pushedAuth = new Map<string, RegistryAuth | undefined>();
  pullError?: string;
  private next = 1;

  async ping(): Promise<void> {}

  async listContainers(labels: string[]): Promise<ContainerSummary[]> {
    return this.containers.filter((c) => matches(c.labels, labels)).map(({ options: _o, ...summary }) => ({ ...summary }));
  }

  async inspectContainer(id: string): Promise<ContainerDetails> {
    const c = this.mustFind(id);
    return { id, running: c.state === 'running', restarting: false, exitCode: 0, restartCount: 0, startedAt: new Date().toISOString(), finishedAt: '0001-01-01T00:00:00Z', pid: 4242, workingDir: '/app', labels: { ...c.labels } };
  }

  /** Files a test put in a container (`readContainerFile` answers from here), by container id then path. */
  readonly files = new Map<string, Map<string, string>>();

  async readContainerFile(id: string, path: string): Promise<string | undefined> {
    this.mustFind(id);
    return this.files.get(id)?.get(path);
  }

  async signalContainer(id: string, signal: string): Promise<void> {
    this.journal.push(`kill ${this.mustFind(id).name} ${signal}`);
  }

  async createContainer(options: ContainerCreateOptions): Promise<string> {
    if (this.containers.some((c) => c.name === options.name)) throw Object.assign(new Error(`name ${options.name} in use`), { statusCode: 409 });
    const id = `c${this.next++}`;
    this.containers.push({ id, name: options.name!, image: options.Image!, state: 'created', labels: { ...options.Labels }, options });
    this.journal.push(`create ${options.name}`);
    return id;
  }

  async startContainer(id: string): Promise<void> {
    this.mustFind(id).state = 'running';
    this.journal.push(`start ${this.mustFind(id).name}`);
  }

  async removeContainer(id: string): Promise<void> {
    const index = this.containers.findIndex((c) => c.id === id);
    if (index < 0) return;
    this.journal.push(`remove ${this.containers[index].name}`);
    this.containers.splice(index, 1);
  }

  async stopContainer(id: string): Promise<void> {
    this.mustFind(id).state = 'exited';
    this.journal.push(`stop ${this.mustFind(id).name}`);
  }

  async restartContainer(id: string): Promise<void> {
    this.mustFind(id).state = 'running';
    this.journal.push(`restart ${this.mustFind(id).name}`);
  }

  async setRestartPolicy(id: string, policy: string): Promise<void> {
    this.journal.push(`restart-policy ${this.mustFind(id).name} ${policy}`);
  }

  async putArchive(id: string, dir: string, tar: NodeJS.ReadableStream): Promise<void> {
    await new Promise((resolve) => tar.on('end', resolve).on('error', resolve).resume());
    this.journal.push(`put ${this.mustFind(id).name}:${dir}`);
  }

  async execInContainer(id: string, command: string[]): Promise<number> {
    this.journal.push(`exec ${this.mustFind(id).name} ${command.join(' ')}`);
    return 0;
  }

  async containerLogs(): Promise<LogStreams> {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    stdout.end();
    stderr.end();
    return { stdout, stderr, close: () => undefined };
  }

  async imageCommand(reference: string) {
    return this.images.some((i) => i.tags.includes(reference)) ? { cmd: ['node', '--import', 'tsx', 'src/main.ts'], entrypoint: ['docker-entrypoint.sh'], workingDir: '/app', user: '1000:1000' } : undefined;
  }

  async imageExists(reference: string): Promise<boolean> {
    return this.images.some((image) => image.tags.includes(reference));
  }

  async listImages(labels: string[]): Promise<ImageSummary[]> {
    return this.images.filter((image) => matches(image.labels, labels));
  }

  async removeImage(id: string): Promise<void> {
    const index = this.images.findIndex((image) => image.id === id);
    if (index >= 0) this.journal.push(`rmi ${this.images.splice(index, 1)[0].tags.join(',')}`);
  }

  async buildImage(request: BuildRequest): Promise<ProgressOutput> {
    // Read the whole context as the engine would, so no file read outlives the test.
    await new Promise((resolve) => request.context.on('end', resolve).on('error', resolve).resume());
    this.journal.push(`build ${request.tag}`);
    if (this.buildResult?.error) return this.buildResult;
    this.images.push({ id: `i${this.next++}`, tags: [request.tag], labels: request.labels });
    return this.buildResult ?? { lines: ['Successfully built'] };
  }

  async pushImage(reference: string, auth: RegistryAuth | undefined): Promise<ProgressOutput> {
    // The engine refuses to push what it does not have (404 "No such image").
    if (!(await this.imageExists(reference))) throw Object.assign(new Error(`No such image: ${reference}`), { statusCode: 404 });
    this.journal.push(`push ${reference}`);
    this.pushedAuth.set(reference, auth);
    return this.pushResult ?? { lines: ['The push refers to repository'] };
  }

  async pullImage(reference: string): Promise<void> {
    this.journal.push(`pull ${reference}`);
    if (this.pullError) throw new Error(this.pullError);
    this.images.push({ id: `i${this.next++}`, tags: [reference], labels: {} });
  }

  async listNetworks(labels: string[]): Promise<NetworkSummary[]> {
    return this.networks.filter((n) => matches(n.labels, labels));
  }

  async createNetwork(name: string, labels: Record<string, string>): Promise<NetworkSummary> {
    const network = { id: `n${this.next++}`, name, gateway: '172.30.0.1', labels };
    this.networks.push(network);
    this.journal.push(`network ${name}`);
    return network;
  }

  async removeNetwork(id: string): Promise<void> {
    const index = this.networks.findIndex((n) => n.id === id);
    if (index >= 0) this.journal.push(`rm network ${this.networks.splice(index, 1)[0].name}`);
  }

  async listVolumes(labels: string[]): Promise<string[]> {
    return this.volumes.filter((v) => matches(v.labels, labels)).map((v) => v.name);
  }

  async removeVolume(name: string): Promise<void> {
    const index = this.volumes.findIndex((v) => v.name === name);
    if (index >= 0) this.journal.push(`rm volume ${this.volumes.splice(index, 1)[0].name}`);
  }

  async containerEvents(): Promise<ContainerEventStream> {
    return { on: () => undefined, close: () => undefined };
  }

  private mustFind(id: string): FakeContainer {
    const container = this.containers.find((c) => c.id === id);
    if (!container) throw Object.assign(new Error(`no such container ${id}`), { statusCode: 404 });
    return container;
  }
}
