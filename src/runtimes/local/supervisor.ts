import type { InfraName } from '../../models/names.js';
import type { Service, WorkspaceData } from '../../models/workspace.js';
import { infraNeeds, localAmqpNamespace, otlpEndpointOf, serviceEnv } from '../../models/wiring.js';
import { startCollector, type RunningCollector } from '../../collector/collector.js';
import { databaseName, ensureDatabase, resolveInfra, type InfraEndpoint } from '../infra.js';
import type { RuntimeEvents, ServiceStatus, UpOptions } from '../runtime.js';
import { startInDependencyOrder, stopInReverseOrder } from '../start-in-order.js';
import { installDependencies, needsInstall } from './install.js';
import { ServiceLogFile } from '../../state/log-file.js';
import { ServiceProcess } from './service-process.js';
import { logsDir } from '../../state/paths.js';

export const STOP_GRACE_MS = 10_000;

/**
 * Runs a workspace's services as local processes: installs what is missing,
 * starts each service as soon as everything it depends on is ready, and stops
 * them all on request. Used in the foreground by `msx up` and headless by the
 * detached supervisor.
 */
export class Supervisor {
  private readonly processes = new Map<string, ServiceProcess>();
  private readonly statuses = new Map<string, ServiceStatus>();
  private readonly logFiles = new Map<string, ServiceLogFile>();
  private readonly listeners = new Set<(status: ServiceStatus) => void>();
  private infra?: Map<InfraName, InfraEndpoint>;
  private collector?: RunningCollector;

  constructor(
    private readonly workspace: WorkspaceData,
    private readonly options: UpOptions,
    private readonly events: RuntimeEvents,
  ) {}

  /**
   * Starts `services` (selected and port-checked by the caller: selectServices,
   * assertPortsFree) and resolves once each is ready, failed or blocked.
   */
  async start(services: Service[]): Promise<ServiceStatus[]> {
    // Infra first: a URL the user gave where nothing answers is the one line to show, before any progress.
    const infra = await resolveInfra(this.workspace);
    this.infra = infra;
    await this.startCollector();
    for (const service of services) this.report({ service: service.name, state: 'pending', port: service.port, restarts: 0 });
    await this.install(services);
    await startInDependencyOrder(services, {
      precheck: (service) => infraNeeds(service).map((name) => infra.get(name)!).find((endpoint) => !endpoint.url)?.problem,
      start: (service) => this.startService(service, infra),
      blocked: (service, detail) => this.block(service, detail),
      stateOf: (name) => this.statuses.get(name)?.state,
    });
    return this.snapshot();
  }

  snapshot(): ServiceStatus[] {
    return [...this.statuses.values()].map((status) => ({ ...status }));
  }

  /** Stops every service, dependents first, then closes the log files. */
  async stop(graceMs = STOP_GRACE_MS): Promise<void> {
    const services = [...this.processes.values()].map((p) => p.service);
    await stopInReverseOrder(services, (service) => this.processes.get(service.name)!.stop(graceMs));
    await Promise.all([...this.logFiles.values()].map((file) => file.close()));
    await this.collector?.close();
  }

  /** msx's OTLP collector in this process, unless msx.yaml sends the spans elsewhere; without one, services still run. */
  private async startCollector(): Promise<void> {
    if (this.collector || otlpEndpointOf(this.workspace, 'local')) return;
    try {
      this.collector = await startCollector(this.workspace.root);
    } catch (error) {
      this.events.note(undefined, `the span collector did not start (${(error as Error).message}): msx traces will show nothing`);
    }
  }

  /** Every state change from now on, until the returned function is called (control-server.ts streams them). */
  subscribe(listener: (status: ServiceStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** One service stopped gracefully; the services that depend on it keep running. */
  async stopOne(name: string, reason: string): Promise<void> {
    const child = this.processes.get(name);
    if (!child) return;
    child.status.lastExit = reason;
    await child.stop(STOP_GRACE_MS);
    // A failed service keeps its state through ServiceProcess.stop; stopped on purpose, it is stopped.
    if (child.status.state !== 'stopped') this.report({ ...child.status, state: 'stopped', detail: undefined });
  }

  /** One service started alone (again) and gated on readiness; a running one is left as it is. */
  async startOne(name: string, restart = false): Promise<boolean> {
    const current = this.processes.get(name);
    if (current && !restart && ['starting', 'ready', 'restarting'].includes(current.status.state)) return current.status.state === 'ready';
    if (current && restart) await this.stopOne(name, 'restarted by msx');
    const service = this.workspace.services.find((s) => s.name === name)!;
    this.infra ??= await resolveInfra(this.workspace);
    const previous = this.statuses.get(name);
    return this.startService(service, this.infra, { restarts: (previous?.restarts ?? 0) + (current ? 1 : 0), lastExit: previous?.lastExit });
  }

  private report(status: ServiceStatus): void {
    this.statuses.set(status.service, status);
    this.events.state(status);
    for (const listener of this.listeners) listener(status);
  }

  private block(service: Service, detail: string): void {
    this.report({ ...this.statuses.get(service.name)!, state: 'blocked', detail });
  }

  private async install(services: Service[]): Promise<void> {
    for (const service of services.filter((s) => needsInstall(s.dir))) {
      this.report({ ...this.statuses.get(service.name)!, state: 'installing' });
      this.events.note(service.name, 'installing dependencies (node_modules missing or older than the lockfile)');
      await installDependencies(service.dir, service.name);
    }
  }

  private async startService(service: Service, infra: Map<InfraName, InfraEndpoint>, carried?: Pick<ServiceStatus, 'restarts' | 'lastExit'>): Promise<boolean> {
    let databaseUrl: string | undefined;
    if (service.db === 'postgres') {
      try {
        databaseUrl = await ensureDatabase(infra.get('postgres')!.url!, databaseName(this.workspace.name, service.name));
      } catch (error) {
        this.block(service, `its database could not be created: ${(error as Error).message}`);
        return false;
      }
    }
    const env = serviceEnv({
      workspace: this.workspace,
      service,
      environment: 'local',
      addressOf: (target) => ({ host: '127.0.0.1', port: target.port }),
      host: '127.0.0.1',
      amqpUrl: infra.get('rabbitmq')?.url,
      amqpNamespace: localAmqpNamespace(this.workspace),
      databaseUrl,
      otlpEndpoint: this.collector?.endpoint,
    });
    // One log file per service for the supervisor's life: a restart goes on writing where the last process stopped.
    const logFile = this.logFiles.get(service.name) ?? new ServiceLogFile(logsDir(this.workspace.root), service.name);
    this.logFiles.set(service.name, logFile);
    const events: RuntimeEvents = { ...this.events, state: (status) => this.report(status) };
    const child = new ServiceProcess(service, { ...process.env, ...env } as Record<string, string>, logFile, events, this.options.readyTimeoutMs);
    if (carried) Object.assign(child.status, carried);
    this.processes.set(service.name, child);
    return child.start();
  }
}
