import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, relative } from 'node:path';
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
  if (existsSync(join(service.dir, 'package.json'))) return;
  const path = relative(workspace.root, service.dir);
  const what = existsSync(service.dir) ? `has no package.json` : 'does not exist';
  throw new UserError(`the folder of service "${service.name}", ${path} (msx.yaml services.${service.name}.path), ${what}`, {
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

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => server.close(() => resolve(true)));
  });
}
