import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { WorkspaceData } from '../../models/workspace.js';
import { msxFile } from '../../state/paths.js';
import type { RuntimeEvents } from '../runtime.js';
import type { DockerClient } from '../../docker/docker-client.js';
import type { ServiceContainerInput } from './container-spec.js';
import { LABEL, workspaceFilter } from './labels.js';
import { watchContainers, type DockerWatch } from './watch.js';

/** What `msx up --runtime docker --detach --watch` hands to the detached follower, which then watches. */
export interface WatchInput {
  workspace: WorkspaceData;
  inputs: Record<string, ServiceContainerInput>;
  readyTimeoutMs: number;
}

export function writeWatchInput(root: string, input: WatchInput): string {
  const file = msxFile.dockerWatchInput(root);
  mkdirSync(dirname(file), { recursive: true });
  // The YAML document (kept for comment-preserving writes) is not data the watcher needs.
  const { document: _yaml, ...workspace } = input.workspace as WorkspaceData & { document?: unknown };
  // 0600: the workspace carries the service-token key pair (as .msx/service-auth-key.json does).
  writeFileSync(file, JSON.stringify({ ...input, workspace }), { mode: 0o600 });
  return file;
}

/** True when the follower that runs (if any) was started to watch. */
export function watchInputExists(root: string): boolean {
  return existsSync(msxFile.dockerWatchInput(root));
}

export function removeWatchInput(root: string): void {
  rmSync(msxFile.dockerWatchInput(root), { force: true });
}

/**
 * The follower's watcher: each watched service's container found by label
 * (the ones `up` just made), its updates said as lines in the follower's log
 * (.msx/docker-log-follower.log), as the local supervisor writes its own.
 */
export async function watchDetached(client: DockerClient, file: string): Promise<DockerWatch> {
  const input = JSON.parse(readFileSync(file, 'utf8')) as WatchInput;
  const { workspace } = input;
  const found = await client.listContainers(workspaceFilter(workspace.name, { [LABEL.role]: 'service' }));
  const containers = new Map(found.map((c) => [c.labels[LABEL.service], c.id]));
  const services = workspace.services.filter((s) => input.inputs[s.name] && containers.has(s.name));
  const line = (text: string) => console.log(`${new Date().toISOString()} ${text}`);
  const events: RuntimeEvents = {
    state: (status) => line(`${status.service}: ${status.state}${status.detail ? ` (${status.detail})` : ''}`),
    log: () => undefined,
    note: (service, message) => line(`${service ?? 'msx'}: ${message}`),
  };
  const context = { client, workspace, events, readyTimeoutMs: input.readyTimeoutMs, containers, inputs: new Map(Object.entries(input.inputs)) };
  const watcher = await watchContainers(services, context, new Set());
  line(`watching ${services.map((s) => s.name).join(', ')}`);
  return watcher;
}
