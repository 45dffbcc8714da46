import { createHash } from 'node:crypto';

/**
 * Every object msx makes in Docker carries these labels: it is found, compared
 * and removed by them, never by name alone (the idea of compose's labels.go).
 */
export const LABEL = {
  workspace: 'dev.msx.workspace',
  service: 'dev.msx.service',
  configHash: 'dev.msx.config-hash',
  /** service | infra | forwarder: which containers get logs followed and probes run. */
  role: 'dev.msx.role',
  /** On images built from a stage other than the last: `dev` for `msx up --watch`. */
  target: 'dev.msx.target',
  /** On a dev container whose main process is msx's runner (dev-runner.ts): the runner's version. */
  devRunner: 'dev.msx.dev-runner',
  /** On a dev container whose runner folder (its file and state) is bind-mounted from the host: that folder. */
  runnerDir: 'dev.msx.runner-dir',
  /** On a dev container that reads some source folders from the host (source-mounts.ts): those folders, comma-separated. */
  sourceMounts: 'dev.msx.source-mounts',
} as const;

/** The Dockerfile stage `msx up --runtime docker --watch` runs: sources under tsx, synced on each save. */
export const DEV_TARGET = 'dev';

export type ContainerRole = 'service' | 'infra' | 'forwarder';

export function objectLabels(workspace: string, service: string | undefined, configHash: string, role?: ContainerRole): Record<string, string> {
  const labels: Record<string, string> = { [LABEL.workspace]: workspace, [LABEL.configHash]: configHash };
  if (service) labels[LABEL.service] = service;
  if (role) labels[LABEL.role] = role;
  return labels;
}

/** The label filter of one workspace, in the Docker API's `label=key=value` form. */
export function workspaceFilter(workspace: string, extra: Record<string, string> = {}): string[] {
  return [`${LABEL.workspace}=${workspace}`, ...Object.entries(extra).map(([key, value]) => `${key}=${value}`)];
}

// Service and workspace names are DNS labels and never hold "_", so "_" joins them unambiguously.
export const networkName = (workspace: string) => `msx_${workspace}`;
export const containerName = (workspace: string, service: string) => `msx_${workspace}_${service}`;
export const imageRepository = (workspace: string, service: string) => `msx/${workspace}_${service}`;
export const volumeName = (workspace: string, infra: string) => `msx_${workspace}_${infra}_data`;

/**
 * A stable hash of any JSON value: object keys sorted, so the same config
 * always gives the same hash whatever order it was built in.
 */
export function configHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
