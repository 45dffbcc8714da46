import { existsSync } from 'node:fs';
import { portIsFree } from '../runtimes/select-services.js';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { FileTree, type TreeEntry } from '../files/file-tree.js';
import { generateService } from '../generators/service/generate-service.js';
import { loadWorkspace } from '../models/load-workspace.js';
import { eventNameProblem, isInfraName, nameProblem } from '../models/names.js';
import { gatewayHasKey, prefixesOverlap, routePathProblem } from '../models/gateway-routes.js';
import { gatewayServesGrpc } from '../models/grpc-apis.js';
import { copyGrpcApi } from './gateway-apis.js';
import type { Database, RouteSpec, ServiceKind, ServiceSpec } from '../models/schema.js';
import { findService, WORKSPACE_FILE, type Workspace } from '../models/workspace.js';
import { textWithService } from '../models/write-workspace.js';

export interface NewServiceOptions {
  cwd: string;
  name: string;
  kind: ServiceKind;
  context: string;
  port?: number;
  dependsOn?: string[];
  db?: Database;
  publishes?: string[];
  subscribes?: string[];
  /** Route /NAME on the workspace's gateway (`gateway`, or its only one) to the new service. */
  expose?: boolean;
  /** With expose: the route needs no token (`public: true`). */
  publicRoute?: boolean;
  gateway?: string;
  dryRun?: boolean;
}

export interface NewServiceResult {
  workspaceRoot: string;
  service: ServiceSpec & { name: string };
  files: TreeEntry[];
  dryRun: boolean;
}

const FIRST_PORT = 3000;

/**
 * Scaffolds a service and registers it in msx.yaml, all or nothing: the files
 * and the msx.yaml change are written by one flush after every check passed.
 */
export async function newService(options: NewServiceOptions): Promise<NewServiceResult> {
  const workspace = await loadWorkspace(options.cwd);
  const spec = serviceSpec(workspace, options, options.port ?? (await nextFreePort(workspace)));
  if (existsSync(join(workspace.root, spec.path))) {
    throw new UserError(`${spec.path} already exists`, { hint: 'remove it or choose another name or context', exit: 'conflict' });
  }
  const tree = new FileTree(workspace.root);
  const expose = options.expose ? exposedRoute(workspace, options) : undefined;
  tree.update(WORKSPACE_FILE, textWithService(workspace, options.name, spec, expose));
  await generateService(tree, spec.path, {
    workspaceName: workspace.name,
    name: options.name,
    context: spec.context,
    kind: spec.kind,
    port: spec.port,
    db: spec.db,
    dependsOn: spec.dependsOn
      .filter((dep) => !isInfraName(dep))
      .map((dep) => findService(workspace, dep)!)
      .map((dep) => ({ name: dep.name, kind: dep.kind, port: dep.port, context: dep.context })),
    publishes: spec.publishes,
    subscribes: spec.subscribes,
  });
  // A gRPC service's route serves the methods of the gateway's copy of its API.
  if (expose && spec.kind === 'grpc') copyGrpcApi(tree, findService(workspace, expose.gateway)!, { name: options.name, path: spec.path });
  if (!options.dryRun) await tree.flush();
  return { workspaceRoot: workspace.root, service: { name: options.name, ...spec }, files: tree.entries(), dryRun: Boolean(options.dryRun) };
}

/**
 * The rule a new service's name breaks in the workspace at `cwd`, for a prompt
 * to check each answer as it is typed (the same checks as the flags path).
 * The workspace is read once, at the first answer.
 */
export function newServiceNameRule(cwd: string): (name: string) => Promise<string | undefined> {
  let workspace: Promise<Workspace> | undefined;
  return async (name) => {
    const problem = nameProblem(name, 'service name');
    if (problem) return problem;
    workspace ??= loadWorkspace(cwd);
    return findService(await workspace, name) ? existingServiceProblem(name) : undefined;
  };
}

const existingServiceProblem = (name: string) => `service "${name}" already exists in ${WORKSPACE_FILE}`;

/** Checks every option against the rules and the workspace; the first broken rule is the error. */
function serviceSpec(workspace: Workspace, options: NewServiceOptions, port: number): ServiceSpec {
  const problem = nameProblem(options.name, 'service name') ?? nameProblem(options.context, 'context');
  if (problem) throw new UserError(problem, { hint: 'names are DNS labels such as "orders" or "stock-level"' });
  if (findService(workspace, options.name)) {
    throw new UserError(existingServiceProblem(options.name), { hint: 'choose another name', exit: 'conflict' });
  }
  const db = options.db ?? 'none';
  const dependsOn = unique([...(options.dependsOn ?? []), ...(db === 'postgres' ? ['postgres'] : [])]);
  for (const dep of dependsOn) {
    if (!findService(workspace, dep) && !isInfraName(dep)) {
      const known = workspace.services.map((s) => s.name).join(', ') || 'none yet';
      throw new UserError(`--depends-on "${dep}" is not a service of this workspace (services: ${known}; infra: rabbitmq, postgres, redis)`, {
        hint: 'create that service first, or fix the name',
      });
    }
  }
  const subscribes = options.subscribes ?? [];
  if (options.kind === 'consumer' && subscribes.length === 0) {
    throw new UserError('a consumer needs at least one --subscribes EVENT', { hint: 'e.g. --subscribes order.placed' });
  }
  if (options.kind !== 'consumer' && subscribes.length > 0) {
    throw new UserError(`--subscribes is for --kind consumer, not ${options.kind}`, { hint: 'make a consumer service for the events, or drop --subscribes' });
  }
  for (const event of [...(options.publishes ?? []), ...subscribes]) {
    const eventProblem = eventNameProblem(event);
    if (eventProblem) throw new UserError(eventProblem, { hint: 'use names like "order.placed"' });
  }
  return {
    kind: options.kind,
    context: options.context,
    path: `contexts/${options.context}/${options.name}`,
    port: checkPort(workspace, port),
    db,
    dependsOn,
    publishes: options.publishes ?? [],
    subscribes: options.subscribes ?? [],
    config: {},
    secrets: [],
  };
}

/** A port given with --port: in range and no other service's. */
function checkPort(workspace: Workspace, port: number): number {
  if (!Number.isInteger(port) || port < 1024 || port > 65535) {
    throw new UserError(`--port ${port} is out of range`, { hint: 'use a port between 1024 and 65535' });
  }
  const owner = workspace.services.find((s) => s.port === port);
  if (owner) throw new UserError(`--port ${port} is already used by service "${owner.name}"`, { hint: 'omit --port to get a free one', exit: 'conflict' });
  return port;
}

/**
 * The first port from 3000 that no service in msx.yaml has and nothing on
 * this machine listens on (else `msx up` would refuse it later).
 */
export async function nextFreePort(workspace: Workspace): Promise<number> {
  const taken = new Set(workspace.services.map((s) => s.port));
  let port = FIRST_PORT;
  while (taken.has(port) || !(await portIsFree(port))) port += 1;
  return port;
}

/**
 * The route --expose adds (`/NAME`), checked here against the gateway's routes and key, so a
 * problem is said of the flags, not at a line of an msx.yaml that was never written.
 */
function exposedRoute(workspace: Workspace, options: NewServiceOptions): { gateway: string; route: RouteSpec } {
  const name = exposingGateway(workspace, options);
  const gateway = findService(workspace, name)!;
  const route: RouteSpec = options.publicRoute ? { path: `/${options.name}`, service: options.name, public: true } : { path: `/${options.name}`, service: options.name };
  const pathProblem = routePathProblem(route.path);
  if (pathProblem) throw new UserError(`--expose: ${pathProblem}`, { hint: 'choose another service name, or route it in msx.yaml under a path of its own' });
  const clash = (gateway.routes ?? []).find((other) => prefixesOverlap(other.path, route.path));
  if (clash) {
    const how = clash.path === route.path ? `already routes ${clash.path}` : `routes ${clash.path}, which overlaps ${route.path},`;
    throw new UserError(`--expose: gateway "${name}" ${how} to ${clash.service}`, { hint: 'choose another service name, or route it in msx.yaml under a path of its own', exit: 'conflict' });
  }
  if (!route.public && !gatewayHasKey(workspace, name, gateway)) {
    throw new UserError(`--expose: gateway "${name}" has no key to check tokens with, so ${route.path} would need one it cannot check`, {
      hint: `pass --public-route to route it without a token, or set AUTH_JWKS_URL or AUTH_PUBLIC_KEY in the config of "${name}" in msx.yaml`,
    });
  }
  return { gateway: name, route };
}

/** The gateway --expose adds a route to: the one named, else the workspace's only one. */
function exposingGateway(workspace: Workspace, options: NewServiceOptions): string {
  if (options.kind !== 'rest' && options.kind !== 'grpc') {
    throw new UserError(`--expose is for REST and gRPC services: a ${options.kind} serves no API to route to`, { hint: 'drop --expose' });
  }
  const name = namedGateway(workspace, options);
  const gateway = findService(workspace, name)!;
  if (options.kind === 'grpc' && !gatewayServesGrpc(workspace.root, gateway.path)) {
    throw new UserError(`--expose: gateway "${name}" was made by an older msx and cannot route to gRPC services (${gateway.path} has no src/proxy/grpc-routes.ts)`, {
      hint: 'drop --expose; a gateway made by this msx (msx new gateway) can route to it',
    });
  }
  return name;
}

function namedGateway(workspace: Workspace, options: NewServiceOptions): string {
  const gateways = workspace.services.filter((s) => s.kind === 'gateway').map((s) => s.name);
  if (options.gateway !== undefined) {
    if (!gateways.includes(options.gateway)) {
      throw new UserError(`--gateway "${options.gateway}" is not a gateway of this workspace (gateways: ${gateways.join(', ') || 'none'})`, { hint: 'name one of those, or make it with msx new gateway' });
    }
    return options.gateway;
  }
  if (gateways.length === 1) return gateways[0];
  if (gateways.length === 0) throw new UserError('--expose: this workspace has no gateway', { hint: 'make one first: msx new gateway edge' });
  throw new UserError(`--expose: this workspace has several gateways (${gateways.join(', ')})`, { hint: 'name one with --gateway' });
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
