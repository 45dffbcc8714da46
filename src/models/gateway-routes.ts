import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { KeyPath } from './yaml-location.js';
import { envPrefix, isInfraName } from './names.js';
import type { RouteSpec, ServiceKind, ServiceSpec, WorkspaceSpec } from './schema.js';
import { durationMs } from './time.js';

/** Paths the generated gateway serves itself: its probes and its composed (BFF) routes. */
const RESERVED_PREFIXES = ['/health', '/bff'];

/** `/orders`, `/api/v1/orders`: segments of letters, digits, `-`, `_`, `.`, `~`, no trailing slash. */
const ROUTE_PATH = /^(\/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)+$/;

/** A route as the gateway reads it from GATEWAY_ROUTES: durations in ms, its upstream's env var named. */
export interface GatewayRoute {
  path: string;
  service: string;
  /** http: proxied; grpc: its methods served as JSON over HTTP from the gateway's proto/<service>.proto. */
  protocol: 'http' | 'grpc';
  /** The env var holding the upstream's base URL, host:port for grpc (msx wires `<SERVICE>_URL`). */
  urlEnv: string;
  public: boolean;
  timeoutMs?: number;
  rateLimit?: { max: number; windowMs: number };
  scopes?: string[];
}

type At = (path: KeyPath, message: string, atKey?: boolean) => string;

/** Whether one prefix covers the other: `/orders` overlaps `/orders` and `/orders/archive`, not `/orders-v2`. */
export function prefixesOverlap(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

/** The problem of one route path on its own, or undefined. */
export function routePathProblem(path: string): string | undefined {
  if (!ROUTE_PATH.test(path) || path.split('/').some((segment) => segment === '.' || segment === '..')) {
    return `route path "${path}" must look like /orders: starting with "/", plain segments, no trailing "/"`;
  }
  const reserved = RESERVED_PREFIXES.find((prefix) => prefixesOverlap(prefix, path));
  return reserved ? `route path "${path}" overlaps ${reserved}, which the gateway serves itself` : undefined;
}

/** Why `target` cannot sit behind a gateway route, or undefined. */
export function routeTargetProblem(service: string, target: Pick<ServiceSpec, 'kind'> | undefined, known: readonly string[]): string | undefined {
  if (!target) {
    const what = isInfraName(service) ? `"${service}" is infra, not a service` : `unknown service "${service}"`;
    return `${what} (services: ${known.join(', ') || 'none'})`;
  }
  switch (target.kind) {
    case 'rest':
    case 'grpc':
      return undefined;
    case 'consumer':
      return `"${service}" is an event consumer: it serves no API to route to`;
    case 'gateway':
      return `"${service}" is a gateway: a gateway does not route to another gateway`;
  }
}

/** Every rule of the gateways' routes and auth config that spans entries of msx.yaml. */
export function gatewayProblems(spec: WorkspaceSpec, at: At): string[] {
  const problems: string[] = [];
  const names = Object.keys(spec.services);
  for (const [name, service] of Object.entries(spec.services)) {
    if (service.kind !== 'gateway') {
      if (service.routes) problems.push(at(['services', name, 'routes'], `routes are for kind gateway, not ${service.kind}`, true));
      continue;
    }
    const routes = service.routes ?? [];
    routes.forEach((route, i) => problems.push(...routeProblems(spec, name, route, routes.slice(0, i), [...names], (key, message) => at(['services', name, 'routes', i, ...key], message))));
    problems.push(...authProblems(spec, name, service, at));
  }
  return problems;
}

function routeProblems(spec: WorkspaceSpec, gateway: string, route: RouteSpec, earlier: RouteSpec[], names: string[], at: (key: KeyPath, message: string) => string): string[] {
  const problems: string[] = [];
  const pathProblem = routePathProblem(route.path);
  if (pathProblem) problems.push(at(['path'], pathProblem));
  const clash = earlier.find((other) => prefixesOverlap(other.path, route.path));
  if (!pathProblem && clash) {
    const how = clash.path === route.path ? 'is routed twice' : `overlaps "${clash.path}" (to ${clash.service})`;
    problems.push(at(['path'], `route path "${route.path}" ${how}; give each service a prefix of its own`));
  }
  const targetProblem = route.service === gateway ? `the gateway cannot route to itself` : routeTargetProblem(route.service, spec.services[route.service], names.filter((n) => n !== gateway));
  if (targetProblem) problems.push(at(['service'], targetProblem));
  if (route.timeout !== undefined) {
    const problem = durationProblem(route.timeout, '2s, 500ms');
    if (problem) problems.push(at(['timeout'], problem));
  }
  if (route.rateLimit) {
    const problem = durationProblem(route.rateLimit.window, '1m, 10s');
    if (problem) problems.push(at(['rateLimit', 'window'], problem));
  }
  return problems;
}

/** A route's durations reach the gateway in whole milliseconds (GATEWAY_ROUTES), above zero. */
function durationProblem(text: string, examples: string): string | undefined {
  const ms = durationMs(text);
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0) return `"${text}" is not a duration (e.g. ${examples})`;
  // 0.007s is 7.000000000000001 ms in floating point: whole within a millionth.
  if (Math.abs(ms - Math.round(ms)) > 1e-6) return `"${text}" is not a whole number of milliseconds (e.g. ${examples})`;
  return undefined;
}

/**
 * A gateway checks tokens with AUTH_JWKS_URL or AUTH_PUBLIC_KEY: a malformed one is an msx.yaml
 * error, and so is having neither while some route is not public.
 */
function authProblems(spec: WorkspaceSpec, name: string, service: ServiceSpec, at: At): string[] {
  const problems: string[] = [];
  for (const { path, config } of configLayers(spec, name, service)) {
    if (config.AUTH_JWKS_URL !== undefined) {
      const problem = jwksUrlProblem(String(config.AUTH_JWKS_URL));
      if (problem) problems.push(at([...path, 'AUTH_JWKS_URL'], problem));
    }
    if (config.AUTH_PUBLIC_KEY !== undefined) {
      const problem = publicKeyProblem(String(config.AUTH_PUBLIC_KEY));
      if (problem) problems.push(at([...path, 'AUTH_PUBLIC_KEY'], problem));
    }
  }
  const needsToken = (service.routes ?? []).findIndex((route) => !route.public);
  if (!gatewayHasKey(spec, name, service) && needsToken >= 0) {
    problems.push(at(['services', name, 'routes', needsToken], `gateway "${name}" has routes that need a token but no key to check it: set AUTH_JWKS_URL or AUTH_PUBLIC_KEY in its config (or secrets), or mark the routes public: true`));
  }
  return problems;
}

/** The gateway's config in msx.yaml: its own, then each environment's for it. */
function configLayers(spec: Pick<WorkspaceSpec, 'environments'>, name: string, service: ServiceSpec): Array<{ path: KeyPath; config: Record<string, unknown> }> {
  const layers: Array<{ path: KeyPath; config: Record<string, unknown> }> = [{ path: ['services', name, 'config'], config: service.config }];
  for (const [env, environment] of Object.entries(spec.environments ?? {})) {
    const config = environment.config?.[name];
    if (config) layers.push({ path: ['environments', env, 'config', name], config });
  }
  return layers;
}

/** Whether the gateway has a key to check tokens with (AUTH_JWKS_URL or AUTH_PUBLIC_KEY, in a config or its secrets). */
export function gatewayHasKey(spec: Pick<WorkspaceSpec, 'environments'>, name: string, service: ServiceSpec): boolean {
  if (service.secrets.includes('AUTH_PUBLIC_KEY') || service.secrets.includes('AUTH_JWKS_URL')) return true;
  return configLayers(spec, name, service).some(({ config }) => config.AUTH_JWKS_URL !== undefined || config.AUTH_PUBLIC_KEY !== undefined);
}

export function jwksUrlProblem(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return undefined;
  } catch {
    // reported below
  }
  return `AUTH_JWKS_URL "${url}" is not an http(s) URL (e.g. https://issuer.example/.well-known/jwks.json)`;
}

export function publicKeyProblem(pem: string): string | undefined {
  // createPublicKey takes a private key too (and derives its public half): a private key here
  // would be written into msx.yaml, which is committed.
  if (isPrivateKey(pem)) return 'AUTH_PUBLIC_KEY is a private key: only its public half belongs in msx.yaml (-----BEGIN PUBLIC KEY----- ...)';
  try {
    createPublicKey(pem);
    return undefined;
  } catch {
    return 'AUTH_PUBLIC_KEY is not a PEM public key (-----BEGIN PUBLIC KEY----- ...)';
  }
}

function isPrivateKey(pem: string): boolean {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) return true;
  try {
    createPrivateKey(pem);
    return true;
  } catch {
    return false;
  }
}

/** A gateway depends on everything it routes to: started after them, wired with their `<SERVICE>_URL`. */
export function withRoutedDependencies(service: ServiceSpec): string[] {
  return [...new Set([...service.dependsOn, ...(service.routes ?? []).map((route) => route.service)])];
}

/** The env a gateway reads its routes from, the same on every runtime; `kindOf` tells a gRPC target. */
export function gatewayEnv(service: Pick<ServiceSpec, 'routes'>, kindOf: (service: string) => ServiceKind | undefined): Record<string, string> {
  const routes: GatewayRoute[] = (service.routes ?? []).map((route) => ({
    path: route.path,
    service: route.service,
    protocol: kindOf(route.service) === 'grpc' ? 'grpc' : 'http',
    urlEnv: `${envPrefix(route.service)}_URL`,
    public: route.public ?? false,
    ...(route.timeout ? { timeoutMs: Math.round(durationMs(route.timeout)!) } : {}),
    ...(route.rateLimit ? { rateLimit: { max: route.rateLimit.max, windowMs: Math.round(durationMs(route.rateLimit.window)!) } } : {}),
    ...(route.scopes ? { scopes: route.scopes } : {}),
  }));
  return { GATEWAY_ROUTES: JSON.stringify(routes) };
}
