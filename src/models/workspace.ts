import type { Document } from 'yaml';
import { UserError } from '../errors.js';
import type { EnvironmentSpec, ServiceSpec, WorkspaceSpec } from './schema.js';
import type { ServiceAuthKeys } from './wiring.js';

/** A service as every command sees it: its msx.yaml entry plus its name and folder. */
export interface Service extends ServiceSpec {
  name: string;
  /** Absolute path of the service's own npm package. */
  dir: string;
}

/** The one model every command reads, made only by `loadWorkspace`. */
export interface Workspace {
  /** Absolute path of the folder holding msx.yaml. */
  root: string;
  /** Absolute path of msx.yaml. */
  file: string;
  name: string;
  /** In msx.yaml order. */
  services: Service[];
  infra: NonNullable<WorkspaceSpec['infra']>;
  environments: Record<string, EnvironmentSpec>;
  /** The parsed document, for writes that keep comments and key order. */
  document: Document;
}

export const WORKSPACE_FILE = 'msx.yaml';

export function findService(workspace: Workspace, name: string): Service | undefined {
  return workspace.services.find((service) => service.name === name);
}

/** An environment named on the command line (--env); not found (exit 3) names the ones msx.yaml has. */
export function requireEnvironment(workspace: Pick<Workspace, 'environments'>, name: string): EnvironmentSpec {
  const spec = workspace.environments[name];
  if (spec) return spec;
  const names = Object.keys(workspace.environments);
  throw new UserError(`unknown environment "${name}" (msx.yaml has: ${names.join(', ') || 'none'})`, {
    hint: 'pass --env with one of those, or add it under environments: in msx.yaml',
    exit: 'notFound',
  });
}

/**
 * A workspace without its YAML document: what runtimes need, and what can cross a process boundary as JSON.
 * `serviceAuth` is attached by a runtime from `.msx/` just before it starts services, never by the loader.
 */
export type WorkspaceData = Omit<Workspace, 'document'> & { serviceAuth?: ServiceAuthKeys };
