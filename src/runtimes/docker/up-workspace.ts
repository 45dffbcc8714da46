import { localUrl } from '../../models/service-status.js';
import { ExternalError } from '../../errors.js';
import type { InfraName } from '../../models/names.js';
import type { Service, WorkspaceData } from '../../models/workspace.js';
import { databaseName, ensureDatabase } from '../infra.js';
import type { RuntimeEvents, ServiceState, ServiceStatus, UpOptions } from '../runtime.js';
import { selectServices } from '../select-services.js';
import { startInDependencyOrder } from '../start-in-order.js';
import { localAmqpNamespace, otlpEndpointOf, serviceEnv } from '../../models/wiring.js';
import { applyAction, createContainer, ensureNetwork, removeOldImages, STOP_GRACE_SECONDS } from './apply-plan.js';
import { envOf, forImage, serviceContainerSpec, type ContainerSpec, type ServiceContainerInput } from './container-spec.js';
import type { ContainerSummary, DockerClient } from '../../docker/docker-client.js';
import { devRunnerFor, servicePid, type DevRunner } from './dev-runner-install.js';
import { forContainers, HOST_ALIAS, resolveContainerInfra, type ContainerInfraEndpoint } from './docker-infra.js';
import { DEV_TARGET, LABEL, workspaceFilter } from './labels.js';
import { buildServiceImage } from './service-image.js';
import { planContainers, type ContainerAction, type ContainerPlan } from './plan.js';
import { waitForInfraReady, waitForServiceReady } from './readiness.js';
import { readReloads, recordReload, restartsAndLastExit } from './reload-record.js';
import { msxFile } from '../../state/paths.js';
import { sourceDirsFor } from './source-mounts.js';

const ACTION_NOTE: Record<ContainerAction['action'], string> = {
  keep: 'unchanged',
  start: 'starting its stopped container',
  create: 'creating its container',
  recreate: 'recreating its container (image or config changed)',
};

interface ServiceImage {
  service: string;
  tag: string;
  target?: string;
  /** False when an image with this content hash was there already. */
  built: boolean;
}

export interface UpOutcome {
  statuses: ServiceStatus[];
  /** Service name → the id of the container it runs in. */
  containers: Map<string, string>;
  /** Service name → what its container was made from: a live update recreates it with another image. */
  inputs: Map<string, ServiceContainerInput>;
}

/**
 * One `msx up` against the engine: network, infra, images (built only when
 * their context hash is new), then each service's container kept, started,
 * created or recreated by its config hash, in dependency order, each gated
 * on its readiness probe. Reports through `events`; never prints.
 */
export class DockerUp {
  private readonly statuses = new Map<string, ServiceStatus>();
  private readonly containers = new Map<string, string>();
  private readonly inputs = new Map<string, ServiceContainerInput>();
  /** msx's collector as the containers reach it (through the network gateway). */
  private otlpEndpoint?: string;
  /** Told the plan before anything is applied (an msx.yaml edit while watching says what it will restart). */
  onPlan: (plan: ContainerPlan) => void = () => undefined;
  /** Service → the image its container runs, used as it is: a watched container has synced edits its image lacks, so no rebuild for them. */
  knownImages = new Map<string, string>();
  /**
   * An msx.yaml reload: a kept running container is taken as it runs, not gated again (only what the edit
   * touched is); its readiness may hang on a dependency msx stop stopped, which the reload leaves stopped.
   */
  keepAsIs = false;

  constructor(
    private readonly client: DockerClient,
    private readonly workspace: WorkspaceData,
    private readonly options: UpOptions,
    private readonly events: RuntimeEvents,
    /** Called with each service container as soon as it exists, before it is ready (so its start-up logs show). */
    private readonly onContainer: (service: string, id: string) => void = () => undefined,
    /** Starts msx's collector on the host, listening on the network's gateway; its port, or undefined without one. */
    private readonly startCollector: (gateway: string) => Promise<number | undefined> = async () => undefined,
  ) {}

  async run(): Promise<UpOutcome> {
    const leave = this.options.leaveStopped;
    const selected = selectServices(this.workspace, this.options.services);
    // Stopped by msx stop: not started, but planned like the others, so a changed config still reaches the container.
    const services = selected.filter((s) => !leave?.has(s.name));
    for (const service of services) this.report(service, 'pending');
    const existing = await this.client.listContainers(workspaceFilter(this.workspace.name));
    const network = await ensureNetwork(this.client, this.workspace.name);
    const otlpPort = otlpEndpointOf(this.workspace, 'local') ? undefined : await this.startCollector(network.gateway);
    if (otlpPort) this.otlpEndpoint = `http://${HOST_ALIAS}:${otlpPort}`;
    const infra = await resolveContainerInfra({ client: this.client, workspace: this.workspace, network: network.name, gateway: network.gateway, existing });
    const infraSpecs = [...infra.values()].flatMap((endpoint) => (endpoint.spec ? [endpoint.spec] : []));
    const [images] = await Promise.all([this.buildImages(selected), this.startInfra(infraSpecs, existing)]);
    const specs = await Promise.all(selected.map((service) => this.specFor(service, images.get(service.name)!, infra, network)));
    // Infra was planned (and maybe recreated) above; every other workspace container is planned here, so on a
    // full up one that no service claims (a service removed from msx.yaml, infra no longer needed) is removed.
    const infraNames = new Set(infraSpecs.map((spec) => spec.name));
    const plan = planContainers(specs, existing.filter((c) => !infraNames.has(c.name)), this.options.services.length === 0);
    await this.freshImagesForRecreated(selected, plan.actions, images);
    const held = plan.actions.filter((a) => leave?.has(a.spec.service));
    this.onPlan({ ...plan, actions: plan.actions.filter((a) => !held.includes(a)) });
    await this.removeUnclaimed(plan.remove);
    await this.recreateHeld(held);
    await this.startInOrder(services, plan.actions);
    await Promise.all([...images.values()].filter((i) => i.built).map((i) => removeOldImages(this.client, this.workspace.name, i.service, i.tag, i.target)));
    return { statuses: services.map((s) => ({ ...this.statuses.get(s.name)! })), containers: this.containers, inputs: this.inputs };
  }

  /** All images at once: the engine builds them in parallel, and one failure is reported after all finished. */
  private async buildImages(services: Service[]): Promise<Map<string, ServiceImage>> {
    const results = await Promise.allSettled(services.map((service) => this.buildImage(service)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return new Map(results.map((r) => [(r as PromiseFulfilledResult<ServiceImage>).value.service, (r as PromiseFulfilledResult<ServiceImage>).value]));
  }

  /** Tagged `msx/<workspace>_<service>:<content hash>`: the hash msx deploy tags the same code with. */
  private async buildImage(service: Service): Promise<ServiceImage> {
    const target = this.options.watch ? DEV_TARGET : undefined;
    const known = this.knownImages.get(service.name);
    if (known) return { service: service.name, tag: known, built: false, target };
    const built = await buildServiceImage(this.client, this.workspace.name, service, target, () => this.events.note(service.name, `building ${target ? 'its dev image' : 'image'} (its context changed)`));
    return { service: service.name, tag: built.tag, built: built.built, target };
  }

  private async startInfra(specs: ContainerSpec[], existing: ContainerSummary[]): Promise<void> {
    const plan = planContainers(specs, existing, false);
    await Promise.all(
      plan.actions.map(async (action) => {
        if (action.action !== 'keep') this.events.note(action.spec.service, infraNote(action.spec));
        const id = await applyAction(this.client, action);
        const readiness = await waitForInfraReady(this.client, id, action.spec, Math.max(this.options.readyTimeoutMs, 10_000));
        if (!readiness.ready) throw new ExternalError(`${action.spec.service} did not become ready in Docker`, `docker start ${action.spec.name}`, readiness.detail, 'runtimeUnavailable');
      }),
    );
  }

  private async specFor(service: Service, image: ServiceImage, infra: Map<InfraName, ContainerInfraEndpoint>, network: { name: string; gateway: string }): Promise<ContainerSpec> {
    const postgres = infra.get('postgres');
    let databaseUrl: string | undefined;
    if (service.db === 'postgres' && postgres) {
      databaseUrl = forContainers(postgres, await ensureDatabase(postgres.hostUrl, databaseName(this.workspace.name, service.name)));
    }
    const env = serviceEnv({
      workspace: this.workspace,
      service,
      environment: 'local',
      addressOf: (target) => ({ host: target.name, port: target.port }),
      amqpUrl: infra.get('rabbitmq')?.containerUrl,
      redisUrl: infra.get('redis')?.containerUrl,
      amqpNamespace: localAmqpNamespace(this.workspace),
      databaseUrl,
      otlpEndpoint: this.otlpEndpoint,
    });
    const input: ServiceContainerInput = {
      workspace: this.workspace.name,
      service,
      image: image.tag,
      env,
      network: network.name,
      extraHosts: [`${HOST_ALIAS}:${network.gateway}`],
      devRunner: await this.devRunnerOf(image.tag),
      // A local engine on Linux shares the host's files: the runner's folder and the sources are bind-mounted (container-spec.ts).
      runnerDir: this.options.watch && this.client.endpoint.startsWith('unix://') && process.platform === 'linux' ? msxFile.devRunnerDir(this.workspace.root, service.name) : undefined,
    };
    input.sourceDirs = sourceDirsFor(service, input.runnerDir, input.devRunner);
    this.inputs.set(service.name, input);
    return serviceContainerSpec(input);
  }

  /** A container recreated from a known image would lose the edits synced into the old one: its image is built anew. */
  private async freshImagesForRecreated(services: Service[], actions: ContainerAction[], images: Map<string, ServiceImage>): Promise<void> {
    for (const action of actions) {
      const service = services.find((s) => s.name === action.spec.service);
      if (action.action !== 'recreate' || !service || !this.knownImages.delete(service.name)) continue;
      const image = await this.buildImage(service);
      const input = forImage(this.inputs.get(service.name)!, image.tag, await this.devRunnerOf(image.tag));
      images.set(service.name, image);
      this.inputs.set(service.name, input);
      action.spec = serviceContainerSpec(input);
    }
  }

  /** Under --watch, msx's runner in front of the dev image's command (a warm spare inside the container), when it fits. */
  private async devRunnerOf(tag: string): Promise<DevRunner | undefined> {
    return this.options.watch ? devRunnerFor(await this.client.imageCommand(tag)) : undefined;
  }

  /**
   * A service msx stop stopped whose config changed: its container made anew from the new spec and left
   * stopped (created, not started), with what ps said of it (restarts, `stopped by msx stop`) carried over, so
   * the next msx start runs the new config. An unchanged one is left exactly as it is.
   */
  private async recreateHeld(actions: ContainerAction[]): Promise<void> {
    for (const action of actions) {
      if (action.action !== 'recreate') continue;
      const { existing, spec } = action;
      const before = await this.client.inspectContainer(existing.id);
      const record = restartsAndLastExit(before, readReloads(this.workspace.root)[existing.id]);
      await this.client.removeContainer(existing.id, STOP_GRACE_SECONDS);
      const id = await createContainer(this.client, spec);
      this.containers.set(spec.service, id);
      recordReload(this.workspace.root, await this.client.inspectContainer(id), { priorRestarts: record.restarts, lastExit: record.lastExit ?? 'stopped', counts: false });
      this.events.note(spec.service, `its config changed: its stopped container recreated with it and left stopped (msx start ${spec.service} runs the new config)`);
    }
  }

  /** Each service starts once everything it depends on is ready, as on every runtime (start-in-order.ts). */
  private startInOrder(services: Service[], actions: ContainerAction[]): Promise<void> {
    return startInDependencyOrder(services, {
      start: (service) => this.startContainer(service, actions.find((a) => a.spec.service === service.name)!),
      blocked: (service, detail) => this.report(service, 'blocked', detail),
      stateOf: (name) => this.statuses.get(name)?.state,
    });
  }

  private async startContainer(service: Service, action: ContainerAction): Promise<boolean> {
    if (action.action === 'keep' && this.keepAsIs) {
      this.containers.set(service.name, action.existing.id);
      this.onContainer(service.name, action.existing.id);
      return true;
    }
    if (action.action !== 'keep') this.events.note(service.name, ACTION_NOTE[action.action]);
    this.report(service, 'starting');
    const id = await applyAction(this.client, action);
    this.containers.set(service.name, id);
    this.onContainer(service.name, id);
    const readiness = await waitForServiceReady(this.client, id, service, this.options.readyTimeoutMs);
    const details = await this.client.inspectContainer(id);
    Object.assign(this.statuses.get(service.name)!, { pid: servicePid(details), startedAt: details.startedAt, restarts: details.restartCount });
    this.report(service, readiness.ready ? 'ready' : 'failed', readiness.detail);
    return readiness.ready;
  }

  /** Says which containers go and why, then removes them all before any service starts (one may take a freed port). */
  private async removeUnclaimed(containers: ContainerSummary[]): Promise<void> {
    const declared = new Set(this.workspace.services.map((s) => s.name));
    for (const container of containers) {
      const service = container.labels[LABEL.service];
      const why = container.labels[LABEL.role] !== 'service' ? 'no service needs it any more' : declared.has(service) ? 'a second container of the service' : 'no longer in msx.yaml';
      this.events.note(service, `removing its container ${container.name} (${why})`);
    }
    await Promise.all(containers.map((c) => this.client.removeContainer(c.id, STOP_GRACE_SECONDS)));
  }

  private report(service: Service, state: ServiceState, detail?: string): void {
    const status = this.statuses.get(service.name) ?? { service: service.name, state, port: service.port, url: localUrl(service), restarts: 0 };
    Object.assign(status, { state, detail });
    this.statuses.set(service.name, status);
    this.events.state({ ...status });
  }
}

function infraNote(spec: ContainerSpec): string {
  const env = envOf(spec);
  if (spec.role === 'forwarder') {
    return `listens on ${env.TARGET_HOST} only: containers reach it through a forwarder on ${env.LISTEN_HOST}:${env.LISTEN_PORT} (${spec.name})`;
  }
  return `nothing answers on the host: starting ${String(spec.options.Image)} as ${spec.name}`;
}
