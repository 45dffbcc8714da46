import type { InfraName } from '../../models/names.js';
import type { Service, WorkspaceData } from '../../models/workspace.js';
import { infraNeeds, localAmqpNamespace, otlpEndpointOf, serviceEnv } from '../../models/wiring.js';
import { startCollector, type RunningCollector } from '../../collector/collector.js';
import { databaseName, ensureDatabase, resolveInfra, type InfraEndpoint } from '../infra.js';
import type { RuntimeEvents, ServiceStatus, UpOptions } from '../runtime.js';
import { startInDependencyOrder, stopInReverseOrder } from '../start-in-order.js';
import { dependencyOrder } from '../../models/graph.js';
import type { ReloadPlan } from '../watch/workspace-edit.js';
import { installDependencies, needsInstall } from './install.js';
import { ServiceLogFile } from '../../state/log-file.js';
import type { ServiceLogLine } from '../../state/log-record.js';
import { ServiceProcess } from './service-process.js';
import { DEFAULT_RESTART_POLICY } from './restart-policy.js';
import { MAX_SPARES, StandbyPool } from './standby.js';
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
  /** Set once stop() closes the log files: a late OTLP record is dropped, not written to an ended stream. */
  private logsClosed = false;
  /** Per service, the tail of its start/stop work: the next one waits for it. */
  private readonly queues = new Map<string, Promise<void>>();
  /** The env each service was last started with: what a warm spare of it must be started with. */
  private readonly envs = new Map<string, Record<string, string>>();
  private readonly standby = new StandbyPool();
  /** How the last startOne of each service went: for the watcher's "restarted in" line. */
  private readonly timings = new Map<string, { stopMs: number; warm: boolean }>();

  constructor(
    private workspace: WorkspaceData,
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
    await startInDependencyOrder(services, this.starter(infra, (service) => this.startService(service, infra)));
    return this.snapshot();
  }

  /** The workspace as the supervisor runs it now (an msx.yaml edit under --watch replaces it). */
  get current(): WorkspaceData {
    return this.workspace;
  }

  /** The services this supervisor has started and not stopped on purpose (msx stop): what an msx.yaml edit may restart. */
  managed(): Set<string> {
    return new Set([...this.processes.values()].filter((p) => p.status.state !== 'stopped').map((p) => p.service.name));
  }

  /**
   * An msx.yaml edit while watching: from now on `next` is the workspace; the
   * services gone from it stop, the changed ones restart and the new ones start,
   * in dependency order and gated on readiness, as `msx up` does.
   */
  async reload(next: WorkspaceData, plan: ReloadPlan): Promise<void> {
    const removed = this.workspace.services.filter((s) => plan.stop.includes(s.name));
    await stopInReverseOrder(removed, (service) => this.stopOne(service.name, 'removed from msx.yaml'));
    for (const service of removed) {
      this.standby.drop(service.name);
      void this.logFiles.get(service.name)?.close();
      this.logFiles.delete(service.name);
      this.report({ ...this.statuses.get(service.name)!, state: 'stopped', detail: 'removed from msx.yaml' });
      this.processes.delete(service.name);
      this.statuses.delete(service.name);
    }
    this.workspace = next;
    const infra = await resolveInfra(next);
    this.infra = infra;
    const added = next.services.filter((s) => plan.start.includes(s.name));
    for (const service of added) this.report({ service: service.name, state: 'pending', port: service.port, restarts: 0 });
    await this.install(added);
    const todo = dependencyOrder(next.services).filter((s) => plan.start.includes(s.name) || plan.restart.includes(s.name));
    await startInDependencyOrder(todo, this.starter(infra, (service) => this.startOne(service.name, plan.restart.includes(service.name))));
  }

  private starter(infra: Map<InfraName, InfraEndpoint>, start: (service: Service) => Promise<boolean>) {
    return {
      precheck: (service: Service) => infraNeeds(service).map((name) => infra.get(name)!).find((endpoint) => !endpoint.url)?.problem,
      start,
      blocked: (service: Service, detail: string) => this.block(service, detail),
      stateOf: (name: string) => this.statuses.get(name)?.state,
    };
  }

  snapshot(): ServiceStatus[] {
    return [...this.statuses.values()].map((status) => ({ ...status }));
  }

  /** Stops every service, dependents first, then closes the log files. */
  async stop(graceMs = STOP_GRACE_MS): Promise<void> {
    const services = [...this.processes.values()].map((p) => p.service);
    await this.standby.close();
    await stopInReverseOrder(services, (service) => this.processes.get(service.name)!.stop(graceMs));
    // The collector first: a log record it takes goes to a file still open.
    await this.collector?.close();
    // A request the collector's close cut short may still hand over records: they find the files closed.
    this.logsClosed = true;
    await Promise.all([...this.logFiles.values()].map((file) => file.close()));
  }

  /** msx's OTLP collector in this process, unless msx.yaml sends the spans elsewhere; without one, services still run. */
  private async startCollector(): Promise<void> {
    if (this.collector || otlpEndpointOf(this.workspace, 'local')) return;
    try {
      this.collector = await startCollector(this.workspace.root, { onLogs: (lines) => this.writeOtlpLogs(lines), isService: (name) => this.statuses.has(name) });
    } catch (error) {
      this.events.note(undefined, `the span collector did not start (${(error as Error).message}): msx traces will show nothing`);
    }
  }

  /** Log records a service sent over OTLP (/v1/logs): into its log file, and shown, as its stdout lines are. */
  private writeOtlpLogs(lines: ServiceLogLine[]): void {
    if (this.logsClosed) return;
    for (const line of lines) {
      let file = this.logFiles.get(line.service);
      if (!file) this.logFiles.set(line.service, (file = new ServiceLogFile(logsDir(this.workspace.root), line.service)));
      file.write(line);
      this.events.log(line);
    }
  }

  /** Every state change from now on, until the returned function is called (control-server.ts streams them). */
  subscribe(listener: (status: ServiceStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** One service stopped gracefully; the services that depend on it keep running. */
  stopOne(name: string, reason: string): Promise<void> {
    return this.serially(name, () => this.stopNow(name, reason));
  }

  /**
   * One service started alone (again) and gated on readiness; a running one is left as it is.
   * Control requests and watch restarts of one service run one after another, never interleaved.
   */
  startOne(name: string, restart = false): Promise<boolean> {
    return this.serially(name, () => this.startNow(name, restart));
  }

  /** Starts a warm spare of the service (standby.ts), for its next restart; after a watch restart. */
  async prewarm(name: string): Promise<void> {
    const service = this.workspace.services.find((s) => s.name === name);
    const env = this.envs.get(name);
    if (service && env) await this.standby.prepare(service, env);
  }

  /**
   * Under --watch, when the spares can cover every watched service, one each from the start, so the
   * first edit of a service is warm too (otherwise a spare follows a service's first watch restart).
   * One after another, in the background: each loads tsx and the service's dependencies.
   */
  async prewarmFirstEdits(names: readonly string[]): Promise<void> {
    if (names.length > MAX_SPARES) return;
    for (const name of names) if (this.statuses.get(name)?.state === 'ready') await this.prewarm(name);
  }

  /** The stop part of the last startOne of `name`, and whether a warm spare took over. */
  lastStart(name: string): { stopMs: number; warm: boolean } | undefined {
    return this.timings.get(name);
  }

  /** The service stops (if it runs) and is shown failed with `detail`: a reinstall under --watch that failed. */
  markFailed(name: string, detail: string, lastExit: string): Promise<void> {
    return this.serially(name, async () => {
      this.standby.drop(name);
      await this.stopNow(name, lastExit);
      const status = this.statuses.get(name);
      if (status) this.report({ ...status, state: 'failed', detail, lastExit, pid: undefined });
    });
  }

  /** A spare started before a reinstall or an msx.yaml change is not used. */
  dropSpare(name: string): void {
    this.standby.drop(name);
  }

  private serially<T>(name: string, work: () => Promise<T>): Promise<T> {
    const result = (this.queues.get(name) ?? Promise.resolve()).then(work);
    const settled = result.then(() => undefined, () => undefined);
    this.queues.set(name, settled);
    void settled.then(() => this.queues.get(name) === settled && this.queues.delete(name));
    return result;
  }

  private async stopNow(name: string, reason: string): Promise<void> {
    const child = this.processes.get(name);
    if (!child) return;
    child.status.lastExit = reason;
    await child.stop(STOP_GRACE_MS);
    // A failed service keeps its state through ServiceProcess.stop; stopped on purpose, it is stopped.
    if (child.status.state !== 'stopped') this.report({ ...child.status, state: 'stopped', detail: undefined });
  }

  private async startNow(name: string, restart: boolean): Promise<boolean> {
    const current = this.processes.get(name);
    if (current && !restart && ['starting', 'ready', 'restarting'].includes(current.status.state)) return current.status.state === 'ready';
    // A restart counts a process replaced; starting one that was stopped on purpose is a start.
    const replaced = current !== undefined && current.status.state !== 'stopped';
    const stopStarted = Date.now();
    if (current && restart) await this.stopNow(name, 'restarted by msx');
    this.timings.set(name, { stopMs: Date.now() - stopStarted, warm: false });
    const service = this.workspace.services.find((s) => s.name === name)!;
    this.infra ??= await resolveInfra(this.workspace);
    const previous = this.statuses.get(name);
    return this.startService(service, this.infra, { restarts: (previous?.restarts ?? 0) + (replaced ? 1 : 0), lastExit: previous?.lastExit });
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
      redisUrl: infra.get('redis')?.url,
      amqpNamespace: localAmqpNamespace(this.workspace),
      databaseUrl,
      otlpEndpoint: this.collector?.endpoint,
    });
    // One log file per service for the supervisor's life: a restart goes on writing where the last process stopped.
    const logFile = this.logFiles.get(service.name) ?? new ServiceLogFile(logsDir(this.workspace.root), service.name);
    this.logFiles.set(service.name, logFile);
    const events: RuntimeEvents = { ...this.events, state: (status) => this.report(status) };
    const fullEnv = { ...process.env, ...env } as Record<string, string>;
    this.envs.set(service.name, fullEnv);
    const spare = (wanted: Record<string, string>) => {
      const child = this.standby.take(service.name, wanted);
      const timing = this.timings.get(service.name);
      if (child && timing) timing.warm = true;
      return child;
    };
    const child = new ServiceProcess(service, fullEnv, logFile, events, this.options.readyTimeoutMs, DEFAULT_RESTART_POLICY, spare);
    if (carried) Object.assign(child.status, carried);
    this.processes.set(service.name, child);
    return child.start();
  }
}
