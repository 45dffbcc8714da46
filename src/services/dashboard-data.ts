import type { ServiceStatus } from '../models/service-status.js';
export type { ControlAction } from '../runtimes/runtime.js';
import type { ControlAction, RuntimeEvents } from '../runtimes/runtime.js';
import { loadRuntime, runtimeNameFor } from '../runtimes/select-runtime.js';
import { readWorkspace } from '../state/workspace-cache.js';
import { controlServices } from './control-services.js';
import { serviceStatuses } from './run-services.js';

/** What the dashboard's services page and graph show: the same statuses `msx ps` prints, and whether buttons work. */
export interface DashboardServices {
  workspace: string;
  runtime: string;
  /** The runtime answers restart/stop/start (as `msx restart` would). */
  canControl: boolean;
  services: DashboardService[];
}

export interface DashboardService extends ServiceStatus {
  kind: string;
  /** What its /health/ready answers now (`ready: alpha ok, postgres failed (…)`); HTTP kinds that run only. */
  readiness?: string;
  dependsOn: string[];
  publishes: string[];
  subscribes: string[];
}

/** `msx ps` plus each service's msx.yaml edges, for the dashboard. */
export async function dashboardServices(cwd: string): Promise<DashboardServices> {
  const workspace = await readWorkspace(cwd);
  const runtimeName = runtimeNameFor(workspace, undefined, 'local', true);
  const runtime = await loadRuntime(runtimeName);
  const statuses = await serviceStatuses({ cwd });
  const services = await Promise.all(
    workspace.services.map(async (spec): Promise<DashboardService> => {
      const status = statuses.find((s) => s.service === spec.name) ?? { service: spec.name, state: 'stopped', restarts: 0 };
      const readiness = spec.kind !== 'grpc' && status.url && PROBED.has(status.state) ? await readinessOf(status.url) : undefined;
      return { ...status, kind: spec.kind, readiness, dependsOn: [...spec.dependsOn], publishes: [...spec.publishes], subscribes: [...spec.subscribes] };
    }),
  );
  return { workspace: workspace.name, runtime: runtime.name, canControl: typeof runtime.control === 'function', services };
}

const PROBED = new Set(['starting', 'ready', 'orphaned']);

interface ReadyAnswer {
  status?: string;
  checks?: { name: string; ok: boolean; error?: string }[];
}

/** The service's own readiness answer in one line: its status, then each check (the generated services' /health/ready). */
async function readinessOf(url: string): Promise<string> {
  try {
    const answer = (await (await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(800) })).json()) as ReadyAnswer;
    const checks = (answer.checks ?? []).map((c) => `${c.name} ${c.ok ? 'ok' : `failed${c.error ? ` (${c.error})` : ''}`}`);
    return [answer.status ?? 'unknown', checks.join(', ')].filter(Boolean).join(': ');
  } catch (error) {
    return `/health/ready did not answer (${error instanceof Error ? error.message : String(error)})`;
  }
}

/** A dashboard button: what `msx restart|stop|start SERVICE` does, the state changes dropped (the page polls). */
export async function dashboardControl(cwd: string, action: ControlAction, service: string): Promise<ServiceStatus[]> {
  const quiet: RuntimeEvents = { state: () => undefined, log: () => undefined, note: () => undefined };
  return controlServices({ cwd, action, services: [service] }, quiet);
}

/** The workspace's root folder; no workspace here is the loader's one-line error. */
export async function dashboardWorkspace(cwd: string): Promise<string> {
  return (await readWorkspace(cwd)).root;
}
