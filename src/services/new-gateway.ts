import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { FileTree } from '../files/file-tree.js';
import { generateService } from '../generators/service/generate-service.js';
import { jwksUrlProblem, prefixesOverlap, publicKeyProblem, routeTargetProblem } from '../models/gateway-routes.js';
import { loadWorkspace } from '../models/load-workspace.js';
import { nameProblem } from '../models/names.js';
import type { RouteSpec, ServiceSpec } from '../models/schema.js';
import { findService, WORKSPACE_FILE, type Workspace } from '../models/workspace.js';
import { textWithService } from '../models/write-workspace.js';
import { copyGrpcApi } from './gateway-apis.js';
import { nextFreePort, type NewServiceResult } from './new-service.js';

export interface NewGatewayOptions {
  cwd: string;
  name: string;
  context?: string;
  port?: number;
  /** Services to route to, each at /<name>. */
  routes?: string[];
  /** Make every route public (no token needed). */
  public?: boolean;
  jwksUrl?: string;
  /** A file holding the PEM public key tokens are signed with. */
  publicKeyFile?: string;
  issuer?: string;
  audience?: string;
  /** Count rate limits in Redis, shared by every gateway process. */
  redis?: boolean;
  dryRun?: boolean;
}

const DEFAULT_CONTEXT = 'edge';

/** Scaffolds a gateway and registers it with its routes in msx.yaml, all or nothing. */
export async function newGateway(options: NewGatewayOptions): Promise<NewServiceResult> {
  const workspace = await loadWorkspace(options.cwd);
  const spec = gatewaySpec(workspace, options);
  spec.port = options.port ?? (await nextFreePort(workspace));
  if (existsSync(join(workspace.root, spec.path))) {
    throw new UserError(`${spec.path} already exists`, { hint: 'remove it or choose another name or context', exit: 'conflict' });
  }
  const tree = new FileTree(workspace.root);
  tree.update(WORKSPACE_FILE, textWithService(workspace, options.name, spec));
  // Its upstreams come from GATEWAY_ROUTES at run time: no per-dependency client is generated, but
  // a gRPC service's API is copied into proto/, where the gateway reads the methods it serves.
  await generateService(tree, spec.path, {
    workspaceName: workspace.name,
    name: options.name,
    context: spec.context,
    kind: 'gateway',
    port: spec.port,
    db: 'none',
    dependsOn: [],
    publishes: [],
    subscribes: [],
  });
  for (const route of spec.routes ?? []) {
    const target = findService(workspace, route.service)!;
    if (target.kind === 'grpc') copyGrpcApi(tree, { name: options.name, path: spec.path }, target);
  }
  if (!options.dryRun) await tree.flush();
  return { workspaceRoot: workspace.root, service: { name: options.name, ...spec }, files: tree.entries(), dryRun: Boolean(options.dryRun) };
}

function gatewaySpec(workspace: Workspace, options: NewGatewayOptions): ServiceSpec {
  const context = options.context ?? DEFAULT_CONTEXT;
  const problem = nameProblem(options.name, 'gateway name') ?? nameProblem(context, 'context');
  if (problem) throw new UserError(problem, { hint: 'names are DNS labels such as "edge" or "api"' });
  if (findService(workspace, options.name)) {
    throw new UserError(`service "${options.name}" already exists in ${WORKSPACE_FILE}`, { hint: 'choose another name', exit: 'conflict' });
  }
  const routes = routeSpecs(workspace, options);
  const config = authConfig(options);
  if (!options.public && routes.length > 0 && !config.AUTH_JWKS_URL && !config.AUTH_PUBLIC_KEY) {
    throw new UserError('the gateway needs a key to check tokens on its routes', {
      hint: 'pass --jwks-url URL or --public-key FILE (or --public to let every route through without a token)',
    });
  }
  if (options.port !== undefined) checkPort(workspace, options.port);
  return {
    kind: 'gateway',
    context,
    path: `contexts/${context}/${options.name}`,
    port: options.port ?? 0,
    db: 'none',
    dependsOn: options.redis ? ['redis'] : [],
    publishes: [],
    subscribes: [],
    config,
    secrets: [],
    routes,
  };
}

function routeSpecs(workspace: Workspace, options: NewGatewayOptions): RouteSpec[] {
  const routes: RouteSpec[] = [];
  const known = workspace.services.filter((s) => s.kind === 'rest' || s.kind === 'grpc').map((s) => s.name);
  for (const service of [...new Set(options.routes ?? [])]) {
    const problem = routeTargetProblem(service, findService(workspace, service), known);
    if (problem) throw new UserError(`--routes: ${problem}`, { hint: 'route to the REST and gRPC services of this workspace' });
    const route: RouteSpec = { path: `/${service}`, service, ...(options.public ? { public: true } : {}) };
    const clash = routes.find((other) => prefixesOverlap(other.path, route.path));
    if (clash) throw new UserError(`--routes: "${route.path}" overlaps "${clash.path}"`, { hint: 'route each service once' });
    routes.push(route);
  }
  return routes;
}

function authConfig(options: NewGatewayOptions): Record<string, string> {
  const config: Record<string, string> = {};
  if (options.jwksUrl !== undefined) {
    const problem = jwksUrlProblem(options.jwksUrl);
    if (problem) throw new UserError(`--jwks-url: ${problem}`, { hint: 'pass the issuer\'s JWKS URL, e.g. https://issuer.example/.well-known/jwks.json' });
    config.AUTH_JWKS_URL = options.jwksUrl;
  }
  if (options.publicKeyFile !== undefined) config.AUTH_PUBLIC_KEY = readPublicKey(options.cwd, options.publicKeyFile);
  if (options.issuer !== undefined) config.AUTH_ISSUER = options.issuer;
  if (options.audience !== undefined) config.AUTH_AUDIENCE = options.audience;
  return config;
}

function readPublicKey(cwd: string, file: string): string {
  const path = isAbsolute(file) ? file : resolve(cwd, file);
  if (file.trim() === '') throw new UserError('--public-key is empty', { hint: 'pass the PEM file of the key tokens are signed with' });
  if (!existsSync(path)) throw new UserError(`--public-key ${file}: no such file`, { hint: 'pass the PEM file of the key tokens are signed with', exit: 'notFound' });
  // A folder is refused; a pipe is read (`--public-key <(vault read ...)`, as bench/gateway.sh passes it).
  if (statSync(path).isDirectory()) throw new UserError(`--public-key ${file}: is a folder, not a file`, { hint: 'pass the PEM file of the key tokens are signed with' });
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new UserError(`--public-key ${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { hint: 'pass a PEM file msx can read' });
  }
  const problem = publicKeyProblem(pem);
  if (problem) throw new UserError(`--public-key ${file}: ${problem.replace('AUTH_PUBLIC_KEY ', '')}`, { hint: 'export the public half, e.g. openssl pkey -in key.pem -pubout' });
  return `${pem}\n`;
}

function checkPort(workspace: Workspace, port: number): void {
  if (!Number.isInteger(port) || port < 1024 || port > 65535) {
    throw new UserError(`--port ${port} is out of range`, { hint: 'use a port between 1024 and 65535' });
  }
  const owner = workspace.services.find((s) => s.port === port);
  if (owner) throw new UserError(`--port ${port} is already used by service "${owner.name}"`, { hint: 'omit --port to get a free one', exit: 'conflict' });
}
