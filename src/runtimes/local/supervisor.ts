import { createServer } from 'node:net';
import { UserError } from '../../errors.js';
import { dependencyOrder } from '../../models/graph.js';
import type { InfraName } from '../../models/names.js';
import type { Service, WorkspaceData } from '../../models/workspace.js';
import { databaseName, ensureDatabase, infraNeeds, resolveInfra, type InfraEndpoint } from '../infra.js';
import type { RuntimeEvents, ServiceStatus, UpOptions } from '../runtime.js';
import { serviceEnv } from '../wiring.js';
import { installDependencies, needsInstall } from './install.js';
import { ServiceLogFile } from './log-file.js';
import { ServiceProcess } from './service-process.js';
import { logsDir } from './state-file.js';

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
  private readonly logFiles: ServiceLogFile[] = [];

  constructor(
    private readonly workspace: WorkspaceData,
    private readonly options: UpOptions,
    private readonly events: RuntimeEvents,
  ) {}

  /** Resolves once every selected service is ready, failed or blocked. */
  async start(): Promise<ServiceStatus[]> {
    const services = selectServices(this.workspace, this.options.services);
    for (const service of services) this.report({ service: service.name, state: 'pending', port: service.port, restarts: 0 });
    await assertPortsFree(services);
    const infra = await resolveInfra(this.workspace);
    await this.install(services);
    const ready = new Map<string, Promise<boolean>>();
    for (const service of services) {
      const deps = service.dependsOn.filter((dep) => ready.has(dep));
      ready.set(service.name, this.startWhenDepsReady(service, deps.map((d) => [d, ready.get(d)!] as const), infra));
    }
    await Promise.all(ready.values());
    return this.snapshot();
  }

  snapshot(): ServiceStatus[] {
    return [...this.statuses.values()].map((status) => ({ ...status }));
  }

  /** Stops every service, dependents first, then closes the log files. */
  async stop(graceMs = STOP_GRACE_MS): Promise<void> {
    const order = dependencyOrder([...this.processes.values()].map((p) => p.service)).reverse();
    await Promise.all(order.map((service) => this.processes.get(service.name)!.stop(graceMs)));
    await Promise.all(this.logFiles.map((file) => file.close()));
  }

  private report(status: ServiceStatus): void {
    this.statuses.set(status.service, status);
    this.events.state(status);
  }

  private async install(services: Service[]): Promise<void> {
    for (const service of services.filter((s) => needsInstall(s.dir))) {
      this.report({ ...this.statuses.get(service.name)!, state: 'installing' });
      this.events.note(service.name, 'installing dependencies (node_modules missing or older than the lockfile)');
      await installDependencies(service.dir, service.name);
    }
  }

  private async startWhenDepsReady(
    service: Service,
    deps: ReadonlyArray<readonly [string, Promise<boolean>]>,
    infra: Map<InfraName, InfraEndpoint>,
  ): Promise<boolean> {
    const block = (detail: string) => {
      this.report({ ...this.statuses.get(service.name)!, state: 'blocked', detail });
      return false;
    };
    const missing = infraNeeds(service).map((name) => infra.get(name)!).find((endpoint) => !endpoint.url);
    if (missing) return block(missing.problem!);
    for (const [dep, isReady] of deps) {
      if (!(await isReady)) return block(`waits for "${dep}", which is ${this.statuses.get(dep)?.state}`);
    }
    let databaseUrl: string | undefined;
    if (service.db === 'postgres') {
      try {
        databaseUrl = await ensureDatabase(infra.get('postgres')!.url!, databaseName(this.workspace.name, service.name));
      } catch (error) {
        return block(`its database could not be created: ${(error as Error).message}`);
      }
    }
    const env = serviceEnv({
      workspace: this.workspace,
      service,
      environment: 'local',
      addressOf: (target) => ({ host: '127.0.0.1', port: target.port }),
      amqpUrl: infra.get('rabbitmq')?.url,
      databaseUrl,
    });
    const logFile = new ServiceLogFile(logsDir(this.workspace.root), service.name);
    this.logFiles.push(logFile);
    const events: RuntimeEvents = { ...this.events, state: (status) => this.report(status) };
    const child = new ServiceProcess(service, { ...process.env, ...env } as Record<string, string>, logFile, events, this.options.readyTimeoutMs);
    this.processes.set(service.name, child);
    return child.start();
  }
}

/** The named services and everything they depend on, in dependency order. */
export function selectServices(workspace: WorkspaceData, names: readonly string[]): Service[] {
  const ordered = dependencyOrder(workspace.services);
  if (names.length === 0) return ordered;
  const wanted = new Set<string>();
  const add = (name: string): void => {
    const service = workspace.services.find((s) => s.name === name);
    if (!service) {
      throw new UserError(`unknown service "${name}"`, { hint: `services: ${workspace.services.map((s) => s.name).join(', ')}`, exit: 'notFound' });
    }
    if (wanted.has(name)) return;
    wanted.add(name);
    service.dependsOn.forEach((dep) => workspace.services.some((s) => s.name === dep) && add(dep));
  };
  names.forEach(add);
  return ordered.filter((service) => wanted.has(service.name));
}

/** Fails before anything starts when a declared port is taken, naming the port and the service. */
export async function assertPortsFree(services: Service[]): Promise<void> {
  for (const service of services) {
    if (!(await portIsFree(service.port))) {
      throw new UserError(`port ${service.port} of service "${service.name}" is already in use by another process`, {
        hint: `stop what listens on ${service.port} (ss -ltnp 'sport = :${service.port}') or change services.${service.name}.port in msx.yaml`,
        exit: 'conflict',
      });
    }
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => server.close(() => resolve(true)));
  });
}
