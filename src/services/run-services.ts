import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { otlpEndpointOf } from '../models/wiring.js';
import { runningCollector } from '../state/collector-address.js';
import { readWorkspace } from '../state/workspace-cache.js';
import type { DownResult, RuntimeEvents, ServiceStatus, UpResult } from '../runtimes/runtime.js';
import { loadRuntime, runtimeNameFor } from '../runtimes/select-runtime.js';
import { stopDetachedDashboard } from './dashboard-process.js';
import { staleApiNote, staleGrpcApis } from '../models/grpc-apis.js';

export interface RunOptions {
  cwd: string;
  runtime?: string;
}

export interface UpServiceOptions extends RunOptions {
  detach: boolean;
  watch?: boolean;
  readyTimeoutSeconds: number;
  services: string[];
}

/** `msx up`: every service (or the named ones) started, wired and gated on readiness. */
export async function upServices(options: UpServiceOptions, events: RuntimeEvents): Promise<UpResult & { runtime: string; entryPoints?: EntryPoint[]; spans?: SpansDestination }> {
  const workspace = await readWorkspace(options.cwd);
  const runtime = await loadRuntime(runtimeNameFor(workspace, options.runtime));
  for (const stale of staleGrpcApis(workspace.root, workspace.services)) {
    if (options.services.length > 0 && !options.services.includes(stale.gateway)) continue;
    events.note(stale.gateway, staleApiNote(stale));
  }
  const result = await runtime.up(
    workspace,
    { detach: options.detach, watch: options.watch, readyTimeoutMs: options.readyTimeoutSeconds * 1000, services: options.services },
    events,
  );
  return { ...result, runtime: runtime.name, entryPoints: entryPoints(workspace.services, result.services), spans: spansDestination(workspace) };
}

/** Where the services send their spans: the user's endpoint from msx.yaml, or msx's collector while it runs. */
export interface SpansDestination {
  endpoint: string;
  /** True for msx's own collector (`msx traces` and the dashboard read what it stores). */
  collector: boolean;
}

function spansDestination(workspace: Parameters<typeof otlpEndpointOf>[0] & { root: string }): SpansDestination | undefined {
  const own = otlpEndpointOf(workspace, 'local');
  if (own) return { endpoint: own, collector: false };
  const collector = runningCollector(workspace.root);
  return collector && { endpoint: collector.endpoint, collector: true };
}

/** A gateway that is up: where clients of the workspace come in. */
export interface EntryPoint {
  service: string;
  url: string;
}

function entryPoints(services: ReadonlyArray<{ name: string; kind: string }>, statuses: ServiceStatus[]): EntryPoint[] {
  const gateways = new Set(services.filter((s) => s.kind === 'gateway').map((s) => s.name));
  return statuses.filter((s) => gateways.has(s.service) && s.state === 'ready' && s.url).map((s) => ({ service: s.service, url: s.url! }));
}

/** `msx down`: everything the runtime started for this workspace is stopped. */
export async function downServices(options: RunOptions & { volumes: boolean }): Promise<DownResult> {
  const workspace = await readWorkspace(options.cwd);
  const runtime = await loadRuntime(runtimeNameFor(workspace, options.runtime, 'local', true));
  const result = await runtime.down(workspace, { volumes: options.volumes });
  await stopDetachedDashboard(workspace.root);
  return result;
}

/** `msx ps`: one status per declared service. */
export async function serviceStatuses(options: RunOptions): Promise<ServiceStatus[]> {
  const workspace = await readWorkspace(options.cwd);
  const runtime = await loadRuntime(runtimeNameFor(workspace, options.runtime, 'local', true));
  const statuses = await runtime.status(workspace);
  return statuses.map((status) => {
    const service = workspace.services.find((s) => s.name === status.service);
    if (!service || existsSync(service.dir) || status.detail) return status;
    return { ...status, detail: `its folder ${relative(workspace.root, service.dir)} does not exist (msx.yaml services.${service.name}.path)` };
  });
}

export function unsettled(statuses: ServiceStatus[]): ServiceStatus[] {
  return statuses.filter((s) => s.state !== 'ready');
}
