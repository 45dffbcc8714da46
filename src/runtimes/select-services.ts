import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { relative } from 'node:path';
import { UserError } from '../errors.js';
import { dependencyOrder } from '../models/graph.js';
import type { Service, WorkspaceData } from '../models/workspace.js';

/**
 * The named services and everything they depend on, in dependency order;
 * each one's folder must be there (a folder deleted but still in msx.yaml is
 * named before anything is installed, built or started).
 */
export function selectServices(workspace: WorkspaceData, names: readonly string[]): Service[] {
  const selected = pickServices(workspace, names);
  selected.forEach((service) => assertFolder(workspace, service));
  return selected;
}

function assertFolder(workspace: WorkspaceData, service: Service): void {
  if (existsSync(service.dir)) return;
  const path = relative(workspace.root, service.dir);
  throw new UserError(`the folder of service "${service.name}", ${path} (msx.yaml services.${service.name}.path), does not exist`, {
    hint: `restore it (git checkout -- ${path}), point services.${service.name}.path at it, or remove services.${service.name} from msx.yaml`,
    exit: 'notFound',
  });
}

function pickServices(workspace: WorkspaceData, names: readonly string[]): Service[] {
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
export async function assertPortsFree(services: readonly Service[]): Promise<void> {
  for (const service of services) {
    if (!(await portIsFree(service.port))) {
      throw new UserError(`port ${service.port} of service "${service.name}" is already in use by another process`, {
        hint: `stop what listens on ${service.port} (ss -ltnp 'sport = :${service.port}') or change services.${service.name}.port in msx.yaml`,
        exit: 'conflict',
      });
    }
  }
}

/** True when a server could listen on the port on 127.0.0.1 and on 0.0.0.0 (locally a service listens on the first, in a container on the second). */
export async function portIsFree(port: number): Promise<boolean> {
  for (const host of ['127.0.0.1', '0.0.0.0']) {
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
    });
    if (!free) return false;
  }
  return true;
}
